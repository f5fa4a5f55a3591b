// CRC-64 "Jones" (reflected, poly 0xAD93D23594C935A9, init 0): the RDB file checksum (crc64.c).

const TABLE: BigUint64Array = (() => {
  const table = new BigUint64Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = BigInt(i)
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ 0x95ac9329ac4bc9b5n : crc >> 1n
    table[i] = crc
  }
  return table
})()

const tLo = Uint32Array.from(TABLE, (v) => Number(v & 0xffffffffn) >>> 0)
const tHi = Uint32Array.from(TABLE, (v) => Number(v >> 32n) >>> 0)

/** CRC-64 of data, continuing from `crc` (0 for a fresh checksum). */
export function crc64(data: Buffer, crc = 0n): bigint {
  // Split into two 32-bit halves so the inner loop avoids BigInt arithmetic per byte.
  let lo = Number(crc & 0xffffffffn) >>> 0
  let hi = Number(crc >> 32n) >>> 0
  for (let i = 0; i < data.length; i++) {
    const index = (lo ^ (data[i] as number)) & 0xff
    // crc = table[index] ^ (crc >> 8)
    const shiftedLo = ((lo >>> 8) | ((hi & 0xff) << 24)) >>> 0
    const shiftedHi = hi >>> 8
    lo = ((tLo[index] as number) ^ shiftedLo) >>> 0
    hi = ((tHi[index] as number) ^ shiftedHi) >>> 0
  }
  return (BigInt(hi) << 32n) | BigInt(lo)
}
