// The string group (t_string.c): GET/SET with every option, counters, ranges. Registration block first,
// handlers below; every handler validates all arguments before it writes.

import {keyOf} from '../../common/key.js'
import {addLongDouble, formatLongDoubleHuman, isFiniteLongDouble, LONG_DOUBLE_ZERO, parseLongDouble, type LongDouble} from '../../common/long-double.js'
import {INVALID_EXPIRE, NAN_OR_INFINITY, NOT_FLOAT, NOT_INTEGER, OVERFLOW, SYNTAX, WRONGTYPE, wrongArity} from '../../resp/errors.js'
import {array, bulk, error, int, NIL, OK, ZERO, type Reply} from '../../resp/reply.js'
import {ALL_KEYS, FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import type {Entry} from '../keyspace/values.js'
import {appended, grownTo} from '../keyspace/growable-string.js'
import {parseInt64, parseInteger} from './args.js'
import {stringValue} from '../keyspace/string-value.js'

// Names of the commands writes are propagated as, allocated once (SET runs on the hot path).
const SET_NAME = Buffer.from('SET')
const PXAT_NAME = Buffer.from('PXAT')
const KEEPTTL_NAME = Buffer.from('KEEPTTL')

export const stringCommands = [
  {name: 'get', arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'string', 'fast'], handler: getCommand},
  {name: 'set', arity: -3, flags: ['write', 'denyoom'], keys: FIRST_KEY, categories: ['write', 'string', 'slow'], handler: setCommand},
  {name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, categories: ['write', 'string', 'fast'], handler: setnxCommand},
  {name: 'setex', arity: 4, flags: ['write', 'denyoom'], keys: FIRST_KEY, categories: ['write', 'string', 'slow'], handler: setexCommand},
  {name: 'psetex', arity: 4, flags: ['write', 'denyoom'], keys: FIRST_KEY, categories: ['write', 'string', 'slow'], handler: psetexCommand},
  {name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, categories: ['write', 'string', 'fast'], handler: getsetCommand},
  {name: 'getdel', arity: 2, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['write', 'string', 'fast'], handler: getdelCommand},
  {name: 'getex', arity: -2, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['write', 'string', 'fast'], handler: getexCommand},
  {name: 'mget', arity: -2, flags: ['readonly', 'fast'], keys: ALL_KEYS, categories: ['read', 'string', 'fast'], handler: mgetCommand},
  {name: 'mset', arity: -3, flags: ['write', 'denyoom'], keys: {first: 1, last: -1, step: 2}, categories: ['write', 'string', 'slow'], handler: msetCommand},
  {name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], keys: {first: 1, last: -1, step: 2}, categories: ['write', 'string', 'slow'], handler: msetnxCommand},
  {name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, categories: ['write', 'string', 'fast'], handler: (ctx, a) => incrementBy(ctx, a[0] as Buffer, 1n)},
  {name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, categories: ['write', 'string', 'fast'], handler: (ctx, a) => incrementBy(ctx, a[0] as Buffer, -1n)},
  {name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, categories: ['write', 'string', 'fast'], handler: (ctx, a) => incrbyCommand(ctx, a, 1n)},
  {name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, categories: ['write', 'string', 'fast'], handler: (ctx, a) => incrbyCommand(ctx, a, -1n)},
  {name: 'incrbyfloat', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, categories: ['write', 'string', 'fast'], handler: incrbyfloatCommand},
  {name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, categories: ['write', 'string', 'fast'], handler: appendCommand},
  {name: 'strlen', arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'string', 'fast'], handler: strlenCommand},
  {name: 'getrange', arity: 4, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'string', 'slow'], handler: getrangeCommand},
  {name: 'substr', arity: 4, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'string', 'slow'], handler: getrangeCommand},
  {name: 'setrange', arity: 4, flags: ['write', 'denyoom'], keys: FIRST_KEY, categories: ['write', 'string', 'slow'], handler: setrangeCommand},
] as const satisfies readonly CommandSpec[]

const MAX_STRING = 512 * 1024 * 1024
const STRING_TOO_LONG = error('ERR string exceeds maximum allowed size (proto-max-bulk-len)')

/** The string value of a key: undefined when absent, WRONGTYPE reply when of another type. */
function readString(ctx: CommandContext, key: string): Buffer | undefined | Reply {
  const entry = ctx.db.lookup(key)
  if (entry === undefined) return undefined
  if (entry.value.type !== 'string') return WRONGTYPE
  return entry.value.value
}

const isReply = (v: unknown): v is Reply => typeof v === 'object' && v !== null && 'kind' in v

function getCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const value = readString(ctx, keyOf(args[0] as Buffer))
  if (value === undefined) return NIL
  return isReply(value) ? value : bulk(value)
}

