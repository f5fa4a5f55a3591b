// Incremental request parser (networking.c processMultibulkBuffer / processInlineBuffer). It knows nothing
// about sockets: feed it Buffers split anywhere and pull whole commands out. Limits and error texts are Redis 7.0's.

import {ProtocolError} from './errors.js'
import {splitArgs} from './split-args.js'

const CR = 13
const LF = 10
const MAX_HEADER = 64 * 1024
const MAX_MULTIBULK = 2147483647
const UNAUTH_MAX_ARGS = 10
const UNAUTH_MAX_BULK = 16384
/** Larger requests take the general path (the fast one is for the many small commands of a pipeline). */
const FAST_MAX_ARGS = 1024
const EMPTY = Buffer.alloc(0)
/** Node's Buffer class (Buffer[Symbol.species]): a view made with it skips subarray's argument handling. */
const FastBuffer = (Buffer as unknown as {[Symbol.species]: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Buffer})[Symbol.species]

export interface ParserLimits {
  /** proto-max-bulk-len; undefined disables the check (the link from our master). */
  maxBulkLength?: number
  /** Returns false while the client must still authenticate (tighter limits apply). */
  isAuthenticated?: () => boolean
}

export interface ParsedRequest {
  readonly args: Buffer[]
  /** True for inline (telnet-style) requests; a master must never send those. */
  readonly inline: boolean
}

export class RequestParser {
  private buf: Buffer = EMPTY
  private pos = 0
  /** Remaining arguments of the multibulk being parsed; 0 when between requests. */
  private argsLeft = 0
  private args: Buffer[] = []
  /** Length of the bulk whose payload we wait for, or -1 when the next thing is a header. */
  private bulkLength = -1
  /** Chunks of a large payload collected without re-copying the buffer on every read. */
  private pendingChunks: Buffer[] = []
  private pendingBytes = 0
  /** Whether the request last returned by nextArgs was an inline one. */
  lastInline = false

  constructor(private readonly limits: ParserLimits = {}) {}

  /** Bytes buffered and not yet parsed (Redis's qbuf): for client-query-buffer-limit and CLIENT LIST. */
  get bufferedBytes(): number {
    return this.buf.length - this.pos + this.pendingBytes
  }

