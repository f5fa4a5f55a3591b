// A raw RESP client for byte-exact tests: sends bytes, returns exactly the bytes of the next reply(ies).

import {connect, type Socket} from 'node:net'
import {encodeCommand} from '../../src/resp/encoder.js'
import {ReplyParser} from '../../src/resp/reply-parser.js'

export class RawClient {
  private readonly parser = new ReplyParser()
  private waiters: (() => void)[] = []
  private closed = false

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.parser.feed(chunk)
      this.wake()
    })
    socket.on('close', () => {
      this.closed = true
      this.wake()
    })
    socket.on('error', () => {})
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({port, host: '127.0.0.1'}, () => resolve(new RawClient(socket)))
      socket.once('error', reject)
    })
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Sends a command as a multibulk and returns the raw bytes of its reply. */
  async command(...args: (string | Buffer)[]): Promise<Buffer> {
    this.socket.write(encodeCommand(args))
    return this.reply()
  }

  /** Sends raw bytes without reading. */
  send(bytes: string | Buffer): void {
    this.socket.write(bytes)
  }

  /** The raw bytes of the next complete reply; rejects if the server closes first or after timeoutMs. */
  async reply(timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const next = this.parser.next()
      if (next !== undefined) return Buffer.from(next.raw)
      if (this.closed) throw new Error('connection closed by server')
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Bytes received and not parsed as a reply (after a close, what came before it). */
  remaining(): Buffer {
    return this.parser.takeRemaining()
  }

  /** Resolves when the server closes the connection (or rejects after timeoutMs). */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('server did not close the connection')
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  close(): void {
    this.socket.destroy()
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }
}
