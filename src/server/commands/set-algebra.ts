// Set algebra (t_set.c sinterGenericCommand / sunionDiffGenericCommand): SINTER/SUNION/SDIFF, their STORE
// forms, SINTERCARD, and SMOVE. A missing key is an empty set; a key of another type is WRONGTYPE.

import {keyBytes, keyOf} from '../../common/key.js'
import {LIMIT_NEGATIVE, NUMKEYS_NOT_POSITIVE, NUMKEYS_TOO_MANY, SYNTAX, WRONGTYPE} from '../../resp/errors.js'
import {bulk, int, ONE, set, ZERO, type Reply} from '../../resp/reply.js'
import {ALL_KEYS, NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import {isOption, parseInt64} from './args.js'
import {deleteIfEmpty, isReply, readCollection, writeCollection} from './collection-access.js'
import {numkeysAt} from './keys-of.js'

type Operation = 'inter' | 'union' | 'diff'

const READ = {flags: ['readonly'], categories: ['read', 'set', 'slow']} as const
const STORE = {flags: ['write', 'denyoom'], categories: ['write', 'set', 'slow']} as const

export const setAlgebraCommands: readonly CommandSpec[] = [
  {name: 'sinter', arity: -2, keys: ALL_KEYS, ...READ, handler: (ctx, a) => reply(ctx, combine(ctx, a, 'inter'))},
  {name: 'sunion', arity: -2, keys: ALL_KEYS, ...READ, handler: (ctx, a) => reply(ctx, combine(ctx, a, 'union'))},
  {name: 'sdiff', arity: -2, keys: ALL_KEYS, ...READ, handler: (ctx, a) => reply(ctx, combine(ctx, a, 'diff'))},
  {name: 'sinterstore', arity: -3, keys: ALL_KEYS, ...STORE, handler: (ctx, a) => store(ctx, a, 'inter')},
  {name: 'sunionstore', arity: -3, keys: ALL_KEYS, ...STORE, handler: (ctx, a) => store(ctx, a, 'union')},
  {name: 'sdiffstore', arity: -3, keys: ALL_KEYS, ...STORE, handler: (ctx, a) => store(ctx, a, 'diff')},
  // numkeys form: Redis 7.0 reports no legacy key range (0 0 0) and the movablekeys flag.
  {name: 'sintercard', arity: -3, flags: ['readonly', 'movablekeys'], keys: NO_KEYS, getKeys: numkeysAt(1), categories: ['read', 'set', 'slow'], handler: sintercardCommand},
  {name: 'smove', arity: 4, flags: ['write', 'fast'], keys: {first: 1, last: 2, step: 1}, categories: ['write', 'set', 'fast'], handler: smoveCommand},
]

/** Reads every source before computing, so a WRONGTYPE anywhere answers before any work is done. */
function combine(ctx: CommandContext, keys: readonly Buffer[], op: Operation): Set<string> | Reply {
  const sources: Set<string>[] = []
  for (const k of keys) {
    const members = readCollection(ctx, keyOf(k), 'set')
    if (isReply(members)) return members
    sources.push(members ?? new Set())
  }
  const [first = new Set<string>(), ...rest] = sources
  if (op === 'union') return new Set(sources.flatMap((s) => [...s]))
  if (op === 'inter') return new Set([...first].filter((m) => rest.every((s) => s.has(m))))
  return new Set([...first].filter((m) => !rest.some((s) => s.has(m))))
}

function reply(_ctx: CommandContext, result: Set<string> | Reply): Reply {
  return isReply(result) ? result : set([...result].map((m) => bulk(keyBytes(m))))
}

function store(ctx: CommandContext, args: readonly Buffer[], op: Operation): Reply {
  const result = combine(ctx, args.slice(1), op)
  if (isReply(result)) return result
  const dest = keyOf(args[0] as Buffer)
  // setKey overwrites an existing destination (no `new`); an empty result deletes it (`del`).
  if (result.size > 0) {
    ctx.db.set(dest, {type: 'set', value: result})
    ctx.notify('s', `s${op}store`, args[0] as Buffer)
  } else if (ctx.db.delete(dest)) {
    ctx.notify('g', 'del', args[0] as Buffer)
  }
  return int(result.size)
}

/**
 * SINTERCARD numkeys key [key ...] [LIMIT limit]: the size of the intersection without building it, stopping
 * once LIMIT members are counted (0 = no limit). Every key is type-checked even when one is missing.
 */
function sintercardCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const numkeys = parseInt64(args[0] as Buffer)
  if (!numkeys.ok || numkeys.value < 1n) return NUMKEYS_NOT_POSITIVE
  if (numkeys.value > BigInt(args.length - 1)) return NUMKEYS_TOO_MANY
  const keyCount = Number(numkeys.value)
  let limit = 0
  for (let i = 1 + keyCount; i < args.length; i++) {
    if (isOption(args[i], 'LIMIT') && i + 1 < args.length) {
      const parsed = parseInt64(args[++i] as Buffer)
      if (!parsed.ok || parsed.value < 0n) return LIMIT_NEGATIVE
      limit = Number(parsed.value)
    } else return SYNTAX
  }
  const sets: Set<string>[] = []
  let anyMissing = false
  for (const k of args.slice(1, 1 + keyCount)) {
    const members = readCollection(ctx, keyOf(k), 'set')
    if (isReply(members)) return members
    if (members === undefined) anyMissing = true
    else sets.push(members)
  }
  if (anyMissing) return ZERO
  sets.sort((a, b) => a.size - b.size)
  const [smallest, ...others] = sets as [Set<string>, ...Set<string>[]]
  let cardinality = 0
  for (const member of smallest) {
    if (!others.every((s) => s === smallest || s.has(member))) continue
    cardinality++
    if (limit !== 0 && cardinality >= limit) break
  }
  return int(cardinality)
}

function smoveCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const source = keyOf(args[0] as Buffer)
  const dest = keyOf(args[1] as Buffer)
  const member = keyOf(args[2] as Buffer)
  const from = readCollection(ctx, source, 'set')
  if (isReply(from)) return from
  // smoveCommand: a missing source answers 0 before the destination's type is checked.
  if (from === undefined) return ZERO
  const destEntry = ctx.db.lookup(dest)
  if (destEntry !== undefined && destEntry.value.type !== 'set') return WRONGTYPE
  if (!from.has(member)) return ZERO
  if (source === dest) return ONE
  from.delete(member)
  ctx.db.modified(source)
  ctx.notify('s', 'srem', args[0] as Buffer)
  deleteIfEmpty(ctx, source)
  const to = writeCollection(ctx, dest, 'set') as Set<string>
  if (!to.has(member)) {
    to.add(member)
    ctx.db.modified(dest)
    ctx.notify('s', 'sadd', args[1] as Buffer)
  }
  return ONE
}
