// A replica's link to its master (replication.md §2, §5): the handshake (PING, AUTH, REPLCONF, PSYNC), the
// snapshot in either payload form ($<len> or the diskless $EOF:<mark>), then the command stream, applied
// through the dispatcher as the privileged master client, counted byte for byte and relayed to our own
// replicas. Acknowledges its offset every second and on REPLCONF GETACK.

import {lookup} from 'node:dns'
import {connect, isIP, type Socket} from 'node:net'
import {encodeCommand} from '../../resp/encoder.js'
import {RequestParser} from '../../resp/parser.js'
import {Client} from '../client.js'
import {keyDelayMs, sleepSync} from '../persistence/key-delay.js'
import {readRdb, RdbError} from '../persistence/rdb-reader.js'
import {writeFileAtomic} from '../../common/atomic-write.js'
import type {Server} from '../server.js'
import type {Replication} from './replication.js'

export type LinkState = 'connecting' | 'handshake' | 'sync' | 'connected'

type HandshakeStep = 'ping' | 'auth' | 'listening-port' | 'ip-address' | 'capa' | 'psync'

/** The snapshot being received: a known length, or an end mark (diskless). */
interface Payload {
  readonly total: number
  readonly eofMark: Buffer | undefined
  /** `$<len>` payloads: the image, filled in as the bytes arrive (no join of the chunks at the end). */
  readonly image: Buffer | undefined
  /** `$EOF:` payloads: the chunks as they arrived (the length is known only at the mark). */
  readonly chunks: Buffer[]
  received: number
}

/** Replies a replica accepts to its PING besides +PONG: the master wants AUTH first, which follows anyway. */
const ACCEPTABLE_PING_ERRORS = ['-NOAUTH', '-NOPERM', '-ERR operation not permitted']

export class MasterLink {
  state: LinkState = 'connecting'
  lastIoMs: number
  /** Offset of the last byte read from the master (slave_read_repl_offset) once the stream runs. */
  readOffset: number | undefined
  private socket: Socket | undefined
  private input: Buffer[] = []
  private inputBytes = 0
  private expected: HandshakeStep[] = []
  private payload: Payload | undefined
  private fullSync: {replid: string; offset: number} | undefined
  private readonly parser = new RequestParser()
  private consumed = 0
  private masterClient: Client | undefined
  private closed = false
  private wasUp = false
  private readonly startedMs: number
  private lastAckMs = 0
  /** Stream bytes of a transaction being received: counted and relayed only once EXEC (or DISCARD) ran. */
  private transaction: Buffer[] = []
  /** A command of the stream waits for a client pause to end; nothing after it is applied meanwhile. */
  private postponed = false

  constructor(
    private readonly server: Server,
    private readonly replication: Replication,
    readonly host: string,
    readonly port: number,
  ) {
    this.startedMs = server.clock.nowMs()
    this.lastIoMs = this.startedMs
  }

  start(): void {
    const logger = this.server.logger
    logger.notice(`Connecting to MASTER ${this.host}:${this.port}`)
    logger.notice('MASTER <-> REPLICA sync started')
    const source = this.server.config.get('bind-source-addr') ?? ''
    if (source === '' || isIP(source) !== 0) {
      this.open(source === '' ? undefined : source)
      return
    }
    // A host name is resolved first, as getaddrinfo does for the bind; failing that, no bind.
    lookup(source, (cause, address) => {
      if (!this.closed) this.open(cause === null ? address : undefined)
    })
  }

