// The generic key group (db.c, expire.c): DEL EXISTS TYPE RENAME COPY MOVE, the EXPIRE family with
// NX/XX/GT/LT, TTL, KEYS, SCAN, RANDOMKEY, OBJECT. Registration block first, handlers below.

import {keyBytes, keyOf} from '../../common/key.js'
import {
  DB_INDEX_OUT_OF_RANGE, INVALID_CURSOR, INVALID_EXPIRE, NO_SUCH_KEY, SAME_OBJECT, SYNTAX,
} from '../../resp/errors.js'
import {array, bulk, bulkArray, error, int, NIL, OK, ONE, simple, ZERO, type Reply} from '../../resp/reply.js'
import {ALL_KEYS, FIRST_KEY, NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import {lfuDecrAndReturn} from '../keyspace/access.js'
import {Deque} from '../keyspace/deque.js'
import {globMatch} from '../keyspace/glob.js'
import {SortedSet} from '../keyspace/sorted-set.js'
import type {RedisValue} from '../keyspace/values.js'
import {objectEncoding} from '../keyspace/encoding.js'
import {isOption, parseInt64, parseInteger} from './args.js'
import {stringValue} from '../keyspace/string-value.js'

const expireSpec = (name: string, unit: 'seconds' | 'ms', absolute: boolean): CommandSpec => ({
  name, arity: -3, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['keyspace', 'write', 'fast'],
  handler: (ctx, args) => expireGeneric(ctx, args, unit, absolute, name),
})
const ttlSpec = (name: string, handler: CommandSpec['handler']): CommandSpec =>
  ({name, arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['keyspace', 'read', 'fast'], handler})

export const keyCommands: readonly CommandSpec[] = [
  {name: 'del', arity: -2, flags: ['write'], keys: ALL_KEYS, categories: ['keyspace', 'write', 'slow'], handler: delCommand},
  {name: 'unlink', arity: -2, flags: ['write', 'fast'], keys: ALL_KEYS, categories: ['keyspace', 'write', 'fast'], handler: delCommand},
  {name: 'exists', arity: -2, flags: ['readonly', 'fast'], keys: ALL_KEYS, categories: ['keyspace', 'read', 'fast'], handler: existsCommand},
  {name: 'type', arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['keyspace', 'read', 'fast'], handler: typeCommand},
  {name: 'touch', arity: -2, flags: ['readonly', 'fast'], keys: ALL_KEYS, categories: ['keyspace', 'read', 'fast'], handler: existsCommand},
  {name: 'rename', arity: 3, flags: ['write'], keys: {first: 1, last: 2, step: 1}, categories: ['keyspace', 'write', 'slow'], handler: (ctx, a) => renameGeneric(ctx, a, false)},
  {name: 'renamenx', arity: 3, flags: ['write', 'fast'], keys: {first: 1, last: 2, step: 1}, categories: ['keyspace', 'write', 'fast'], handler: (ctx, a) => renameGeneric(ctx, a, true)},
  expireSpec('expire', 'seconds', false),
  expireSpec('pexpire', 'ms', false),
  expireSpec('expireat', 'seconds', true),
  expireSpec('pexpireat', 'ms', true),
  ttlSpec('ttl', (ctx, a) => ttlGeneric(ctx, a, (at, now) => Math.round((at - now) / 1000))),
  ttlSpec('pttl', (ctx, a) => ttlGeneric(ctx, a, (at, now) => at - now)),
  ttlSpec('expiretime', (ctx, a) => ttlGeneric(ctx, a, (at) => Math.floor(at / 1000))),
  ttlSpec('pexpiretime', (ctx, a) => ttlGeneric(ctx, a, (at) => at)),
  {name: 'persist', arity: 2, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['keyspace', 'write', 'fast'], handler: persistCommand},
  {name: 'keys', arity: 2, flags: ['readonly'], keys: NO_KEYS, categories: ['keyspace', 'read', 'slow', 'dangerous'], handler: keysCommand},
  {name: 'scan', arity: -2, flags: ['readonly'], keys: NO_KEYS, categories: ['keyspace', 'read', 'slow'], handler: scanCommand},
  {name: 'randomkey', arity: 1, flags: ['readonly'], keys: NO_KEYS, categories: ['keyspace', 'read', 'slow'], handler: randomkeyCommand},
  {name: 'copy', arity: -3, flags: ['write', 'denyoom'], keys: {first: 1, last: 2, step: 1}, categories: ['keyspace', 'write', 'slow'], handler: copyCommand},
  {name: 'move', arity: 3, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['keyspace', 'write', 'fast'], handler: moveCommand},
  {
    name: 'object', arity: -2, flags: [], keys: NO_KEYS, categories: ['slow'], handler: () => SYNTAX,
    subcommands: [
      {name: 'object|encoding', arity: 3, flags: ['readonly'], keys: {first: 2, last: 2, step: 1}, categories: ['keyspace', 'read', 'slow'], handler: (ctx, a) => objectInfo(ctx, a, (e) => bulk(objectEncoding(e.value, ctx.server)))},
      {name: 'object|refcount', arity: 3, flags: ['readonly'], keys: {first: 2, last: 2, step: 1}, categories: ['keyspace', 'read', 'slow'], handler: (ctx, a) => objectInfo(ctx, a, (e) => int(sharedInteger(e.value) ? 2147483647 : 1))},
      {name: 'object|idletime', arity: 3, flags: ['readonly'], keys: {first: 2, last: 2, step: 1}, categories: ['keyspace', 'read', 'slow'], handler: (ctx, a) => objectInfo(ctx, a, (e) => (ctx.keyspace.access.lfu ? IDLETIME_UNDER_LFU : int(Math.floor(ctx.clock.nowMs() / 1000) - e.lastAccessSec)))},
      {name: 'object|freq', arity: 3, flags: ['readonly'], keys: {first: 2, last: 2, step: 1}, categories: ['keyspace', 'read', 'slow'], handler: (ctx, a) => objectInfo(ctx, a, (e) => (ctx.keyspace.access.lfu ? int(lfuDecrAndReturn(e, ctx.clock.nowMs(), ctx.keyspace.access)) : FREQ_WITHOUT_LFU))},
      {name: 'object|help', arity: 2, flags: ['loading', 'stale'], keys: NO_KEYS, categories: ['keyspace', 'slow'], handler: () => bulkArray(OBJECT_HELP)},
    ],
  },
]

const IDLETIME_UNDER_LFU = error('ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.')
const FREQ_WITHOUT_LFU = error('ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.')

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Print this help.',
]

