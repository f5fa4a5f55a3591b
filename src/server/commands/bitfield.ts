// BITFIELD and BITFIELD_RO (bitops.c bitfieldGeneric): signed and unsigned integers of 1 to 64 bits (u64 is
// refused: a reply cannot carry it) at any bit offset of a string, read with GET, written with SET and INCRBY
// under the OVERFLOW policy in force (WRAP by default, SAT, or FAIL, which answers nil and writes nothing).
// Every argument is parsed before the key is looked at; a call with only GETs reads, one with a SET or INCRBY
// first makes room up to the farthest bit it writes (zero padding), then runs the operations in order. The
// 64-bit arithmetic is done on bigints wrapped to 64 bits where C wraps, so the edge cases come out as in Redis.

import {keyOf} from '../../common/key.js'
import {BIT_OFFSET_INVALID, NOT_INTEGER, SYNTAX, WRONGTYPE} from '../../resp/errors.js'
import {array, error, int, NIL, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec, type KeyExtractor, type KeyFlag} from '../command-spec.js'
import {parseInt64} from './args.js'
import {bitOffsetAllowed} from './bitmaps.js'
import {stringValue} from '../keyspace/string-value.js'

const BITFIELD_TYPE_INVALID = error('ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.')
const OVERFLOW_TYPE_INVALID = error('ERR Invalid OVERFLOW type specified')
const BITFIELD_RO_WRITE = error('ERR BITFIELD_RO only supports the GET subcommand')

const RO_ACCESS: readonly KeyFlag[] = ['RO', 'access']
const RW_ACCESS_UPDATE: readonly KeyFlag[] = ['RW', 'access', 'update']

/**
 * The key's flags depend on the subcommands (db.c bitfieldGetKeys): RO access while they are all GETs (and
 * OVERFLOWs), RW access update from the first SET or INCRBY, or at anything it cannot read (a syntax error).
 */
export const bitfieldKeys: KeyExtractor = (argv) => {
  let readonly = true
  for (let i = 2; i < argv.length; i++) {
    const remaining = argv.length - i - 1
    const word = cWord(argv[i] as Buffer)
    if (word === 'get' && remaining >= 2) i += 2
    else if ((word === 'set' || word === 'incrby') && remaining >= 3) {
      readonly = false
      break
    } else if (word === 'overflow' && remaining >= 1) i += 1
    else {
      readonly = false
      break
    }
  }
  return [{pos: 1, flags: readonly ? RO_ACCESS : RW_ACCESS_UPDATE}]
}

export const bitfieldCommands: readonly CommandSpec[] = [
  {name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], keys: FIRST_KEY, getKeys: bitfieldKeys, categories: ['write', 'bitmap', 'slow'], handler: (ctx, a) => bitfieldGeneric(ctx, a, false)},
  {name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'bitmap', 'fast'], handler: (ctx, a) => bitfieldGeneric(ctx, a, true)},
]

type Overflow = 'wrap' | 'sat' | 'fail'

interface BitfieldOp {
  readonly opcode: 'get' | 'set' | 'incrby'
  readonly signed: boolean
  readonly bits: number
  /** The bit offset of the field's most significant bit. */
  readonly offset: bigint
  /** SET's value or INCRBY's increment (0 for GET). */
  readonly value: bigint
  readonly overflow: Overflow
}

/**
 * An argument as C's strcasecmp sees it: up to its first NUL, lower case (only ASCII letters can match the
 * words it is compared with).
 */
function cWord(arg: Buffer): string {
  const nul = arg.indexOf(0)
  return (nul === -1 ? arg : arg.subarray(0, nul)).toString('latin1').toLowerCase()
}

/** `i<1..64>` or `u<1..63>` (getBitfieldTypeFromArgument): the sign letter is case-sensitive, the width read up to a NUL. */
function parseType(arg: Buffer): {signed: boolean; bits: number} | undefined {
  const sign = arg[0]
  if (sign !== 0x69 /* i */ && sign !== 0x75 /* u */) return undefined
  const signed = sign === 0x69
  const rest = arg.subarray(1)
  const nul = rest.indexOf(0)
  const width = parseInt64(nul === -1 ? rest : rest.subarray(0, nul))
  if (!width.ok || width.value < 1n || width.value > (signed ? 64n : 63n)) return undefined
  return {signed, bits: Number(width.value)}
}

/**
 * A field offset (getBitOffsetFromArgument with hash): a bit offset, or `#N` for the N-th field of this width,
 * whose product wraps at 64 bits as C's does; then the usual range check.
 */
function parseFieldOffset(ctx: CommandContext, arg: Buffer, bits: number): bigint | undefined {
  const hash = arg[0] === 0x23 /* # */
  const parsed = parseInt64(hash ? arg.subarray(1) : arg)
  if (!parsed.ok) return undefined
  const offset = hash ? BigInt.asIntN(64, parsed.value * BigInt(bits)) : parsed.value
  return bitOffsetAllowed(ctx, offset) ? offset : undefined
}