  /**
   * Connects, from `source` when given (bind-source-addr). The bind is best effort, as the master link's
   * in Redis (anetTcpNonBlockBestEffortBindConnect): when it fails the link connects without it.
   */
  private open(source: string | undefined): void {
    const logger = this.server.logger
    const socket = connect({host: this.host, port: this.port, ...(source === undefined ? {} : {localAddress: source})})
    this.socket = socket
    socket.setNoDelay(true)
    socket.on('connect', () => {
      logger.notice('Non blocking connect for SYNC fired the event.')
      this.state = 'handshake'
      this.send(['PING'])
      this.expected = ['ping']
    })
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (cause: NodeJS.ErrnoException) => {
      if (source !== undefined && cause.syscall === 'bind' && this.state === 'connecting' && !this.closed) {
        socket.removeAllListeners()
        socket.on('error', () => {})
        socket.destroy()
        this.open(undefined)
        return
      }
      if (this.state === 'connecting') logger.warning(`Error condition on socket for SYNC: ${describe(cause)}`)
      this.teardown()
    })
    socket.on('close', () => {
      if (this.socket === socket) this.teardown()
    })
  }

  /** Drops the link (REPLICAOF elsewhere, NO ONE, shutdown). */
  close(): void {
    this.teardown()
  }

  /** Once a second: ACK the offset, and give up on a master that went silent. */
  cron(now: number): void {
    const timeoutMs = Number(this.server.config.get('repl-timeout') ?? 60) * 1000
    if (this.state === 'connected') {
      if (now - this.lastIoMs > timeoutMs) {
        this.server.logger.warning('MASTER timeout: no data nor PING received...')
        this.teardown()
        return
      }
      if (now - this.lastAckMs >= 1000) this.sendAck()
      return
    }
    if (now - this.lastIoMs > timeoutMs) {
      this.server.logger.warning(this.state === 'sync'
        ? "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value."
        : 'Timeout connecting to the MASTER...')
      this.teardown()
    }
  }

  /** The db the master's stream is applied to, once it runs. */
  get streamDb(): number | undefined {
    return this.masterClient?.dbIndex
  }

  /** INFO's master_sync_* fields while the snapshot arrives. */
  syncProgressLines(now: number): string[] {
    const payload = this.payload
    const total = payload === undefined ? -1 : payload.eofMark === undefined ? payload.total : 0
    const read = payload?.received ?? 0
    const left = total > 0 ? total - read : 0
    const perc = total > 0 ? (read * 100) / total : 0
    return [
      `master_sync_total_bytes:${total}`,
      `master_sync_read_bytes:${read}`,
      `master_sync_left_bytes:${left}`,
      `master_sync_perc:${perc.toFixed(2)}`,
      `master_sync_last_io_seconds_ago:${Math.floor((now - this.lastIoMs) / 1000)}`,
    ]
  }

  private send(args: readonly (string | Buffer)[]): void {
    this.socket?.write(encodeCommand(args))
  }

  private sendAck(): void {
    this.lastAckMs = this.server.clock.nowMs()
    this.send(['REPLCONF', 'ACK', String(this.replication.masterReplOffset)])
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return
    this.lastIoMs = this.server.clock.nowMs()
    if (this.state === 'connected') {
      this.applyStream(chunk)
      return
    }
    this.input.push(chunk)
    this.inputBytes += chunk.length
    try {
      this.advance()
    } catch (cause) {
      this.server.logger.warning(`Replication with MASTER failed: ${describe(cause)}`)
      this.teardown()
    }
  }

  /** Takes one line (without CR LF) from the buffered input, or undefined when none is complete. */
  private takeLine(): string | undefined {
    const all = this.input.length === 1 ? (this.input[0] as Buffer) : Buffer.concat(this.input)
    const end = all.indexOf(0x0a)
    if (end < 0) {
      this.input = [all]
      return undefined
    }
    const line = all.subarray(0, end).toString('latin1').replace(/\r$/, '')
    const rest = all.subarray(end + 1)
    this.input = rest.length > 0 ? [rest] : []
    this.inputBytes = rest.length
    return line
  }

  private takeAll(): Buffer {
    const all = Buffer.concat(this.input)
    this.input = []
    this.inputBytes = 0
    return all
  }

  private advance(): void {
    while (!this.closed && (this.state === 'handshake' || this.state === 'sync')) {
      if (this.state === 'sync' && this.payload !== undefined) {
        this.receivePayload()
        return
      }
      const line = this.takeLine()
      if (line === undefined) return
      if (line === '') continue // a keepalive newline while the master prepares the snapshot
      if (this.state === 'handshake') this.handshakeReply(line)
      else this.payloadHeader(line)
    }
  }

  private handshakeReply(line: string): void {
    const logger = this.server.logger
    const config = this.server.config
    const step = this.expected.shift()
    const failed = line.startsWith('-')
    switch (step) {
      case 'ping': {
        if (failed && !ACCEPTABLE_PING_ERRORS.some((prefix) => line.startsWith(prefix))) {
          logger.warning(`Error reply to PING from master: '${line}'`)
          this.teardown()
          return
        }
        logger.notice('Master replied to PING, replication can continue...')
        const masterauth = config.get('masterauth') ?? ''
        const masteruser = config.get('masteruser') ?? ''
        if (masterauth !== '') {
          this.send(masteruser !== '' ? ['AUTH', masteruser, masterauth] : ['AUTH', masterauth])
          this.expected.push('auth')
        }
        const announcedPort = Number(config.get('replica-announce-port') ?? 0)
        this.send(['REPLCONF', 'listening-port', String(announcedPort > 0 ? announcedPort : config.port())])
        this.expected.push('listening-port')
        const announcedIp = config.get('replica-announce-ip') ?? ''
        if (announcedIp !== '') {
          this.send(['REPLCONF', 'ip-address', announcedIp])
          this.expected.push('ip-address')
        }
        this.send(['REPLCONF', 'capa', 'eof', 'capa', 'psync2'])
        this.expected.push('capa')
        return
      }
      case 'auth':
        if (failed) {
          logger.warning(`Unable to AUTH to MASTER: ${line}`)
          this.teardown()
        }
        return
      case 'listening-port':
      case 'ip-address':
      case 'capa':
        if (failed) logger.notice(`(Non critical) Master does not understand REPLCONF ${step}: ${line}`)
        if (step === 'capa') this.sendPsync()
        return
      case 'psync':
        this.psyncReply(line)
        return
      default:
        logger.warning(`Unexpected reply from master during the handshake: '${line}'`)
        this.teardown()
    }
  }

  private sendPsync(): void {
    const [replid, offset] = this.replication.psyncRequest()
    if (replid === '?') this.server.logger.notice('Partial resynchronization not possible (no cached master)')
    else this.server.logger.notice(`Trying a partial resynchronization (request ${replid}:${offset}).`)
    // A master handing its role to this one over FAILOVER asks it to become the master with this PSYNC.
    const failover = this.replication.failover.state === 'failover-in-progress'
    this.send(failover ? ['PSYNC', replid, offset, 'FAILOVER'] : ['PSYNC', replid, offset])
    this.expected.push('psync')
  }

  private psyncReply(line: string): void {
    const logger = this.server.logger
    const full = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)$/.exec(line)
    if (full !== null) {
      this.fullSync = {replid: full[1] as string, offset: Number(full[2])}
      logger.notice(`Full resync from master: ${full[1]}:${full[2]}`)
      if (this.replication.cachedMaster !== undefined) logger.notice('Discarding previously cached master state.')
      this.state = 'sync'
      this.replication.failover.psyncAnswered(true)
      return
    }
    const partial = /^\+CONTINUE(?: ([0-9a-f]{40}))?$/.exec(line)
    if (partial !== null) {
      logger.notice('Successful partial resynchronization with master.')
      // The stream goes on in the db it was in when the link was lost (no SELECT is resent).
      const streamDb = this.replication.cachedMaster?.dbIndex ?? 0
      this.replication.partialSyncAccepted(partial[1])
      logger.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.')
      this.becomeConnected(streamDb)
      this.replication.failover.psyncAnswered(true)
      const rest = this.takeAll()
      if (rest.length > 0) this.applyStream(rest)
      return
    }
    if (line.startsWith('-NOMASTERLINK') || line.startsWith('-LOADING')) {
      logger.notice(`Master is currently unable to PSYNC but should be in the future: ${line}`)
    } else {
      logger.warning(`Unexpected reply to PSYNC from master: ${line}`)
    }
    // A failover target that refuses the PSYNC undoes the failover: we are its master again.
    this.replication.failover.psyncAnswered(false)
    this.teardown()
  }

  private payloadHeader(line: string): void {
    const logger = this.server.logger
    if (line.startsWith('-')) {
      logger.warning(`MASTER aborted replication with an error: ${line.slice(1)}`)
      this.teardown()
      return
    }
    const eof = /^\$EOF:(.{40})$/.exec(line)
    const sized = /^\$(\d+)$/.exec(line)
    if (eof === null && sized === null) {
      logger.warning(`Bad protocol from MASTER, the first byte is not '$' (we received '${line.slice(0, 64)}'), are you sure the host and port are right?`)
      this.teardown()
      return
    }
    if (eof !== null) {
      this.payload = {total: -1, eofMark: Buffer.from(eof[1] as string, 'latin1'), image: undefined, chunks: [], received: 0}
      logger.notice('MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk')
    } else {
      const total = Number(sized?.[1])
      this.payload = {total, eofMark: undefined, image: Buffer.allocUnsafe(total), chunks: [], received: 0}
      logger.notice(`MASTER <-> REPLICA sync: receiving ${sized?.[1]} bytes from master to disk`)
    }
  }

  private receivePayload(): void {
    const payload = this.payload as Payload
    const input = this.input
    this.input = []
    this.inputBytes = 0
    const image = payload.image
    if (image !== undefined) {
      // Each chunk is copied into place as it arrives; what follows the image is the start of the stream.
      const rest: Buffer[] = []
      for (const chunk of input) {
        const room = payload.total - payload.received
        if (room >= chunk.length) {
          chunk.copy(image, payload.received)
          payload.received += chunk.length
        } else {
          if (room > 0) chunk.copy(image, payload.received, 0, room)
          payload.received += room
          rest.push(room > 0 ? chunk.subarray(room) : chunk)
        }
      }
      if (payload.received < payload.total) return
      this.finishFullSync(image, rest.length === 1 ? (rest[0] as Buffer) : Buffer.concat(rest), false)
      return
    }
    for (const chunk of input) {
      payload.chunks.push(chunk)
      payload.received += chunk.length
    }
    const mark = payload.eofMark as Buffer
    if (payload.received < mark.length) return
    // After the end mark the master sends nothing until our first ACK, so the mark ends the input. Only
    // the last bytes are looked at: joining every chunk on each arrival would be quadratic in the size.
    if (!lastBytes(payload.chunks, mark.length).equals(mark)) return
    // The one join of the image, without the mark (the reader wants it contiguous).
    const all = Buffer.concat(payload.chunks, payload.received)
    payload.chunks.length = 0
    this.finishFullSync(all.subarray(0, all.length - mark.length), Buffer.alloc(0), true)
  }

  private finishFullSync(rdb: Buffer, rest: Buffer, ackNow: boolean): void {
    const {logger, keyspace, clock} = this.server
    const sync = this.fullSync as {replid: string; offset: number}
    logger.notice('MASTER <-> REPLICA sync: Flushing old data')
    logger.notice('MASTER <-> REPLICA sync: Loading DB in memory')
    let loaded
    // The master's libraries replace ours, as its keys replace our keys.
    const functions = this.server.scripting.functions.stageForRdb()
    try {
      // Keys already expired stay: a replica waits for its master's DEL, as Redis does.
      loaded = readRdb(rdb, clock.nowMs(), {keepExpired: true, loadFunction: functions.loadFunction})
    } catch (cause) {
      functions.discard()
      logger.warning(`Failed trying to load the MASTER synchronization DB from socket: ${cause instanceof RdbError ? cause.message : describe(cause)}`)
      this.teardown()
      return
    }
    if (this.server.config.get('repl-diskless-load') === 'disabled') this.storeSyncedRdb(rdb)
    // key-load-delay: the per-key sleep of rdbLoad, for the whole image (the replica blocks while it loads).
    // Counted before replaceAll, which moves the keys out of the loaded databases.
    const keysLoaded = loaded.databases.reduce((n, db) => n + db.size, 0)
    sleepSync(keyDelayMs(Number(this.server.config.get('key-load-delay') ?? 0), keysLoaded))
    functions.commit()
    keyspace.replaceAll(loaded.databases)
    const version = loaded.aux.get('redis-ver')
    if (version !== undefined) logger.notice(`Loading RDB produced by version ${version.toString('latin1')}`)
    logger.notice(`Done loading RDB, keys loaded: ${keysLoaded}, keys expired: 0.`)
    this.replication.fullSyncCompleted(sync.replid, sync.offset)
    const streamDb = Number(loaded.aux.get('repl-stream-db')?.toString('latin1') ?? 0)
    this.payload = undefined
    logger.notice('MASTER <-> REPLICA sync: Finished with success')
    this.becomeConnected(Number.isInteger(streamDb) && streamDb >= 0 ? streamDb : 0)
    if (ackNow) this.sendAck()
    if (rest.length > 0) this.applyStream(rest)
  }

  /**
   * repl-diskless-load disabled (the default): Redis keeps the master's RDB as its own dump file, so a replica
   * restarted after a crash loads it and resumes with a partial resync from the history in its aux fields
   * instead of a new full sync. Written whole to a temp file and renamed, and only once it parsed.
   */
  private storeSyncedRdb(rdb: Buffer): void {
    const path = this.server.persistence.path
    try {
      writeFileAtomic(path, rdb)
    } catch (cause) {
      this.server.logger.warning(`Failed trying to rename the temp DB into ${path} in MASTER <-> REPLICA synchronization: ${describe(cause)}`)
    }
  }

  /** The stream runs: the master connection becomes a client whose commands we execute. */
  private becomeConnected(streamDb: number): void {
    const server = this.server
    this.state = 'connected'
    this.wasUp = true
    this.readOffset = this.replication.masterReplOffset
    const socket = this.socket
    const client = new Client(server.newClientId(), `${this.host}:${this.port}`, `${socket?.localAddress ?? '?'}:${socket?.localPort ?? 0}`, server.clock.nowMs())
    client.kind = 'master'
    client.authenticated = true
    client.dbIndex = streamDb
    this.masterClient = client
    server.clients.set(client.id, {client, connection: undefined})
  }

  /** Applies complete commands from the stream; each one's bytes advance our offset and go to our replicas. */
  private applyStream(chunk: Buffer): void {
    const client = this.masterClient
    if (client === undefined) return
    this.readOffset = (this.readOffset ?? 0) + chunk.length
    this.parser.feed(chunk)
    for (;;) {
      // While a timed-out script runs, the master's commands wait in the parser (Redis stops reading the
      // master client then): they would be refused with BUSY and the replica would diverge. A command
      // postponed by a client pause holds the rest of the stream behind it the same way.
      if (this.server.scripting.running?.timedOut === true || this.postponed) return
      const before = this.parser.bufferedBytes
      let request
      try {
        request = this.parser.next()
      } catch (cause) {
        this.server.logger.warning(`Protocol error from MASTER: ${describe(cause)}`)
        this.teardown()
        return
      }
      this.consumed += before - this.parser.bufferedBytes
      if (request === undefined) return
      this.consumed = 0
      if (request.args.length === 0) continue
      this.applyCommand(client, request.args)
      if (this.closed) return
    }
  }

  /** One command of the stream: run (or answered, for GETACK), then counted and relayed unless it was postponed. */
  private applyCommand(client: Client, args: readonly Buffer[]): void {
    const isGetack = args.length >= 2 && (args[0] as Buffer).toString('latin1').toLowerCase() === 'replconf' &&
      (args[1] as Buffer).toString('latin1').toLowerCase() === 'getack'
    if (isGetack) {
      // The ACK reports the offset before the GETACK itself, as Redis does.
      this.sendAck()
    } else {
      client.lastCommandAtMs = this.server.clock.nowMs()
      const reply = this.server.dispatcher.execute(client, args, 'master')
      if (this.server.pause.isPostponed(client)) {
        this.postponed = true
        return
      }
      if (reply.kind === 'error') {
        this.server.logger.warning(`== CRITICAL == This replica is sending an error to its master: '${reply.message}' after processing the command '${(args[0] as Buffer).toString('latin1')}'`)
      }
    }
    // Like Redis, the offset moves past a transaction only when it completes: if the link drops inside
    // MULTI, the queued commands are discarded and the PSYNC asks for the stream again from MULTI on.
    const bytes = encodeCommand(args)
    if (client.multi !== undefined) {
      this.transaction.push(bytes)
    } else if (this.transaction.length > 0) {
      this.transaction.push(bytes)
      this.replication.feedBytes(Buffer.concat(this.transaction))
      this.transaction = []
    } else {
      this.replication.feedBytes(bytes)
    }
  }

  /** The end of a client pause released the master's postponed command: run it, then the rest of the stream. */
  reprocessPostponed(client: Client, args: readonly Buffer[]): void {
    if (this.closed || client !== this.masterClient) return
    this.postponed = false
    this.applyCommand(client, args)
    if (!this.closed && !this.postponed) this.applyStream(Buffer.alloc(0))
  }

  /** Applies what the stream delivered while a script held the server (see applyStream). */
  resumeStream(): void {
    if (!this.closed && this.state === 'connected') this.applyStream(Buffer.alloc(0))
  }

  private teardown(): void {
    if (this.closed) return
    this.closed = true
    this.socket?.destroy()
    if (this.masterClient !== undefined) {
      this.server.clients.delete(this.masterClient.id)
      this.server.pause.forget(this.masterClient)
      this.server.blocking.forget(this.masterClient)
    }
    if (!this.wasUp && this.state !== 'connecting') this.server.logger.notice(`Reconnecting to MASTER ${this.host}:${this.port} after failure`)
    this.replication.linkLost(this, this.wasUp)
  }
}

/** The last `count` bytes of a list of chunks (fewer if they hold fewer). */
const lastBytes = (chunks: readonly Buffer[], count: number): Buffer => {
  const tail: Buffer[] = []
  let held = 0
  for (let i = chunks.length - 1; i >= 0 && held < count; i--) {
    const chunk = chunks[i] as Buffer
    tail.unshift(chunk)
    held += chunk.length
  }
  const joined = Buffer.concat(tail)
  return joined.subarray(Math.max(0, joined.length - count))
}

const describe = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))