type ExpireUnit = 'EX' | 'PX' | 'EXAT' | 'PXAT'

interface SetOptions {
  condition?: 'NX' | 'XX'
  get: boolean
  keepTtl: boolean
  expire?: {unit: ExpireUnit; amount: bigint}
}

/** Parses SET's options (t_string.c parseExtendedStringArgumentsOrReply). */
function parseSetOptions(args: readonly Buffer[], command: string, allowGet: boolean): SetOptions | Reply {
  const options: SetOptions = {get: false, keepTtl: false}
  for (let i = 0; i < args.length; i++) {
    const opt = (args[i] as Buffer).toString('latin1').toUpperCase()
    if ((opt === 'NX' || opt === 'XX') && options.condition === undefined) options.condition = opt
    else if (opt === 'GET' && allowGet && !options.get) options.get = true
    else if (opt === 'KEEPTTL' && options.expire === undefined && !options.keepTtl && command === 'set') options.keepTtl = true
    else if ((opt === 'EX' || opt === 'PX' || opt === 'EXAT' || opt === 'PXAT') && options.expire === undefined && !options.keepTtl && i + 1 < args.length) {
      const amount = parseInt64(args[++i] as Buffer)
      if (!amount.ok) return amount.error
      options.expire = {unit: opt, amount: amount.value}
    } else if (opt === 'PERSIST' && command === 'getex' && options.expire === undefined && !options.keepTtl) options.keepTtl = true
    else return SYNTAX
  }
  return options
}

/** Absolute expiry in ms, or an error for a non-positive or overflowing time. */
function absoluteExpiry(ctx: CommandContext, expire: {unit: ExpireUnit; amount: bigint}, command: string): number | Reply {
  const {unit, amount} = expire
  if (amount <= 0n) return INVALID_EXPIRE(command)
  const ms = unit === 'EX' || unit === 'EXAT' ? amount * 1000n : amount
  const abs = unit === 'EX' || unit === 'PX' ? ms + BigInt(ctx.clock.nowMs()) : ms
  if (ms > 9223372036854775807n / 1000n * 1000n || abs > BigInt(Number.MAX_SAFE_INTEGER)) return INVALID_EXPIRE(command)
  return Number(abs)
}

function setCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const options = parseSetOptions(args.slice(2), 'set', true)
  if (isReply(options)) return options
  const [keyArg, value] = args as [Buffer, Buffer]
  const key = keyOf(keyArg)
  const expiresAt = options.expire ? absoluteExpiry(ctx, options.expire, 'set') : undefined
  if (isReply(expiresAt)) return expiresAt
  // SET … GET reads the key first (lookupKeyRead: a miss is a keymiss); NX and XX look it up for writing. A
  // plain SET needs no lookup: db.set deletes an expired old value itself, with its `expired` event.
  const existing = options.get ? ctx.db.lookup(key) : options.condition !== undefined ? ctx.db.lookupQuiet(key) : undefined
  if (options.get && existing !== undefined && existing.value.type !== 'string') return WRONGTYPE
  const previous = options.get && existing?.value.type === 'string' ? bulk(existing.value.value) : NIL
  if ((options.condition === 'NX' && existing !== undefined) || (options.condition === 'XX' && existing === undefined)) {
    return options.get ? previous : NIL
  }
  ctx.db.set(key, stringValue(value), {keepTtl: options.keepTtl, expiresAt})
  ctx.notify('$', 'set', keyArg)
  if (expiresAt !== undefined) ctx.notify('g', 'expire', keyArg)
  // Replicas get an absolute expiry so they expire at the same moment (Redis 7.0 rewrites to PXAT).
  // Otherwise the command goes out as it came (NX, XX, KEEPTTL and the name's case kept), GET removed.
  if (expiresAt !== undefined) ctx.propagateAs([SET_NAME, keyArg, value, PXAT_NAME, Buffer.from(String(expiresAt))])
  else if (options.get) ctx.propagateAs([SET_NAME, ...args.filter((a, i) => i < 2 || a.toString('latin1').toLowerCase() !== 'get')])
  return options.get ? previous : OK
}

function setnxCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const key = keyOf(args[0] as Buffer)
  if (ctx.db.lookup(key) !== undefined) return ZERO
  ctx.db.set(key, stringValue(args[1] as Buffer))
  ctx.notify('$', 'set', args[0] as Buffer)
  return int(1)
}

