// Cardinality estimation and unions (hllCount, hllMerge): the register histogram of any encoding, then Otmar
// Ertl's improved estimator ("New cardinality estimation algorithms for HyperLogLog sketches"), computed in the
// same double-precision steps as Redis so the estimate is the same integer.

import {getDenseRegister, HLL_DENSE, HLL_HDR_SIZE, HLL_Q, HLL_REGISTERS} from './hll-format.js'
import {isXZero, isZero, valLen, valValue, xzeroLen, zeroLen} from './hll-sparse.js'

const ALPHA_INF = 0.721347520444481703680
const INT64_MIN = -(1n << 63n)

function sigma(x: number): number {
  if (x === 1) return Infinity
  let y = 1
  let z = x
  let previous: number
  do {
    x *= x
    previous = z
    z += x * y
    y += y
  } while (previous !== z)
  return z
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0
  let y = 1
  let z = 1 - x
  let previous: number
  do {
    x = Math.sqrt(x)
    previous = z
    y *= 0.5
    z -= (1 - x) * (1 - x) * y
  } while (previous !== z)
  return z / 3
}

/** The histogram of register values of an HLL string; undefined for sparse opcodes that do not cover 16384 registers. */
export function registerHistogram(hll: Buffer): number[] | undefined {
  const histogram = new Array<number>(64).fill(0)
  if (hll[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) histogram[getDenseRegister(hll, HLL_HDR_SIZE, i)]!++
    return histogram
  }
  let index = 0
  for (let p = HLL_HDR_SIZE; p < hll.length;) {
    const op = hll[p]!
    if (isZero(op) || isXZero(op)) {
      const len = isZero(op) ? zeroLen(op) : xzeroLen(op, hll[p + 1])
      index += len
      histogram[0]! += len
      p += isZero(op) ? 1 : 2
    } else {
      const len = valLen(op)
      index += len
      histogram[valValue(op)]! += len
      p++
    }
  }
  return index === HLL_REGISTERS ? histogram : undefined
}

/** The histogram of plain one-byte-per-register values (a union being counted). */
export function rawHistogram(registers: Uint8Array): number[] {
  const histogram = new Array<number>(64).fill(0)
  for (const value of registers) histogram[value]!++
  return histogram
}

/** llroundl on x86-64: half away from zero; out of range (or NaN) gives INT64_MIN. */
function roundToInt64(x: number): bigint {
  if (!(Math.abs(x) < 2 ** 63)) return INT64_MIN
  return BigInt(x < 0 ? -Math.round(-x) : Math.round(x))
}

/** The estimate as the uint64 Redis computes (llroundl's result cast to unsigned). */
export function estimate(histogram: readonly number[]): bigint {
  const m = HLL_REGISTERS
  let z = m * tau((m - histogram[HLL_Q + 1]!) / m)
  for (let j = HLL_Q; j >= 1; --j) {
    z += histogram[j]!
    z *= 0.5
  }
  z += m * sigma(histogram[0]! / m)
  return BigInt.asUintN(64, roundToInt64((ALPHA_INF * m * m) / z))
}

/** hllMerge: raises `max` (one byte per register) to the registers of `hll`; false when its opcodes are corrupt. */
export function mergeInto(max: Uint8Array, hll: Buffer): boolean {
  if (hll[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const value = getDenseRegister(hll, HLL_HDR_SIZE, i)
      if (value > max[i]!) max[i] = value
    }
    return true
  }
  let i = 0
  for (let p = HLL_HDR_SIZE; p < hll.length;) {
    const op = hll[p]!
    if (isZero(op)) {
      i += zeroLen(op)
      p++
    } else if (isXZero(op)) {
      i += xzeroLen(op, hll[p + 1])
      p += 2
    } else {
      const len = valLen(op)
      const value = valValue(op)
      if (len + i > HLL_REGISTERS) break
      for (let k = 0; k < len; k++, i++) if (value > max[i]!) max[i] = value
      p++
    }
  }
  return i === HLL_REGISTERS
}
