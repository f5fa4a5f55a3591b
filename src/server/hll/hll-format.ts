// The byte layout of a Redis HyperLogLog string: a 16-byte header ("HYLL", encoding, 3 unused bytes, the cached
// cardinality in 8 little-endian bytes whose top bit marks it stale), then either 16384 6-bit registers packed
// little-endian (dense) or run-length opcodes (sparse, see hll-sparse.ts).

export const HLL_P = 14
export const HLL_REGISTERS = 1 << HLL_P
export const HLL_P_MASK = HLL_REGISTERS - 1
/** Bits of the hash left after the register index; a run of zeros counts at most HLL_Q + 1. */
export const HLL_Q = 64 - HLL_P
export const HLL_BITS = 6
export const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1
export const HLL_HDR_SIZE = 16
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS * HLL_BITS + 7) / 8)
export const HLL_DENSE = 0
export const HLL_SPARSE = 1
const CARD_OFFSET = 8
const ENCODING_OFFSET = 4

/** The seed Redis hashes elements with. */
export const HLL_HASH_SEED = 0xadc83b19

export const INVALID_HLL_MESSAGE = 'INVALIDOBJ Corrupted HLL object detected'
export const NOT_AN_HLL_MESSAGE = 'WRONGTYPE Key is not a valid HyperLogLog string value.'

export const encodingOf = (hll: Buffer): number => hll[ENCODING_OFFSET]!

/** isHLLObjectOrReply: a string long enough for the header, "HYLL", a known encoding, a dense one of exact size. */
export function isValidHll(value: Buffer): boolean {
  if (value.length < HLL_HDR_SIZE) return false
  if (value[0] !== 0x48 || value[1] !== 0x59 || value[2] !== 0x4c || value[3] !== 0x4c) return false
  const encoding = encodingOf(value)
  if (encoding > HLL_SPARSE) return false
  return encoding !== HLL_DENSE || value.length === HLL_DENSE_SIZE
}

export const invalidateCache = (hll: Buffer): void => {
  hll[CARD_OFFSET + 7] = hll[CARD_OFFSET + 7]! | 0x80
}

export const isCacheValid = (hll: Buffer): boolean => (hll[CARD_OFFSET + 7]! & 0x80) === 0

export const readCachedCardinality = (hll: Buffer): bigint => hll.readBigUInt64LE(CARD_OFFSET)

export const writeCachedCardinality = (hll: Buffer, card: bigint): void => {
  hll.writeBigUInt64LE(BigInt.asUintN(64, card), CARD_OFFSET)
}

/** Register `index` of dense registers starting at `base` (a read past the end sees the C string's NUL). */
export function getDenseRegister(bytes: Uint8Array, base: number, index: number): number {
  const bit = index * HLL_BITS
  const at = base + (bit >>> 3)
  const shift = bit & 7
  const b0 = bytes[at]!
  const b1 = bytes[at + 1] ?? 0
  return ((b0 >>> shift) | (b1 << (8 - shift))) & HLL_REGISTER_MAX
}

export function setDenseRegister(bytes: Uint8Array, base: number, index: number, value: number): void {
  const bit = index * HLL_BITS
  const at = base + (bit >>> 3)
  const shift = bit & 7
  bytes[at] = (bytes[at]! & ~(HLL_REGISTER_MAX << shift)) | (value << shift)
  if (at + 1 < bytes.length) bytes[at + 1] = (bytes[at + 1]! & ~(HLL_REGISTER_MAX >>> (8 - shift))) | (value >>> (8 - shift))
}

/** Raises a dense register to `count`; true when it grew. */
export function denseSet(hll: Uint8Array, index: number, count: number): boolean {
  if (count <= getDenseRegister(hll, HLL_HDR_SIZE, index)) return false
  setDenseRegister(hll, HLL_HDR_SIZE, index, count)
  return true
}
