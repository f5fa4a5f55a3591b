// The narrow views of the server that a command handler reaches through its call context (ctx.clients,
// ctx.persistence, ctx.replication; ctx.server for the rest). server.ts implements them; command groups
// import only these types, never the composition root.

import type {Reply} from '../resp/reply.js'
import type {Client} from './client.js'
import type {FailoverRequest, FailoverState} from './replication/failover.js'

/** The connected clients and the per-client state the server keeps for them (WATCH, MONITOR, blocking). */
export interface ClientsPort {
  /** Live clients in connection order (CLIENT LIST), the master link's client included. */
  all(): IterableIterator<Client>
  byId(id: number): Client | undefined
  /** Ends a blocked client's wait with `reply` (CLIENT UNBLOCK); false when it was not blocked. */
  unblock(client: Client, reply: Reply): boolean
  watch(client: Client, key: string): void
  /** True when a key the client WATCHes changed since it was watched. */
  watchedKeyChanged(client: Client): boolean
  unwatchAll(client: Client): void
  startMonitor(client: Client): void
  stopMonitor(client: Client): void
  /** CLIENT PAUSE: postpone every command ('all') or writes ('write') of clients until `endMs`. */
  pause(endMs: number, type: 'write' | 'all'): void
  /** CLIENT UNPAUSE: ends the pause CLIENT PAUSE set (a FAILOVER's own pause stays). */
  unpause(): void
  /** True while the client waits for a pause to end. */
  isPostponed(client: Client): boolean
}

/** RDB snapshots (SAVE, BGSAVE, LASTSAVE, FLUSHALL's save, DEBUG RELOAD). */
export interface PersistencePort {
  readonly bgsaveInProgress: boolean
  /** BGSAVE SCHEDULE: a background save starts once the running one ends. */
  bgsaveScheduled: boolean
  readonly lastSaveMs: number
  /** Saves synchronously; false on failure (logged). */
  saveNow(): boolean
  /** Starts a background save; false when one is already running. */
  backgroundSave(): boolean
  /** Loads the dataset from the RDB file again, replacing the keyspace (throws on a bad file). */
  loadAtStartup(): void
}

/** The replication role and the replicas attached to this server (REPLICAOF, PSYNC, REPLCONF, WAIT, ROLE). */
export interface ReplicationPort {
  isReplica(): boolean
  readonly masterAddress: {readonly host: string; readonly port: number} | undefined
  becomeMaster(): void
  becomeReplicaOf(host: string, port: number): void
  /** A connection turning into a replica: +FULLRESYNC (then the RDB) or +CONTINUE. */
  psync(client: Client, requestedId: string, requestedOffset: string | undefined, legacySync: boolean): Reply
  /** REPLCONF ACK from an attached replica. */
  acknowledge(client: Client, offset: number): void
  readonly masterReplOffset: number
  replicasAcknowledging(offset: number): number
  /** Asks every replica for an ACK now (WAIT). */
  requestAcks(): void
  /** A master with min-replicas-to-write set and fewer good replicas than that (!checkGoodReplicasStatus). */
  lacksGoodReplicas(): boolean
  /** ROLE's reply. */
  roleReply(): Reply
  /** Replicas attached, whatever their state (FAILOVER requires one). */
  replicaCount(): number
  /** FAILOVER's state machine. */
  readonly failover: {
    readonly state: FailoverState
    findReplica(host: string, port: number): {readonly state: 'wait_bgsave' | 'online'} | undefined
    begin(request: FailoverRequest): void
    abort(reason: string): void
  }
  /** PSYNC … FAILOVER from our master: become a master when it names our replication id, else the error. */
  acceptFailoverRequest(replid: string, requester: string): Reply | undefined
}
