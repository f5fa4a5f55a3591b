// Bitmaps (bitops.c): SETBIT/GETBIT, BITCOUNT and BITPOS over byte or bit ranges, and BITOP. A bitmap is an
// ordinary string value, so GET, STRLEN, APPEND and SETRANGE see the same bytes; bit 0 is the most significant
// bit of byte 0. A stored Buffer is never changed in place (it may be the argv of a SET still held by a queued
// propagation or an EXEC reply), so every write stores a new Buffer, as APPEND and SETRANGE do.

import {keyOf} from '../../common/key.js'
import {BIT_OFFSET_INVALID, BIT_VALUE_INVALID, BITOP_NOT_SINGLE_KEY, BITPOS_BIT_INVALID, SYNTAX, WRONGTYPE} from '../../resp/errors.js'
import {int, ONE, ZERO, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import {grownTo} from '../keyspace/growable-string.js'
import {isOption, parseInt64} from './args.js'
import {isReply} from './collection-access.js'
import {stringValue} from '../keyspace/string-value.js'

const READ = {flags: ['readonly'], categories: ['read', 'bitmap', 'slow']} as const

export const bitmapCommands: readonly CommandSpec[] = [
  {name: 'setbit', arity: 4, flags: ['write', 'denyoom'], keys: FIRST_KEY, categories: ['write', 'bitmap', 'slow'], handler: setbitCommand},
  {name: 'getbit', arity: 3, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'bitmap', 'fast'], handler: getbitCommand},
  {name: 'bitcount', arity: -2, keys: FIRST_KEY, ...READ, handler: bitcountCommand},
  {name: 'bitpos', arity: -3, keys: FIRST_KEY, ...READ, handler: bitposCommand},
  {name: 'bitop', arity: -4, flags: ['write', 'denyoom'], keys: {first: 2, last: -1, step: 1}, categories: ['write', 'bitmap', 'slow'], handler: bitopCommand},
]

const EMPTY = Buffer.alloc(0)
const DEFAULT_PROTO_MAX_BULK_LEN = 536870912

/** Set bits in each byte value. */
const POPCOUNT = Uint8Array.from({length: 256}, (_, byte) => {
  let bits = 0
  for (let x = byte; x !== 0; x &= x - 1) bits++
  return bits
})

/** The string at key: undefined when absent, WRONGTYPE when another type. */
function readString(ctx: CommandContext, key: string): Buffer | undefined | Reply {
  const entry = ctx.db.lookup(key)
  if (entry === undefined) return undefined
  return entry.value.type === 'string' ? entry.value.value : WRONGTYPE
}

/**
 * A bit offset (getBitOffsetFromArgument): a non-negative 64-bit integer whose byte must stay below
 * proto-max-bulk-len (2^32 bits by default). Our master's stream is obeyed without the limit, as in Redis.
 */
function parseBitOffset(ctx: CommandContext, arg: Buffer): number | Reply {
  const parsed = parseInt64(arg)
  if (!parsed.ok || !bitOffsetAllowed(ctx, parsed.value)) return BIT_OFFSET_INVALID
  return Number(parsed.value)
}

/**
 * Whether a bit offset may be addressed (getBitOffsetFromArgument's range check, shared with BITFIELD): not
 * negative, and its byte below proto-max-bulk-len, except in our master's stream, which is obeyed as it is.
 */
export function bitOffsetAllowed(ctx: CommandContext, offset: bigint): boolean {
  if (offset < 0n) return false
  const configured = Number(ctx.server.getConfig('proto-max-bulk-len'))
  const maxBytes = Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_PROTO_MAX_BULK_LEN
  return ctx.client.kind === 'master' || offset >> 3n < BigInt(maxBytes)
}

/** The mask of bit `offset` within its byte (bit 0 is the high bit). */
const bitMask = (offset: number): number => 0x80 >> (offset % 8)

function setbitCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const offset = parseBitOffset(ctx, args[1] as Buffer)
  if (isReply(offset)) return offset
  const on = parseInt64(args[2] as Buffer)
  if (!on.ok || (on.value !== 0n && on.value !== 1n)) return BIT_VALUE_INVALID
  const key = keyOf(args[0] as Buffer)
  const entry = ctx.db.lookup(key)
  if (entry !== undefined && entry.value.type !== 'string') return WRONGTYPE
  const current = entry?.value.type === 'string' ? entry.value.value : EMPTY
  const byte = Math.floor(offset / 8)
  const mask = bitMask(offset)
  const wasSet = byte < current.length && ((current[byte] as number) & mask) !== 0
  // Like Redis, a SETBIT that neither creates, grows nor flips anything is not a write (no dirty, no propagation).
  if (entry === undefined || byte >= current.length || wasSet !== (on.value === 1n)) {
    // Past the end the string grows in place; an existing byte is flipped in a copy (a queued reply may hold it).
    const next = byte >= current.length ? grownTo(current, byte + 1) : Buffer.from(current)
    next[byte] = on.value === 1n ? (next[byte] as number) | mask : (next[byte] as number) & ~mask
    if (entry !== undefined) {
      entry.value = stringValue(next)
      ctx.db.modified(key)
    } else ctx.db.set(key, stringValue(next))
    ctx.notify('$', 'setbit', args[0] as Buffer)
  }
  return wasSet ? ONE : ZERO
}

function getbitCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const offset = parseBitOffset(ctx, args[1] as Buffer)
  if (isReply(offset)) return offset
  const value = readString(ctx, keyOf(args[0] as Buffer))
  if (isReply(value)) return value
  if (value === undefined) return ZERO
  const byte = Math.floor(offset / 8)
  return byte < value.length && ((value[byte] as number) & bitMask(offset)) !== 0 ? ONE : ZERO
}

/** BYTE (the default) or BIT, or undefined for anything else (a syntax error). */
function parseUnit(arg: Buffer | undefined): 'byte' | 'bit' | undefined {
  if (arg === undefined || isOption(arg, 'BYTE')) return 'byte'
  return isOption(arg, 'BIT') ? 'bit' : undefined
}

/**
 * Redis's start/end normalisation over `total` units (bytes or bits): negative from the end, then clamped to
 * [0, total-1]. Returns the inclusive range as bit offsets, or undefined when it is empty.
 */
function bitRange(start: bigint, end: bigint, total: number, unit: 'byte' | 'bit'): [number, number] | undefined {
  const size = BigInt(total)
  if (start < 0n) start += size
  if (end < 0n) end += size
  if (start < 0n) start = 0n
  if (end < 0n) end = 0n
  if (end >= size) end = size - 1n
  if (start > end) return undefined
  const [first, last] = [Number(start), Number(end)]
  return unit === 'bit' ? [first, last] : [first * 8, last * 8 + 7]
}

/** Set bits among bit offsets first..last (inclusive). */
function countBits(value: Buffer, first: number, last: number): number {
  const firstByte = Math.floor(first / 8)
  const lastByte = Math.floor(last / 8)
  let count = 0
  for (let i = firstByte; i <= lastByte; i++) count += POPCOUNT[value[i] as number] as number
  // Take back the bits of the edge bytes that lie outside the range.
  count -= POPCOUNT[(value[firstByte] as number) & ~(0xff >> (first % 8)) & 0xff] as number
  count -= POPCOUNT[(value[lastByte] as number) & (0xff >> ((last % 8) + 1))] as number
  return count
}

/** The first bit offset in first..last (inclusive) whose value is `bit`, or -1. */
function findBit(value: Buffer, first: number, last: number, bit: 0 | 1): number {
  const bitAt = (offset: number): number => (((value[Math.floor(offset / 8)] as number) & bitMask(offset)) !== 0 ? 1 : 0)
  let offset = first
  for (; offset <= last && offset % 8 !== 0; offset++) if (bitAt(offset) === bit) return offset
  // Whole bytes: skip those with no candidate bit at all.
  const skip = bit === 1 ? 0x00 : 0xff
  while (offset + 7 <= last && value[offset / 8] === skip) offset += 8
  for (; offset <= last; offset++) if (bitAt(offset) === bit) return offset
  return -1
}

