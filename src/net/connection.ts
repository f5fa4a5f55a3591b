// One client socket: bytes → RequestParser → session → replies in order through one ReplyWriter.
// Back-pressure (aedes): when the socket's buffer is full we stop reading until 'drain'. A protocol error
// replies, stops parsing and closes after the flush (networking.c setProtocolError). As readQueryFromClient,
// every read is checked against client-query-buffer-limit, whatever the client is doing (blocked, or
// waiting for a payload), and a connection that is closing reads nothing more into its query buffer.

import type {Socket} from 'node:net'
import {ReplyWriter} from '../resp/encoder.js'
import {ProtocolError} from '../resp/errors.js'
import {RequestParser, RequestProtocolError, type ParserLimits} from '../resp/parser.js'
import {error, type Reply} from '../resp/reply.js'

/** What the server gives each connection: it runs requests and learns about the connection's life. */
export interface Session {
  /** Runs one request; the returned reply is written in order. */
  handle(args: Buffer[], inline: boolean): Reply
  /** Runs once the reply of `handle` is queued: what must follow it (a client's own tracking invalidations). */
  afterReply?(): void
  /** Runs after each read from the socket, once its requests ran (the query buffer may have grown). */
  afterRead?(): void
  /** The client's protocol version for encoding. */
  protocol(): 2 | 3
  /** True once the client must not send further requests (QUIT, CLIENT KILL): stop parsing, flush, close. */
  isClosing(): boolean
  /** True while a blocking command waits: later requests stay in the query buffer until `resume`. */
  isBlocked(): boolean
  /** `reason` as setProtocolError() logs it; `querySample` the query buffer as it logs it, between quotes. */
  onProtocolError(reason: string, querySample: string): void
  /** `sample`: the first 64 bytes of the query buffer as sdscatrepr() writes them, without the quotes. */
  onQueryBufferLimit(sample: string): void
  /** The connection is closed for overcoming its output buffer limits (logged as Redis does). */
  onOutputBufferLimit?(): void
  onClose(): void
}

export interface ConnectionOptions extends ParserLimits {
  /** client-query-buffer-limit in bytes (a function reads the current setting on every read). */
  queryBufferLimit: number | (() => number)
  /** client-output-buffer-limit: true when this much pending output is over the client's limits (it is then closed). */
  outputLimitExceeded?: (pendingBytes: number) => boolean
}

export class Connection {
  private readonly parser: RequestParser
  private readonly writer = new ReplyWriter()
  private session: Session | undefined
  private processing = false
  private flushScheduled = false
  private paused = false
  private closed = false
  private closeAfterFlush = false
  bytesIn = 0
  bytesOut = 0

  constructor(
    readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.parser = new RequestParser(options)
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('drain', () => this.onDrain())
    socket.on('error', () => this.destroy())
    socket.on('close', () => this.destroy())
  }

  attach(session: Session): void {
    this.session = session
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Output bytes not yet accepted by the kernel. */
  get pendingOutputBytes(): number {
    return this.writer.size + this.socket.writableLength
  }

  get queryBufferBytes(): number {
    return this.parser.bufferedBytes
  }

  /** Out-of-band reply (pub/sub message, MONITOR line): written after any reply already queued. */
  push(reply: Reply): void {
    if (this.closed || this.closeAfterFlush) return
    this.writer.write(reply, this.session?.protocol() ?? 2)
    this.scheduleFlush()
  }

  /** Reads on after a blocking command was answered: runs the requests that queued up meanwhile. */
  resume(): void {
    if (!this.closed) this.processRequests()
  }

  /** Closes after pending output is written, or immediately. */
  close(now = false): void {
    if (now) {
      this.destroy()
      return
    }
    this.closeAfterFlush = true
    this.scheduleFlush()
  }

  private onData(chunk: Buffer): void {
    this.bytesIn += chunk.length
    // Closing (QUIT, a protocol error, CLIENT KILL): the rest of the input is never parsed, so it is not kept.
    if (this.closed || this.closeAfterFlush) return
    this.parser.feed(chunk)
    const limit = this.options.queryBufferLimit
    if (this.parser.bufferedBytes > (typeof limit === 'function' ? limit() : limit)) {
      this.session?.onQueryBufferLimit(this.parser.sampleRepr())
      this.destroy()
      return
    }
    this.processRequests()
    this.session?.afterRead?.()
  }

  private processRequests(): void {
    const session = this.session
    if (session === undefined || this.processing) return
    const parser = this.parser
    this.processing = true
    try {
      while (!this.paused && !this.closeAfterFlush && !this.closed && !session.isBlocked()) {
        if (session.isClosing()) {
          this.closeAfterFlush = true
          break
        }
        let args
        try {
          args = parser.nextArgs()
        } catch (cause) {
          if (!(cause instanceof ProtocolError)) throw cause
          this.writer.write(error(`ERR Protocol error: ${cause.message}`), session.protocol())
          session.onProtocolError(cause instanceof RequestProtocolError ? cause.logReason : cause.message, parser.sample())
          this.closeAfterFlush = true
          break
        }
        if (args === undefined) break
        const first = args[0]
        if (first !== undefined && isHttpProbe(first)) {
          // Cross-protocol scripting guard: an HTTP request is dropped without a reply.
          this.destroy()
          return
        }
        this.writer.write(session.handle(args, parser.lastInline), session.protocol())
        session.afterReply?.()
        if (session.isClosing()) this.closeAfterFlush = true
      }
    } finally {
      this.processing = false
    }
    this.flush()
  }

  private scheduleFlush(): void {
    if (this.processing || this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flushScheduled = false
      this.flush()
    })
  }

  private flush(): void {
    if (this.closed) return
    if (this.writer.size > 0) {
      const data = this.writer.take()
      this.bytesOut += data.length
      if (this.options.outputLimitExceeded?.(this.socket.writableLength + data.length)) {
        this.session?.onOutputBufferLimit?.()
        this.destroy()
        return
      }
      if (!this.socket.write(data) && !this.paused) {
        this.paused = true
        this.socket.pause()
      }
    }
    if (this.closeAfterFlush) {
      this.closed = true
      // Like Redis's close(2) once the reply is written: not a half-open socket the peer may keep feeding.
      this.socket.end(() => this.socket.destroy())
      this.session?.onClose()
    }
  }

  private onDrain(): void {
    if (!this.paused) return
    this.paused = false
    this.socket.resume()
    this.processRequests()
  }

  private destroy(): void {
    if (!this.socket.destroyed) this.socket.destroy()
    if (this.closed && this.session === undefined) return
    const wasClosed = this.closed
    this.closed = true
    if (!wasClosed) this.session?.onClose()
  }
}

/** "POST" or "Host:" in any casing, compared byte by byte (this runs for every request). */
const isHttpProbe = (arg: Buffer): boolean => {
  if (arg.length === 4) {
    return ((arg[0] as number) | 0x20) === 0x70 && ((arg[1] as number) | 0x20) === 0x6f &&
      ((arg[2] as number) | 0x20) === 0x73 && ((arg[3] as number) | 0x20) === 0x74
  }
  if (arg.length === 5) {
    return ((arg[0] as number) | 0x20) === 0x68 && ((arg[1] as number) | 0x20) === 0x6f &&
      ((arg[2] as number) | 0x20) === 0x73 && ((arg[3] as number) | 0x20) === 0x74 && arg[4] === 0x3a
  }
  return false
}
