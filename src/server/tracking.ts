// Client-side caching (tracking.c): the tracking table (key → ids of the clients that read it), the BCAST prefix
// table, and the invalidation messages: a RESP3 `invalidate` push, or for a RESP2 client redirecting to a
// subscribed connection a `message` on __redis__:invalidate. Keys are global, not per db, as in Redis. A client's
// own invalidations raised while its command runs wait until its reply is written (tracking_pending_keys).

import {bulk, raw, type Reply} from '../resp/reply.js'
import {encodeReply} from '../resp/encoder.js'
import type {Client} from './client.js'

/** A tracking client's mode (CLIENT TRACKING on … and CLIENT CACHING). */
export interface ClientTracking {
  /** REDIRECT id, 0 without one. */
  readonly redirect: number
  readonly bcast: boolean
  readonly optin: boolean
  readonly optout: boolean
  readonly noloop: boolean
  /** CLIENT CACHING yes (OPTIN) / no (OPTOUT) for the next command or transaction. */
  caching: boolean
  /** The redirect client is gone (CLIENT LIST flag R). */
  brokenRedirect: boolean
  /** BCAST prefixes; '' when BCAST was given none. */
  readonly prefixes: Set<string>
}

export interface TrackingMode {
  readonly redirect: number
  readonly bcast: boolean
  readonly optin: boolean
  readonly optout: boolean
  readonly noloop: boolean
}

/** What the tracking needs from the server. */
export interface TrackingHost {
  clientById(id: number): Client | undefined
  clients(): Iterable<Client>
  /** server.current_client: the client of the outermost call in progress. */
  currentClient(): Client | undefined
  /** True while a command runs (server.fixed_time_expire). */
  inCall(): boolean
  /** tracking-table-max-keys. */
  maxKeys(): number
}

interface BcastState {
  /** Keys modified since the last broadcast → the client that modified each last (for NOLOOP). */
  keys: Map<string, Client | undefined>
  clients: Set<Client>
}

const INVALIDATE_PUSH = Buffer.from('>2\r\n$10\r\ninvalidate\r\n')
const INVALIDATE_MESSAGE = Buffer.from('*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n')
const NULLS: Record<2 | 3, Buffer> = {2: Buffer.from('$-1\r\n'), 3: Buffer.from('_\r\n')}
const byBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

export class Tracking {
  /** server.tracking_clients. */
  clientCount = 0
  private table: Map<string, Set<number>> | undefined
  private items = 0
  private readonly prefixTable = new Map<string, BcastState>()
  /** A current client's own invalidations (a key, or null for a flush), sent after its reply. */
  private readonly pending: {client: Client; key: string | null}[] = []
  private broadcastScheduled = false
  private limitRounds = 0

  constructor(private readonly host: TrackingHost) {}

  get totalKeys(): number {
    return this.table?.size ?? 0
  }

  get totalItems(): number {
    return this.items
  }

  get totalPrefixes(): number {
    return this.prefixTable.size
  }

  /** enableTracking: the mode flags are replaced (CACHING is kept), BCAST prefixes are added. */
  enable(client: Client, mode: TrackingMode, prefixes: readonly string[]): void {
    if (client.tracking === undefined) this.clientCount++
    const previous = client.tracking
    client.tracking = {...mode, caching: previous?.caching ?? false, brokenRedirect: false, prefixes: previous?.prefixes ?? new Set()}
    this.table ??= new Map()
    if (!mode.bcast) return
    for (const prefix of prefixes.length === 0 ? [''] : prefixes) {
      let state = this.prefixTable.get(prefix)
      if (state === undefined) {
        state = {keys: new Map(), clients: new Set()}
        this.prefixTable.set(prefix, state)
      }
      state.clients.add(client)
      client.tracking.prefixes.add(prefix)
    }
  }

  /** disableTracking (CLIENT TRACKING off, RESET, disconnect); the table forgets the client's id lazily. */
  disable(client: Client): void {
    const tracking = client.tracking
    if (tracking === undefined) return
    for (const prefix of tracking.bcast ? tracking.prefixes : []) {
      const state = this.prefixTable.get(prefix)
      state?.clients.delete(client)
      if (state?.clients.size === 0) this.prefixTable.delete(prefix)
    }
    client.tracking = undefined
    this.clientCount--
  }

  /** trackingRememberKeys: after a read-only command, unless OPTIN without CACHING yes or OPTOUT with CACHING no. */
  rememberKeys(client: Client, keys: readonly string[]): void {
    const tracking = client.tracking
    if (tracking === undefined || this.table === undefined) return
    if ((tracking.optin && !tracking.caching) || (tracking.optout && tracking.caching)) return
    for (const key of keys) {
      let ids = this.table.get(key)
      if (ids === undefined) {
        ids = new Set()
        this.table.set(key, ids)
      }
      if (!ids.has(client.id)) {
        ids.add(client.id)
        this.items++
      }
    }
  }

