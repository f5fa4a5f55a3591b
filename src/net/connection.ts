// One client socket: bytes → RequestParser → session → replies in order through one ReplyWriter.
// Back-pressure (aedes): when the socket's buffer is full we stop reading until 'drain'. A protocol error
// replies, stops parsing and closes after the flush (networking.c setProtocolError).

import type {Socket} from 'node:net'
import {ReplyWriter} from '../resp/encoder.js'
import {ProtocolError} from '../resp/errors.js'
import {RequestParser, type ParserLimits} from '../resp/parser.js'
import {error, type Reply} from '../resp/reply.js'

/** What the server gives each connection: it runs requests and learns about the connection's life. */
export interface Session {
  /** Runs one request; the returned reply is written in order. */
  handle(args: Buffer[], inline: boolean): Reply
  /** The client's protocol version for encoding. */
  protocol(): 2 | 3
  /** True once the client must not send further requests (QUIT, CLIENT KILL): stop parsing, flush, close. */
  isClosing(): boolean
  /** True while a blocking command waits: later requests stay in the query buffer until `resume`. */
  isBlocked(): boolean
  onProtocolError(reason: string, querySample: string): void
  onQueryBufferLimit(sample: string): void
  onClose(): void
}

export interface ConnectionOptions extends ParserLimits {
  /** client-query-buffer-limit in bytes. */
  queryBufferLimit: number
  /** Output bytes after which a connection is dropped (client-output-buffer-limit hard limit); 0 = none. */
  outputHardLimit?: () => number
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
    this.parser.feed(chunk)
    this.processRequests()
  }

  private processRequests(): void {
    const session = this.session
    if (session === undefined || this.processing) return
    this.processing = true
    try {
      while (!this.paused && !this.closeAfterFlush && !this.closed && !session.isBlocked()) {
        if (session.isClosing()) {
          this.closeAfterFlush = true
          break
        }
        let request
        try {
          request = this.parser.next()
        } catch (cause) {
          if (!(cause instanceof ProtocolError)) throw cause
          this.writer.write(error(`ERR Protocol error: ${cause.message}`), session.protocol())
          session.onProtocolError(cause.message, this.parser.sample())
          this.closeAfterFlush = true
          break
        }
        if (request === undefined) {
          if (this.parser.bufferedBytes > this.options.queryBufferLimit) {
            session.onQueryBufferLimit(this.parser.sample())
            this.destroy()
            return
          }
          break
        }
        const first = request.args[0]
        if (first !== undefined && isHttpProbe(first)) {
          // Cross-protocol scripting guard: an HTTP request is dropped without a reply.
          this.destroy()
          return
        }
        this.writer.write(session.handle(request.args, request.inline), session.protocol())
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
      const limit = this.options.outputHardLimit?.() ?? 0
      if (limit > 0 && this.socket.writableLength + data.length > limit) {
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
      this.socket.end()
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

const isHttpProbe = (arg: Buffer): boolean => {
  if (arg.length !== 4 && arg.length !== 5) return false
  const text = arg.toString('latin1').toLowerCase()
  return text === 'post' || text === 'host:'
}
