// Per-client state: selected db, protocol version, auth, name, MULTI queue, WATCHed keys, pub/sub
// subscriptions and flags. The connection owns the socket and gives the client a ClientSink to reach it.

import type {Reply} from '../resp/reply.js'
import type {BlockedState} from './blocking.js'
import type {CommandFlag} from './command-spec.js'
import type {ClientTracking} from './tracking.js'

export type ClientKind = 'normal' | 'pubsub' | 'replica' | 'master'

/** How the server reaches a client's connection outside of a reply: pub/sub pushes, MONITOR, kills. */
export interface ClientSink {
  /** Sends a reply out of band (pub/sub message, MONITOR line, the late reply of a blocking command). */
  push(reply: Reply): void
  /** A push Redis sends with CLIENT_PUSHING (pub/sub frames, tracking invalidations): CLIENT REPLY OFF/SKIP do not silence it. */
  pushNotice(reply: Reply): void
  /** Reads the requests that arrived while the client was blocked. */
  resume(): void
  /** Closes the connection after pending output is written (or at once when `now`). */
  close(now?: boolean): void
  /** Bytes waiting in the output buffer (CLIENT LIST omem). */
  outputBytes(): number
  /** Bytes read and not yet parsed (CLIENT LIST qbuf). */
  queryBufferBytes(): number
}

export interface QueuedCommand {
  readonly name: string
  readonly args: readonly Buffer[]
  /** The command's flags: EXEC is gated on what its queue holds (a write, a command not allowed while stale …). */
  readonly flags: readonly CommandFlag[]
}

export interface WatchedKey {
  readonly dbIndex: number
  readonly key: string
  readonly version: number
}

const detachedSink: ClientSink = {push: () => {}, pushNotice: () => {}, resume: () => {}, close: () => {}, outputBytes: () => 0, queryBufferBytes: () => 0}

export class Client {
  dbIndex = 0
  /** 2 or 3, set by HELLO. */
  resp: 2 | 3 = 2
  authenticated = false
  name = ''
  libName = ''
  libVersion = ''
  kind: ClientKind = 'normal'
  readonly createdAtMs: number
  lastCommandAtMs: number
  lastCommandName = 'NULL'
  /** The MULTI queue while a transaction is open; `aborted` once a queued command was rejected (EXECABORT). */
  multi: {queue: QueuedCommand[]; aborted: boolean} | undefined
  readonly watched: WatchedKey[] = []
  readonly channels = new Set<string>()
  readonly patterns = new Set<string>()
  /** SSUBSCRIBE channels: counted apart from the others in confirmations, but they put a client in pub/sub mode too. */
  readonly shardChannels = new Set<string>()
  isMonitor = false
  /** CLIENT TRACKING on: the mode and state of client-side caching; undefined when off. */
  tracking: ClientTracking | undefined
  /** CLIENT REPLY OFF: every reply is dropped until CLIENT REPLY ON. */
  repliesOff = false
  /** CLIENT REPLY SKIP: the reply of the command being run is dropped … */
  skipThisReply = false
  /** … and this one moves to skipThisReply once the SKIP command itself is done. */
  skipNextReply = false
  /** Set while a blocking command (BLPOP …) waits; the connection reads no further requests meanwhile. */
  blocked: BlockedState | undefined
  /** Set while this client's script is suspended past busy-reply-threshold; its pipeline waits meanwhile. */
  runningScript = false
  noEvict = false
  noTouch = false
  /** Connected through the unix socket (CLIENT_UNIX_SOCKET, flag U). */
  unixSocket = false
  /** Replica clients: the listening port announced with REPLCONF listening-port, and similar. */
  replicaListeningPort = 0
  /** REPLCONF ip-address: the address a replica wants to be listed with. */
  replicaAnnouncedIp = ''
  /** REPLCONF capa: eof, psync2. */
  readonly replicaCapabilities = new Set<string>()
  closing = false
  /** client-output-buffer-limit: when pending output first reached the soft limit, in unix seconds (0: below it). */
  obufSoftLimitReachedAt = 0
  sink: ClientSink = detachedSink

  constructor(
    readonly id: number,
    readonly remoteAddress: string,
    readonly localAddress: string,
    nowMs: number,
  ) {
    this.createdAtMs = nowMs
    this.lastCommandAtMs = nowMs
  }

  /** Channels and patterns: the count SUBSCRIBE and PSUBSCRIBE confirmations carry (clientSubscriptionsCount). */
  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size
  }

  /** Any subscription, shard channels included (Redis's CLIENT_PUBSUB flag). */
  get inPubSub(): boolean {
    return this.channels.size + this.patterns.size + this.shardChannels.size > 0
  }

  /** RESP2 clients with subscriptions are restricted to the pub/sub commands. */
  get inPubSubContext(): boolean {
    return this.resp === 2 && this.inPubSub
  }
}
