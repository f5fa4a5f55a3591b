// Incremental request parser (networking.c processMultibulkBuffer / processInlineBuffer). It knows nothing
// about sockets: feed it Buffers split anywhere and pull whole commands out. Limits and error texts are Redis 7.0's:
// a header or inline line is searched with strchr(), so a NUL byte before its end leaves it incomplete, and
// more than 64 KB without a complete line is a protocol error (PROTO_INLINE_MAX_SIZE).

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
/** setProtocolError() logs up to this many bytes of the query buffer (PROTO_DUMP_LEN). */
const DUMP_LEN = 128
/** Node's Buffer class (Buffer[Symbol.species]): a view made with it skips subarray's argument handling. */
const FastBuffer = (Buffer as unknown as {[Symbol.species]: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Buffer})[Symbol.species]

export interface ParserLimits {
  /** proto-max-bulk-len; undefined disables the check (the link from our master). */
  maxBulkLength?: number
  /** Returns false while the client must still authenticate (tighter limits apply). */
  isAuthenticated?: () => boolean
}

/** A protocol error: `message` follows "Protocol error: " in the reply, `logReason` is what Redis logs. */
export class RequestProtocolError extends ProtocolError {
  constructor(message: string, readonly logReason: string) {
    super(message)
  }
}

const protocolError = (message: string, logReason = message): RequestProtocolError => new RequestProtocolError(message, logReason)

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
  /**
   * Chunks received after `buf`, joined only when parsing goes on: a large payload, or the input of a client
   * that is not being served (blocked), is not re-copied on every read.
   */
  private pendingChunks: Buffer[] = []
  private pendingBytes = 0
  /** Whether the request last returned by nextArgs was an inline one. */
  lastInline = false

  constructor(private readonly limits: ParserLimits = {}) {}

  /** Bytes buffered and not yet parsed (Redis's qbuf): for client-query-buffer-limit and CLIENT LIST. */
  get bufferedBytes(): number {
    return this.buf.length - this.pos + this.pendingBytes
  }

  /**
   * The query buffer as setProtocolError() logs it, between its quotes: all of it below 128 bytes, else the
   * first and last 64 with the count of bytes between (each part as C's %s prints it, up to a NUL), and
   * non-printable bytes as '.'.
   */
  sample(): string {
    const length = this.bufferedBytes
    const cText = (b: Buffer): string => {
      const nul = b.indexOf(0)
      return [...(nul < 0 ? b : b.subarray(0, nul))].map((c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.')).join('')
    }
    if (length < DUMP_LEN) return cText(this.peek(0, length))
    const half = DUMP_LEN / 2
    return `${cText(this.peek(0, half))}' (... more ${length - DUMP_LEN} bytes ...) '${cText(this.peek(length - half, length))}`
  }

  /** The first 64 bytes of the query buffer as sdscatrepr() writes them, without its quotes. */
  sampleRepr(): string {
    let out = ''
    for (const c of this.peek(0, Math.min(64, this.bufferedBytes))) {
      if (c === 0x5c || c === 0x22) out += `\\${String.fromCharCode(c)}`
      else if (c === 0x0a) out += '\\n'
      else if (c === 0x0d) out += '\\r'
      else if (c === 0x09) out += '\\t'
      else if (c === 0x07) out += '\\a'
      else if (c === 0x08) out += '\\b'
      else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c)
      else out += `\\x${c.toString(16).padStart(2, '0')}`
    }
    return out
  }

  /** Bytes [start, end) of the unparsed input, which may span the buffer and the pending chunks. */
  private peek(start: number, end: number): Buffer {
    const parts: Buffer[] = []
    let offset = 0
    for (const part of [this.buf.subarray(this.pos), ...this.pendingChunks]) {
      const from = Math.max(start - offset, 0)
      const to = Math.min(end - offset, part.length)
      if (from < to) parts.push(part.subarray(from, to))
      offset += part.length
      if (offset >= end) break
    }
    return Buffer.concat(parts)
  }

  feed(chunk: Buffer): void {
    if (this.pendingBytes === 0 && this.pos >= this.buf.length) {
      // The common case: everything before was consumed, so the chunk becomes the buffer as it is.
      this.buf = chunk
      this.pos = 0
      return
    }
    this.pendingChunks.push(chunk)
    this.pendingBytes += chunk.length
  }

  /** Joins the pending chunks to the buffer; false while they are still short of the awaited payload. */
  private absorb(): boolean {
    if (this.bulkLength >= 0 && this.buf.length - this.pos + this.pendingBytes < this.bulkLength + 2) return false
    const parts = this.pendingChunks
    if (this.pos < this.buf.length) parts.unshift(this.buf.subarray(this.pos))
    this.buf = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)
    this.pos = 0
    this.pendingChunks = []
    this.pendingBytes = 0
    return true
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
    if (this.pendingBytes > 0 && !this.absorb()) return undefined
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

  /**
   * strchr(buf + pos, byte): the index of the first `byte`, or -1 when a NUL byte or the end of the input
   * comes first (Redis's query buffer is a C string there).
   */
  private lineEnd(byte: number): number {
    const buf = this.buf
    const at = buf.indexOf(byte, this.pos)
    if (at < 0) return -1
    if (at - this.pos > 32) return buf.subarray(this.pos, at).indexOf(0) < 0 ? at : -1
    for (let i = this.pos; i < at; i++) if (buf[i] === 0) return -1
    return at
  }

  /** The CR ending the header line at pos, or undefined while it is incomplete. */
  private findCR(tooBig: string): number | undefined {
    const cr = this.lineEnd(CR)
    if (cr < 0) {
      if (this.buf.length - this.pos > MAX_HEADER) throw protocolError(tooBig)
      return undefined
    }
    if (cr - this.pos > MAX_HEADER) throw protocolError(tooBig)
    // The byte after CR must have arrived before the line counts as complete.
    if (cr + 1 >= this.buf.length) return undefined
    return cr
  }

  private parseMultibulkCount(): number | undefined {
    const cr = this.findCR('too big mbulk count string')
    if (cr === undefined) return undefined
    const count = parseStrictInt(this.buf, this.pos + 1, cr)
    if (count === undefined || count > MAX_MULTIBULK) throw protocolError('invalid multibulk length', 'invalid mbulk count')
    if (count > UNAUTH_MAX_ARGS && this.limits.isAuthenticated?.() === false) {
      throw protocolError('unauthenticated multibulk length', 'unauth mbulk count')
    }
    this.pos = cr + 2
    return count
  }

  private parseBulkHeader(): boolean {
    const cr = this.findCR('too big bulk count string')
    if (cr === undefined) return false
    if (this.buf[this.pos] !== 0x24 /* '$' */) {
      // addReplyErrorFormat() turns CR and LF into spaces.
      const c = this.buf[this.pos] as number
      throw protocolError(`expected '$', got '${c === CR || c === LF ? ' ' : String.fromCharCode(c)}'`, 'expected $ but got something else')
    }
    const length = parseStrictInt(this.buf, this.pos + 1, cr)
    const max = this.limits.maxBulkLength
    if (length === undefined || length < 0 || (max !== undefined && length > max)) {
      throw protocolError('invalid bulk length')
    }
    if (length > UNAUTH_MAX_BULK && this.limits.isAuthenticated?.() === false) {
      throw protocolError('unauthenticated bulk length', 'unauth bulk length')
    }
    this.pos = cr + 2
    this.bulkLength = length
    return true
  }

  /** Returns the split line, [] for a blank line, or undefined when the line is incomplete. */
  private parseInline(): Buffer[] | undefined {
    const lf = this.lineEnd(LF)
    if (lf < 0) {
      if (this.buf.length - this.pos > MAX_HEADER) throw protocolError('too big inline request')
      return undefined
    }
    if (lf - this.pos > MAX_HEADER) throw protocolError('too big inline request')
    let end = lf
    if (end > this.pos && this.buf[end - 1] === CR) end--
    const line = this.buf.subarray(this.pos, end)
    this.pos = lf + 1
    const args = splitArgs(line)
    if (args === undefined) throw protocolError('unbalanced quotes in request', 'unbalanced quotes in inline request')
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