function setWithExpiry(ctx: CommandContext, args: readonly Buffer[], unit: 'EX' | 'PX', command: string): Reply {
  const amount = parseInt64(args[1] as Buffer)
  if (!amount.ok) return amount.error
  const expiresAt = absoluteExpiry(ctx, {unit, amount: amount.value}, command)
  if (isReply(expiresAt)) return expiresAt
  ctx.db.set(keyOf(args[0] as Buffer), stringValue(args[2] as Buffer), {expiresAt})
  ctx.notify('$', 'set', args[0] as Buffer)
  ctx.notify('g', 'expire', args[0] as Buffer)
  ctx.propagateAs([SET_NAME, args[0] as Buffer, args[2] as Buffer, PXAT_NAME, Buffer.from(String(expiresAt))])
  return OK
}

function setexCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  return setWithExpiry(ctx, args, 'EX', 'setex')
}

function psetexCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  return setWithExpiry(ctx, args, 'PX', 'psetex')
}

function getsetCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const key = keyOf(args[0] as Buffer)
  const old = readString(ctx, key)
  if (isReply(old)) return old
  ctx.db.set(key, stringValue(args[1] as Buffer))
  ctx.notify('$', 'set', args[0] as Buffer)
  return old === undefined ? NIL : bulk(old)
}

function getdelCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const key = keyOf(args[0] as Buffer)
  const old = readString(ctx, key)
  if (isReply(old)) return old
  if (old === undefined) return NIL
  ctx.db.delete(key)
  ctx.notify('g', 'del', args[0] as Buffer)
  ctx.propagateAs([Buffer.from('DEL'), args[0] as Buffer])
  return bulk(old)
}

function getexCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const options = parseSetOptions(args.slice(1), 'getex', false)
  if (isReply(options) || options.condition !== undefined) return isReply(options) ? options : SYNTAX
  const keyArg = args[0] as Buffer
  const key = keyOf(keyArg)
  const expiresAt = options.expire ? absoluteExpiry(ctx, options.expire, 'getex') : undefined
  if (isReply(expiresAt)) return expiresAt
  const value = readString(ctx, key)
  if (value === undefined || isReply(value)) return value ?? NIL
  const absolute = options.expire?.unit === 'EXAT' || options.expire?.unit === 'PXAT'
  if (expiresAt !== undefined && absolute && expiresAt <= ctx.clock.nowMs() && !ctx.server.isReplica()) {
    // checkAlreadyExpired: an EXAT/PXAT in the past deletes the key (DEL, or UNLINK with lazyfree-lazy-expire).
    ctx.db.delete(key)
    ctx.propagateAs([Buffer.from(ctx.server.getConfig('lazyfree-lazy-expire') === 'yes' ? 'UNLINK' : 'DEL'), keyArg])
    ctx.notify('g', 'del', keyArg)
  } else if (expiresAt !== undefined) {
    ctx.db.setExpiry(key, expiresAt)
    ctx.propagateAs([Buffer.from('PEXPIREAT'), keyArg, Buffer.from(String(expiresAt))])
    ctx.notify('g', 'expire', keyArg)
  } else if (options.keepTtl && ctx.db.peek(key)?.expiresAt !== undefined) {
    ctx.db.setExpiry(key, undefined)
    ctx.propagateAs([Buffer.from('PERSIST'), keyArg])
    ctx.notify('g', 'persist', keyArg)
  }
  return bulk(value)
}

function mgetCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  return array(args.map((k) => {
    const entry = ctx.db.lookup(keyOf(k))
    return entry?.value.type === 'string' ? bulk(entry.value.value) : NIL
  }))
}

function msetCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  if (args.length % 2 !== 0) return wrongArity('mset')
  for (let i = 0; i < args.length; i += 2) {
    ctx.db.set(keyOf(args[i] as Buffer), stringValue(args[i + 1] as Buffer))
    ctx.notify('$', 'set', args[i] as Buffer)
  }
  return OK
}

function msetnxCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  if (args.length % 2 !== 0) return wrongArity('msetnx')
  for (let i = 0; i < args.length; i += 2) if (ctx.db.lookup(keyOf(args[i] as Buffer)) !== undefined) return ZERO
  for (let i = 0; i < args.length; i += 2) {
    ctx.db.set(keyOf(args[i] as Buffer), stringValue(args[i + 1] as Buffer))
    ctx.notify('$', 'set', args[i] as Buffer)
  }
  return int(1)
}

const MAX = 9223372036854775807n
const MIN = -9223372036854775808n

function incrementBy(ctx: CommandContext, keyArg: Buffer, by: bigint): Reply {
  const key = keyOf(keyArg)
  const entry = ctx.db.lookup(key)
  let current = 0n
  if (entry !== undefined) {
    if (entry.value.type !== 'string') return WRONGTYPE
    const parsed = parseInt64(entry.value.value)
    if (!parsed.ok) return NOT_INTEGER
    current = parsed.value
  }
  const next = current + by
  if (next > MAX || next < MIN) return OVERFLOW
  const text = Buffer.from(next.toString())
  if (entry !== undefined) {
    entry.value = stringValue(text)
    ctx.db.modified(key)
  } else ctx.db.set(key, stringValue(text))
  ctx.notify('$', 'incrby', keyArg)
  return int(next >= -9007199254740991n && next <= 9007199254740991n ? Number(next) : next)
}

