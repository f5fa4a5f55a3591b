// The hash group (t_hash.c): fields and values, counters, whole-hash reads (a RESP3 map for HGETALL).

import {keyBytes, keyOf} from '../../common/key.js'
import {addLongDouble, formatLongDoubleHuman, isFiniteLongDouble, LONG_DOUBLE_ZERO, parseLongDouble, type LongDouble} from '../../common/long-double.js'
import {HASH_VALUE_NOT_FLOAT, HASH_VALUE_NOT_INTEGER, LONG_OUT_OF_RANGE, NAN_OR_INFINITY, NOT_FLOAT, OVERFLOW, SYNTAX, VALUE_OUT_OF_RANGE, wrongArity} from '../../resp/errors.js'
import {array, bulk, error, int, map, NIL, OK, ONE, ZERO, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import {isOption, parseInt64} from './args.js'
import {deleteIfEmpty, isReply, readCollection, writeCollection} from './collection-access.js'
import {LONG_MAX, pickByCount, pickDistinct} from './random-pick.js'

const WRITE_FAST = {flags: ['write', 'denyoom', 'fast'], categories: ['write', 'hash', 'fast']} as const
const READ_FAST = {flags: ['readonly', 'fast'], categories: ['read', 'hash', 'fast']} as const
const READ_SLOW = {flags: ['readonly'], categories: ['read', 'hash', 'slow']} as const
/** HINCRBYFLOAT alone refuses an infinite increment up front, with its own text. */
const INCREMENT_NOT_FINITE = error('ERR value is NaN or Infinity')

export const hashCommands: readonly CommandSpec[] = [
  {name: 'hset', arity: -4, keys: FIRST_KEY, ...WRITE_FAST, handler: (ctx, a) => hsetGeneric(ctx, a, 'hset')},
  {name: 'hmset', arity: -4, keys: FIRST_KEY, ...WRITE_FAST, handler: (ctx, a) => hsetGeneric(ctx, a, 'hmset')},
  {name: 'hsetnx', arity: 4, keys: FIRST_KEY, ...WRITE_FAST, handler: hsetnxCommand},
  {name: 'hget', arity: 3, keys: FIRST_KEY, ...READ_FAST, handler: hgetCommand},
  {name: 'hmget', arity: -3, keys: FIRST_KEY, ...READ_FAST, handler: hmgetCommand},
  {name: 'hdel', arity: -3, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['write', 'hash', 'fast'], handler: hdelCommand},
  {name: 'hlen', arity: 2, keys: FIRST_KEY, ...READ_FAST, handler: (ctx, a) => withHash(ctx, a, (h) => int(h?.size ?? 0))},
  {name: 'hexists', arity: 3, keys: FIRST_KEY, ...READ_FAST, handler: (ctx, a) => withHash(ctx, a, (h) => (h?.has(keyOf(a[1] as Buffer)) ? ONE : ZERO))},
  {name: 'hstrlen', arity: 3, keys: FIRST_KEY, ...READ_FAST, handler: (ctx, a) => withHash(ctx, a, (h) => int(h?.get(keyOf(a[1] as Buffer))?.length ?? 0))},
  {name: 'hgetall', arity: 2, keys: FIRST_KEY, ...READ_SLOW, handler: (ctx, a) => withHash(ctx, a, (h) => map([...(h ?? [])].map(([f, v]) => [bulk(keyBytes(f)), bulk(v)] as const)))},
  {name: 'hkeys', arity: 2, keys: FIRST_KEY, ...READ_SLOW, handler: (ctx, a) => withHash(ctx, a, (h) => array([...(h?.keys() ?? [])].map((f) => bulk(keyBytes(f)))))},
  {name: 'hvals', arity: 2, keys: FIRST_KEY, ...READ_SLOW, handler: (ctx, a) => withHash(ctx, a, (h) => array([...(h?.values() ?? [])].map((v) => bulk(v))))},
  {name: 'hincrby', arity: 4, keys: FIRST_KEY, ...WRITE_FAST, handler: hincrbyCommand},
  {name: 'hincrbyfloat', arity: 4, keys: FIRST_KEY, ...WRITE_FAST, handler: hincrbyfloatCommand},
  {name: 'hrandfield', arity: -2, keys: FIRST_KEY, ...READ_SLOW, handler: hrandfieldCommand},
]

function withHash(ctx: CommandContext, args: readonly Buffer[], answer: (hash: Map<string, Buffer> | undefined) => Reply): Reply {
  const hash = readCollection(ctx, keyOf(args[0] as Buffer), 'hash')
  return isReply(hash) ? hash : answer(hash)
}

function hsetGeneric(ctx: CommandContext, args: readonly Buffer[], name: string): Reply {
  if (args.length % 2 !== 1) return wrongArity(name)
  const key = keyOf(args[0] as Buffer)
  const hash = writeCollection(ctx, key, 'hash')
  if (isReply(hash)) return hash
  let added = 0
  for (let i = 1; i < args.length; i += 2) {
    const field = keyOf(args[i] as Buffer)
    if (!hash.has(field)) added++
    hash.set(field, args[i + 1] as Buffer)
  }
  ctx.db.modified(key)
  ctx.notify('h', 'hset', args[0] as Buffer)
  return name === 'hmset' ? OK : int(added)
}

function hsetnxCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const key = keyOf(args[0] as Buffer)
  const existing = readCollection(ctx, key, 'hash')
  if (isReply(existing)) return existing
  const field = keyOf(args[1] as Buffer)
  if (existing?.has(field)) return ZERO
  const hash = writeCollection(ctx, key, 'hash') as Map<string, Buffer>
  hash.set(field, args[2] as Buffer)
  ctx.db.modified(key)
  ctx.notify('h', 'hset', args[0] as Buffer)
  return ONE
}

function hgetCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  return withHash(ctx, args, (h) => {
    const value = h?.get(keyOf(args[1] as Buffer))
    return value === undefined ? NIL : bulk(value)
  })
}

function hmgetCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  return withHash(ctx, args, (h) => array(args.slice(1).map((f) => {
    const value = h?.get(keyOf(f))
    return value === undefined ? NIL : bulk(value)
  })))
}

function hdelCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const key = keyOf(args[0] as Buffer)
  const hash = readCollection(ctx, key, 'hash')
  if (isReply(hash)) return hash
  if (hash === undefined) return ZERO
  let removed = 0
  for (const f of args.slice(1)) if (hash.delete(keyOf(f))) removed++
  if (removed > 0) {
    ctx.db.modified(key)
    ctx.notify('h', 'hdel', args[0] as Buffer)
    deleteIfEmpty(ctx, key)
  }
  return int(removed)
}

function hincrbyCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const by = parseInt64(args[2] as Buffer)
  if (!by.ok) return by.error
  const key = keyOf(args[0] as Buffer)
  const existing = readCollection(ctx, key, 'hash')
  if (isReply(existing)) return existing
  const field = keyOf(args[1] as Buffer)
  let current = 0n
  const raw = existing?.get(field)
  if (raw !== undefined) {
    const parsed = parseInt64(raw)
    if (!parsed.ok) return HASH_VALUE_NOT_INTEGER
    current = parsed.value
  }
  const next = current + by.value
  if (next > 9223372036854775807n || next < -9223372036854775808n) return OVERFLOW
  const hash = writeCollection(ctx, key, 'hash') as Map<string, Buffer>
  hash.set(field, Buffer.from(next.toString()))
  ctx.db.modified(key)
  ctx.notify('h', 'hincrby', args[0] as Buffer)
  return int(next >= BigInt(Number.MIN_SAFE_INTEGER) && next <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(next) : next)
}

/** HINCRBYFLOAT (t_hash.c order): the increment first, which must be finite, then the field, all in long double. */
function hincrbyfloatCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const by = parseLongDouble((args[2] as Buffer).toString('latin1'))
  if (by === undefined) return NOT_FLOAT
  if (!isFiniteLongDouble(by)) return INCREMENT_NOT_FINITE
  const key = keyOf(args[0] as Buffer)
  const existing = readCollection(ctx, key, 'hash')
  if (isReply(existing)) return existing
  const field = keyOf(args[1] as Buffer)
  let current: LongDouble | undefined = LONG_DOUBLE_ZERO
  const raw = existing?.get(field)
  if (raw !== undefined) current = parseLongDouble(raw.toString('latin1'))
  if (current === undefined) return HASH_VALUE_NOT_FLOAT
  const next = addLongDouble(current, by)
  if (!isFiniteLongDouble(next)) return NAN_OR_INFINITY
  const text = Buffer.from(formatLongDoubleHuman(next))
  const hash = writeCollection(ctx, key, 'hash') as Map<string, Buffer>
  hash.set(field, text)
  ctx.db.modified(key)
  ctx.notify('h', 'hincrbyfloat', args[0] as Buffer)
  ctx.propagateAs([Buffer.from('HSET'), args[0] as Buffer, args[1] as Buffer, text])
  return bulk(text)
}

/**
 * HRANDFIELD key [count [WITHVALUES]] (t_hash.c): one random field, or `count` distinct fields (the whole hash
 * in its order when count >= size), or |count| fields with repeats when count is negative. With WITHVALUES,
 * RESP2 gets a flat field/value array and RESP3 an array of [field, value] pairs.
 */
function hrandfieldCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  if (args.length === 1) {
    return withHash(ctx, args, (h) => {
      if (h === undefined) return NIL
      const [field] = pickDistinct(h.keys(), 1)
      return bulk(keyBytes(field as string))
    })
  }
  const count = parseInt64(args[1] as Buffer)
  if (!count.ok) return count.error
  if (count.value < -LONG_MAX) return LONG_OUT_OF_RANGE
  if (args.length > 3 || (args.length === 3 && !isOption(args[2], 'WITHVALUES'))) return SYNTAX
  const withValues = args.length === 3
  // Twice the count must fit a long (Redis replies with count*2 items in RESP2).
  if (withValues && (count.value < -LONG_MAX / 2n || count.value > LONG_MAX / 2n)) return VALUE_OUT_OF_RANGE
  const hash = readCollection(ctx, keyOf(args[0] as Buffer), 'hash')
  if (isReply(hash)) return hash
  if (hash === undefined || count.value === 0n) return array([])
  const picked = pickByCount([...hash], count.value)
  if (!withValues) return array(picked.map(([f]) => bulk(keyBytes(f))))
  if (ctx.client.resp === 3) return array(picked.map(([f, v]) => array([bulk(keyBytes(f)), bulk(v)])))
  return array(picked.flatMap(([f, v]) => [bulk(keyBytes(f)), bulk(v)]))
}
