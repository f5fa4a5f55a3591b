// Long-double arithmetic against vectors captured from real Redis 7.0.15 (x86_64): `INCRBYFLOAT k <increment>`
// with k missing (null) or first SET to the stored text. The differential test covers random cases live.

import {describe, expect, it} from 'vitest'
import {
  addLongDouble,
  formatLongDoubleHuman,
  isFiniteLongDouble,
  LONG_DOUBLE_ZERO,
  parseLongDouble,
} from '../../src/common/long-double.js'

const NOT_FLOAT = '-ERR value is not a valid float'
const NAN_OR_INF = '-ERR increment would produce NaN or Infinity'

/** What INCRBYFLOAT replies, computed the way the command does. */
function incrbyfloat(stored: string | null, increment: string): string {
  const current = stored === null ? LONG_DOUBLE_ZERO : parseLongDouble(stored)
  const by = parseLongDouble(increment)
  if (current === undefined || by === undefined) return NOT_FLOAT
  const sum = addLongDouble(current, by)
  return isFiniteLongDouble(sum) ? formatLongDoubleHuman(sum) : NAN_OR_INF
}

// [stored value or null, increment, Redis 7.0.15's reply]
const VECTORS: readonly (readonly [string | null, string, string])[] = [
  ['10.5', '0.1', '10.6'],
  ['0.1', '0.2', '0.3'],
  [null, '0.1', '0.1'],
  ['0.3', '0.3', '0.6'],
  ['1.1', '2.2', '3.3'],
  ['5.0e3', '2.0e2', '5200'],
  ['1e300', '1e300', '2000000000000000000017994648159118387741047888546581495876520164642531293192361871511698304167500994380700745017228549671807185112369345967826192521041497292574654271283687306588168510215212033579453305864740061102765895241989080589545563779241212358535223254194821301134374772211380178849830208012288'],
  [null, '3.0000000000000000001', '3'],
  ['-0.0', '0', '0'],
  [null, '-0.0', '0'],
  ['1.7976931348623157e308', '1.7976931348623157e308', '359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768'],
  ['0x10', '0x1p-3', '16.125'],
  ['0x10', '0x.8', '16.5'],
  [null, '0X1P+3', '8'],
  [null, '-0x1.8p1', '-3'],
  ['1e20', '1', '100000000000000000000'],
  [null, '123456789012345678901234567890', '123456789012345678899921813504'],
  ['9223372036854775807', '1', '9223372036854775808'],
  ['18446744073709551615', '1', '18446744073709551616'],
  [null, '36893488147419103231', '36893488147419103232'],
  [null, '1e-20', '0'],
  [null, '-1e-20', '0'],
  [null, '0.000003814697265625', '0.00000381469726562'],
  [null, '0.000011444091796875', '0.00001144409179688'],
  [null, '0.5e-17', '0'],
  [null, '0.5000000000000001e-17', '0.00000000000000001'],
  [null, '1.5e-17', '0.00000000000000002'],
  [null, '2.5e-17', '0.00000000000000002'],
  [null, '0.000000000000000005', '0'],
  [null, '0.0000000000000000051', '0.00000000000000001'],
  [null, '0.00000000000000001', '0.00000000000000001'],
  ['-5.5', '5.5', '0'],
  ['-5', '5', '0'],
  ['3.14159265358979323846264338327950288', '0', '3.14159265358979324'],
  ['2.718281828459045235360287471352662497757', '-1', '1.71828182845904524'],
  [null, '1e-4940', '0'],
  [null, '2e-4951', '0'],
  [null, '0x1p-16445', '0'],
  [null, '-2e-4951', '0'],
  [null, '+.5', '0.5'],
  [null, '5.', '5'],
  [null, '1e+2', '100'],
  [null, '1E-2', '0.01'],
  [null, '0e-5000', '0'],
  [null, '0e99999999999999999999', '0'],
  [null, '0x0p99999999999', '0'],
  [null, '00000000000000000000000000123.4500000000000000000000', '123.45'],
  ['1e4932', '-1e4932', '0'],
  ['100', '-100.000000000000000000001', '0'],
  ['0.1', '-0.1', '0'],
  ['1000000.1', '0.0000001', '1000000.10000010000004522'],
  ['-1234567.891', '0.001', '-1234567.88999999999998636'],
  ['99999999999999999.99', '0.01', '100000000000000000'],
  ['0.99999999999999999', '0.00000000000000001', '1'],
  ['12345678901234567890.123', '0.877', '12345678901234567891'],
  ['4.35', '4.35', '8.7'],
  ['1.005', '0', '1.005'],
  ['-2.675', '0', '-2.675'],
  ['7e-18', '0', '0.00000000000000001'],
  ['-7e-18', '1e-18', '-0.00000000000000001'],
  [null, 'inf', NAN_OR_INF],
  [null, '-inf', NAN_OR_INF],
  [null, 'Infinity', NAN_OR_INF],
  [null, '+INF', NAN_OR_INF],
  [null, 'nan', NOT_FLOAT],
  [null, '-NaN', NOT_FLOAT],
  [null, 'nan(123)', NOT_FLOAT],
  [null, ' 1', NOT_FLOAT],
  [null, '1 ', NOT_FLOAT],
  [null, '\t1', NOT_FLOAT],
  [null, '\n1', NOT_FLOAT],
  [null, '', NOT_FLOAT],
  [null, '1e5000', NOT_FLOAT],
  [null, '-1e5000', NOT_FLOAT],
  [null, '1e-5000', NOT_FLOAT],
  [null, '1e-4951', NOT_FLOAT],
  [null, '0x1p-16446', NOT_FLOAT],
  [null, '0x1p16384', NOT_FLOAT],
  [null, '0x1.ffffffffffffffffp16383', NOT_FLOAT],
  [null, '1.18973149535723176508575932662800702e4932', NOT_FLOAT],
  [null, 'infin', NOT_FLOAT],
  [null, '0x', NOT_FLOAT],
  [null, '0x1p', NOT_FLOAT],
  [null, '1e', NOT_FLOAT],
  [null, '1e+', NOT_FLOAT],
  [null, '.', NOT_FLOAT],
  [null, 'e1', NOT_FLOAT],
  [null, '++1', NOT_FLOAT],
  [null, '1.2.3', NOT_FLOAT],
  [null, '1_000', NOT_FLOAT],
  [null, '1\u00002', NOT_FLOAT],
  [null, '0b1', NOT_FLOAT],
  ['abc', '1', NOT_FLOAT],
  ['1e4932', '1e4932', NAN_OR_INF],
  ['inf', '1', NAN_OR_INF],
  ['-inf', 'inf', NAN_OR_INF],
  ['1.2', ' 1', NOT_FLOAT],
]

