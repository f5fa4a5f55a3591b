// PFSELFTEST (hyperloglog.c): checks the dense register packing with random values, then adds ten million
// distinct elements to a dense and a sparse HLL at once, checking at each power of ten that the sparse one stayed
// sparse while small, that both estimate the same, and that the error is within six standard errors.

import {error, OK, type Reply} from '../../resp/reply.js'
import type {CommandContext} from '../command-spec.js'
import {addElement, patternOf} from '../hll/hll-add.js'
import {estimate, registerHistogram} from '../hll/hll-count.js'
import {denseSet, getDenseRegister, HLL_DENSE_SIZE, HLL_HDR_SIZE, HLL_REGISTER_MAX, HLL_REGISTERS, HLL_SPARSE, setDenseRegister} from '../hll/hll-format.js'
import {createHll} from '../hll/hll-sparse.js'

const TEST_CYCLES = 1000
const ELEMENTS = 10_000_000

const countOf = (hll: Buffer): bigint => estimate(registerHistogram(hll) ?? [])

export function pfselftestCommand(ctx: CommandContext): Reply {
  const dense = Buffer.alloc(HLL_DENSE_SIZE)
  dense.write('HYLL', 0, 'latin1')
  const expected = new Uint8Array(HLL_REGISTERS)
  for (let cycle = 0; cycle < TEST_CYCLES; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const value = Math.floor(Math.random() * 256) & HLL_REGISTER_MAX
      expected[i] = value
      setDenseRegister(dense, HLL_HDR_SIZE, i, value)
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const value = getDenseRegister(dense, HLL_HDR_SIZE, i)
      if (value !== expected[i]) return error(`TESTFAILED Register ${i} should be ${expected[i]} but is ${value}`)
    }
  }

  dense.fill(0, HLL_HDR_SIZE)
  let sparse = createHll()
  const relativeError = 1.04 / Math.sqrt(HLL_REGISTERS)
  const sparseMaxBytes = Number(ctx.config.get('hll-sparse-max-bytes')) || 3000
  const seedLo = Math.floor(Math.random() * 2 ** 32)
  const seedHi = Math.floor(Math.random() * 2 ** 32)
  const element = Buffer.alloc(8)
  let checkpoint = 1
  for (let j = 1; j <= ELEMENTS; j++) {
    // The element is the 64-bit j ^ seed, in little-endian bytes.
    element.writeUInt32LE((j ^ seedLo) >>> 0, 0)
    element.writeUInt32LE(seedHi, 4)
    const {index, count} = patternOf(element)
    denseSet(dense, index, count)
    sparse = addElement(sparse, element, sparseMaxBytes)?.hll ?? sparse
    if (j !== checkpoint) continue
    if (j < sparseMaxBytes / 2 && sparse[4] !== HLL_SPARSE) return error('TESTFAILED sparse encoding not used')
    const denseCount = countOf(dense)
    if (denseCount !== countOf(sparse)) return error('TESTFAILED dense/sparse disagree')
    let maxError = Math.ceil(relativeError * 6 * checkpoint)
    // At ten elements a collision is likely enough to give a much larger error now and then.
    if (j === 10) maxError = 1
    const absError = Math.abs(checkpoint - Number(denseCount))
    if (absError > maxError) return error(`TESTFAILED Too big error. card:${checkpoint} abserr:${absError}`)
    checkpoint *= 10
  }
  return OK
}