  /** Up to 128 printable bytes of the unparsed input, for protocol-error log lines. */
  sample(): string {
    const pending = this.buf.subarray(this.pos, this.pos + 128)
    return [...pending].map((c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`)).join('')
  }

  feed(chunk: Buffer): void {
    if (this.pendingBytes === 0 && this.pos >= this.buf.length) {
      // The common case: everything before was consumed, so the chunk becomes the buffer as it is.
      this.buf = chunk
      this.pos = 0
      return
    }
    if (this.bulkLength >= 0 && this.buf.length - this.pos + this.pendingBytes + chunk.length < this.bulkLength + 2) {
      // Still short of a large payload: keep the chunk aside instead of concatenating every time.
      if (this.pos < this.buf.length) {
        this.pendingChunks.push(this.buf.subarray(this.pos))
        this.pendingBytes += this.buf.length - this.pos
      }
      this.buf = EMPTY
      this.pos = 0
      this.pendingChunks.push(chunk)
      this.pendingBytes += chunk.length
      return
    }
    const parts = this.pendingChunks
    if (this.pos < this.buf.length) parts.unshift(this.buf.subarray(this.pos))
    parts.push(chunk)
    this.buf = parts.length === 1 ? chunk : Buffer.concat(parts)
    this.pos = 0
    this.pendingChunks = []
    this.pendingBytes = 0
  }

  /** The next complete request, or undefined when more bytes are needed. Throws ProtocolError. */
  next(): ParsedRequest | undefined {
    const args = this.nextArgs()
    return args === undefined ? undefined : {args, inline: this.lastInline}
  }

  /**
   * The arguments of the next complete request (the hot path: no result object), or undefined when more
   * bytes are needed; `lastInline` tells whether it was an inline request. Throws ProtocolError.
   */
  nextArgs(): Buffer[] | undefined {
    if (this.pendingBytes > 0) return undefined
    if (this.argsLeft === 0 && this.args.length === 0) {
      const args = this.parseWhole()
      if (args !== undefined) {
        this.lastInline = false
        return args
      }
    }
    for (;;) {
      if (this.argsLeft === 0 && this.args.length === 0) {
        if (this.pos >= this.buf.length) return this.compact()
        if (this.buf[this.pos] !== 0x2a /* '*' */) {
          const inline = this.parseInline()
          if (inline === undefined) return this.compact()
          if (inline.length === 0) continue
          this.lastInline = true
          return inline
        }
        const count = this.parseMultibulkCount()
        if (count === undefined) return this.compact()
        if (count <= 0) continue
        this.argsLeft = count
      }
      while (this.argsLeft > 0) {
        if (this.bulkLength < 0 && !this.parseBulkHeader()) return this.compact()
        if (this.buf.length - this.pos < this.bulkLength + 2) return this.compact()
        // Like Redis, the two bytes after the payload are skipped without checking they are CRLF.
        this.args.push(new FastBuffer(this.buf.buffer, this.buf.byteOffset + this.pos, this.bulkLength))
        this.pos += this.bulkLength + 2
        this.bulkLength = -1
        this.argsLeft--
      }
      const args = this.args
      this.args = []
      this.lastInline = false
      return args
    }
  }

  /**
   * Fast path for a multibulk that is entirely in the buffer with plain headers (a positive count, bulk
   * lengths without sign or leading zero, within the limits): parses it in one pass without touching the
   * parser state until it is complete. Anything else returns undefined and leaves the input to the general
   * path, which accepts exactly the same requests and reports every error.
   */
  private parseWhole(): Buffer[] | undefined {
    const buf = this.buf
    const end = buf.length
    let p = this.pos
    if (p >= end || buf[p] !== 0x2a /* '*' */) return undefined
    let c = buf[++p]
    if (c === undefined || c < 0x31 || c > 0x39) return undefined
    let count = c - 0x30
    for (c = buf[++p]; c !== undefined && c >= 0x30 && c <= 0x39; c = buf[++p]) {
      count = count * 10 + (c - 0x30)
      if (count > FAST_MAX_ARGS) return undefined
    }
    // The header ends at CR, and the byte after it must have arrived (it is skipped unchecked).
    if (c !== CR || p + 1 >= end) return undefined
    if (count > UNAUTH_MAX_ARGS && this.limits.isAuthenticated?.() === false) return undefined
    p += 2
    const args: Buffer[] = []
    const max = this.limits.maxBulkLength
    const arrayBuffer = buf.buffer
    const base = buf.byteOffset
    for (let i = 0; i < count; i++) {
      if (buf[p] !== 0x24 /* '$' */) return undefined
      c = buf[++p]
      if (c === undefined || c < 0x30 || c > 0x39) return undefined
      let length = c - 0x30
      c = buf[++p]
      if (length === 0) {
        if (c !== CR) return undefined
      } else {
        for (; c !== undefined && c >= 0x30 && c <= 0x39; c = buf[++p]) {
          length = length * 10 + (c - 0x30)
          if (length > UNAUTH_MAX_BULK) return undefined
        }
        if (c !== CR) return undefined
      }
      if (max !== undefined && length > max) return undefined
      p += 2
      // Payload and the two bytes after it (skipped unchecked, like Redis).
      if (end - p < length + 2) return undefined
      args.push(new FastBuffer(arrayBuffer, base + p, length))
      p += length + 2
    }
    this.pos = p
    return args
  }

  private compact(): undefined {
    if (this.pos > 0 && this.pos >= this.buf.length) {
      this.buf = EMPTY
      this.pos = 0
    }
    return undefined
  }

  private findCR(tooBig: string): number | undefined {
    const cr = this.buf.indexOf(CR, this.pos)
    if (cr < 0) {
      if (this.buf.length - this.pos > MAX_HEADER) throw new ProtocolError(tooBig)
      return undefined
    }
    if (cr - this.pos > MAX_HEADER) throw new ProtocolError(tooBig)
    // The byte after CR must have arrived before the line counts as complete.
    if (cr + 1 >= this.buf.length) return undefined
    return cr
  }

  private parseMultibulkCount(): number | undefined {
    const cr = this.findCR('too big mbulk count string')
    if (cr === undefined) return undefined
    const count = parseStrictInt(this.buf, this.pos + 1, cr)
    if (count === undefined || count > MAX_MULTIBULK) throw new ProtocolError('invalid multibulk length')
    if (count > UNAUTH_MAX_ARGS && this.limits.isAuthenticated?.() === false) {
      throw new ProtocolError('unauthenticated multibulk length')
    }
    this.pos = cr + 2
    return count
  }

  private parseBulkHeader(): boolean {
    const cr = this.findCR('too big bulk count string')
    if (cr === undefined) return false
    if (this.buf[this.pos] !== 0x24 /* '$' */) {
      throw new ProtocolError(`expected '$', got '${String.fromCharCode(this.buf[this.pos] as number)}'`)
    }
    const length = parseStrictInt(this.buf, this.pos + 1, cr)
    const max = this.limits.maxBulkLength
    if (length === undefined || length < 0 || (max !== undefined && length > max)) {
      throw new ProtocolError('invalid bulk length')
    }
    if (length > UNAUTH_MAX_BULK && this.limits.isAuthenticated?.() === false) {
      throw new ProtocolError('unauthenticated bulk length')
    }
    this.pos = cr + 2
    this.bulkLength = length
    return true
  }

  /** Returns the split line, [] for a blank line, or undefined when the line is incomplete. */
  private parseInline(): Buffer[] | undefined {
    const lf = this.buf.indexOf(LF, this.pos)
    if (lf < 0) {
      if (this.buf.length - this.pos > MAX_HEADER) throw new ProtocolError('too big inline request')
      return undefined
    }
    let end = lf
    if (end > this.pos && this.buf[end - 1] === CR) end--
    const line = this.buf.subarray(this.pos, end)
    this.pos = lf + 1
    const args = splitArgs(line)
    if (args === undefined) throw new ProtocolError('unbalanced quotes in request')
    return args
  }
}

/** Redis string2ll over buf[start, end): optional '-', digits, no '+', no spaces, no leading zeros. */
function parseStrictInt(buf: Buffer, start: number, end: number): number | undefined {
  if (start >= end || end - start > 20) return undefined
  let i = start
  let negative = false
  if (buf[i] === 0x2d) {
    negative = true
    i++
    if (i === end) return undefined
  }
  if (buf[i] === 0x30 && end - i > 1) return undefined
  let value = 0
  for (; i < end; i++) {
    const c = buf[i] as number
    if (c < 0x30 || c > 0x39) return undefined
    value = value * 10 + (c - 0x30)
  }
  if (negative && value === 0) return undefined
  return negative ? -value : value
}