describe('long double (x87 80-bit) INCRBYFLOAT arithmetic', () => {
  it.each(VECTORS)('%j + %j', (stored, increment, expected) => {
    expect(incrbyfloat(stored, increment)).toBe(expected)
  })

  it('prints the extremes of the range in full', () => {
    const max = formatLongDoubleHuman(parseLongDouble('0x1.fffffffffffffffep16383')!)
    expect(max).toHaveLength(4933)
    expect(max.startsWith('118973149535723176502126385303097020516906332229462420044032')).toBe(true)
    expect(max.endsWith('849149662444156604419552086811989770240')).toBe(true)
    const big = formatLongDoubleHuman(parseLongDouble('1e4932')!)
    expect(big).toHaveLength(4933)
    expect(big.startsWith('100000000000000000000601894938796389132383777425453311477378')).toBe(true)
    expect(big.endsWith('876379371163141086538418113791886622720')).toBe(true)
    expect(formatLongDoubleHuman(parseLongDouble('-0x1p-16445')!)).toBe('0')
  })

  it('keeps infinities and NaN apart from finite values', () => {
    const inf = parseLongDouble('inf')!
    const negInf = parseLongDouble('-Infinity')!
    expect(isFiniteLongDouble(inf)).toBe(false)
    expect(formatLongDoubleHuman(inf)).toBe('inf')
    expect(formatLongDoubleHuman(negInf)).toBe('-inf')
    expect(addLongDouble(inf, negInf).kind).toBe('nan')
    expect(addLongDouble(inf, parseLongDouble('1')!)).toEqual(inf)
    expect(parseLongDouble('nan')).toBeUndefined()
    // Overflowing a sum of finite values gives infinity, as the x87 does.
    const max = parseLongDouble('0x1.fffffffffffffffep16383')!
    expect(addLongDouble(max, max)).toEqual(inf)
  })

  it('refuses operands that do not fit the 5120-byte buffer Redis copies them into', () => {
    expect(parseLongDouble('0'.repeat(5119))).toEqual(LONG_DOUBLE_ZERO)
    expect(parseLongDouble('0'.repeat(5120))).toBeUndefined()
  })

  it('rounds sums to 64 significant bits, ties to even', () => {
    // 2^64 + 1 is a tie between 2^64 and 2^64 + 2 and goes to the even significand.
    const sum = addLongDouble(parseLongDouble('18446744073709551616')!, parseLongDouble('1')!)
    expect(formatLongDoubleHuman(sum)).toBe('18446744073709551616')
    const up = addLongDouble(parseLongDouble('18446744073709551618')!, parseLongDouble('1')!)
    expect(formatLongDoubleHuman(up)).toBe('18446744073709551620')
  })
})
