// Redis's geohash (geohash.c): a longitude/latitude cell at `step` bits per axis, latitude in the even bits
// and longitude in the odd ones, over Redis's ranges (latitude only to ±85.05112878, the Web Mercator limit).
// A member's sorted-set score is its 26-step (52-bit) hash. Hash bits are BigInts: cells at the coordinate
// limits carry a 53rd and 54th bit, beyond a double's integers.

export const GEO_STEP_MAX = 26
export const GEO_LAT_MIN = -85.05112878
export const GEO_LAT_MAX = 85.05112878
export const GEO_LONG_MIN = -180
export const GEO_LONG_MAX = 180

export interface HashBits {
  readonly bits: bigint
  readonly step: number
}

export interface Range {
  readonly min: number
  readonly max: number
}

export interface Area {
  readonly longitude: Range
  readonly latitude: Range
}

export const ZERO_HASH: HashBits = {bits: 0n, step: 0}
export const isZeroHash = (hash: HashBits): boolean => hash.bits === 0n && hash.step === 0

export const WGS84_LONGITUDE: Range = {min: GEO_LONG_MIN, max: GEO_LONG_MAX}
export const WGS84_LATITUDE: Range = {min: GEO_LAT_MIN, max: GEO_LAT_MAX}

/** The 16 bits of `v` spread to the even bits of a 32-bit word. */
function spread16(v: number): number {
  v = (v | (v << 8)) & 0x00ff00ff
  v = (v | (v << 4)) & 0x0f0f0f0f
  v = (v | (v << 2)) & 0x33333333
  v = (v | (v << 1)) & 0x55555555
  return v >>> 0
}

/** The even bits of a 32-bit word, packed into 16 bits. */
function compact16(v: number): number {
  v &= 0x55555555
  v = (v | (v >>> 1)) & 0x33333333
  v = (v | (v >>> 2)) & 0x0f0f0f0f
  v = (v | (v >>> 4)) & 0x00ff00ff
  v = (v | (v >>> 8)) & 0x0000ffff
  return v
}

/** interleave64: x (uint32) in the even bits, y (uint32) in the odd bits. */
export function interleave(x: number, y: number): bigint {
  const lo = (spread16(x & 0xffff) | (spread16(y & 0xffff) << 1)) >>> 0
  const hi = (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0
  return (BigInt(hi) << 32n) | BigInt(lo)
}

/** deinterleave64 of a 64-bit word given as uint32 halves: [even bits, odd bits], each a uint32. */
export function deinterleave(hi: number, lo: number): [number, number] {
  const even = (compact16(lo) | (compact16(hi) << 16)) >>> 0
  const odd = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0
  return [even, odd]
}

/** C's double → uint32_t conversion for the in-range offsets geohashEncode computes. */
const toUint32 = (x: number): number => Math.trunc(x) >>> 0

/** geohashEncode: undefined outside Redis's limits or the given ranges. */
export function encode(longRange: Range, latRange: Range, longitude: number, latitude: number, step: number): HashBits | undefined {
  if (step > 32 || step === 0) return undefined
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return undefined
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max) return undefined
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min)
  let longOffset = (longitude - longRange.min) / (longRange.max - longRange.min)
  latOffset *= 2 ** step
  longOffset *= 2 ** step
  return {bits: interleave(toUint32(latOffset), toUint32(longOffset)), step}
}

export const encodeWGS84 = (longitude: number, latitude: number, step: number): HashBits | undefined =>
  encode(WGS84_LONGITUDE, WGS84_LATITUDE, longitude, latitude, step)

/** geohashDecode: the cell a hash names. */
export function decode(longRange: Range, latRange: Range, hash: HashBits): Area {
  const bits = BigInt.asUintN(64, hash.bits)
  const [latCell, longCell] = deinterleave(Number(bits >> 32n), Number(bits & 0xffffffffn))
  return cellArea(longRange, latRange, latCell, longCell, hash.step)
}

