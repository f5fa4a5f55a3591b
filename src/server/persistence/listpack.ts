// Listpack, intset and (legacy) ziplist blobs inside RDB values (listpack.c, intset.c, ziplist.c):
// decoding for the loader, encoding for the writer. Entries are Buffers holding the element's bytes
// (integers as their decimal text, as Redis hands them out).

const INT64_RE = /^-?(0|[1-9][0-9]*)$/

/** The int64 a string canonically encodes (Redis string2ll rules), or undefined. */
export function canonicalInt(value: Buffer): bigint | undefined {
  if (value.length === 0 || value.length > 20) return undefined
  const text = value.toString('latin1')
  if (!INT64_RE.test(text) || text === '-0') return undefined
  const n = BigInt(text)
  return n > 9223372036854775807n || n < -9223372036854775808n ? undefined : n
}

export function decodeListpack(blob: Buffer): Buffer[] {
  if (blob.length < 7 || blob.readUInt32LE(0) !== blob.length || blob[blob.length - 1] !== 0xff) {
    throw new Error('invalid listpack header or terminator')
  }
  const out: Buffer[] = []
  let p = 6
  while (p < blob.length - 1) {
    const b = blob[p] as number
    const start = p
    let value: Buffer
    if ((b & 0x80) === 0) {
      value = Buffer.from(String(b & 0x7f))
      p += 1
    } else if ((b & 0xc0) === 0x80) {
      const len = b & 0x3f
      value = blob.subarray(p + 1, p + 1 + len)
      p += 1 + len
    } else if ((b & 0xe0) === 0xc0) {
      let v = ((b & 0x1f) << 8) | (blob[p + 1] as number)
      if (v >= 4096) v -= 8192
      value = Buffer.from(String(v))
      p += 2
    } else if ((b & 0xf0) === 0xe0) {
      const len = ((b & 0x0f) << 8) | (blob[p + 1] as number)
      value = blob.subarray(p + 2, p + 2 + len)
      p += 2 + len
    } else if (b === 0xf0) {
      const len = blob.readUInt32LE(p + 1)
      value = blob.subarray(p + 5, p + 5 + len)
      p += 5 + len
    } else if (b === 0xf1) {
      value = Buffer.from(String(blob.readInt16LE(p + 1)))
      p += 3
    } else if (b === 0xf2) {
      value = Buffer.from(String(blob.readIntLE(p + 1, 3)))
      p += 4
    } else if (b === 0xf3) {
      value = Buffer.from(String(blob.readInt32LE(p + 1)))
      p += 5
    } else if (b === 0xf4) {
      value = Buffer.from(String(blob.readBigInt64LE(p + 1)))
      p += 9
    } else {
      throw new Error(`invalid listpack entry encoding 0x${b.toString(16)} at ${p}`)
    }
    const entryLength = p - start
    p += backlenSize(entryLength)
    out.push(Buffer.from(value))
  }
  return out
}

const backlenSize = (l: number): number => (l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5)

function encodeBacklen(l: number): Buffer {
  const size = backlenSize(l)
  const bytes = Buffer.alloc(size)
  if (size === 1) {
    bytes[0] = l
    return bytes
  }
  for (let i = size - 1; i >= 0; i--) {
    bytes[i] = (l & 0x7f) | (i === 0 ? 0 : 0x80)
    l = Math.floor(l / 128)
  }
  return bytes
}

function encodeEntry(value: Buffer): Buffer {
  const n = value.length < 21 ? canonicalInt(value) : undefined
  let head: Buffer
  if (n !== undefined) {
    if (n >= 0n && n <= 127n) head = Buffer.from([Number(n)])
    else if (n >= -4096n && n <= 4095n) {
      const v = Number(n) & 0x1fff
      head = Buffer.from([0xc0 | (v >> 8), v & 0xff])
    } else if (n >= -32768n && n <= 32767n) {
      head = Buffer.alloc(3)
      head[0] = 0xf1
      head.writeInt16LE(Number(n), 1)
    } else if (n >= -8388608n && n <= 8388607n) {
      head = Buffer.alloc(4)
      head[0] = 0xf2
      head.writeIntLE(Number(n), 1, 3)
    } else if (n >= -2147483648n && n <= 2147483647n) {
      head = Buffer.alloc(5)
      head[0] = 0xf3
      head.writeInt32LE(Number(n), 1)
    } else {
      head = Buffer.alloc(9)
      head[0] = 0xf4
      head.writeBigInt64LE(n, 1)
    }
  } else if (value.length < 64) {
    head = Buffer.concat([Buffer.from([0x80 | value.length]), value])
  } else if (value.length < 4096) {
    head = Buffer.concat([Buffer.from([0xe0 | (value.length >> 8), value.length & 0xff]), value])
  } else {
    const h = Buffer.alloc(5)
    h[0] = 0xf0
    h.writeUInt32LE(value.length, 1)
    head = Buffer.concat([h, value])
  }
  return Buffer.concat([head, encodeBacklen(head.length)])
}

