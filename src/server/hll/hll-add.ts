// Adding an element to an HLL string: its hash picks a register and a run length (hllPatLen); the register is
// raised in whichever encoding the string has.

import {murmurHash64A} from './murmur-hash.js'
import {denseSet, HLL_DENSE, HLL_HASH_SEED, HLL_P, HLL_P_MASK} from './hll-format.js'
import {sparseSet} from './hll-sparse.js'

const hash = new Uint32Array(2)

/** The register an element lands in and the length of the 0…01 run that follows (1 to 51). */
export function patternOf(element: Uint8Array): {index: number; count: number} {
  murmurHash64A(element, HLL_HASH_SEED, hash)
  const hi = hash[0]!
  const lo = hash[1]!
  const index = lo & HLL_P_MASK
  // The hash without the index bits, with bit 50 set so the run ends by then.
  const restLo = ((lo >>> HLL_P) | (hi << (32 - HLL_P))) >>> 0
  const restHi = ((hi >>> HLL_P) | (1 << (50 - 32))) >>> 0
  const zeros = restLo !== 0 ? 31 - Math.clz32(restLo & -restLo) : 32 + 31 - Math.clz32(restHi & -restHi)
  return {index, count: zeros + 1}
}

/**
 * hllAdd on an unshared HLL string: the string after the add (a new Buffer when it grew or became dense) and
 * whether a register changed; undefined when a sparse string is corrupt.
 */
export function addElement(hll: Buffer, element: Uint8Array, sparseMaxBytes: number): {hll: Buffer; changed: boolean} | undefined {
  const {index, count} = patternOf(element)
  if (hll[4] === HLL_DENSE) return {hll, changed: denseSet(hll, index, count)}
  return sparseSet(hll, index, count, sparseMaxBytes)
}