/** Redis shares the integer objects 0..9999, which OBJECT REFCOUNT reports as INT_MAX. */
const sharedInteger = (v: RedisValue): boolean => v.type === 'string' && /^(0|[1-9]\d{0,3})$/.test(v.value.toString('latin1'))

function objectInfo(ctx: CommandContext, args: readonly Buffer[], answer: (e: import('../keyspace/values.js').Entry) => Reply): Reply {
  const entry = ctx.db.peek(keyOf(args[0] as Buffer))
  return entry === undefined ? NIL : answer(entry)
}

function delCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  let deleted = 0
  for (const k of args) {
    if (!ctx.db.delete(keyOf(k))) continue
    ctx.notify('g', 'del', k)
    deleted++
  }
  return int(deleted)
}

function existsCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  let found = 0
  // LOOKUP_NOTOUCH: EXISTS leaves the access time and LFU counter alone.
  for (const k of args) if (ctx.db.lookup(keyOf(k), false) !== undefined) found++
  return int(found)
}

function typeCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const entry = ctx.db.lookup(keyOf(args[0] as Buffer), false)
  return simple(entry === undefined ? 'none' : entry.value.type)
}

function renameGeneric(ctx: CommandContext, args: readonly Buffer[], onlyIfAbsent: boolean): Reply {
  const from = keyOf(args[0] as Buffer)
  const to = keyOf(args[1] as Buffer)
  const entry = ctx.db.lookup(from)
  if (entry === undefined) return NO_SUCH_KEY
  if (from === to) return onlyIfAbsent ? ZERO : OK
  if (ctx.db.lookup(to) !== undefined) {
    if (onlyIfAbsent) return ZERO
    // The old destination goes first, so the key is added anew (dbDelete, then dbAdd: a `new` event).
    ctx.db.delete(to)
  }
  ctx.db.set(to, entry.value, {expiresAt: entry.expiresAt})
  ctx.db.delete(from)
  ctx.notify('g', 'rename_from', args[0] as Buffer)
  ctx.notify('g', 'rename_to', args[1] as Buffer)
  return onlyIfAbsent ? ONE : OK
}