/** BITCOUNT key [start end [BYTE|BIT]]: the key is read first, so a missing key answers 0 whatever follows. */
function bitcountCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const value = readString(ctx, keyOf(args[0] as Buffer))
  if (value === undefined) return ZERO
  if (isReply(value)) return value
  let range: [number, number] | undefined
  if (args.length === 3 || args.length === 4) {
    const start = parseInt64(args[1] as Buffer)
    if (!start.ok) return start.error
    const end = parseInt64(args[2] as Buffer)
    if (!end.ok) return end.error
    if (start.value < 0n && end.value < 0n && start.value > end.value) return ZERO
    const unit = parseUnit(args[3])
    if (unit === undefined) return SYNTAX
    range = bitRange(start.value, end.value, unit === 'bit' ? value.length * 8 : value.length, unit)
  } else if (args.length === 1) {
    range = value.length === 0 ? undefined : [0, value.length * 8 - 1]
  } else return SYNTAX
  return range === undefined ? ZERO : int(countBits(value, range[0], range[1]))
}

/**
 * BITPOS key bit [start [end [BYTE|BIT]]]. A missing key is an endless run of zeros. Looking for a 0 without an
 * explicit end, the bytes past the string count as zeros, so the answer may be the first bit after it.
 */
function bitposCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const bitArg = parseInt64(args[1] as Buffer)
  if (!bitArg.ok) return bitArg.error
  if (bitArg.value !== 0n && bitArg.value !== 1n) return BITPOS_BIT_INVALID
  const bit = bitArg.value === 1n ? 1 : 0
  const value = readString(ctx, keyOf(args[0] as Buffer))
  if (value === undefined) return int(bit === 1 ? -1 : 0)
  if (isReply(value)) return value
  let range: [number, number] | undefined
  let endGiven = false
  if (args.length >= 3 && args.length <= 5) {
    const start = parseInt64(args[2] as Buffer)
    if (!start.ok) return start.error
    const unit = parseUnit(args[4])
    if (unit === undefined) return SYNTAX
    const total = unit === 'bit' ? value.length * 8 : value.length
    let end = BigInt(total - 1)
    if (args.length >= 4) {
      const parsedEnd = parseInt64(args[3] as Buffer)
      if (!parsedEnd.ok) return parsedEnd.error
      end = parsedEnd.value
      endGiven = true
    }
    range = bitRange(start.value, end, total, unit)
  } else if (args.length === 2) {
    range = value.length === 0 ? undefined : [0, value.length * 8 - 1]
  } else return SYNTAX
  if (range === undefined) return int(-1)
  const found = findBit(value, range[0], range[1], bit)
  if (found !== -1 || bit === 1 || endGiven) return int(found)
  return int(range[1] + 1)
}

type BitOperation = 'AND' | 'OR' | 'XOR' | 'NOT'

/** BITOP op destkey key [key ...]: missing sources are empty strings (zero-padded to the longest). */
function bitopCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const op = (['AND', 'OR', 'XOR', 'NOT'] as const).find((name) => isOption(args[0], name)) as BitOperation | undefined
  if (op === undefined) return SYNTAX
  if (op === 'NOT' && args.length !== 3) return BITOP_NOT_SINGLE_KEY
  const sources: Buffer[] = []
  for (const k of args.slice(2)) {
    const value = readString(ctx, keyOf(k))
    if (isReply(value)) return value
    sources.push(value ?? EMPTY)
  }
  const dest = keyOf(args[1] as Buffer)
  const length = sources.reduce((max, s) => Math.max(max, s.length), 0)
  if (length === 0) {
    if (ctx.db.delete(dest)) ctx.notify('g', 'del', args[1] as Buffer)
    return ZERO
  }
  const [first, ...rest] = sources as [Buffer, ...Buffer[]]
  const result = Buffer.alloc(length)
  first.copy(result)
  if (op === 'NOT') {
    for (let i = 0; i < length; i++) result[i] = ~(result[i] as number) & 0xff
  } else {
    for (const source of rest) {
      for (let i = 0; i < length; i++) {
        const byte = i < source.length ? (source[i] as number) : 0
        const acc = result[i] as number
        result[i] = op === 'AND' ? acc & byte : op === 'OR' ? acc | byte : acc ^ byte
      }
    }
  }
  ctx.db.set(dest, stringValue(result))
  ctx.notify('$', 'set', args[1] as Buffer)
  return int(length)
}
