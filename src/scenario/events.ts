// The sentinels' events as the scenario runner sees them: one pub/sub connection per sentinel, opened when the
// topology is up and kept for the whole run, every `+…` event recorded with its arrival time. A fault step
// sets the mark; `wait-for: +switch-master` waits for the first such event at or after the mark, so an event
// that happened while a kill step was still following the failover counts.

import type {Redis} from 'ioredis'
import {connect} from '../topology/inspect.js'
import type {TopologyPlan} from '../topology/plan.js'

export interface ArrivedEvent {
  event: string
  message: string
  at: number
  sentinel: number
}

export class SentinelEvents {
  private readonly seen: ArrivedEvent[] = []
  private readonly clients = new Map<number, Redis>()
  private mark = Date.now()

  constructor(private readonly plan: TopologyPlan) {}

  /** Subscribes to every sentinel not subscribed yet (one restarted since comes back); returns how many listen. */
  async ensure(): Promise<number> {
    for (const sentinel of this.plan.nodes.filter((n) => n.kind === 'sentinel')) {
      if (this.clients.has(sentinel.port)) continue
      const client = connect(sentinel.port, undefined)
      try {
        await client.connect()
        client.on('pmessage', (_pattern: string, channel: string, message: string) => {
          if (channel.startsWith('+') || channel.startsWith('-')) this.seen.push({event: channel, message, at: Date.now(), sentinel: sentinel.port})
        })
        client.on('close', () => {
          if (this.clients.get(sentinel.port) === client) this.clients.delete(sentinel.port)
        })
        await client.psubscribe('*')
        this.clients.set(sentinel.port, client)
      } catch {
        client.disconnect()
      }
    }
    return this.clients.size
  }

  /** A fault step starts: wait-for counts events from now on. */
  markFault(): void {
    this.mark = Date.now()
  }

  /** The first `event` (of `group` when given) at or after the last mark; rejects after timeoutMs. */
  async waitFor(event: string, timeoutMs: number, group?: string, signal?: AbortSignal): Promise<ArrivedEvent> {
    const deadline = Date.now() + timeoutMs
    if ((await this.ensure()) === 0) throw new Error('no sentinel could be reached to watch for events')
    for (;;) {
      const found = this.seen.find((e) => e.event === event && e.at >= this.mark && (!group || e.message.split(' ').includes(group)))
      if (found) return found
      if (signal?.aborted) throw new Error('interrupted')
      if (Date.now() > deadline) {
        const since = this.seen.filter((e) => e.at >= this.mark).map((e) => e.event)
        throw new Error(`no ${event} within ${timeoutMs} ms${since.length > 0 ? ` (seen since the last fault: ${[...new Set(since)].join(' ')})` : ' (no sentinel event since the last fault)'}`)
      }
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  stop(): void {
    for (const client of this.clients.values()) client.disconnect()
    this.clients.clear()
  }
}
