// Replication state of one server (replication.md): its role, replication ids and offset, the backlog, the
// replicas attached to it, and — when it is a replica — the link to its master. Writes reach the stream
// from Server.propagate (on a master) or as the exact bytes applied from the master (on a replica, so a
// chain of replicas shares one offset space). It is also INFO replication's and ROLE's source.

import {randomBytes} from 'node:crypto'
import {encodeCommand} from '../../resp/encoder.js'
import {array, bulk, int, NONE, raw, type Reply} from '../../resp/reply.js'
import type {Client} from '../client.js'
import {NULL_REPLID, replicationTail, type ReplicationInfoSource} from '../info/replication-section.js'
import type {Server} from '../server.js'
import {ReplicationBacklog} from './backlog.js'
import {Failover} from './failover.js'
import {delaysNewSync, fullSyncSettings, payloadParts, readyToStart, socketTarget} from './full-sync.js'
import {MasterLink, type LinkState} from './master-link.js'

/** A replica connection as its master tracks it (INFO slave<N>, ROLE, WAIT). */
interface AttachedReplica {
  readonly client: Client
  readonly ip: string
  listeningPort: number
  state: 'wait_bgsave' | 'online'
  ackOffset: number
  ackTimeMs: number
  psync2: boolean
  /** Came with the old SYNC: no +FULLRESYNC line, no ACKs expected. */
  legacySync: boolean
  /** REPLCONF capa eof: can read the diskless $EOF payload. */
  eof: boolean
  /** After a diskless transfer the stream is held until the replica's first REPLCONF ACK (it has loaded the RDB). */
  streamOnAck: boolean
  pendingStream: Buffer[]
  /** The image is still being made (or stretched by rdb-key-save-delay); the stream waits behind it. */
  payloadPending?: boolean
  /** When that snapshot started, and whether it goes to the socket (no keepalive newlines then). */
  payloadSinceMs?: number
  payloadDiskless?: boolean
  /** A background snapshot has been asked for this replica and has not begun yet. */
  snapshotRequested?: boolean
}

/**
 * The state Redis would report: while the snapshot is made (or stretched by rdb-key-save-delay) the replica is
 * still in wait_bgsave (its child has not finished), though the stream already queues behind the payload here.
 */
const reportedState = (r: AttachedReplica): 'wait_bgsave' | 'online' => (r.payloadPending === true ? 'wait_bgsave' : r.state)

const PING_BYTES = encodeCommand(['ping'])
const UNBLOCKED_BY_ROLE_CHANGE: Reply = {kind: 'error', message: 'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)'}
/** What a master sends replicas waiting for their snapshot, once a second, so they do not time out. */
const KEEPALIVE = raw(Buffer.from('\n'))
const GETACK_BYTES = encodeCommand(['REPLCONF', 'GETACK', '*'])

/** Redis's CONFIG_REPL_BACKLOG_MIN_SIZE; ReplicationBacklog never allocates less. */
const MIN_BACKLOG_SIZE = 16 * 1024

const newReplid = (): string => randomBytes(20).toString('hex')

export class Replication implements ReplicationInfoSource {
  replid = newReplid()
  replid2 = NULL_REPLID
  secondReplOffset = -1
  masterReplOffset = 0
  backlog: ReplicationBacklog | undefined
  readonly replicas: AttachedReplica[] = []
  /** The master we replicate from; undefined on a master. */
  masterAddress: {host: string; port: number} | undefined
  link: MasterLink | undefined
  /**
   * Replication id and offset to ask PSYNC for after a disconnect (Redis's cached master), and the db the
   * master's stream was in: a partial resync continues the stream without a new SELECT.
   */
  cachedMaster: {replid: string; offset: number; dbIndex: number} | undefined
  /** Seconds-resolution time the link went down, -1 when it never was up. */
  linkDownSinceMs = -1
  /** INFO stats sync_full, sync_partial_ok, sync_partial_err. */
  readonly syncStats = {full: 0, partialOk: 0, partialErr: 0}
  private lastStreamDb = -1
  private lastPingMs = 0
  private cron: NodeJS.Timeout | undefined
  /** repl_good_slaves_count, and the min-replicas settings it was last counted for. */
  private goodReplicas = 0
  private goodReplicasSettings = ''
  /** WAIT asked for ACKs while clients were paused: GETACK goes out once the pause is over. */
  private acksWanted = false
  /** Runs of the 10 Hz tick; the cron runs every 10th, or every tick while a failover runs (serverCron). */
  private ticks = 0
  readonly failover: Failover

