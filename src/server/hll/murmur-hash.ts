// MurmurHash64A (Austin Appleby's 64-bit MurmurHash2), the hash Redis's HyperLogLog feeds every element through.
// 64-bit words are kept as uint32 halves so the hot loop (PFADD, PFSELFTEST's ten million adds) needs neither
// BigInt nor an allocation per step: products land in the two module-level result halves.

const M_HI = 0xc6a4a793
const M_LO = 0x5bd1e995

let productHi = 0
let productLo = 0

/** (aHi:aLo) × m modulo 2^64, into productHi:productLo. */
function multiplyByM(aHi: number, aLo: number): void {
  const a0 = aLo & 0xffff
  const a1 = aLo >>> 16
  const b0 = M_LO & 0xffff
  const b1 = M_LO >>> 16
  const p00 = a0 * b0
  const p01 = a0 * b1
  const p10 = a1 * b0
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff)
  productLo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)
  productHi = (carry + Math.imul(aHi, M_LO) + Math.imul(aLo, M_HI)) >>> 0
}

/** The 64-bit hash of `data`, written to out[0] (high uint32 half) and out[1] (low half). */
export function murmurHash64A(data: Uint8Array, seed: number, out: Uint32Array): void {
  const len = data.length
  // h = seed ^ (len * m), with len widened to 64 bits.
  multiplyByM(0, len >>> 0)
  let hHi = productHi
  let hLo = (productLo ^ seed) >>> 0
  const blocks = len - (len & 7)
  for (let i = 0; i < blocks; i += 8) {
    const kLo = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0
    const kHi = (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24)) >>> 0
    multiplyByM(kHi, kLo)
    // k ^= k >> 47; k *= m
    multiplyByM(productHi, (productLo ^ (productHi >>> 15)) >>> 0)
    multiplyByM((hHi ^ productHi) >>> 0, (hLo ^ productLo) >>> 0)
    hHi = productHi
    hLo = productLo
  }
  const tail = len & 7
  if (tail !== 0) {
    for (let j = tail - 1; j >= 0; j--) {
      const byte = data[blocks + j]!
      if (j >= 4) hHi = (hHi ^ (byte << ((j - 4) * 8))) >>> 0
      else hLo = (hLo ^ (byte << (j * 8))) >>> 0
    }
    multiplyByM(hHi, hLo)
    hHi = productHi
    hLo = productLo
  }
  multiplyByM(hHi, (hLo ^ (hHi >>> 15)) >>> 0)
  out[0] = productHi
  out[1] = productLo ^ (productHi >>> 15)
}
