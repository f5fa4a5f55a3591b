// Differential tests for INCRBYFLOAT/HINCRBYFLOAT: real Redis 7.0 computes them in x87 long double and prints
// %.17Lf, so every reply and stored value must match byte for byte, including operand parsing and its errors.

import {afterAll, beforeAll, beforeEach, describe, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const skip = realRedisMissing ?? bundledMissing

/** A fixed-seed generator (mulberry32), so a failing case is the same on every run. */
function generator(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Decimal and hex operands of mixed magnitude, sign, fraction length (up to 25 digits) and exponent. */
function operands(seed: number, count: number): string[] {
  const random = generator(seed)
  const below = (n: number): number => Math.floor(random() * n)
  const digits = (n: number, alphabet = '0123456789'): string => Array.from({length: n}, () => alphabet[below(alphabet.length)]).join('')
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    const sign = ['', '', '-', '+'][below(4)] as string
    const shape = random()
    if (shape < 0.1) {
      out.push(`${sign}0x${digits(1 + below(4), '0123456789abcdef')}.${digits(below(20), '0123456789abcdef')}p${below(160) - 80}`)
      continue
    }
    let text = `${sign}${digits(below(21))}`
    if (random() < 0.75) text += `.${digits(below(26))}`
    if (!/[0-9]/.test(text)) text += String(1 + below(9))
    if (shape > 0.6) text += `e${below(70) - 35}`
    else if (shape > 0.55) text += `E+${below(4000)}`
    else if (shape > 0.5) text += `e-${below(4000)}`
    out.push(text)
  }
  return out
}

describe.skipIf(!!skip)(`INCRBYFLOAT/HINCRBYFLOAT match Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: DifferentialPair
  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(() => pair?.stop())
  beforeEach(() => pair.reset())

  it('INCRBYFLOAT on random operands, fresh and accumulated', async () => {
    const s = pair.expectSame
    const values = operands(20260101, 200)
    for (let i = 0; i < values.length; i += 2) {
      const [a, b] = [values[i] as string, values[i + 1] as string]
      await s('SET', 'k', a)
      await s('INCRBYFLOAT', 'k', b)
      await s('GET', 'k')
      // A running total keeps re-reading what the last reply stored.
      await s('INCRBYFLOAT', 'acc', a)
      await s('INCRBYFLOAT', 'acc', b)
    }
  })

  it('HINCRBYFLOAT on random operands, fresh and accumulated', async () => {
    const s = pair.expectSame
    const values = operands(7411, 200)
    for (let i = 0; i < values.length; i += 2) {
      const [a, b] = [values[i] as string, values[i + 1] as string]
      await s('HSET', 'h', 'f', a)
      await s('HINCRBYFLOAT', 'h', 'f', b)
      await s('HGET', 'h', 'f')
      await s('HINCRBYFLOAT', 'h', 'acc', a)
      await s('HINCRBYFLOAT', 'h', 'acc', b)
    }
  })

  it('rounding at the 17th fraction digit and at 64 significant bits', async () => {
    const s = pair.expectSame
    for (const [a, b] of [
      ['10.5', '0.1'], ['0.1', '0.2'], ['5.0e3', '2.0e2'], ['1e300', '1e300'], ['3.0000000000000000001', '0'],
      ['-0.0', '0'], ['1.7976931348623157e308', '1.7976931348623157e308'], ['0x10', '0x1p-3'], ['1e20', '1'],
      ['123456789012345678901234567890', '0'], ['1e-20', '0'], ['-1e-20', '0'], ['0.000003814697265625', '0'],
      ['0.000011444091796875', '0'], ['2.5e-17', '0'], ['0.5e-17', '0'], ['18446744073709551616', '1'],
      ['18446744073709551618', '1'], ['1e4932', '-1e4932'], ['0x1.fffffffffffffffep16383', '0'], ['1e4932', '0'],
      ['2e-4951', '0'], ['0x1p-16445', '0'], ['1e-4940', '1e-4940'], ['0', '0'], ['+.5', '5.'],
    ] as const) {
      await s('SET', 'k', a)
      await s('INCRBYFLOAT', 'k', b)
      await s('HSET', 'h', 'f', a)
      await s('HINCRBYFLOAT', 'h', 'f', b)
    }
  })

  it('operands strtold does not fully accept, NaN, overflow, underflow and infinite results', async () => {
    const s = pair.expectSame
    const bad = [
      '', ' 1', '1 ', '\t1', '\n1', '1\n', 'nan', '-NaN', 'nan(1)', '1e5000', '-1e5000', '1e-5000', '1e-4951',
      '0x1p-16446', '0x1p16384', '0x1.ffffffffffffffffp16383', 'infin', '0x', '0x1p', '1e', '1e+', '.', 'e1',
      '++1', '1.2.3', '1_000', '1\x002', '\x00', '0b1', '0'.repeat(5120), `0.${'0'.repeat(5116)}1`,
    ]
    for (const operand of bad) {
      await s('INCRBYFLOAT', 'k', operand)
      await s('HINCRBYFLOAT', 'h', 'f', operand)
      await s('SET', 's', operand)
      await s('INCRBYFLOAT', 's', '1')
      await s('HSET', 'h', 'g', operand)
      await s('HINCRBYFLOAT', 'h', 'g', '1')
    }
    // Infinite operands parse, and then the sum (or, for HINCRBYFLOAT, the increment itself) is refused.
    for (const operand of ['inf', '-inf', 'Infinity', '+INF', '-infinity']) {
      await s('INCRBYFLOAT', 'k', operand)
      await s('HINCRBYFLOAT', 'h', 'f', operand)
      await s('SET', 's', operand)
      await s('INCRBYFLOAT', 's', '1')
      await s('HSET', 'h', 'g', operand)
      await s('HINCRBYFLOAT', 'h', 'g', '1')
    }
    await s('SET', 'big', '1e4932')
    await s('INCRBYFLOAT', 'big', '1e4932')
    await s('HSET', 'h', 'big', '1e4932')
    await s('HINCRBYFLOAT', 'h', 'big', '1e4932')
    await s('EXISTS', 'k')
    // Field by field: the long operands above turned real Redis's hash into a dict, whose order is its own.
    await s('HGET', 'h', 'big')
    await s('HGET', 'h', 'g')
    await s('HLEN', 'h')
    // Wrong type: INCRBYFLOAT checks the key first, HINCRBYFLOAT its increment first.
    await s('RPUSH', 'l', 'x')
    await s('INCRBYFLOAT', 'l', 'x')
    await s('HINCRBYFLOAT', 'l', 'f', 'x')
    await s('HINCRBYFLOAT', 'l', 'f', '1')
    await s('INCRBYFLOAT', 'h', '1')
  })

  it('keeps the TTL and stores what it replies', async () => {
    const s = pair.expectSame
    await s('SET', 'k', '1.5', 'EX', '1000')
    await s('INCRBYFLOAT', 'k', '0.25')
    await s('TTL', 'k')
    await s('GET', 'k')
    await s('OBJECT', 'ENCODING', 'k')
  })
})