type Condition = 'NX' | 'XX' | 'GT' | 'LT'

function expireGeneric(ctx: CommandContext, args: readonly Buffer[], unit: 'seconds' | 'ms', absolute: boolean, name: string): Reply {
  const amount = parseInt64(args[1] as Buffer)
  if (!amount.ok) return amount.error
  const conditions = new Set<Condition>()
  for (const arg of args.slice(2)) {
    const opt = arg.toString('latin1').toUpperCase()
    if (opt !== 'NX' && opt !== 'XX' && opt !== 'GT' && opt !== 'LT') return error(`ERR Unsupported option ${arg.toString('latin1')}`)
    conditions.add(opt)
  }
  if (conditions.has('NX') && (conditions.has('XX') || conditions.has('GT') || conditions.has('LT'))) {
    return error('ERR NX and XX, GT or LT options at the same time are not compatible')
  }
  if (conditions.has('GT') && conditions.has('LT')) return error('ERR GT and LT options at the same time are not compatible')
  const ms = unit === 'seconds' ? amount.value * 1000n : amount.value
  const at = absolute ? ms : ms + BigInt(ctx.clock.nowMs())
  if ((unit === 'seconds' && (amount.value > 9223372036854775n || amount.value < -9223372036854775n)) || at > 9223372036854775807n || at < -9223372036854775808n) {
    return INVALID_EXPIRE(name)
  }
  const keyArg = args[0] as Buffer
  const key = keyOf(keyArg)
  const entry = ctx.db.lookup(key)
  if (entry === undefined) return ZERO
  const current = entry.expiresAt
  const target = Number(at)
  if (conditions.has('NX') && current !== undefined) return ZERO
  if (conditions.has('XX') && current === undefined) return ZERO
  // No expiry counts as an infinite TTL for GT/LT (expire.c).
  if (conditions.has('GT') && (current === undefined || target <= current)) return ZERO
  if (conditions.has('LT') && current !== undefined && target >= current) return ZERO
  // checkAlreadyExpired: a time in the past deletes the key, except on a replica (it waits for its master's DEL).
  if (target <= ctx.clock.nowMs() && !ctx.server.isReplica()) {
    ctx.db.delete(key)
    ctx.propagateAs([Buffer.from('DEL'), keyArg])
    ctx.notify('g', 'del', keyArg)
    return ONE
  }
  ctx.db.setExpiry(key, target)
  ctx.propagateAs([Buffer.from('PEXPIREAT'), keyArg, Buffer.from(String(target))])
  ctx.notify('g', 'expire', keyArg)
  return ONE
}

function ttlGeneric(ctx: CommandContext, args: readonly Buffer[], convert: (at: number, now: number) => number): Reply {
  const entry = ctx.db.lookup(keyOf(args[0] as Buffer))
  if (entry === undefined) return int(-2)
  if (entry.expiresAt === undefined) return int(-1)
  return int(Math.max(0, convert(entry.expiresAt, ctx.clock.nowMs())))
}

function persistCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const key = keyOf(args[0] as Buffer)
  const entry = ctx.db.lookup(key)
  if (entry?.expiresAt === undefined) return ZERO
  ctx.db.setExpiry(key, undefined)
  ctx.notify('g', 'persist', args[0] as Buffer)
  return ONE
}

function keysCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const pattern = keyOf(args[0] as Buffer)
  const all = pattern === '*'
  const out: Buffer[] = []
  for (const [key, entry] of ctx.db.entries) {
    if (ctx.db.isExpired(entry)) continue
    if (all || globMatch(pattern, key)) out.push(keyBytes(key))
  }
  return bulkArray(out)
}

/**
 * SCAN: the cursor is a position in the db's insertion-ordered snapshot of keys. Keys present for the whole
 * iteration are returned at least once, as the SCAN guarantee requires.
 */
function scanCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const cursor = parseInt64(args[0] as Buffer)
  if (!cursor.ok || cursor.value < 0n) return INVALID_CURSOR
  let count = 10
  let pattern: string | undefined
  let type: string | undefined
  for (let i = 1; i < args.length; i++) {
    const opt = args[i] as Buffer
    if (i + 1 >= args.length) return SYNTAX
    if (isOption(opt, 'COUNT')) {
      const n = parseInteger(args[++i] as Buffer)
      if (!n.ok) return n.error
      if (n.value < 1) return SYNTAX
      count = n.value
    } else if (isOption(opt, 'MATCH')) pattern = keyOf(args[++i] as Buffer)
    else if (isOption(opt, 'TYPE')) type = (args[++i] as Buffer).toString('latin1').toLowerCase()
    else return SYNTAX
  }
  const keys = [...ctx.db.entries.keys()]
  const start = Number(cursor.value)
  const end = Math.min(keys.length, start + count)
  const out: Buffer[] = []
  for (let i = start; i < end; i++) {
    const key = keys[i] as string
    const entry = ctx.db.peek(key)
    if (entry === undefined) continue
    if (pattern !== undefined && pattern !== '*' && !globMatch(pattern, key)) continue
    if (type !== undefined && entry.value.type !== type) continue
    out.push(keyBytes(key))
  }
  return array([bulk(String(end >= keys.length ? 0 : end)), bulkArray(out)])
}

function randomkeyCommand(ctx: CommandContext): Reply {
  const key = ctx.db.randomLiveKey()
  return key === undefined ? NIL : bulk(keyBytes(key))
}

function cloneValue(value: RedisValue): RedisValue {
  switch (value.type) {
    case 'string':
      return stringValue(Buffer.from(value.value))
    case 'list':
      return {type: 'list', value: new Deque(value.value)}
    case 'hash':
      return {type: 'hash', value: new Map(value.value)}
    case 'set':
      return {type: 'set', value: new Set(value.value)}
    case 'zset': {
      const copy = new SortedSet()
      for (const {member, score} of value.value) copy.add(member, score)
      return {type: 'zset', value: copy}
    }
    case 'stream':
      return {type: 'stream', value: value.value.clone()}
  }
}

function copyCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  let targetDb = ctx.db
  let replace = false
  for (let i = 2; i < args.length; i++) {
    if (isOption(args[i], 'REPLACE')) replace = true
    else if (isOption(args[i], 'DB') && i + 1 < args.length) {
      const index = parseInteger(args[++i] as Buffer)
      if (!index.ok) return index.error
      if (index.value < 0 || index.value >= ctx.keyspace.databases.length) return DB_INDEX_OUT_OF_RANGE
      targetDb = ctx.keyspace.db(index.value)
    } else return SYNTAX
  }
  const from = keyOf(args[0] as Buffer)
  const to = keyOf(args[1] as Buffer)
  if (targetDb === ctx.db && from === to) return SAME_OBJECT
  const entry = ctx.db.lookup(from)
  if (entry === undefined) return ZERO
  if (targetDb.lookupQuiet(to) !== undefined) {
    if (!replace) return ZERO
    targetDb.delete(to)
  }
  targetDb.set(to, cloneValue(entry.value), {expiresAt: entry.expiresAt})
  ctx.notify('g', 'copy_to', args[1] as Buffer, targetDb.index)
  return ONE
}

function moveCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const index = parseInteger(args[1] as Buffer)
  if (!index.ok) return index.error
  if (index.value < 0 || index.value >= ctx.keyspace.databases.length) return DB_INDEX_OUT_OF_RANGE
  const target = ctx.keyspace.db(index.value)
  if (target === ctx.db) return SAME_OBJECT
  const key = keyOf(args[0] as Buffer)
  const entry = ctx.db.lookup(key)
  if (entry === undefined || target.lookup(key) !== undefined) return ZERO
  target.set(key, entry.value, {expiresAt: entry.expiresAt})
  ctx.db.delete(key)
  ctx.notify('g', 'move_from', args[0] as Buffer)
  ctx.notify('g', 'move_to', args[0] as Buffer, target.index)
  return ONE
}

