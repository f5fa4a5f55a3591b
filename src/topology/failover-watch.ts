// Follows a failover through the sentinels' own pub/sub events (+sdown … +switch-master), merged from every
// live sentinel, each stamped with the ms elapsed since the kill.

import type {Redis} from 'ioredis'
import {connect} from './inspect.js'
import type {TopologyPlan} from './plan.js'

/** The events of a failover in the order Redis 7.0 emits them (sentinel.md §9, §12). */
export const FAILOVER_EVENTS = [
  '+sdown', '+odown', '+try-failover', '+elected-leader', '+failover-state-select-slave', '+selected-slave',
  '+failover-state-send-slaveof-noone', '+failover-state-wait-promotion', '+promoted-slave',
  '+failover-state-reconf-slaves', '+slave-reconf-sent', '+slave-reconf-inprog', '+slave-reconf-done',
  '+failover-end', '+switch-master',
] as const

/** Events that only happen when there are other replicas to reconfigure. */
export const RECONF_EVENTS = new Set(['+slave-reconf-sent', '+slave-reconf-inprog', '+slave-reconf-done'])

export interface SeenEvent {
  event: string
  message: string
  elapsedMs: number
  sentinel: number
  /** When it arrived (epoch ms), so other clocks (a workload's) can place it. */
  at: number
}

export class FailoverWatch {
  private readonly seen: SeenEvent[] = []
  private readonly clients: Redis[] = []
  private startedAt = Date.now()

  constructor(private readonly plan: TopologyPlan, private readonly group: string) {}

  /** Subscribes to every reachable sentinel; call before the kill. */
  async start(): Promise<number> {
    for (const sentinel of this.plan.nodes.filter((n) => n.kind === 'sentinel')) {
      const client = connect(sentinel.port, undefined)
      try {
        await client.connect()
        client.on('pmessage', (_pattern: string, channel: string, message: string) => {
          if (!channel.startsWith('+') || !message.includes(this.group)) return
          const at = Date.now()
          this.seen.push({event: channel, message, elapsedMs: at - this.startedAt, sentinel: sentinel.port, at})
        })
        await client.psubscribe('*')
        this.clients.push(client)
      } catch {
        client.disconnect()
      }
    }
    return this.clients.length
  }

  markKill(): void {
    this.startedAt = Date.now()
  }

  /** Resolves with the first occurrence of an event (after the kill), or rejects on timeout. */
  async waitFor(event: string, timeoutMs: number): Promise<SeenEvent> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.seen.find((e) => e.event === event)
      if (found) return found
      if (Date.now() > deadline) throw new Error(`no ${event} within ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  events(): readonly SeenEvent[] {
    return this.seen
  }

  stop(): void {
    for (const c of this.clients) c.disconnect()
  }
}
