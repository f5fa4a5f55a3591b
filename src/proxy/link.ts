// One proxied TCP connection: the initiator's socket, accepted on the node's public port, and the upstream
// socket to the node's own port. It passes bytes, delays them (keeping their order), freezes them (a
// blackholed link: nothing is read, so the kernel buffers fill and the sender stalls, as behind a dropped
// route) or resets both ends.

import {connect, type Socket} from 'node:net'
import type {LinkEffect} from './rules.js'

/** Above this many bytes waiting in a delay queue, the sending side stops being read. */
const QUEUE_HIGH_WATER = 4 * 1024 * 1024

export type LinkState = 'connecting' | 'open' | 'frozen' | 'closed'

interface Queued {
  data: Buffer
  at: number
}

/** One direction of a link: reads `source`, writes `sink` after `delayMs`. */
class Flow {
  private readonly queue: Queued[] = []
  private queuedBytes = 0
  private lastAt = 0
  private timer: NodeJS.Timeout | undefined
  delayMs = 0
  jitterMs = 0
  frozen = false

  constructor(private readonly source: Socket, private sink: Socket | undefined, private readonly onEnd: () => void) {
    source.on('data', (data: Buffer) => this.push(data))
    source.on('end', () => this.push(undefined))
  }

  attach(sink: Socket): void {
    this.sink = sink
    this.flush()
  }

  private ended = false

  private push(data: Buffer | undefined): void {
    if (data === undefined) {
      this.ended = true
    } else {
      const jitter = this.jitterMs > 0 ? Math.floor(Math.random() * (this.jitterMs + 1)) : 0
      // Never before the previous chunk: a delayed link still delivers in order, as TCP does.
      this.lastAt = Math.max(Date.now() + this.delayMs + jitter, this.lastAt)
      this.queue.push({data, at: this.lastAt})
      this.queuedBytes += data.length
      if (this.queuedBytes > QUEUE_HIGH_WATER) this.source.pause()
    }
    this.flush()
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    if (this.frozen || !this.sink) return
    const now = Date.now()
    while (this.queue.length > 0 && (this.queue[0] as Queued).at <= now) {
      const {data} = this.queue.shift() as Queued
      this.queuedBytes -= data.length
      this.sink.write(data)
    }
    if (this.queue.length > 0) {
      this.timer = setTimeout(() => this.flush(), Math.max(1, (this.queue[0] as Queued).at - now))
      return
    }
    if (this.queuedBytes <= QUEUE_HIGH_WATER && !this.frozen) this.source.resume()
    if (this.ended) this.onEnd()
  }

  freeze(): void {
    this.frozen = true
    this.source.pause()
    this.flush()
  }

  thaw(): void {
    this.frozen = false
    this.flush()
    if (this.queuedBytes <= QUEUE_HIGH_WATER) this.source.resume()
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.queue.length = 0
  }
}

export class Link {
  state: LinkState = 'connecting'
  private upstream: Socket | undefined
  private readonly toNode: Flow
  private toInitiator: Flow | undefined
  private effect: LinkEffect = {delayToNodeMs: 0, delayToInitiatorMs: 0, jitterMs: 0}

  constructor(
    readonly initiator: string, readonly node: string, private readonly downstream: Socket,
    private readonly upstreamPort: number, effect: LinkEffect, private readonly onClose: (link: Link) => void,
  ) {
    downstream.setNoDelay(true)
    downstream.on('error', () => this.close(true))
    downstream.on('close', () => this.close(false))
    this.toNode = new Flow(downstream, undefined, () => this.upstream?.end())
    downstream.pause()
    this.apply(effect, 'new')
  }

  /** Applies the rules' effect. A cut on an existing link resets it in `cut` and `reset` modes. */
  apply(effect: LinkEffect, when: 'new' | 'existing'): void {
    const wasCut = this.effect.cut !== undefined
    this.effect = effect
    this.toNode.delayMs = effect.delayToNodeMs
    this.toNode.jitterMs = effect.jitterMs
    if (this.toInitiator) {
      this.toInitiator.delayMs = effect.delayToInitiatorMs
      this.toInitiator.jitterMs = effect.jitterMs
    }
    if (effect.cut === undefined) {
      if (this.upstream) this.thaw()
      else this.connectUpstream()
      return
    }
    const reset = effect.cut === 'reset' || (effect.cut === 'cut' && when === 'existing' && !wasCut)
    if (reset) {
      this.close(true)
      return
    }
    this.freeze()
  }

  private connectUpstream(): void {
    this.state = 'connecting'
    const upstream = connect({host: '127.0.0.1', port: this.upstreamPort})
    this.upstream = upstream
    upstream.setNoDelay(true)
    upstream.on('error', () => this.close(true))
    upstream.on('close', () => this.close(false))
    upstream.on('connect', () => {
      if (this.state === 'closed') return
      if (this.state === 'connecting') this.state = 'open'
      this.toNode.attach(upstream)
      if (this.state === 'open') this.toNode.thaw()
    })
    this.toInitiator = new Flow(upstream, this.downstream, () => this.downstream.end())
    this.toInitiator.delayMs = this.effect.delayToInitiatorMs
    this.toInitiator.jitterMs = this.effect.jitterMs
  }

  private freeze(): void {
    if (this.state === 'closed') return
    this.state = 'frozen'
    this.toNode.freeze()
    this.toInitiator?.freeze()
  }

  private thaw(): void {
    if (this.state !== 'frozen') return
    this.toInitiator?.thaw()
    if (this.upstream?.readyState === 'open') {
      this.state = 'open'
      this.toNode.thaw()
    } else {
      this.state = 'connecting'
    }
  }

  /** Closes both ends; with `reset`, with a TCP RST, as a broken route or a refused connection looks. */
  close(reset: boolean): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.toNode.stop()
    this.toInitiator?.stop()
    for (const socket of [this.downstream, this.upstream]) {
      if (!socket || socket.destroyed) continue
      if (reset && typeof socket.resetAndDestroy === 'function' && socket.readyState !== 'opening') socket.resetAndDestroy()
      else socket.destroy()
    }
    this.onClose(this)
  }

  describe(): {from: string; to: string; state: LinkState; delayMs: number} {
    return {from: this.initiator, to: this.node, state: this.state, delayMs: Math.max(this.effect.delayToNodeMs, this.effect.delayToInitiatorMs)}
  }
}
