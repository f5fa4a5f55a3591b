// The byte stream an RDB image is written into: fixed-size chunks filled in place, so that serialising a
// million keys costs a few dozen allocations instead of several small Buffers per key (which made SAVE
// spend most of its time in the garbage collector). Strings get rdb.c's encodings: INT8/16/32 for short
// canonical integers (rdbTryIntegerEncoding), a length prefix otherwise.

const CHUNK_BYTES = 1 << 20
/** Values at least this big are kept as chunks of their own rather than copied. */
const DIRECT_BYTES = 1 << 14

export class RdbSink {
  private readonly chunks: Buffer[] = []
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES)
  private pos = 0
  private done = 0

  /**
   * `encodeString` replaces the plain string encoding when given (DUMP's LZF compression under
   * rdbcompression); it must return the complete encoded string.
   */
  constructor(private readonly encodeString?: (s: Buffer) => Buffer) {}

  /** Bytes written so far. */
  get size(): number {
    return this.done + this.pos
  }

  byte(b: number): void {
    if (this.pos === this.chunk.length) this.nextChunk(1)
    this.chunk[this.pos++] = b
  }

  raw(data: Buffer): void {
    if (data.length >= DIRECT_BYTES) {
      this.seal()
      this.chunks.push(data)
      this.done += data.length
      return
    }
    this.room(data.length)
    data.copy(this.chunk, this.pos)
    this.pos += data.length
  }

  /** rdbSaveLen: 6-bit, 14-bit big-endian, 32-bit or 64-bit big-endian. */
  length(n: number): void {
    this.room(9)
    const c = this.chunk
    if (n < 64) c[this.pos++] = n
    else if (n < 16384) {
      c[this.pos++] = 0x40 | (n >> 8)
      c[this.pos++] = n & 0xff
    } else if (n <= 0xffffffff) {
      c[this.pos++] = 0x80
      c.writeUInt32BE(n, this.pos)
      this.pos += 4
    } else {
      c[this.pos++] = 0x81
      c.writeBigUInt64BE(BigInt(n), this.pos)
      this.pos += 8
    }
  }

  int64LE(n: number): void {
    this.room(8)
    this.chunk.writeBigInt64LE(BigInt(n), this.pos)
    this.pos += 8
  }

  doubleLE(n: number): void {
    this.room(8)
    this.chunk.writeDoubleLE(n, this.pos)
    this.pos += 8
  }

  /** A string value (rdbSaveRawString). */
  string(value: Buffer): void {
    if (this.encodeString !== undefined) {
      this.raw(this.encodeString(value))
      return
    }
    const n = value.length
    if (n <= 11 && n > 0) {
      const int = shortCanonicalInt(n, (i) => value[i] as number)
      if (int !== undefined) {
        this.integer(int)
        return
      }
    }
    this.length(n)
    this.raw(value)
  }

  /** A string held as its latin1 decoding (keys, set members, hash fields): written without a Buffer per string. */
  latin1(text: string): void {
    if (this.encodeString !== undefined) {
      this.raw(this.encodeString(Buffer.from(text, 'latin1')))
      return
    }
    const n = text.length
    if (n <= 11 && n > 0) {
      const int = shortCanonicalInt(n, (i) => text.charCodeAt(i))
      if (int !== undefined) {
        this.integer(int)
        return
      }
    }
    this.length(n)
    if (n >= DIRECT_BYTES) {
      this.raw(Buffer.from(text, 'latin1'))
      return
    }
    this.room(n)
    this.chunk.write(text, this.pos, n, 'latin1')
    this.pos += n
  }

  /** One string in this sink's encoding, as a Buffer of its own (for encoders that build their parts first). */
  encoded(value: Buffer): Buffer {
    if (this.encodeString !== undefined) return this.encodeString(value)
    const one = new RdbSink()
    one.chunk = Buffer.allocUnsafe(value.length + 9)
    one.string(value)
    return one.finish()
  }

  /** The image: every chunk in order, as one Buffer. */
  finish(): Buffer {
    this.seal()
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.done)
  }

  /** The chunks written so far, in order (for a checksum over them without joining them first). */
  sealedChunks(): readonly Buffer[] {
    this.seal()
    return this.chunks
  }

  private integer(n: number): void {
    this.room(5)
    const c = this.chunk
    if (n >= -128 && n <= 127) {
      c[this.pos++] = 0xc0
      c[this.pos++] = n & 0xff
    } else if (n >= -32768 && n <= 32767) {
      c[this.pos++] = 0xc1
      c.writeInt16LE(n, this.pos)
      this.pos += 2
    } else {
      c[this.pos++] = 0xc2
      c.writeInt32LE(n, this.pos)
      this.pos += 4
    }
  }

  private room(n: number): void {
    if (this.pos + n > this.chunk.length) this.nextChunk(n)
  }

  private nextChunk(n: number): void {
    this.seal()
    this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, n))
  }

  /** Moves the written part of the current chunk to the list; the rest of it stays free for more. */
  private seal(): void {
    if (this.pos === 0) return
    this.chunks.push(this.chunk.subarray(0, this.pos))
    this.done += this.pos
    this.chunk = this.chunk.subarray(this.pos)
    this.pos = 0
  }
}

/**
 * The value of a string of 1–11 bytes when it is a canonical decimal integer that fits 32 bits (no sign
 * but '-', no leading zero, not "-0"): rdbTryIntegerEncoding's test, byte by byte.
 */
function shortCanonicalInt(n: number, at: (i: number) => number): number | undefined {
  let i = 0
  const negative = at(0) === 0x2d
  if (negative) {
    if (n === 1) return undefined
    i = 1
  }
  if (at(i) === 0x30) return n === 1 ? 0 : undefined
  let value = 0
  for (; i < n; i++) {
    const digit = at(i) - 0x30
    if (digit < 0 || digit > 9) return undefined
    value = value * 10 + digit
  }
  if (negative) value = -value
  return value >= -2147483648 && value <= 2147483647 ? value : undefined
}
