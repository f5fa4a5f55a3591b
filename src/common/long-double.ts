// The x87 80-bit `long double` that Redis (x86_64) uses for INCRBYFLOAT/HINCRBYFLOAT: 64-bit significand with
// an explicit integer bit, 15-bit exponent, subnormals. Values are exact (BigInt significand × 2^exponent) and every
// operation rounds the exact result to nearest-even, so parse, add and print agree with strtold, x87 and glibc.

/** A finite value is (-1)^negative × significand × 2^exponent with significand < 2^64; zero has significand 0. */
export type LongDouble =
  | {readonly kind: 'finite'; readonly negative: boolean; readonly significand: bigint; readonly exponent: number}
  | {readonly kind: 'infinity'; readonly negative: boolean}
  | {readonly kind: 'nan'}

type Finite = Extract<LongDouble, {kind: 'finite'}>

const SIGNIFICAND_BITS = 64
const SIGNIFICAND_LIMIT = 1n << 64n
const HIGH_BIT = 1n << 63n
/** Exponent of the last significand bit of subnormals and of the smallest normal (2^-16382 = 2^63 × 2^-16445). */
const MIN_EXPONENT = -16445
/** Exponent of the last significand bit of the largest finite value, (2^64 - 1) × 2^16320. */
const MAX_EXPONENT = 16320
/** Redis copies an operand into a 5120-byte buffer (MAX_LONG_DOUBLE_CHARS) and refuses longer ones. */
const MAX_TEXT = 5119
const FRACTION_DIGITS = 17
const FRACTION_SCALE = 10n ** 17n
/** Exponents are saturated here while parsing; any value that far out has long since overflowed or underflowed. */
const EXPONENT_CAP = 1_000_000_000

const NAN: LongDouble = {kind: 'nan'}
const infinity = (negative: boolean): LongDouble => ({kind: 'infinity', negative})
const zero = (negative: boolean): Finite => ({kind: 'finite', negative, significand: 0n, exponent: 0})

/** What a missing key or field counts as. */
export const LONG_DOUBLE_ZERO: LongDouble = zero(false)

export const isFiniteLongDouble = (value: LongDouble): boolean => value.kind === 'finite'

const bitLength = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length)

/** Rounds num/den × 2^scale (num ≥ 0, den > 0) to the nearest long double, ties to even; too big becomes infinity. */
function roundToLongDouble(negative: boolean, num: bigint, den: bigint, scale: number): LongDouble {
  if (num === 0n) return zero(negative)
  // The value lies strictly between 2^(magnitude-1) and 2^(magnitude+1).
  const magnitude = bitLength(num) - bitLength(den) + scale
  // At most half the smallest subnormal rounds to zero (a tie goes to the even zero); past the top, infinity.
  if (magnitude + 1 <= MIN_EXPONENT - 1) return zero(negative)
  if (magnitude - 1 >= MAX_EXPONENT + SIGNIFICAND_BITS) return infinity(negative)
  let exponent = Math.max(magnitude - SIGNIFICAND_BITS, MIN_EXPONENT)
  let [quotient, remainder, divisor] = divideScaled(num, den, scale - exponent)
  if (quotient >= SIGNIFICAND_LIMIT) {
    exponent += 1
    ;[quotient, remainder, divisor] = divideScaled(num, den, scale - exponent)
  }
  const twice = remainder * 2n
  if (twice > divisor || (twice === divisor && (quotient & 1n) === 1n)) quotient += 1n
  if (quotient === SIGNIFICAND_LIMIT) {
    quotient = HIGH_BIT
    exponent += 1
  }
  if (exponent > MAX_EXPONENT) return infinity(negative)
  return {kind: 'finite', negative, significand: quotient, exponent}
}

/** floor(num/den × 2^shift) with its remainder and the divisor that remainder is relative to. */
function divideScaled(num: bigint, den: bigint, shift: number): [bigint, bigint, bigint] {
  const n = shift >= 0 ? num << BigInt(shift) : num
  const d = shift >= 0 ? den : den << BigInt(-shift)
  return [n / d, n % d, d]
}

/** An exponent's digits as a number, saturated at EXPONENT_CAP so absurd exponents stay cheap. */
function parseExponent(text: string | undefined): number {
  if (text === undefined) return 0
  const negative = text.startsWith('-')
  const digits = text.replace(/^[+-]?0*/, '')
  const magnitude = digits.length > 9 ? EXPONENT_CAP : Math.min(Number(digits || '0'), EXPONENT_CAP)
  return negative ? -magnitude : magnitude
}