function cellArea(longRange: Range, latRange: Range, latCell: number, longCell: number, step: number): Area {
  const cells = 2 ** step
  const latScale = latRange.max - latRange.min
  const longScale = longRange.max - longRange.min
  // The cell numbers are uint32: the +1 of the last one wraps, as in C.
  return {
    latitude: {min: latRange.min + (latCell / cells) * latScale, max: latRange.min + (((latCell + 1) >>> 0) / cells) * latScale},
    longitude: {min: longRange.min + (longCell / cells) * longScale, max: longRange.min + (((longCell + 1) >>> 0) / cells) * longScale},
  }
}

/** The cell centre, clamped to Redis's limits (geohashDecodeAreaToLongLat). */
export function areaCentre(area: Area): [number, number] {
  let longitude = (area.longitude.min + area.longitude.max) / 2
  if (longitude > GEO_LONG_MAX) longitude = GEO_LONG_MAX
  if (longitude < GEO_LONG_MIN) longitude = GEO_LONG_MIN
  let latitude = (area.latitude.min + area.latitude.max) / 2
  if (latitude > GEO_LAT_MAX) latitude = GEO_LAT_MAX
  if (latitude < GEO_LAT_MIN) latitude = GEO_LAT_MIN
  return [longitude, latitude]
}

const TWO_32 = 2 ** 32
const TWO_63 = 2 ** 63
const TWO_64 = 2 ** 64

/**
 * A score converted to uint64 as x86-64 code compiled by gcc does it: truncation within range, the "integer
 * indefinite" (2^63) below it, and 0 from 2^64 up (infinity included). Returned as uint32 halves.
 */
function scoreHalves(score: number): [number, number] {
  if (score >= 0 && score < 2 ** 53) {
    const whole = Math.trunc(score)
    return [Math.floor(whole / TWO_32), whole % TWO_32]
  }
  let bits: bigint
  if (Number.isNaN(score) || score >= TWO_64) bits = 0n
  else if (score >= TWO_63 || score > -TWO_63) bits = BigInt.asUintN(64, BigInt(Math.trunc(score)))
  else bits = 1n << 63n
  return [Number(bits >> 32n), Number(bits & 0xffffffffn)]
}

/** A member's position from its score (decodeGeohash: the score as a 26-step hash, the cell centre). */
export function decodeScore(score: number): [number, number] {
  const [hi, lo] = scoreHalves(score)
  const [latCell, longCell] = deinterleave(hi, lo)
  return areaCentre(cellArea(WGS84_LONGITUDE, WGS84_LATITUDE, latCell, longCell, GEO_STEP_MAX))
}

/** The hash bits left-aligned to 52 bits (geohashAlign52Bits), the sorted-set score space. */
export const align52 = (hash: HashBits): bigint => BigInt.asUintN(64, hash.bits << BigInt(52 - hash.step * 2))

const ODD_BITS = 0xaaaaaaaaaaaaaaaan
const EVEN_BITS = 0x5555555555555555n

/** Moves a hash one cell along longitude (the odd bits) or latitude (the even bits); d is -1, 0 or 1. */
function move(hash: HashBits, d: number, axis: 'x' | 'y'): HashBits {
  if (d === 0) return hash
  const shift = BigInt(64 - hash.step * 2)
  const [mine, other] = axis === 'x' ? [ODD_BITS, EVEN_BITS] : [EVEN_BITS, ODD_BITS]
  let moving = hash.bits & mine
  const kept = hash.bits & other
  const fill = other >> shift
  if (d > 0) moving = moving + (fill + 1n)
  else moving = (moving | fill) - (fill + 1n)
  moving = BigInt.asUintN(64, moving) & (mine >> shift)
  return {bits: moving | kept, step: hash.step}
}

export interface Neighbors {
  north: HashBits
  south: HashBits
  east: HashBits
  west: HashBits
  northEast: HashBits
  northWest: HashBits
  southEast: HashBits
  southWest: HashBits
}

/** geohashNeighbors: the eight cells around a hash at its step. */
export function neighbors(hash: HashBits): Neighbors {
  const at = (dx: number, dy: number): HashBits => move(move(hash, dx, 'x'), dy, 'y')
  return {
    east: at(1, 0), west: at(-1, 0), south: at(0, -1), north: at(0, 1),
    northWest: at(-1, 1), northEast: at(1, 1), southEast: at(1, -1), southWest: at(-1, -1),
  }
}
