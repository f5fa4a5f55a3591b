// The number texts geo replies and errors carry, as glibc prints them: %f (and %.17Lf, with the trimming of
// Redis's ld2string "human" mode) from the exact binary value rounded half to even, and Redis's
// fixedpoint_d2string, which rounds value × 10^digits with llrint.

const view = new DataView(new ArrayBuffer(8))

/** |x| as significand × 2^exponent, exactly. */
function exactParts(x: number): [bigint, number] {
  view.setFloat64(0, Math.abs(x))
  const hi = view.getUint32(0)
  const lo = view.getUint32(4)
  const biased = hi >>> 20
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  if (biased === 0) return [fraction, -1074]
  return [fraction | (1n << 52n), biased - 1075]
}

const isNegative = (x: number): boolean => x < 0 || Object.is(x, -0)

/** printf("%.<digits>f", x) for a double (also what %.<digits>Lf prints for a double widened to long double). */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return isNegative(x) ? '-nan' : 'nan'
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf'
  const [significand, exponent] = exactParts(x)
  const scale = 10n ** BigInt(digits)
  let scaled: bigint
  if (exponent >= 0) scaled = (significand << BigInt(exponent)) * scale
  else {
    const numerator = significand * scale
    const divisor = 1n << BigInt(-exponent)
    scaled = numerator / divisor
    const twice = (numerator % divisor) * 2n
    if (twice > divisor || (twice === divisor && (scaled & 1n) === 1n)) scaled += 1n
  }
  const text = scaled.toString().padStart(digits + 1, '0')
  const whole = text.slice(0, text.length - digits)
  const fraction = text.slice(text.length - digits)
  return `${isNegative(x) ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`
}

/** addReplyHumanLongDouble's text: %.17Lf without trailing zeros or a bare point, and "-0" as "0". */
export function formatHumanLongDouble(x: number): string {
  let text = formatFixed(x, 17)
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '')
  return text === '-0' ? '0' : text
}

/** llrint in the default rounding mode: to nearest, ties to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x)
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/** fixedpoint_d2string(d, digits): the value × 10^digits rounded to an integer, printed with `digits` decimals. */
export function formatFixedPoint(x: number, digits: number): string {
  if (x === 0) return `0.${'0'.repeat(digits)}`
  const scaled = BigInt(roundHalfEven(x * 10 ** digits))
  const negative = scaled < 0n
  const text = (negative ? -scaled : scaled).toString().padStart(digits + 1, '0')
  return `${negative ? '-' : ''}${text.slice(0, text.length - digits)}.${text.slice(text.length - digits)}`
}
