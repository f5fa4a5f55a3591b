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

/** The integer a listpack stores `value` as (lpStringToInt64's rules), or undefined when it stays a string. */
function listpackInt(value: Buffer): number | bigint | undefined {
  const n = value.length
  if (n === 0 || n > 20) return undefined
  // Up to 15 digits fit a double exactly: decoded here byte by byte, without a string or a BigInt.
  if (n > 16) return canonicalInt(value)
  let i = 0
  const negative = value[0] === 0x2d
  if (negative) {
    if (n === 1) return undefined
    i = 1
  }
  if (value[i] === 0x30) return n === 1 ? 0 : undefined
  if (n - i > 15) return canonicalInt(value)
  let v = 0
  for (; i < n; i++) {
    const digit = (value[i] as number) - 0x30
    if (digit < 0 || digit > 9) return undefined
    v = v * 10 + digit
  }
  return negative ? -v : v
}

/** Bytes of an integer entry's encoding and payload (not its back-length). */
function intHeadSize(v: number | bigint): number {
  if (typeof v === 'bigint') return 9
  return v >= 0 && v <= 127 ? 1 : v >= -4096 && v <= 4095 ? 2 : v >= -32768 && v <= 32767 ? 3
    : v >= -8388608 && v <= 8388607 ? 4 : v >= -2147483648 && v <= 2147483647 ? 5 : 9
}

const stringHeadSize = (length: number): number => (length < 64 ? 1 : length < 4096 ? 2 : 5) + length

function writeBacklen(out: Buffer, at: number, l: number): number {
  const size = backlenSize(l)
  if (size === 1) {
    out[at] = l
    return at + 1
  }
  for (let i = size - 1; i >= 0; i--) {
    out[at + i] = (l & 0x7f) | (i === 0 ? 0 : 0x80)
    l = Math.floor(l / 128)
  }
  return at + size
}

function writeInt(out: Buffer, at: number, v: number | bigint, head: number): void {
  if (typeof v === 'bigint' || head === 9) {
    out[at] = 0xf4
    out.writeBigInt64LE(BigInt(v), at + 1)
  } else if (head === 1) out[at] = v
  else if (head === 2) {
    const u = v & 0x1fff
    out[at] = 0xc0 | (u >> 8)
    out[at + 1] = u & 0xff
  } else if (head === 3) {
    out[at] = 0xf1
    out.writeInt16LE(v, at + 1)
  } else if (head === 4) {
    out[at] = 0xf2
    out.writeIntLE(v, at + 1, 3)
  } else {
    out[at] = 0xf3
    out.writeInt32LE(v, at + 1)
  }
}

function writeString(out: Buffer, at: number, value: Buffer): void {
  const n = value.length
  if (n < 64) out[at++] = 0x80 | n
  else if (n < 4096) {
    out[at++] = 0xe0 | (n >> 8)
    out[at++] = n & 0xff
  } else {
    out[at++] = 0xf0
    out.writeUInt32LE(n, at)
    at += 4
  }
  value.copy(out, at)
}

/** A listpack of `values` in one allocation: sizes first, then every entry written in place. */
export function encodeListpack(values: readonly Buffer[]): Buffer {
  const ints: (number | bigint | undefined)[] = new Array(values.length)
  const heads: number[] = new Array(values.length)
  let total = 7
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as Buffer
    const int = value.length < 21 ? listpackInt(value) : undefined
    const head = int !== undefined ? intHeadSize(int) : stringHeadSize(value.length)
    ints[i] = int
    heads[i] = head
    total += head + backlenSize(head)
  }
  const out = Buffer.allocUnsafe(total)
  out.writeUInt32LE(total, 0)
  out.writeUInt16LE(values.length < 65535 ? values.length : 65535, 4)
  let at = 6
  for (let i = 0; i < values.length; i++) {
    const int = ints[i]
    const head = heads[i] as number
    if (int !== undefined) writeInt(out, at, int, head)
    else writeString(out, at, values[i] as Buffer)
    at = writeBacklen(out, at + head, head)
  }
  out[at] = 0xff
  return out
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
  const n = value.length < 21 ? listpackInt(value) : undefined
  const head = n !== undefined ? intHeadSize(n) : stringHeadSize(value.length)
  return head + backlenSize(head)
}

/** Bytes an integer element takes inside a listpack. */
export function listpackIntSize(n: bigint | number): number {
  const head = intHeadSize(typeof n === 'bigint' && n >= -2147483648n && n <= 2147483647n ? Number(n) : n)
  return head + backlenSize(head)
}