  constructor(private readonly server: Server) {
    server.onPropagate((dbIndex, commands) => this.feedCommands(dbIndex, commands))
    this.failover = new Failover({
      logger: server.logger,
      pause: server.pause,
      nowMs: () => server.clock.nowMs(),
      replicas: () => this.replicas,
      masterReplOffset: () => this.masterReplOffset,
      followTarget: (host, port) => this.becomeReplicaOf(host, port),
      becomeMaster: () => this.becomeMaster(),
    })
  }

  /** Applies `replicaof` from the config file and starts the once-a-second replication cron. */
  start(): void {
    this.resumeHistory(this.server.persistence.loadedReplication)
    // PINGs follow the period from the start (Redis: every Nth replicationCron run), not from the moment
    // the first replica attaches.
    this.lastPingMs = this.server.clock.nowMs()
    const configured = this.server.config.replicaof()
    // A replica by configuration has no history of its own to offer: PSYNC ? -1 (or the saved one).
    if (configured !== undefined) this.becomeReplicaOf(configured.host, configured.port, false)
    this.cron = setInterval(() => {
      if (this.ticks++ % 10 === 0 || this.failover.active) this.replicationCron()
    }, 100)
    this.cron.unref()
  }

  /**
   * An RDB saved with a replication history (repl-id, repl-offset): a replica PSYNCs from there; a master
   * keeps it as its secondary id so its former replicas can resynchronise partially (replication.md §9).
   */
  private resumeHistory(saved: {replid: string; offset: number; streamDb?: number} | undefined): void {
    if (saved === undefined) return
    this.masterReplOffset = saved.offset
    if (this.server.config.replicaof() !== undefined) {
      this.replid = saved.replid
      this.cachedMaster = {replid: saved.replid, offset: saved.offset, dbIndex: saved.streamDb ?? 0}
      return
    }
    this.replid2 = saved.replid
    this.secondReplOffset = saved.offset + 1
    this.createBacklog(false)
  }

  /** The aux fields an RDB written now carries: our history, when there is one to resume. */
  snapshotAux(): {replId?: string; replOffset?: number; replStreamDb?: number} {
    if (this.backlog === undefined && !this.isReplica()) return {}
    return {replId: this.replid, replOffset: this.masterReplOffset, replStreamDb: this.streamDb()}
  }

  /**
   * The db the stream is in (RDB aux repl-stream-db): on a replica the master link's db, because the
   * relayed stream carries no SELECT of its own; on a master the db of the last SELECT emitted.
   */
  private streamDb(): number {
    if (this.isReplica()) return this.link?.streamDb ?? this.cachedMaster?.dbIndex ?? 0
    return Math.max(0, this.lastStreamDb)
  }

  stop(): void {
    if (this.cron !== undefined) clearInterval(this.cron)
    this.link?.close()
  }

  isReplica(): boolean {
    return this.masterAddress !== undefined
  }

  /** True when the link to the master is up (a master counts as up). */
  linkUp(): boolean {
    return this.link === undefined ? !this.isReplica() : this.link.state === 'connected'
  }

  // ---- the stream -------------------------------------------------------------------------------

