// Clients blocked on keys (blocked.c): BLPOP and the other blocking commands park their client here when
// none of their keys has data. A write to a watched key marks it ready; after the writing command (or
// EXEC) finishes, the waiters of each ready key are tried in the order they blocked, and a served client
// gets its reply and resumes reading its pipeline. Timeouts and CLIENT UNBLOCK end the wait early.

import type {Reply} from '../resp/reply.js'
import type {Client} from './client.js'
import type {CommandContext} from './command-spec.js'

/** What a blocking command leaves behind when it has to wait. */
export interface BlockedOperation {
  /** The keys whose writes may serve the client (in the client's selected database). */
  readonly keys: readonly string[]
  /**
   * Tries to serve the client: the reply, or undefined to keep waiting. Runs like a command. `readyKey` is
   * the key that was written when a waiting client is tried (only that key is served, and a wrong type
   * there keeps the client waiting); undefined on the first try, which walks all keys in order.
   */
  readonly serve: (ctx: CommandContext, readyKey: string | undefined) => Reply | undefined
  /** The reply when the timeout expires (or on CLIENT UNBLOCK … TIMEOUT); WAIT computes it then. */
  readonly timeoutReply: Reply | (() => Reply)
  /** Milliseconds to wait; 0 waits for ever. */
  readonly timeoutMs: number
}

export interface BlockedState {
  readonly operation: BlockedOperation
  readonly dbIndex: number
  readonly keyIds: readonly string[]
  /** The timeout's timer; re-armed while more than setTimeout's 2^31-1 ms remain. */
  timer: NodeJS.Timeout | undefined
}

/** setTimeout holds at most 2^31-1 ms (a longer delay fires at once), so a longer wait is armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** How the registry runs a served operation and reaches the client: implemented by the server. */
export interface BlockingHost {
  /** Runs `serve` as a command of `client` (context, dirty tracking, propagation). */
  runServe(client: Client, dbIndex: number, serve: BlockedOperation['serve'], readyKey: string | undefined): Reply | undefined
  /** Delivers the final reply of a blocked command and lets the client's connection read again. */
  resume(client: Client, reply: Reply): void
}

/** The reply for a wait that ends without being served. */
export const timeoutReplyOf = (operation: BlockedOperation): Reply =>
  typeof operation.timeoutReply === 'function' ? operation.timeoutReply() : operation.timeoutReply

const keyId = (dbIndex: number, key: string): string => `${dbIndex}\u0000${key}`

export class BlockedClients {
  /** Waiters per key id, in the order they blocked (Redis serves the longest-waiting client first). */
  private readonly waiters = new Map<string, Client[]>()
  /** Key ids written since the last serve pass, in the order they became ready. */
  private readonly ready = new Set<string>()
  /** Clients blocked on something other than keys (WAIT), retried by retryAll. */
  private readonly keyless = new Set<Client>()
  private serving = false
  private blockedCount = 0
  private timedCount = 0

  constructor(private readonly host: BlockingHost) {}

  /** Clients currently blocked (INFO blocked_clients). */
  get count(): number {
    return this.blockedCount
  }

  /** Blocked clients with a timeout (INFO clients_in_timeout_table). */
  get withTimeout(): number {
    return this.timedCount
  }

  /** Keys with at least one waiter (INFO total_blocking_keys). */
  get keyCount(): number {
    return this.waiters.size
  }

  block(client: Client, dbIndex: number, operation: BlockedOperation): void {
    const keyIds = [...new Set(operation.keys.map((k) => keyId(dbIndex, k)))]
    for (const id of keyIds) {
      const list = this.waiters.get(id)
      if (list === undefined) this.waiters.set(id, [client])
      else list.push(client)
    }
    const state: BlockedState = {operation, dbIndex, keyIds, timer: undefined}
    const arm = (left: number): void => {
      state.timer = left > MAX_TIMER_MS
        ? setTimeout(() => arm(left - MAX_TIMER_MS), MAX_TIMER_MS)
        : setTimeout(() => this.unblock(client, timeoutReplyOf(operation)), left)
    }
    if (operation.timeoutMs > 0) arm(operation.timeoutMs)
    client.blocked = state
    if (keyIds.length === 0) this.keyless.add(client)
    this.blockedCount++
    if (state.timer !== undefined) this.timedCount++
  }

  /** A key was written: when somebody waits on it, try them after the current command. */
  keyModified(dbIndex: number, key: string): void {
    if (this.waiters.size === 0) return
    const id = keyId(dbIndex, key)
    if (this.waiters.has(id)) this.ready.add(id)
  }

  /** Serves waiters of ready keys until no write made another key ready (a BLMOVE can feed the next). */
  serveReadyKeys(): void {
    if (this.serving || this.ready.size === 0) return
    this.serving = true
    try {
      while (this.ready.size > 0) {
        const id = this.ready.values().next().value as string
        this.ready.delete(id)
        const key = id.slice(id.indexOf('\u0000') + 1)
        for (const client of [...(this.waiters.get(id) ?? [])]) {
          const state = client.blocked
          if (state === undefined) continue
          const reply = this.host.runServe(client, state.dbIndex, state.operation.serve, key)
          if (reply !== undefined) this.unblock(client, reply)
        }
      }
    } finally {
      this.serving = false
    }
  }

  /** Tries every blocked client that waits on no key (WAIT) again: something they wait for changed. */
  retryAll(): void {
    for (const client of [...this.keyless]) {
      const state = client.blocked
      if (state === undefined) continue
      const reply = this.host.runServe(client, state.dbIndex, state.operation.serve, undefined)
      if (reply !== undefined) this.unblock(client, reply)
    }
  }

  /** Ends a client's wait with `reply` (served, timed out or CLIENT UNBLOCK); false when it was not blocked. */
  unblock(client: Client, reply: Reply): boolean {
    if (!this.forget(client)) return false
    this.host.resume(client, reply)
    return true
  }

  /** Drops a client's wait without replying (the client disconnected). */
  forget(client: Client): boolean {
    const state = client.blocked
    if (state === undefined) return false
    client.blocked = undefined
    this.keyless.delete(client)
    this.blockedCount--
    if (state.timer !== undefined) {
      clearTimeout(state.timer)
      this.timedCount--
    }
    for (const id of state.keyIds) {
      const list = this.waiters.get(id)
      if (list === undefined) continue
      const at = list.indexOf(client)
      if (at >= 0) list.splice(at, 1)
      if (list.length === 0) this.waiters.delete(id)
    }
    return true
  }
}
