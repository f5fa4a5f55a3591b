// One outbound connection of the sentinel (sentinel.md §4): a command link whose replies are matched to
// callbacks in order, or a pub/sub link whose messages go to a handler. Errors and closes are reported
// once; the owner decides when to reconnect.

import {connect, isIP, type Socket} from 'node:net'
import {encodeCommand} from '../resp/encoder.js'
import {ReplyParser, type RespValue} from '../resp/reply-parser.js'

export type ReplyCallback = (reply: RespValue | undefined) => void

export class InstanceConnection {
  private readonly socket: Socket
  private readonly parser = new ReplyParser()
  private readonly callbacks: (ReplyCallback | undefined)[] = []
  private closed = false
  connected = false
  readonly createdMs = Date.now()
  /** Last time anything arrived on this connection (pub/sub link health). */
  lastActivityMs = Date.now()

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly handlers: {onMessage?: (message: RespValue) => void; onClose: () => void},
    sourceAddress = '',
  ) {
    // bind-source-addr: hiredis's redisAsyncConnectBind binds strictly, so a failed bind is a failed link.
    this.socket = connect({host, port, ...(isIP(sourceAddress) !== 0 ? {localAddress: sourceAddress} : {})})
    this.socket.setNoDelay(true)
    this.socket.on('connect', () => {
      this.connected = true
    })
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    this.socket.on('error', () => this.close())
    this.socket.on('close', () => this.close())
  }

  /** The address of our end (hello messages announce it when announce-ip is unset). */
  get localAddress(): string | undefined {
    return this.socket.localAddress
  }

  get pending(): number {
    return this.callbacks.length
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Sends a command; its reply goes to `callback`. SUBSCRIBE's confirmations come as messages instead. */
  send(args: readonly (string | Buffer)[], callback?: ReplyCallback, expectsReply = true): void {
    if (this.closed) {
      callback?.(undefined)
      return
    }
    if (expectsReply) this.callbacks.push(callback)
    this.socket.write(encodeCommand(args))
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.connected = false
    this.socket.destroy()
    for (const callback of this.callbacks.splice(0)) callback?.(undefined)
    this.handlers.onClose()
  }

  private onData(chunk: Buffer): void {
    this.lastActivityMs = Date.now()
    this.parser.feed(chunk)
    for (;;) {
      let next
      try {
        next = this.parser.next()
      } catch {
        this.close()
        return
      }
      if (next === undefined) return
      const value = next.value
      // Pub/sub messages arrive as arrays (RESP2) or pushes; everything else answers the oldest command.
      if (this.handlers.onMessage !== undefined && isPubSubMessage(value)) {
        this.handlers.onMessage(value)
        continue
      }
      const callback = this.callbacks.shift()
      callback?.(value)
    }
  }
}

const isPubSubMessage = (value: RespValue): boolean => {
  if (value.type !== 'array' && value.type !== 'push') return false
  const first = value.value?.[0]
  if (first === undefined || first.type !== 'bulk' || first.value === null) return false
  const kind = first.value.toString('latin1')
  return kind === 'message' || kind === 'subscribe'
}

/** The text of a simple, bulk or verbatim reply; undefined for anything else. */
export function replyText(value: RespValue | undefined): string | undefined {
  if (value === undefined) return undefined
  if (value.type === 'simple' || value.type === 'error') return value.value
  if (value.type === 'bulk') return value.value?.toString('latin1')
  if (value.type === 'verbatim') return value.value.toString('latin1')
  return undefined
}