  /** A master's own writes: SELECT when the db changes, then the commands. Nothing without a backlog. */
  private feedCommands(dbIndex: number, commands: readonly (readonly Buffer[])[]): void {
    if (this.isReplica() || this.backlog === undefined) return
    const parts: Buffer[] = []
    if (dbIndex !== this.lastStreamDb) {
      parts.push(encodeCommand(['SELECT', String(dbIndex)]))
      this.lastStreamDb = dbIndex
    }
    for (const command of commands) parts.push(encodeCommand(command))
    this.feedBytes(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts))
  }

  /** Appends stream bytes: into the backlog, the offset, and every online replica's connection. */
  feedBytes(bytes: Buffer): void {
    if (this.backlog === undefined || bytes.length === 0) return
    // CONFIG SET repl-backlog-size applies to the live backlog (Redis resizeReplicationBacklog).
    if (this.backlog.size !== this.backlogSize()) this.backlog.resize(this.backlogSize(), this.masterReplOffset + 1)
    this.backlog.append(bytes)
    this.masterReplOffset += bytes.length
    for (const replica of this.replicas) {
      if (replica.state !== 'online') continue
      if (replica.streamOnAck) replica.pendingStream.push(bytes)
      else replica.client.sink.push(raw(bytes))
    }
  }

  // ---- master side: PSYNC, REPLCONF, replicas ----------------------------------------------------

  private replicaName(client: Client, port = client.replicaListeningPort): string {
    const ip = client.remoteAddress.slice(0, client.remoteAddress.lastIndexOf(':'))
    return `${ip}:${port === 0 ? '<unknown-replica-port>' : port}`
  }

  /** PSYNC replid offset / SYNC: a partial resync from the backlog when possible, else a full snapshot. */
  psync(client: Client, requestedId: string, requestedOffset: string | undefined, legacySync: boolean): Reply {
    const logger = this.server.logger
    if (client.kind === 'replica') return NONE
    // Replicas may not sync with a master that is handing its role over.
    if (this.failover.active) return {kind: 'error', message: "NOMASTERLINK Can't SYNC while failing over"}
    if (this.isReplica() && !this.linkUp()) return {kind: 'error', message: "NOMASTERLINK Can't SYNC while not connected with my master"}
    if (client.sink.outputBytes() > 0) return {kind: 'error', message: 'ERR SYNC and PSYNC are invalid with pending output'}
    const name = this.replicaName(client)
    logger.notice(`Replica ${name} asks for synchronization`)
    let offset = Number.NaN
    if (!legacySync) {
      if (!/^-?\d+$/.test(requestedOffset ?? '')) return {kind: 'error', message: 'ERR value is not an integer or out of range'}
      offset = Number(requestedOffset)
      const partial = this.partialResyncAllowed(name, requestedId, offset)
      if (partial) {
        this.syncStats.partialOk++
        return this.continueReplica(client, offset)
      }
      // Asking for a history we cannot continue is a failed partial resync (a `?` is not).
      if (requestedId !== '?') this.syncStats.partialErr++
    }
    this.syncStats.full++
    return this.fullResync(client, legacySync)
  }

  private partialResyncAllowed(name: string, requestedId: string, offset: number): boolean {
    const logger = this.server.logger
    if (requestedId === '?') {
      logger.notice(`Full resync requested by replica ${name}`)
      return false
    }
    if (requestedId !== this.replid && requestedId !== this.replid2) {
      logger.notice(`Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${requestedId}', my replication IDs are '${this.replid}' and '${this.replid2}')`)
      return false
    }
    if (requestedId !== this.replid && offset > this.secondReplOffset) {
      logger.notice(`Partial resynchronization not accepted: Requested offset for second ID was ${offset}, but I can reply up to ${this.secondReplOffset}`)
      return false
    }
    if (this.backlog === undefined || !this.backlog.covers(offset)) {
      logger.notice(`Unable to partial resync with replica ${name} for lack of backlog (Replica request was: ${offset}).`)
      return false
    }
    return true
  }

  private attach(client: Client, state: AttachedReplica['state']): AttachedReplica {
    client.kind = 'replica'
    const replica: AttachedReplica = {
      client,
      ip: client.replicaAnnouncedIp || client.remoteAddress.slice(0, client.remoteAddress.lastIndexOf(':')),
      listeningPort: client.replicaListeningPort,
      state,
      ackOffset: 0,
      ackTimeMs: this.server.clock.nowMs(),
      psync2: client.replicaCapabilities.has('psync2'),
      legacySync: false,
      eof: client.replicaCapabilities.has('eof'),
      streamOnAck: false,
      pendingStream: [],
    }
    this.replicas.push(replica)
    return replica
  }

  private continueReplica(client: Client, offset: number): Reply {
    const replica = this.attach(client, 'online')
    const missing = (this.backlog as ReplicationBacklog).readFrom(offset)
    this.server.logger.notice(`Partial resynchronization request from ${this.replicaName(client)} accepted. Sending ${missing.length} bytes of backlog starting from offset ${offset}.`)
    const line = replica.psync2 ? `+CONTINUE ${this.replid}\r\n` : '+CONTINUE\r\n'
    this.refreshGoodReplicas()
    return raw(Buffer.concat([Buffer.from(line), missing]))
  }

  /**
   * A full resync: the replica waits for the snapshot (wait_bgsave). A diskless sync is delayed for more
   * replicas to join (the cron starts it); otherwise it starts now, as Redis starts a BGSAVE at once.
   */
  private fullResync(client: Client, legacySync: boolean): Reply {
    if (this.backlog === undefined) this.createBacklog(true)
    const replica = this.attach(client, 'wait_bgsave')
    replica.legacySync = legacySync
    const settings = fullSyncSettings(this.server.config)
    if (delaysNewSync(settings, this.waitingView(replica))) this.server.logger.notice('Delay next BGSAVE for diskless SYNC')
    else this.startFullSync()
    return NONE
  }

  private waitingView(replica: AttachedReplica): {lastInteractionMs: number; eof: boolean} {
    return {lastInteractionMs: replica.client.lastCommandAtMs, eof: replica.eof}
  }

  /**
   * Starts the full sync of every waiting replica: a background snapshot (persistence.snapshotInBackground)
   * whose point in time is when it begins. Then each replica gets +FULLRESYNC <replid> <offset> (not a legacy
   * SYNC) and its stream is held behind the payload; the payload follows when the image is complete, diskless
   * when all of them can read it; after a diskless one the stream waits for the replica's ACK.
   */
  private startFullSync(): void {
    const logger = this.server.logger
    const waiting = this.replicas.filter((r) => r.state === 'wait_bgsave' && r.snapshotRequested !== true)
    if (waiting.length === 0) return
    const diskless = socketTarget(fullSyncSettings(this.server.config), waiting.map((r) => this.waitingView(r)))
    logger.notice(`Starting BGSAVE for SYNC with target: ${diskless ? 'replicas sockets' : 'disk'}`)
    for (const replica of waiting) replica.snapshotRequested = true
    // rdb-key-save-delay stretches the transfer as the delay per key stretches Redis's child.
    let delayMs = 0
    const image = this.server.persistence.snapshotInBackground(() => {
      // The stream after the snapshot must open with SELECT, whichever db it was in before.
      this.lastStreamDb = -1
      delayMs = this.server.persistence.saveDelayMs()
      const now = this.server.clock.nowMs()
      for (const replica of waiting) {
        replica.snapshotRequested = false
        if (!this.replicas.includes(replica)) continue
        if (!replica.legacySync) replica.client.sink.push(raw(Buffer.from(`+FULLRESYNC ${this.replid} ${this.masterReplOffset}\r\n`)))
        replica.state = 'online'
        replica.streamOnAck = true
        replica.payloadPending = true
        replica.payloadSinceMs = now
        replica.payloadDiskless = diskless
        replica.ackTimeMs = now
      }
      return {replId: this.replid, replOffset: this.masterReplOffset, replStreamDb: this.streamDb()}
    })
    image.then(
      (rdb) => {
        const payload = payloadParts(rdb, diskless)
        for (const replica of waiting) {
          if (delayMs > 0) setTimeout(() => this.deliverDelayedPayload(replica, payload, diskless), delayMs)
          else this.deliverDelayedPayload(replica, payload, diskless)
        }
      },
      (cause: Error) => {
        logger.warning(`Background transfer error: ${cause.message}`)
        for (const replica of waiting) if (this.replicas.includes(replica)) replica.client.sink.close(true)
      },
    )
  }

  /** The end of a full sync, once its image is complete: the payload, then (on disk syncs) the held stream. */
  private deliverDelayedPayload(replica: AttachedReplica, payload: readonly Buffer[], diskless: boolean): void {
    if (!this.replicas.includes(replica) || replica.payloadPending !== true) return
    const connection = this.server.clients.get(replica.client.id)?.connection
    // Output already queued in the connection (+FULLRESYNC, a keepalive newline) goes out before the payload:
    // its flush is scheduled, so the payload follows on a later turn.
    if (connection !== undefined && !connection.isClosed && connection.pendingOutputBytes > connection.socket.writableLength) {
      setImmediate(() => this.deliverDelayedPayload(replica, payload, diskless))
      return
    }
    replica.payloadPending = false
    if (connection === undefined) {
      for (const part of payload) replica.client.sink.push(raw(part))
    } else if (!connection.isClosed && connection.socket.writable) {
      // Straight to the socket, part by part: the framing, then each chunk of the image as the snapshot wrote
      // it, none copied (through the reply writer they would be, twice). What is pushed later is written
      // after them, in order.
      for (const part of payload) {
        connection.socket.write(part)
        connection.bytesOut += part.length
      }
    }
    replica.ackTimeMs = this.server.clock.nowMs()
    const name = this.replicaName(replica.client, replica.listeningPort)
    if (diskless) {
      this.server.logger.notice(`Streamed RDB transfer with replica ${name} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming`)
    } else {
      replica.streamOnAck = false
      for (const bytes of replica.pendingStream.splice(0)) replica.client.sink.push(raw(bytes))
    }
    this.server.logger.notice(`Synchronization with replica ${name} succeeded`)
    this.refreshGoodReplicas()
  }

  /** The cron's check for replicas waiting on a delayed diskless sync (replicationStartPendingFork). */
  private startPendingFullSync(now: number): void {
    const waiting = this.replicas.filter((r) => r.state === 'wait_bgsave').map((r) => this.waitingView(r))
    if (readyToStart(fullSyncSettings(this.server.config), waiting, now)) this.startFullSync()
  }

  private createBacklog(newHistory: boolean): void {
    if (newHistory) {
      this.replid = newReplid()
      this.replid2 = NULL_REPLID
      this.secondReplOffset = -1
      this.server.logger.notice(`Replication backlog created, my new replication IDs are '${this.replid}' and '${this.replid2}'`)
    }
    this.backlog = new ReplicationBacklog(this.backlogSize(), this.masterReplOffset + 1)
  }

  /** repl-backlog-size, never below 16 KiB (INFO shows the clamped value, as Redis does). */
  backlogSize(): number {
    return Math.max(MIN_BACKLOG_SIZE, Number(this.server.config.get('repl-backlog-size') ?? 1048576))
  }

  /** REPLCONF ACK from an attached replica: its applied offset (kept monotonic) and liveness. */
  acknowledge(client: Client, offset: number): void {
    const replica = this.replicas.find((r) => r.client === client)
    if (replica === undefined) return
    if (offset > replica.ackOffset) replica.ackOffset = offset
    replica.ackTimeMs = this.server.clock.nowMs()
    // The failover checks the offsets after this event, not inside it: it may disconnect this very client.
    if (this.failover.state === 'waiting-for-sync') setImmediate(() => this.failover.update())
    if (replica.streamOnAck && replica.payloadPending !== true) {
      // The replica loaded the diskless snapshot: what accumulated since goes out now (replicaStartCommandStream).
      replica.streamOnAck = false
      for (const bytes of replica.pendingStream.splice(0)) client.sink.push(raw(bytes))
    }
    this.server.blocking.retryAll()
  }

  replicaCount(): number {
    return this.replicas.length
  }

  /**
   * PSYNC <replid> <offset> FAILOVER: our master hands its role over to us. We become a master (a new
   * history whose secondary id is its one), and the PSYNC that follows continues from our backlog.
   */
  acceptFailoverRequest(replid: string, requester: string): Reply | undefined {
    const logger = this.server.logger
    logger.warning(`Failover request received for replid ${replid}.`)
    if (!this.isReplica()) return {kind: 'error', message: "ERR PSYNC FAILOVER can't be sent to a master."}
    if (replid.toLowerCase() !== this.replid.toLowerCase()) return {kind: 'error', message: 'ERR PSYNC FAILOVER replid must match my replid.'}
    this.becomeMaster()
    logger.notice(`MASTER MODE enabled (failover request from '${requester}')`)
    return undefined
  }

  /** The connection of an attached replica closed (or was killed). */
  replicaGone(client: Client): void {
    const at = this.replicas.findIndex((r) => r.client === client)
    if (at < 0) return
    const [replica] = this.replicas.splice(at, 1) as [AttachedReplica]
    this.server.logger.warning(`Connection with replica ${this.replicaName(client, replica.listeningPort)} lost.`)
    if (this.replicas.length === 0) this.lastPingMs = this.server.clock.nowMs()
    this.refreshGoodReplicas()
  }

  // ---- min-replicas-to-write ------------------------------------------------------------------------

  private minReplicasSettings(): {toWrite: number; maxLag: number} {
    const config = this.server.config
    return {toWrite: Number(config.get('min-replicas-to-write') ?? 0), maxLag: Number(config.get('min-replicas-max-lag') ?? 10)}
  }

  /**
   * refreshGoodSlavesCount: online replicas whose last REPLCONF ACK is at most min-replicas-max-lag seconds
   * old (seconds as server.unixtime counts them). Runs in the cron, when a replica comes online or goes, and
   * when the settings change; with either setting 0 the count is left as it was.
   */
  private refreshGoodReplicas(): void {
    const {toWrite, maxLag} = this.minReplicasSettings()
    if (!toWrite || !maxLag) return
    const nowSec = Math.floor(this.server.clock.nowMs() / 1000)
    this.goodReplicas = this.replicas.filter((r) => reportedState(r) === 'online' && nowSec - Math.floor(r.ackTimeMs / 1000) <= maxLag).length
  }

  /** !checkGoodReplicasStatus(): a master with both settings on and fewer good replicas than min-replicas-to-write. */
  lacksGoodReplicas(): boolean {
    if (this.isReplica()) return false
    const {toWrite, maxLag} = this.currentMinReplicas()
    return !!toWrite && !!maxLag && this.goodReplicas < toWrite
  }

  /** The settings, recounting first when CONFIG SET changed either (Redis's updateGoodSlaves apply function). */
  private currentMinReplicas(): {toWrite: number; maxLag: number} {
    const current = this.minReplicasSettings()
    const settings = `${current.toWrite} ${current.maxLag}`
    if (settings !== this.goodReplicasSettings) {
      this.goodReplicasSettings = settings
      this.refreshGoodReplicas()
    }
    return current
  }

  /** Online replicas that acknowledged at least `offset` (WAIT). */
  replicasAcknowledging(offset: number): number {
    return this.replicas.filter((r) => r.state === 'online' && r.ackOffset >= offset).length
  }

  /** WAIT blocks: ask every replica for its offset right away. */
  requestAcks(): void {
    // A GETACK would move the offset a paused master (a failover) waits for its replicas to reach.
    if (this.server.pause.isPaused()) {
      this.acksWanted = true
      return
    }
    this.feedBytes(GETACK_BYTES)
  }

  private disconnectReplicas(): void {
    for (const replica of [...this.replicas]) replica.client.sink.close(true)
  }

  // ---- role changes ------------------------------------------------------------------------------

  /**
   * REPLICAOF host port (or `replicaof` in the config): follow a master. A master turned replica by the
   * command offers its own history to PSYNC with (Redis replicationCacheMasterUsingMyself).
   */
  becomeReplicaOf(host: string, port: number, synthesizeFromOwnHistory = true): void {
    const logger = this.server.logger
    this.disconnectBlockedClients()
    if (!synthesizeFromOwnHistory) {
      this.dropLink()
    } else if (!this.isReplica() && this.cachedMaster === undefined) {
      logger.notice('Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.')
      this.cachedMaster = {replid: this.replid, offset: this.masterReplOffset, dbIndex: 0}
    } else {
      this.dropLink()
    }
    this.masterAddress = {host, port}
    this.server.logger.setRole('S')
    this.server.config.setReplicaOf(`${host} ${port}`)
    this.connect()
  }

  /**
   * Clients blocked in a command (BLPOP, WAIT …) of the master we stop being get an error and are closed
   * (disconnectAllBlockedClients); clients postponed by a pause are processed again later instead.
   */
  private disconnectBlockedClients(): void {
    for (const {client} of [...this.server.clients.values()]) {
      if (client.blocked === undefined || this.server.pause.isPostponed(client)) continue
      this.server.blocking.unblock(client, UNBLOCKED_BY_ROLE_CHANGE)
      client.closing = true
    }
  }

  /** REPLICAOF NO ONE: a master again, with a new history that remembers the old one for PSYNC. */
  becomeMaster(): void {
    if (!this.isReplica()) return
    this.dropLink()
    this.linkDownSinceMs = -1
    this.masterAddress = undefined
    this.server.logger.setRole('M')
    this.cachedMaster = undefined
    this.server.config.setReplicaOf('')
    this.server.logger.notice('Discarding previously cached master state.')
    this.shiftReplicationId()
    this.disconnectReplicas()
    this.lastStreamDb = -1
  }

  private shiftReplicationId(): void {
    this.replid2 = this.replid
    this.secondReplOffset = this.masterReplOffset + 1
    this.replid = newReplid()
    this.server.logger.warning(`Setting secondary replication ID to ${this.replid2}, valid up to offset: ${this.secondReplOffset}. New replication ID is ${this.replid}`)
  }

  private connect(): void {
    const address = this.masterAddress
    if (address === undefined) return
    this.link = new MasterLink(this.server, this, address.host, address.port)
    this.link.start()
  }

  private dropLink(): void {
    this.link?.close()
    this.link = undefined
  }

  // ---- called by the master link -----------------------------------------------------------------

  /** The link is gone: remember where we were, so the next handshake can PSYNC. */
  linkLost(link: MasterLink, wasUp: boolean): void {
    if (this.link !== link) return
    if (wasUp) {
      this.server.logger.warning('Connection with master lost.')
      this.server.logger.notice('Caching the disconnected master state.')
      this.cachedMaster = {replid: this.replid, offset: this.masterReplOffset, dbIndex: link.streamDb ?? 0}
      this.linkDownSinceMs = this.server.clock.nowMs()
    }
    this.link = undefined
  }

  /** A full resync with the master's history: its id and offset are now ours; sub-replicas start over. */
  fullSyncCompleted(replid: string, offset: number): void {
    this.replid = replid
    this.replid2 = NULL_REPLID
    this.secondReplOffset = -1
    this.masterReplOffset = offset
    this.backlog = new ReplicationBacklog(this.backlogSize(), offset + 1)
    this.cachedMaster = undefined
    this.linkDownSinceMs = -1
    this.disconnectReplicas()
  }

  /** +CONTINUE with a new id: the master's history was renamed (failover); keep the old one as id2. */
  partialSyncAccepted(newReplid: string | undefined): void {
    this.cachedMaster = undefined
    if (this.backlog === undefined) this.createBacklog(false)
    if (newReplid !== undefined && newReplid !== this.replid) {
      this.replid2 = this.replid
      this.secondReplOffset = this.masterReplOffset + 1
      this.replid = newReplid
      this.server.logger.warning(`Master replication ID changed to ${newReplid}`)
      this.disconnectReplicas()
    }
  }

  /** The PSYNC arguments: our cached history, or `? -1` for a full sync. */
  psyncRequest(): [string, string] {
    const cached = this.cachedMaster
    return cached === undefined ? ['?', '-1'] : [cached.replid, String(cached.offset + 1)]
  }

  // ---- cron ---------------------------------------------------------------------------------------

  private replicationCron(): void {
    const now = this.server.clock.nowMs()
    this.failover.update()
    if (this.isReplica() && this.link === undefined) this.connect()
    this.link?.cron(now)
    this.refreshGoodReplicas()
    // A replica relays its master's stream instead of PINGing, and never times its replicas out here.
    if (!this.isReplica()) {
      const periodMs = Number(this.server.config.get('repl-ping-replica-period') ?? 10) * 1000
      // A failover with a timeout keeps the offset still while it waits: no PING then.
      const failoverWaiting = this.failover.endMs !== 0 && this.server.pause.isPaused()
      if (this.replicas.length > 0 && now - this.lastPingMs >= periodMs) {
        this.lastPingMs = now
        if (!failoverWaiting) this.feedBytes(PING_BYTES)
      }
      if (this.acksWanted && !this.server.pause.isPaused()) {
        this.acksWanted = false
        this.feedBytes(GETACK_BYTES)
      }
    }
    // Keepalives and the delayed start of a full sync run on both roles: a replica serves its own replicas.
    // Redis sends them before the fork and, on disk syncs, while the child writes the file.
    for (const replica of this.replicas) {
      if (replica.state === 'wait_bgsave' || (replica.payloadPending === true && replica.payloadDiskless !== true)) replica.client.sink.push(KEEPALIVE)
    }
    if (!this.isReplica()) this.disconnectTimedOutReplicas(now)
    this.startPendingFullSync(now)
  }

  /** Online replicas silent past repl-timeout (legacy SYNC replicas send no ACKs and are left alone). */
  private disconnectTimedOutReplicas(now: number): void {
    const timeoutMs = Number(this.server.config.get('repl-timeout') ?? 60) * 1000
    for (const replica of [...this.replicas]) {
      if (replica.state === 'online' && !replica.legacySync && now - replica.ackTimeMs > timeoutMs) {
        this.server.logger.warning(`Disconnecting timedout replica (streaming sync): ${this.replicaName(replica.client, replica.listeningPort)}`)
        replica.client.sink.close(true)
      }
    }
  }

  // ---- INFO replication and ROLE ------------------------------------------------------------------

  role(): 'master' | 'slave' {
    return this.isReplica() ? 'slave' : 'master'
  }

  /** Start of the oldest full-sync snapshot still being produced (Redis's RDB child for replicas), if any. */
  syncSnapshotSinceMs(): number | undefined {
    const since = this.replicas.filter((r) => r.payloadPending === true).map((r) => r.payloadSinceMs ?? 0)
    return since.length === 0 ? undefined : Math.min(...since)
  }

  private replicaLines(): string[] {
    const now = this.server.clock.nowMs()
    const {toWrite, maxLag} = this.currentMinReplicas()
    return [
      `connected_slaves:${this.replicas.length}`,
      ...(toWrite && maxLag ? [`min_slaves_good_slaves:${this.goodReplicas}`] : []),
      ...this.replicas.map((r, i) => {
        const state = reportedState(r)
        const lag = state === 'online' ? Math.floor((now - r.ackTimeMs) / 1000) : 0
        return `slave${i}:ip=${r.ip},port=${r.listeningPort},state=${state},offset=${r.ackOffset},lag=${lag}`
      }),
    ]
  }

  infoLines(): string[] {
    const tail = replicationTail({
      failoverState: this.failover.state,
      replid: this.replid,
      replid2: this.replid2,
      masterReplOffset: this.masterReplOffset,
      secondReplOffset: this.secondReplOffset,
      backlogActive: this.backlog !== undefined,
      backlogSizeBytes: this.backlogSize(),
      backlogFirstByteOffset: this.backlog?.firstByteOffset ?? 0,
      backlogHistlen: this.backlog?.histlen ?? 0,
    })
    const master = this.masterAddress
    if (master === undefined) return ['role:master', ...this.replicaLines(), ...tail]
    const config = this.server.config
    const now = this.server.clock.nowMs()
    const link = this.link
    const up = link?.state === 'connected'
    const reploff = up || this.cachedMaster !== undefined ? this.masterReplOffset : 1
    const lines = [
      'role:slave',
      `master_host:${master.host}`,
      `master_port:${master.port}`,
      `master_link_status:${up ? 'up' : 'down'}`,
      `master_last_io_seconds_ago:${up && link !== undefined ? Math.floor((now - link.lastIoMs) / 1000) : -1}`,
      `master_sync_in_progress:${link?.state === 'sync' ? 1 : 0}`,
      `slave_read_repl_offset:${link?.readOffset ?? reploff}`,
      `slave_repl_offset:${reploff}`,
    ]
    if (link?.state === 'sync') lines.push(...link.syncProgressLines(now))
    if (!up) lines.push(`master_link_down_since_seconds:${this.linkDownSinceMs < 0 ? -1 : Math.floor((now - this.linkDownSinceMs) / 1000)}`)
    lines.push(
      `slave_priority:${config.get('replica-priority') ?? 100}`,
      `slave_read_only:${config.get('replica-read-only') === 'no' ? 0 : 1}`,
      `replica_announced:${config.get('replica-announced') === 'no' ? 0 : 1}`,
    )
    return [...lines, ...this.replicaLines(), ...tail]
  }

  roleReply(): Reply {
    const master = this.masterAddress
    if (master === undefined) {
      const online = this.replicas.filter((r) => reportedState(r) === 'online')
      return array([
        bulk('master'),
        int(this.masterReplOffset),
        array(online.map((r) => array([bulk(r.ip), bulk(String(r.listeningPort)), bulk(String(r.ackOffset))]))),
      ])
    }
    const state: LinkState | 'connect' = this.link?.state ?? 'connect'
    const offset = state === 'connected' ? this.masterReplOffset : -1
    return array([bulk('slave'), bulk(master.host), int(master.port), bulk(state), int(offset)])
  }

  /** `+OK Already connected to specified master` or +OK, as REPLICAOF answers. */
}