function incrbyCommand(ctx: CommandContext, args: readonly Buffer[], sign: bigint): Reply {
  const by = parseInt64(args[1] as Buffer)
  if (!by.ok) return by.error
  if (sign < 0n && by.value === MIN) return error('ERR decrement would overflow')
  return incrementBy(ctx, args[0] as Buffer, by.value * sign)
}

/** INCRBYFLOAT (t_string.c order): type check, then the stored value, then the increment, all in long double. */
function incrbyfloatCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const keyArg = args[0] as Buffer
  const key = keyOf(keyArg)
  const entry = ctx.db.lookup(key)
  let current: LongDouble | undefined = LONG_DOUBLE_ZERO
  if (entry !== undefined) {
    if (entry.value.type !== 'string') return WRONGTYPE
    current = parseLongDouble(entry.value.value.toString('latin1'))
  }
  const by = parseLongDouble((args[1] as Buffer).toString('latin1'))
  if (current === undefined || by === undefined) return NOT_FLOAT
  const next = addLongDouble(current, by)
  if (!isFiniteLongDouble(next)) return NAN_OR_INFINITY
  const text = Buffer.from(formatLongDoubleHuman(next))
  ctx.db.set(key, stringValue(text), {keepTtl: true})
  ctx.notify('$', 'incrbyfloat', keyArg)
  ctx.propagateAs([SET_NAME, keyArg, text, KEEPTTL_NAME])
  return bulk(text)
}

function appendCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const key = keyOf(args[0] as Buffer)
  const entry = ctx.db.lookup(key)
  if (entry === undefined) {
    ctx.db.set(key, stringValue(Buffer.from(args[1] as Buffer)))
    ctx.notify('$', 'append', args[0] as Buffer)
    return int((args[1] as Buffer).length)
  }
  if (entry.value.type !== 'string') return WRONGTYPE
  if (entry.value.value.length + (args[1] as Buffer).length > MAX_STRING) return STRING_TOO_LONG
  entry.value = stringValue(appended(entry.value.value, args[1] as Buffer))
  ctx.db.modified(key)
  ctx.notify('$', 'append', args[0] as Buffer)
  return int(entry.value.value.length)
}

function strlenCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const value = readString(ctx, keyOf(args[0] as Buffer))
  if (isReply(value)) return value
  return int(value?.length ?? 0)
}

function getrangeCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const start = parseInteger(args[1] as Buffer)
  const end = parseInteger(args[2] as Buffer)
  if (!start.ok) return start.error
  if (!end.ok) return end.error
  const value = readString(ctx, keyOf(args[0] as Buffer))
  if (isReply(value)) return value
  if (value === undefined) return bulk(Buffer.alloc(0))
  let s = start.value
  let e = end.value
  // getrangeCommand: both negative and start > end gives "" before normalising.
  if (s < 0 && e < 0 && s > e) return bulk(Buffer.alloc(0))
  const len = value.length
  if (s < 0) s = Math.max(0, len + s)
  if (e < 0) e = Math.max(0, len + e)
  if (e >= len) e = len - 1
  if (s > e || len === 0) return bulk(Buffer.alloc(0))
  return bulk(value.subarray(s, e + 1))
}

function setrangeCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const offset = parseInteger(args[1] as Buffer)
  if (!offset.ok) return offset.error
  if (offset.value < 0) return error('ERR offset is out of range')
  const key = keyOf(args[0] as Buffer)
  const patch = args[2] as Buffer
  const entry: Entry | undefined = ctx.db.lookup(key)
  if (entry !== undefined && entry.value.type !== 'string') return WRONGTYPE
  const current = entry?.value.type === 'string' ? entry.value.value : Buffer.alloc(0)
  if (patch.length === 0) return int(current.length)
  if (offset.value + patch.length > MAX_STRING) return STRING_TOO_LONG
  // Past the end the string grows in place; over existing bytes it is copied (a queued reply may hold them).
  const next = offset.value >= current.length ? grownTo(current, offset.value + patch.length) : Buffer.alloc(Math.max(current.length, offset.value + patch.length))
  if (next !== current && offset.value < current.length) current.copy(next)
  patch.copy(next, offset.value)
  if (entry !== undefined) {
    entry.value = stringValue(next)
    ctx.db.modified(key)
  } else ctx.db.set(key, stringValue(next))
  ctx.notify('$', 'setrange', args[0] as Buffer)
  return int(next.length)
}
