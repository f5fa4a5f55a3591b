// C strtod over a byte string from a position, as glibc parses: optional sign, decimal with exponent,
// hexadecimal with fraction and binary exponent, inf/infinity, nan/nan(chars). cjson decodes numbers with it.

const PATTERN = /^[+-]?(?:0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|infinity|inf|nan(?:\([0-9a-z_]*\))?)/i

function hexValue(text: string): number {
  const m = /^0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/i.exec(text)
  if (!m) return NaN
  const digits = (m[1] ?? '') + (m[2] ?? '')
  let value = 0
  for (const d of digits) value = value * 16 + parseInt(d, 16)
  const exponent = parseInt(m[3] ?? '0', 10) - 4 * (m[2] ?? '').length
  return value * 2 ** exponent
}

/** Parses a number at `start`; returns its value and the index after it, or undefined when none. */
export function parseStrtod(data: Uint8Array, start: number): {value: number; end: number} | undefined {
  let stop = start
  while (stop < data.length && stop - start < 1100) {
    const c = data[stop] as number
    if (c <= 32 || c >= 127 || c === 44 || c === 93 || c === 125 || c === 58) break
    stop++
  }
  // Not a spread: a number thousands of digits long would overflow the call stack.
  const text = Buffer.from(data.subarray(start, stop)).toString('latin1')
  const m = PATTERN.exec(text)
  if (!m) return undefined
  const token = m[0]
  const negative = token.startsWith('-')
  const body = token.replace(/^[+-]/, '').toLowerCase()
  let value: number
  if (body.startsWith('inf')) value = Infinity
  else if (body.startsWith('nan')) value = NaN
  else if (body.startsWith('0x')) value = hexValue(body)
  else value = parseFloat(body)
  return {value: negative ? -value : value, end: start + token.length}
}