export function encodeListpack(values: readonly Buffer[]): Buffer {
  const entries = values.map(encodeEntry)
  const header = Buffer.alloc(6)
  const total = 6 + entries.reduce((n, e) => n + e.length, 0) + 1
  header.writeUInt32LE(total, 0)
  header.writeUInt16LE(values.length < 65535 ? values.length : 65535, 4)
  return Buffer.concat([header, ...entries, Buffer.from([0xff])])
}

export function decodeIntset(blob: Buffer): bigint[] {
  if (blob.length < 8) throw new Error('invalid intset header')
  const width = blob.readUInt32LE(0)
  const count = blob.readUInt32LE(4)
  if (![2, 4, 8].includes(width) || blob.length !== 8 + count * width) throw new Error('invalid intset length')
  const out: bigint[] = []
  for (let i = 0; i < count; i++) {
    const at = 8 + i * width
    out.push(width === 2 ? BigInt(blob.readInt16LE(at)) : width === 4 ? BigInt(blob.readInt32LE(at)) : blob.readBigInt64LE(at))
  }
  return out
}

export function encodeIntset(values: readonly bigint[]): Buffer {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const fits = (lo: bigint, hi: bigint) => sorted.every((v) => v >= lo && v <= hi)
  const width = fits(-32768n, 32767n) ? 2 : fits(-2147483648n, 2147483647n) ? 4 : 8
  const blob = Buffer.alloc(8 + sorted.length * width)
  blob.writeUInt32LE(width, 0)
  blob.writeUInt32LE(sorted.length, 4)
  sorted.forEach((v, i) => {
    const at = 8 + i * width
    if (width === 2) blob.writeInt16LE(Number(v), at)
    else if (width === 4) blob.writeInt32LE(Number(v), at)
    else blob.writeBigInt64LE(v, at)
  })
  return blob
}

/** Legacy ziplist (RDB types 10, 12, 13, 14): header zlbytes, zltail, zllen; entries; 0xFF. */
export function decodeZiplist(blob: Buffer): Buffer[] {
  if (blob.length < 11 || blob[blob.length - 1] !== 0xff) throw new Error('invalid ziplist')
  const out: Buffer[] = []
  let p = 10
  while (blob[p] !== 0xff) {
    p += (blob[p] as number) < 254 ? 1 : 5 // prevlen
    const enc = blob[p] as number
    if (enc >> 6 === 0) {
      const len = enc & 0x3f
      out.push(Buffer.from(blob.subarray(p + 1, p + 1 + len)))
      p += 1 + len
    } else if (enc >> 6 === 1) {
      const len = ((enc & 0x3f) << 8) | (blob[p + 1] as number)
      out.push(Buffer.from(blob.subarray(p + 2, p + 2 + len)))
      p += 2 + len
    } else if (enc >> 6 === 2) {
      const len = blob.readUInt32BE(p + 1)
      out.push(Buffer.from(blob.subarray(p + 5, p + 5 + len)))
      p += 5 + len
    } else {
      const [value, size] =
        enc === 0xc0 ? [BigInt(blob.readInt16LE(p + 1)), 2]
        : enc === 0xd0 ? [BigInt(blob.readInt32LE(p + 1)), 4]
        : enc === 0xe0 ? [blob.readBigInt64LE(p + 1), 8]
        : enc === 0xf0 ? [BigInt(blob.readIntLE(p + 1, 3)), 3]
        : enc === 0xfe ? [BigInt(blob.readInt8(p + 1)), 1]
        : enc >= 0xf1 && enc <= 0xfd ? [BigInt((enc & 0x0f) - 1), 0]
        : (() => {
            throw new Error(`invalid ziplist entry encoding 0x${enc.toString(16)}`)
          })()
      out.push(Buffer.from(String(value)))
      p += 1 + size
    }
  }
  return out
}

/** Bytes one element takes inside a listpack (encoding, payload and back-length), as lpInsert would store it. */
export function listpackEntrySize(value: Buffer): number {
  const n = value.length < 21 ? canonicalInt(value) : undefined
  const head = n !== undefined ? listpackIntHeadSize(n) : value.length < 64 ? 1 + value.length : value.length < 4096 ? 2 + value.length : 5 + value.length
  return head + backlenSize(head)
}

/** Bytes an integer element takes inside a listpack. */
export function listpackIntSize(n: bigint | number): number {
  const head = listpackIntHeadSize(BigInt(n))
  return head + backlenSize(head)
}

const listpackIntHeadSize = (n: bigint): number =>
  n >= 0n && n <= 127n ? 1 : n >= -4096n && n <= 4095n ? 2 : n >= -32768n && n <= 32767n ? 3 : n >= -8388608n && n <= 8388607n ? 4 : n >= -2147483648n && n <= 2147483647n ? 5 : 9