/** Parses every subcommand, in order, or returns the first error, as Redis does before touching the key. */
function parseOps(ctx: CommandContext, args: readonly Buffer[]): BitfieldOp[] | Reply {
  const ops: BitfieldOp[] = []
  let overflow: Overflow = 'wrap'
  for (let j = 1; j < args.length; j++) {
    const remaining = args.length - j - 1
    const word = cWord(args[j] as Buffer)
    let opcode: BitfieldOp['opcode']
    if (word === 'get' && remaining >= 2) opcode = 'get'
    else if (word === 'set' && remaining >= 3) opcode = 'set'
    else if (word === 'incrby' && remaining >= 3) opcode = 'incrby'
    else if (word === 'overflow' && remaining >= 1) {
      const policy = cWord(args[++j] as Buffer)
      if (policy !== 'wrap' && policy !== 'sat' && policy !== 'fail') return OVERFLOW_TYPE_INVALID
      overflow = policy
      continue
    } else return SYNTAX
    const type = parseType(args[j + 1] as Buffer)
    if (type === undefined) return BITFIELD_TYPE_INVALID
    const offset = parseFieldOffset(ctx, args[j + 2] as Buffer, type.bits)
    if (offset === undefined) return BIT_OFFSET_INVALID
    let value = 0n
    if (opcode !== 'get') {
      const parsed = parseInt64(args[j + 3] as Buffer)
      if (!parsed.ok) return NOT_INTEGER
      value = parsed.value
    }
    ops.push({opcode, ...type, offset, value, overflow})
    j += opcode === 'get' ? 2 : 3
  }
  return ops
}

/** Bytes the field at bit `offset` (within its byte) of `bits` bits spans: 1 to 9. */
const spanOf = (bitInByte: number, bits: number): number => Math.ceil((bitInByte + bits) / 8)

/** The unsigned value of the `bits`-bit field at `offset`; bytes past the end of `buf` read as zeros. */
function readField(buf: Buffer, offset: bigint, bits: number): bigint {
  const byteIndex = offset >> 3n
  if (byteIndex >= BigInt(buf.length)) return 0n
  const byte = Number(byteIndex)
  const bitInByte = Number(offset & 7n)
  const span = spanOf(bitInByte, bits)
  let acc = 0n
  for (let i = 0; i < span; i++) acc = (acc << 8n) | BigInt(byte + i < buf.length ? (buf[byte + i] as number) : 0)
  return BigInt.asUintN(bits, acc >> BigInt(span * 8 - bitInByte - bits))
}

/** Stores the low `bits` bits of `value` at bit `offset`; `buf` already reaches the field's last byte. */
function writeField(buf: Buffer, offset: bigint, bits: number, value: bigint): void {
  const byte = Number(offset >> 3n)
  const bitInByte = Number(offset & 7n)
  const span = spanOf(bitInByte, bits)
  let acc = 0n
  for (let i = 0; i < span; i++) acc = (acc << 8n) | BigInt(buf[byte + i] as number)
  const shift = BigInt(span * 8 - bitInByte - bits)
  const mask = ((1n << BigInt(bits)) - 1n) << shift
  acc = (acc & ~mask) | ((BigInt.asUintN(bits, value) << shift) & mask)
  for (let i = span - 1; i >= 0; i--) {
    buf[byte + i] = Number(acc & 0xffn)
    acc >>= 8n
  }
}

const INT64_MAX = (1n << 63n) - 1n
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x)
const i64 = (x: bigint): bigint => BigInt.asIntN(64, x)

/** An overflow check's verdict: whether value+incr leaves the type, and then the result WRAP or SAT give (unused under FAIL). */
interface Checked {
  readonly overflow: boolean
  readonly limit: bigint
}

/**
 * checkUnsignedBitfieldOverflow: `value` is a uint64 (SET's value is its int64 seen unsigned, so a negative
 * one is too big), `incr` an int64. WRAP keeps the low `bits` bits of the sum; SAT gives the nearer bound.
 */
function checkUnsigned(value: bigint, incr: bigint, bits: number, overflow: Overflow): Checked {
  const max = (1n << BigInt(bits)) - 1n
  const maxIncr = i64(max - value)
  const minIncr = i64(-value)
  const wrapped = BigInt.asUintN(bits, value + incr)
  if (value > max || (incr > 0n && incr > maxIncr)) return {overflow: true, limit: overflow === 'sat' ? max : wrapped}
  if (incr < 0n && incr < minIncr) return {overflow: true, limit: overflow === 'sat' ? 0n : wrapped}
  return {overflow: false, limit: 0n}
}

/**
 * checkSignedBitfieldOverflow, with its int64 wrap-arounds: the increments that still fit are computed
 * modulo 2^64 as in C, so an int64 far outside a narrow type can land on either side (SET i8 with -2^63
 * saturates to 127, as Redis does). WRAP sign-extends the low `bits` bits of the 64-bit sum.
 */