const INFINITY_TEXT = /^([+-]?)inf(?:inity)?$/i
const DECIMAL_TEXT = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/
const HEX_TEXT = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/

/**
 * An operand as Redis's string2ld reads it: strtold must consume the whole text (so no leading or trailing
 * whitespace, no NUL), and NaN, overflow to ±infinity and underflow of a nonzero value to zero are refused.
 * The words inf/infinity are accepted. Undefined means `value is not a valid float`.
 */
export function parseLongDouble(text: string): LongDouble | undefined {
  if (text.length === 0 || text.length > MAX_TEXT) return undefined
  const inf = INFINITY_TEXT.exec(text)
  if (inf) return infinity(inf[1] === '-')
  let negative: boolean
  let num: bigint
  let den = 1n
  let scale = 0
  const hex = HEX_TEXT.exec(text)
  const decimal = hex ? null : DECIMAL_TEXT.exec(text)
  if (hex) {
    const [, sign, whole = '', fraction = '', exponent] = hex
    if (whole.length + fraction.length === 0) return undefined
    negative = sign === '-'
    num = BigInt(`0x${whole}${fraction}`)
    scale = parseExponent(exponent) - 4 * fraction.length
  } else if (decimal) {
    const [, sign, whole = '', fraction = '', exponent] = decimal
    if (whole.length + fraction.length === 0) return undefined
    negative = sign === '-'
    const digits = `${whole}${fraction}`.replace(/^0+/, '')
    if (digits.length === 0) return zero(negative)
    const power = parseExponent(exponent) - fraction.length
    // digits × 10^power lies in [10^(length-1+power), 10^(length+power)): settle the far cases without BigInt powers.
    if (digits.length - 1 + power >= 4933) return undefined // above LDBL_MAX ≈ 1.19e4932: ERANGE overflow
    if (digits.length + power <= -4952) return undefined // below half the smallest subnormal ≈ 1.8e-4951: ERANGE zero
    num = BigInt(digits)
    if (power >= 0) num *= 10n ** BigInt(power)
    else den = 10n ** BigInt(-power)
  } else return undefined
  if (num === 0n) return zero(negative)
  const value = roundToLongDouble(negative, num, den, scale)
  // strtold reports ERANGE for both, and Redis refuses a result of ±HUGE_VALL or of zero then.
  if (value.kind !== 'finite' || value.significand === 0n) return undefined
  return value
}

/** a + b as the x87 computes it: the exact sum rounded to nearest-even, infinity on overflow, NaN for inf - inf. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN
  if (a.kind === 'infinity') return b.kind === 'infinity' && b.negative !== a.negative ? NAN : a
  if (b.kind === 'infinity') return b
  if (a.significand === 0n) return b.significand === 0n ? zero(a.negative && b.negative) : b
  if (b.significand === 0n) return a
  const exponent = Math.min(a.exponent, b.exponent)
  const signed = (v: Finite): bigint => (v.negative ? -v.significand : v.significand) << BigInt(v.exponent - exponent)
  const sum = signed(a) + signed(b)
  // An exact zero sum of opposite values is +0 when rounding to nearest.
  if (sum === 0n) return zero(false)
  return roundToLongDouble(sum < 0n, sum < 0n ? -sum : sum, 1n, exponent)
}

/**
 * The text Redis stores and replies for a long double (ld2string LD_STR_HUMAN): glibc's %.17Lf, which rounds the
 * exact binary value to 17 fraction digits with ties to even, then trailing zeros and a bare '.' trimmed and
 * "-0" turned into "0". Infinities print as inf/-inf.
 */
export function formatLongDoubleHuman(value: LongDouble): string {
  if (value.kind === 'nan') return 'nan'
  if (value.kind === 'infinity') return value.negative ? '-inf' : 'inf'
  let scaled: bigint // |value| × 10^17, rounded
  if (value.exponent >= 0) scaled = (value.significand << BigInt(value.exponent)) * FRACTION_SCALE
  else {
    const [quotient, remainder, divisor] = divideScaled(value.significand * FRACTION_SCALE, 1n, value.exponent)
    const twice = remainder * 2n
    scaled = twice > divisor || (twice === divisor && (quotient & 1n) === 1n) ? quotient + 1n : quotient
  }
  const digits = scaled.toString().padStart(FRACTION_DIGITS + 1, '0')
  const whole = digits.slice(0, -FRACTION_DIGITS)
  const fraction = digits.slice(-FRACTION_DIGITS).replace(/0+$/, '')
  const text = `${value.negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`
  return text === '-0' ? '0' : text
}
