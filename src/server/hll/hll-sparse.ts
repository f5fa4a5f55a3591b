// The sparse HyperLogLog encoding: opcodes that run-length encode the registers. ZERO 00xxxxxx (1-64 zero
// registers), XZERO 01xxxxxx yyyyyyyy (1-16384 zero registers), VAL 1vvvvvxx (1-4 registers of value 1-32).
// Updates rewrite the one opcode covering a register in place, as Redis does, so the bytes stay identical to
// Redis's; a string that would grow past hll-sparse-max-bytes, or a value above 32, promotes it to dense.

import {denseSet, HLL_DENSE, HLL_DENSE_SIZE, HLL_HDR_SIZE, HLL_REGISTERS, HLL_SPARSE, invalidateCache, setDenseRegister} from './hll-format.js'

const VAL_MAX_VALUE = 32
const VAL_MAX_LEN = 4
const ZERO_MAX_LEN = 64
const XZERO_MAX_LEN = 16384

export const isZero = (op: number): boolean => (op & 0xc0) === 0
export const isXZero = (op: number): boolean => (op & 0xc0) === 0x40
export const isVal = (op: number): boolean => (op & 0x80) !== 0
export const zeroLen = (op: number): number => (op & 0x3f) + 1
export const xzeroLen = (op: number, next: number | undefined): number => (((op & 0x3f) << 8) | (next ?? 0)) + 1
export const valValue = (op: number): number => ((op >>> 2) & 0x1f) + 1
export const valLen = (op: number): number => (op & 0x3) + 1

const valOp = (value: number, len: number): number => (((value - 1) << 2) | (len - 1) | 0x80) & 0xff
const zeroOps = (len: number): number[] => (len > ZERO_MAX_LEN ? [((len - 1) >>> 8) | 0x40, (len - 1) & 0xff] : [len - 1])

/** A new, empty HLL: sparse, all registers in XZERO opcodes, cached cardinality 0. */
export function createHll(): Buffer {
  const ops: number[] = []
  for (let left = HLL_REGISTERS; left > 0; left -= Math.min(left, XZERO_MAX_LEN)) {
    const len = Math.min(left, XZERO_MAX_LEN)
    ops.push(((len - 1) >>> 8) | 0x40, (len - 1) & 0xff)
  }
  const hll = Buffer.alloc(HLL_HDR_SIZE + ops.length)
  hll.write('HYLL', 0, 'latin1')
  hll[4] = HLL_SPARSE
  Buffer.from(ops).copy(hll, HLL_HDR_SIZE)
  return hll
}

/** hllSparseToDense: the dense form with the same header (cached cardinality included); undefined when corrupt. */
export function sparseToDense(sparse: Buffer): Buffer | undefined {
  if (sparse[4] === HLL_DENSE) return sparse
  const dense = Buffer.alloc(HLL_DENSE_SIZE)
  sparse.copy(dense, 0, 0, HLL_HDR_SIZE)
  dense[4] = HLL_DENSE
  let index = 0
  let p = HLL_HDR_SIZE
  while (p < sparse.length) {
    const op = sparse[p]!
    if (isZero(op)) {
      index += zeroLen(op)
      p++
    } else if (isXZero(op)) {
      index += xzeroLen(op, sparse[p + 1])
      p += 2
    } else {
      const len = valLen(op)
      const value = valValue(op)
      if (index + len > HLL_REGISTERS) break
      for (let i = 0; i < len; i++) setDenseRegister(dense, HLL_HDR_SIZE, index++, value)
      p++
    }
  }
  return index === HLL_REGISTERS ? dense : undefined
}

/** What a sparse update did: the (possibly new, possibly dense) string and whether a register changed. */
export type SparseUpdate = {readonly hll: Buffer; readonly changed: boolean} | undefined

/**
 * hllSparseSet: raises register `index` to `count` in a sparse HLL. Returns the updated string (a new Buffer when
 * its length changed or it was promoted) or undefined when the opcodes are corrupt.
 */
export function sparseSet(input: Buffer, index: number, count: number, maxBytes: number): SparseUpdate {
  if (count > VAL_MAX_VALUE) return promote(input, index, count)
  let hll = input
  let p = HLL_HDR_SIZE
  let end = hll.length
  let first = 0
  let prev = -1
  let span = 0
  // Step 1: the opcode covering the register.
  while (p < end) {
    const op = hll[p]!
    let oplen = 1
    if (isZero(op)) span = zeroLen(op)
    else if (isVal(op)) span = valLen(op)
    else {
      span = xzeroLen(op, hll[p + 1])
      oplen = 2
    }
    if (index <= first + span - 1) break
    prev = p
    p += oplen
    first += span
  }
  if (span === 0 || p >= end) return undefined
  const op = hll[p]!
  const zero = isZero(op)
  const xzero = isXZero(op)
  const runlen = zero ? zeroLen(op) : xzero ? xzeroLen(op, hll[p + 1]) : valLen(op)

  let rewritten = false
  if (!zero && !xzero) {
    // A register already at least `count` needs nothing; a VAL of one register is updated in place.
    if (valValue(op) >= count) return {hll, changed: false}
    if (runlen === 1) {
      hll[p] = valOp(count, 1)
      rewritten = true
    }
  }
  if (!rewritten && zero && runlen === 1) {
    hll[p] = valOp(count, 1)
    rewritten = true
  }
  if (!rewritten) {
    // Step 2: split the opcode around the register (at worst XZERO-VAL-XZERO).
    const last = first + span - 1
    const seq: number[] = []
    if (zero || xzero) {
      if (index !== first) seq.push(...zeroOps(index - first))
      seq.push(valOp(count, 1))
      if (index !== last) seq.push(...zeroOps(last - index))
    } else {
      const current = valValue(op)
      if (index !== first) seq.push(valOp(current, index - first))
      seq.push(valOp(count, 1))
      if (index !== last) seq.push(valOp(current, last - index))
    }
    const oldlen = xzero ? 2 : 1
    const delta = seq.length - oldlen
    if (delta > 0 && hll.length + delta > maxBytes) return promote(input, index, count)
    // Step 3: put the new sequence in place of the old opcode.
    // The length grows by exactly delta, as sdsIncrLen does, even when a truncated XZERO ended the string.
    hll = Buffer.concat([hll.subarray(0, p), Buffer.from(seq), hll.subarray(p + oldlen)]).subarray(0, end + delta)
    end += delta
  }
  // Step 4: merge adjacent VAL opcodes of equal value, scanning up to five opcodes from the previous one.
  p = prev >= 0 ? prev : HLL_HDR_SIZE
  let scan = 5
  while (p < end && scan-- > 0) {
    const at = hll[p]!
    if (isXZero(at)) {
      p += 2
      continue
    }
    if (isZero(at)) {
      p++
      continue
    }
    if (p + 1 < end && isVal(hll[p + 1]!)) {
      const v1 = valValue(at)
      const v2 = valValue(hll[p + 1]!)
      if (v1 === v2) {
        const len = valLen(at) + valLen(hll[p + 1]!)
        if (len <= VAL_MAX_LEN) {
          hll[p + 1] = valOp(v1, len)
          hll = Buffer.concat([hll.subarray(0, p), hll.subarray(p + 1)])
          end--
          continue
        }
      }
    }
    p++
  }
  invalidateCache(hll)
  return {hll, changed: true}
}

/** Converts to dense and sets the register there (the update is known to raise it). */
function promote(sparse: Buffer, index: number, count: number): SparseUpdate {
  const dense = sparseToDense(sparse)
  if (dense === undefined) return undefined
  denseSet(dense, index, count)
  return {hll: dense, changed: true}
}