function checkSigned(value: bigint, incr: bigint, bits: number, overflow: Overflow): Checked {
  const max = bits === 64 ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n
  const min = -max - 1n
  const maxIncr = i64(u64(max) - u64(value))
  const minIncr = i64(min - value)
  const wrapped = BigInt.asIntN(bits, u64(value + incr))
  if (value > max || (bits !== 64 && incr > maxIncr) || (value >= 0n && incr > 0n && incr > maxIncr)) {
    return {overflow: true, limit: overflow === 'sat' ? max : wrapped}
  }
  if (value < min || (bits !== 64 && incr < minIncr) || (value < 0n && incr < 0n && incr < minIncr)) {
    return {overflow: true, limit: overflow === 'sat' ? min : wrapped}
  }
  return {overflow: false, limit: 0n}
}

/** One SET or INCRBY on `buf`: the reply (nil when FAIL refused it) and whether the field's bits changed. */
function runWrite(buf: Buffer, op: BitfieldOp): {reply: Reply; changed: boolean} {
  const raw = readField(buf, op.offset, op.bits)
  const old = op.signed ? BigInt.asIntN(op.bits, raw) : raw
  let next: bigint
  let checked: Checked
  if (op.opcode === 'incrby') {
    checked = op.signed ? checkSigned(old, op.value, op.bits, op.overflow) : checkUnsigned(old, op.value, op.bits, op.overflow)
    next = checked.overflow ? checked.limit : old + op.value
  } else {
    const value = op.signed ? op.value : u64(op.value)
    checked = op.signed ? checkSigned(value, 0n, op.bits, op.overflow) : checkUnsigned(value, 0n, op.bits, op.overflow)
    next = checked.overflow ? checked.limit : value
  }
  if (checked.overflow && op.overflow === 'fail') return {reply: NIL, changed: false}
  writeField(buf, op.offset, op.bits, next)
  return {reply: int(op.opcode === 'incrby' ? next : old), changed: old !== next}
}

/** GET: the field as a signed or unsigned integer; beyond the string (or without one) the bits are zeros. */
function runGet(buf: Buffer | undefined, op: BitfieldOp): Reply {
  if (buf === undefined) return int(0)
  const raw = readField(buf, op.offset, op.bits)
  return int(op.signed ? BigInt.asIntN(op.bits, raw) : raw)
}

function bitfieldGeneric(ctx: CommandContext, args: readonly Buffer[], readonlyCommand: boolean): Reply {
  const ops = parseOps(ctx, args)
  if (!Array.isArray(ops)) return ops as Reply
  const key = keyOf(args[0] as Buffer)
  const writes = ops.filter((op) => op.opcode !== 'get')
  if (writes.length === 0) {
    // Only GETs (or nothing at all): a read, which a missing key survives but another type does not.
    const entry = ctx.db.lookup(key)
    // lookupKeyRead even in BITFIELD, a write command whose lookups would otherwise raise no keymiss.
    if (entry === undefined && !readonlyCommand) ctx.notify('m', 'keymiss', args[0] as Buffer)
    if (entry !== undefined && entry.value.type !== 'string') return WRONGTYPE
    const value = entry?.value.type === 'string' ? entry.value.value : undefined
    return array(ops.map((op) => runGet(value, op)))
  }
  if (readonlyCommand) return BITFIELD_RO_WRITE

  // lookupStringForBitCommand: room up to the farthest bit any SET or INCRBY reaches, zero-padded, even when
  // an OVERFLOW FAIL then writes nothing there.
  const highest = writes.reduce((far, op) => (op.offset + BigInt(op.bits) - 1n > far ? op.offset + BigInt(op.bits) - 1n : far), 0n)
  const needed = Number(highest >> 3n) + 1
  const entry = ctx.db.lookupQuiet(key)
  if (entry !== undefined && entry.value.type !== 'string') return WRONGTYPE
  const current = entry?.value.type === 'string' ? entry.value.value : undefined
  const grown = current === undefined || needed > current.length
  // The operations run on a copy: the stored bytes may still be held by a queued reply or propagation.
  const buf = Buffer.alloc(Math.max(needed, current?.length ?? 0))
  current?.copy(buf)

  let changes = 0
  const replies = ops.map((op) => {
    if (op.opcode === 'get') return runGet(buf, op)
    const {reply, changed} = runWrite(buf, op)
    if (reply.kind !== 'nil' && (grown || changed)) changes++
    return reply
  })
  // The key is created (dbAdd: the `new` event) or grown even when every write FAILed, but only a call that
  // changed something signals it (WATCH, tracking, dirty) and is propagated, as bitfieldGeneric does.
  const signal = changes > 0
  if (entry === undefined) ctx.db.set(key, stringValue(buf), {signal})
  else if (grown || signal) {
    entry.value = stringValue(buf)
    ctx.db.modified(key, signal)
  }
  // Redis counts one change per operation that wrote (server.dirty += changes); the signal counted one.
  if (signal) ctx.keyspace.dirty += changes - 1
  if (changes > 0) ctx.notify('$', 'setbit', args[0] as Buffer)
  return array(replies)
}
