// Client pause (networking.c pauseClients / unpauseClients): CLIENT PAUSE and FAILOVER each hold a pause of
// their own (a purpose) with a type and an end time; the strictest live type applies, until the furthest end
// among the pauses of that type. A paused command is postponed: its client parks (flag b, counted as
// blocked) and the whole request is processed again from the start once the pause is lifted or weakened,
// so it may be refused, queued or postponed again. Replicas are never paused; the master's stream is.

import type {Clock} from '../common/clock.js'
import type {Client} from './client.js'
import type {Caller} from './command-spec.js'

export type PauseType = 'off' | 'write' | 'all'
export type PausePurpose = 'client-command' | 'failover'

const STRICTNESS: Readonly<Record<PauseType, number>> = {off: 0, write: 1, all: 2}

/** A request waiting for the pause to end, as its client sent it. */
export interface PostponedRequest {
  readonly argv: readonly Buffer[]
  readonly caller: 'client' | 'master'
}

/** What the pause needs from the server: park and release clients, and run their requests again. */
export interface ClientPauseHost {
  readonly clock: Clock
  /** Marks the client blocked (the connection reads nothing more from it meanwhile). */
  park(client: Client): void
  /** Clears the blocked mark set by park. */
  unpark(client: Client): void
  /** Processes a released request again from the start and delivers its reply. */
  reprocess(client: Client, request: PostponedRequest): void
}

export class ClientPause {
  private readonly purposes = new Map<PausePurpose, {type: PauseType; endMs: number}>()
  private type: PauseType = 'off'
  private endMs = 0
  private readonly postponed = new Map<Client, PostponedRequest>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly host: ClientPauseHost) {}

  /** Pauses for `purpose` until `endMs` (wall clock); a second pause of one purpose keeps the stricter type and later end. */
  pause(purpose: PausePurpose, endMs: number, type: Exclude<PauseType, 'off'>): void {
    const current = this.purposes.get(purpose)
    if (current === undefined) this.purposes.set(purpose, {type, endMs})
    else this.purposes.set(purpose, {type: stricter(current.type, type), endMs: Math.max(current.endMs, endMs)})
    this.update()
  }

  unpause(purpose: PausePurpose): void {
    if (!this.purposes.delete(purpose)) return
    this.update()
  }

  /** The pause in force now, expired pauses dropped first (checkClientPauseTimeoutAndReturnIfPaused). */
  current(): PauseType {
    if (this.type !== 'off' && this.endMs < this.host.clock.nowMs()) this.update()
    return this.type
  }

  /** A pause was set and has not been seen to end (cheap: no clock read); postpones() checks the time. */
  get active(): boolean {
    return this.type !== 'off'
  }

  isPaused(): boolean {
    return this.current() !== 'off'
  }

  /** Whether a request must wait: everything under ALL, writes and may-replicate commands under WRITE. */
  postpones(client: Client, mayReplicate: boolean): boolean {
    if (client.kind === 'replica') return false
    const type = this.current()
    return type === 'all' || (type === 'write' && mayReplicate)
  }

  postpone(client: Client, argv: readonly Buffer[], caller: Caller): void {
    this.postponed.set(client, {argv, caller: caller === 'master' ? 'master' : 'client'})
    this.host.park(client)
  }

  isPostponed(client: Client): boolean {
    return this.postponed.has(client)
  }

  /** Postponed clients, for INFO and CLIENT LIST. */
  get postponedCount(): number {
    return this.postponed.size
  }

  /** The client went away while postponed. */
  forget(client: Client): void {
    this.postponed.delete(client)
  }

  /** Recomputes the type and end; a weaker pause than before releases every postponed client. */
  private update(): void {
    const before = this.type
    const now = this.host.clock.nowMs()
    let type: PauseType = 'off'
    for (const [purpose, pause] of this.purposes) {
      if (pause.endMs < now) this.purposes.delete(purpose)
      else type = stricter(type, pause.type)
    }
    let endMs = 0
    for (const pause of this.purposes.values()) if (pause.type === type && pause.endMs > endMs) endMs = pause.endMs
    this.type = type
    this.endMs = endMs
    this.scheduleExpiry(now)
    if (STRICTNESS[type] < STRICTNESS[before]) setImmediate(() => this.releaseAll())
  }

  /** Lifts the pause when its end time passes (Redis notices it in serverCron). */
  private scheduleExpiry(now: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    if (this.type === 'off' || !Number.isFinite(this.endMs)) return
    // setTimeout holds at most 2^31-1 ms; a longer pause re-arms when that fires.
    const delay = Math.min(2 ** 31 - 1, Math.max(0, this.endMs - now + 1))
    this.timer = setTimeout(() => this.update(), delay)
    this.timer.unref()
  }

  /** Every postponed request is processed again, in the order they were postponed (unblockPostponedClients). */
  private releaseAll(): void {
    const released = [...this.postponed]
    this.postponed.clear()
    for (const [client] of released) this.host.unpark(client)
    for (const [client, request] of released) this.host.reprocess(client, request)
  }
}

const stricter = (a: PauseType, b: PauseType): PauseType => (STRICTNESS[a] >= STRICTNESS[b] ? a : b)
