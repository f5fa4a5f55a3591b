// The value of a string key. Most string values are small (counters, ids, short texts), and a Buffer costs
// V8 about 140 bytes of objects before its first byte, so a small value is kept as its latin1 decoding, an
// exact byte-for-byte copy in one compact one-byte string (Redis keeps an embstr for the same reason).
// `value` hands out a Buffer either way; values longer than PACKED_MAX stay Buffers, so large strings
// (bitmaps, dense HyperLogLogs, APPEND's growing strings) are never copied on read.
//
// Stored bytes are never changed in place: every command that changes a string stores a new StringValue
// (stringValue()), so a Buffer handed out earlier keeps its bytes.

/** The longest value kept packed: Redis's embstr limit, under which a value is one small allocation there too. */
export const PACKED_MAX = 44

/** Node's own latin1 decoder behind buf.toString('latin1'), without toString's encoding dispatch. */
type Latin1Decoding = Buffer & {latin1Slice(start: number, end: number): string}

export class StringValue {
  declare readonly type: 'string'
  /** The bytes: a latin1 string when at most PACKED_MAX long, else the Buffer itself. */
  private readonly bytes: string | Buffer

  constructor(value: Buffer) {
    const n = value.length
    this.bytes = n <= PACKED_MAX ? (value as Latin1Decoding).latin1Slice(0, n) : value
  }

  /** The bytes as a Buffer (a new one for a packed value: callers may keep it, never change it). */
  get value(): Buffer {
    const bytes = this.bytes
    return typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes
  }

  /** The length in bytes, without making a Buffer. */
  get byteLength(): number {
    return this.bytes.length
  }

  /** The bytes as a latin1 string (the packed form itself, or a decoding of a large value). */
  latin1(): string {
    const bytes = this.bytes
    return typeof bytes === 'string' ? bytes : (bytes as Latin1Decoding).latin1Slice(0, bytes.length)
  }
}

// On the prototype, not in every instance: one field per key is the whole point.
Object.defineProperty(StringValue.prototype, 'type', {value: 'string', enumerable: true})

/** A string value holding `bytes` (which the caller must not change afterwards). */
export const stringValue = (bytes: Buffer): StringValue => new StringValue(bytes)
