// The set group (t_set.c): membership, SMEMBERS as a RESP3 set, random pops (propagated as SREM).

import {keyBytes, keyOf} from '../../common/key.js'
import {array, bulk, int, NIL, ONE, set, ZERO, type Reply} from '../../resp/reply.js'
import {LONG_OUT_OF_RANGE, SYNTAX} from '../../resp/errors.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import {parseInt64, parseOptionalCount} from './args.js'
import {deleteIfEmpty, isReply, readCollection, writeCollection} from './collection-access.js'
import {LONG_MAX, pickByCount, pickDistinct} from './random-pick.js'

export const setCommands: readonly CommandSpec[] = [
  {name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, categories: ['write', 'set', 'fast'], handler: saddCommand},
  {name: 'srem', arity: -3, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['write', 'set', 'fast'], handler: sremCommand},
  {name: 'sismember', arity: 3, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'set', 'fast'], handler: (ctx, a) => withSet(ctx, a, (s) => (s?.has(keyOf(a[1] as Buffer)) ? ONE : ZERO))},
  {name: 'smismember', arity: -3, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'set', 'fast'], handler: (ctx, a) => withSet(ctx, a, (s) => array(a.slice(1).map((m) => (s?.has(keyOf(m)) ? ONE : ZERO))))},
  {name: 'smembers', arity: 2, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'set', 'slow'], handler: (ctx, a) => withSet(ctx, a, (s) => set([...(s ?? [])].map((m) => bulk(keyBytes(m)))))},
  {name: 'scard', arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'set', 'fast'], handler: (ctx, a) => withSet(ctx, a, (s) => int(s?.size ?? 0))},
  {name: 'spop', arity: -2, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['write', 'set', 'fast'], handler: spopCommand},
  {name: 'srandmember', arity: -2, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'set', 'slow'], handler: srandmemberCommand},
]

function withSet(ctx: CommandContext, args: readonly Buffer[], answer: (s: Set<string> | undefined) => Reply): Reply {
  const members = readCollection(ctx, keyOf(args[0] as Buffer), 'set')
  return isReply(members) ? members : answer(members)
}

function saddCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const key = keyOf(args[0] as Buffer)
  const members = writeCollection(ctx, key, 'set')
  if (isReply(members)) return members
  let added = 0
  for (const m of args.slice(1)) {
    const member = keyOf(m)
    if (!members.has(member)) {
      members.add(member)
      added++
    }
  }
  ctx.db.modified(key)
  if (added > 0) ctx.notify('s', 'sadd', args[0] as Buffer)
  return int(added)
}

function sremCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const key = keyOf(args[0] as Buffer)
  const members = readCollection(ctx, key, 'set')
  if (isReply(members)) return members
  if (members === undefined) return ZERO
  let removed = 0
  for (const m of args.slice(1)) if (members.delete(keyOf(m))) removed++
  if (removed > 0) {
    ctx.db.modified(key)
    ctx.notify('s', 'srem', args[0] as Buffer)
    deleteIfEmpty(ctx, key)
  }
  return int(removed)
}

function spopCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  if (args.length > 2) return SYNTAX
  const parsedCount = parseOptionalCount(args[1])
  if (!parsedCount.ok) return parsedCount.error
  const count = parsedCount.value
  const keyArg = args[0] as Buffer
  const key = keyOf(keyArg)
  const members = readCollection(ctx, key, 'set')
  if (isReply(members)) return members
  if (members === undefined) return count === undefined ? NIL : array([])
  const popped = pickDistinct(members, count ?? 1)
  for (const m of popped) members.delete(m)
  if (popped.length > 0) {
    ctx.db.modified(key)
    ctx.notify('s', 'spop', keyArg)
    deleteIfEmpty(ctx, key)
    // Replicas must remove the same members, not pick their own at random (Redis propagates SREM).
    ctx.propagateAs([Buffer.from('SREM'), keyArg, ...popped.map(keyBytes)])
  }
  if (count === undefined) return popped[0] === undefined ? NIL : bulk(keyBytes(popped[0]))
  return array(popped.map((m) => bulk(keyBytes(m))))
}

/**
 * SRANDMEMBER key [count] (t_set.c): one random member; `count` distinct members (the whole set, in SMEMBERS
 * order, when count >= size); |count| members with repeats when count is negative. The count is bounded to
 * ±LONG_MAX and parsed before the key is read.
 */
function srandmemberCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  if (args.length > 2) return SYNTAX
  let count: bigint | undefined
  if (args[1] !== undefined) {
    const parsed = parseInt64(args[1])
    if (!parsed.ok) return parsed.error
    if (parsed.value < -LONG_MAX) return LONG_OUT_OF_RANGE
    count = parsed.value
  }
  return withSet(ctx, args, (members) => {
    if (count === undefined) {
      const [one] = members ? pickDistinct(members, 1) : []
      return one === undefined ? NIL : bulk(keyBytes(one))
    }
    if (members === undefined || count === 0n) return array([])
    return array(pickByCount([...members], count).map((m) => bulk(keyBytes(m))))
  })
}