  /** trackingInvalidateKey: `writer` is the client that changed the key (undefined for an expiry). */
  invalidateKey(key: string, writer: Client | undefined, bcast = true): void {
    const table = this.table
    if (table === undefined) return
    if (bcast && this.prefixTable.size > 0) this.rememberForBroadcast(key, writer)
    const ids = table.get(key)
    if (ids === undefined) return
    const current = this.host.currentClient()
    for (const id of ids) {
      const target = this.host.clientById(id)
      if (target?.tracking === undefined || target.tracking.bcast) continue
      if (target.tracking.noloop && target === current) continue
      if (target === current && this.host.inCall()) this.pending.push({client: target, key})
      else this.send(target, keyArray(key))
    }
    this.items -= ids.size
    table.delete(key)
  }

  /** trackingInvalidateKeysOnFlush: every tracking client is sent a null ("all keys"); the table is emptied. */
  invalidateAll(): void {
    if (this.clientCount > 0) {
      const current = this.host.currentClient()
      for (const client of this.host.clients()) {
        if (client.tracking === undefined) continue
        if (client === current) this.pending.push({client, key: null})
        else this.send(client, NULLS[client.resp])
      }
    }
    if (this.table !== undefined) {
      this.table = new Map()
      this.items = 0
    }
  }

  /** trackingHandlePendingKeyInvalidations: after the top-level command's reply. */
  flushPending(): void {
    if (this.pending.length === 0) return
    const pending = this.pending.splice(0)
    for (const {client, key} of pending) {
      if (this.host.clientById(client.id) !== client) continue
      this.send(client, key === null ? NULLS[client.resp] : keyArray(key))
    }
  }

  /** trackingLimitUsedSlots: over tracking-table-max-keys, keys are dropped (and invalidated) until under it. */
  limitUsedSlots(): void {
    const table = this.table
    const max = this.host.maxKeys()
    if (table === undefined || max === 0) return
    if (table.size <= max) {
      this.limitRounds = 0
      return
    }
    let effort = 100 * (this.limitRounds + 1)
    while (effort-- > 0) {
      const key = table.keys().next()
      if (key.done === true) break
      this.invalidateKey(key.value, undefined, false)
      if (table.size <= max) {
        this.limitRounds = 0
        return
      }
    }
    this.limitRounds++
  }

  /** trackingBroadcastInvalidationMessages: once per event-loop turn, the keys of each prefix to its clients. */
  broadcast(): void {
    this.broadcastScheduled = false
    if (this.table === undefined || this.clientCount === 0) return
    for (const [, state] of [...this.prefixTable].sort(([a], [b]) => byBytes(a, b))) {
      if (state.keys.size === 0) continue
      const keys = [...state.keys].sort(([a], [b]) => byBytes(a, b))
      const common = keyList(keys, undefined)
      for (const client of state.clients) {
        const payload = client.tracking?.noloop === true ? keyList(keys, client) : common
        if (payload !== undefined) this.send(client, payload)
      }
      state.keys = new Map()
    }
  }

  private rememberForBroadcast(key: string, writer: Client | undefined): void {
    for (const [prefix, state] of this.prefixTable) {
      if (!key.startsWith(prefix)) continue
      state.keys.delete(key)
      state.keys.set(key, writer)
    }
    if (this.broadcastScheduled) return
    this.broadcastScheduled = true
    setImmediate(() => this.broadcast())
  }

  /** sendTrackingMessage: to the client, or the client it redirects to; `value` is the encoded key array or null. */
  private send(client: Client, value: Buffer): void {
    let target = client
    const redirect = client.tracking?.redirect ?? 0
    if (redirect !== 0) {
      const redirected = this.host.clientById(redirect)
      if (redirected === undefined) {
        if (client.tracking !== undefined) client.tracking.brokenRedirect = true
        if (client.resp === 3) client.sink.pushNotice(redirBroken(redirect))
        return
      }
      target = redirected
    }
    if (target.resp === 3) target.sink.pushNotice(raw(Buffer.concat([INVALIDATE_PUSH, value])))
    else if (target !== client && target.inPubSub) target.sink.pushNotice(raw(Buffer.concat([INVALIDATE_MESSAGE, value])))
  }
}

const keyArray = (key: string): Buffer => {
  const bytes = Buffer.from(key, 'latin1')
  return Buffer.concat([Buffer.from(`*1\r\n$${bytes.length}\r\n`), bytes, Buffer.from('\r\n')])
}

/** trackingBuildBroadcastReply: the keys as a RESP array, without those `except` changed last (NOLOOP). */
function keyList(keys: readonly [string, Client | undefined][], except: Client | undefined): Buffer | undefined {
  const kept = except === undefined ? keys : keys.filter(([, writer]) => writer !== except)
  if (except !== undefined && kept.length === 0) return undefined
  const parts = [Buffer.from(`*${kept.length}\r\n`)]
  for (const [key] of kept) {
    const bytes = Buffer.from(key, 'latin1')
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'))
  }
  return Buffer.concat(parts)
}

function redirBroken(id: number): Reply {
  return raw(Buffer.concat([Buffer.from('>2\r\n'), encodeReply(bulk('tracking-redir-broken'), 3), Buffer.from(`:${id}\r\n`)]))
}
