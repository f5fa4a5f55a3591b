// Composition root of the bundled server: keyspace, command table, dispatcher, client sessions,
// pub/sub, persistence and the cron (server.c serverCron). Handlers reach it through ServerContext.

import type {Server as NetServer} from 'node:net'
import {join} from 'node:path'
import type {Clock} from '../common/clock.js'
import type {Logger} from '../common/logger.js'
import {randomRunId} from '../common/run-id.js'
import type {ServerConfig} from '../config/directives.js'
import {Connection} from '../net/connection.js'
import {unixSocketPathOf} from '../net/listener.js'
import {closeUnixSocket, connectionAddresses, listenConfigured} from './startup.js'
import {NONE, type Reply} from '../resp/reply.js'
import {BlockedClients, type BlockedOperation, type BlockingHost} from './blocking.js'
import {Client} from './client.js'
import {ClientPause, type PostponedRequest} from './client-pause.js'
import type {Caller, CommandSpec} from './command-spec.js'
import {CommandTable} from './command-table.js'
import {commandGroups} from './commands/index.js'
import {clientInfoLine, clientTotalMemory, clientType} from './commands/client-list.js'
import {clientEvictionLimit, clientsToEvict} from './client-eviction.js'
import {Dispatcher, type DispatcherHost} from './dispatcher.js'
import {Evictor, isLfuPolicy, MAXMEMORY_POLICIES, type MaxmemoryPolicy} from './evict.js'
import type {Database} from './keyspace/database.js'
import {clientMemory, usedMemory, type ClientMemory, type UsedMemory} from './used-memory.js'
import {createScriptingEngine} from './scripting-setup.js'
import type {ScriptingEngine} from './scripting/scripting-engine.js'
import {InfoBuilder} from './info/info.js'
import {Keyspace} from './keyspace/keyspace.js'
import {KeyspaceNotifier} from './keyspace-events.js'
import {Persistence} from './persistence/persistence.js'
import {PubSub} from './pubsub.js'
import type {ClientsPort} from './ports.js'
import type {ServerContext} from './server-context.js'
import {SlowLog} from './slowlog.js'
import {Stats} from './stats.js'
import {Monitors} from './monitors.js'
import {overOutputLimit, parseOutputLimits, type OutputLimit} from './output-limits.js'
import {useReplicationInfo} from './info/replication-section.js'
import {Replication} from './replication/replication.js'
import {REDIS_VERSION} from './version.js'
import type {Tracking} from './tracking.js'
import {createTracking, endCachingOverride, rememberReadKeys} from './tracking-setup.js'

/** Re-exported for callers that still take the version from the composition root. */
export {REDIS_VERSION}

/** Listeners for writes that leave the master: the replication stream (and tests). */
export type PropagationListener = (dbIndex: number, commands: readonly (readonly Buffer[])[]) => void

/** The parked state of a postponed client: no keys, no timeout; only the end of the pause releases it. */
const POSTPONED: BlockedOperation = {keys: [], serve: () => undefined, timeoutReply: NONE, timeoutMs: 0}

/** The command groups of a server: the standalone table by default, the sentinel's in sentinel mode. */
export type CommandGroups = readonly (readonly CommandSpec[])[] | ((server: Server) => readonly (readonly CommandSpec[])[])

export class Server implements ServerContext, BlockingHost, DispatcherHost {
  readonly runId = randomRunId()
  readonly startedAtMs: number
  readonly keyspace: Keyspace
  readonly commands: CommandTable
  readonly dispatcher: Dispatcher
  readonly scripting: ScriptingEngine
  /** The wall-clock start of the running script, the 'now' of key expiry meanwhile; undefined otherwise. */
  scriptStartedAtMs: number | undefined
  readonly stats = new Stats()
  readonly pubsub = new PubSub()
  /** Keyspace notifications (notify.c), for handlers (ctx.notify), the keyspace and the evictor. */
  readonly notifier: KeyspaceNotifier
  readonly tracking: Tracking
  /** The client whose request is being processed (server.current_client outside the call itself). */
  private requestClient: Client | undefined
  readonly slowlog = new SlowLog()
  readonly monitors = new Monitors()
  readonly blocking = new BlockedClients(this)
  readonly pause: ClientPause = new ClientPause({
    clock: {nowMs: () => this.clock.nowMs()},
    park: (client) => this.blocking.block(client, client.dbIndex, POSTPONED),
    unpark: (client) => this.blocking.forget(client),
    reprocess: (client, request) => this.reprocess(client, request),
  })
  readonly persistence: Persistence
  readonly replication: Replication
  /** Live clients by id, in connection order (CLIENT LIST). */
  readonly clients = new Map<number, {client: Client; connection: Connection | undefined}>()
  private nextClientId = 1
  private listeners: NetServer[] = []
  private cron: NodeJS.Timeout | undefined
  private readonly propagationListeners: PropagationListener[] = []
  private transactionDepth = 0
  private transactionBuffer: {dbIndex: number; commands: (readonly Buffer[])[]}[] = []
  private shuttingDown = false
  private readonly infoBuilder: InfoBuilder
  /** maxmemory eviction (evict.c). */
  readonly evictor: Evictor
  /** maxmemory in bytes and maxmemory-policy, kept from CONFIG. */
  private maxmemoryBytes = 0
  private maxmemoryPolicy: MaxmemoryPolicy = 'noeviction'
  /** The OOM state found before the current command (server.pre_command_oom_state), for a script's first write. */
  private preCommandOom = false
  private clientMemo: ClientMemory | undefined

  /** 'sentinel' when this process runs as a sentinel: another command table, no dataset, no replication. */
  readonly mode: 'standalone' | 'sentinel'

  constructor(
    readonly config: ServerConfig,
    readonly logger: Logger,
    readonly clock: Clock,
    private readonly exit: (code: number) => void,
    options: {mode?: 'standalone' | 'sentinel'; commandGroups?: CommandGroups} = {},
  ) {
    this.mode = options.mode ?? 'standalone'
    this.startedAtMs = clock.nowMs()
    // While a script runs, keys expire by the time it started (Redis's script time snapshot).
    const expiryClock: Clock = {nowMs: () => this.scriptStartedAtMs ?? clock.nowMs()}
    this.notifier = new KeyspaceNotifier(() => config.get('notify-keyspace-events'), this.pubsub)
    this.keyspace = new Keyspace(config.databases(), expiryClock, {
      keyExpired: (dbIndex, key) => {
        this.stats.expiredKeys++
        this.notifier.notify('x', 'expired', key, dbIndex)
        this.propagate(dbIndex, [[Buffer.from('DEL'), Buffer.from(key, 'latin1')]])
      },
      keyModified: (dbIndex, key) => this.blocking.keyModified(dbIndex, key),
      keyAdded: (dbIndex, key) => this.notifier.notify('n', 'new', key, dbIndex),
      keyMissed: (dbIndex, key) => {
        if (this.dispatcher.isReadCall()) this.notifier.notify('m', 'keymiss', key, dbIndex)
      },
      keyInvalidated: (key, expired) => this.tracking.invalidateKey(key, expired ? undefined : this.dispatcher.outermostClient),
      flushed: () => this.tracking.invalidateAll(),
      // A paused server keeps its dataset as it is: expired keys are hidden, not deleted (expireIfNeeded).
      isReplica: () => this.isReplica() || this.pause.isPaused(),
      isMasterCalling: () => this.dispatcher.isMasterCalling(),
    })
    this.evictor = new Evictor(
      {
        keyspace: this.keyspace,
        maxmemory: () => this.maxmemoryBytes,
        policy: () => this.maxmemoryPolicy,
        samples: () => Math.max(1, Number(config.get('maxmemory-samples') ?? 5)),
        tenacity: () => Math.min(100, Math.max(0, Number(config.get('maxmemory-eviction-tenacity') ?? 10))),
        lazy: () => config.get('lazyfree-lazy-eviction') === 'yes',
        usedMemory: () => {
          const used = this.usedMemory()
          return used.total - used.clientsReplicas
        },
        isSafe: () => this.evictionIsSafe(),
        nowMs: () => this.clock.nowMs(),
        evicted: (db, key, lazy) => this.keyEvicted(db, key, lazy),
      },
      this.keyspace.access,
    )
    this.applyMemoryConfig()
    config.onChange((name) => this.memoryConfigChanged(name))
    this.scripting = createScriptingEngine(this)
    const groups = options.commandGroups ?? commandGroups
    this.commands = new CommandTable(typeof groups === 'function' ? groups(this) : groups)
    this.dispatcher = new Dispatcher(this)
    this.tracking = createTracking(this, () => this.requestClient)
    this.persistence = new Persistence(this)
    this.replication = new Replication(this)
    useReplicationInfo(this, this.replication)
    this.infoBuilder = new InfoBuilder(this, () => this.config.configFile)
  }

  // ---- the ports handlers reach through their call context -----------------------------------------

  /** ctx.server: this server, seen through ServerContext. */
  get context(): ServerContext {
    return this
  }

  /** ctx.clients. */
  readonly clientsPort: ClientsPort = {
    all: () => this.liveClients(),
    byId: (id) => this.clients.get(id)?.client,
    unblock: (client, reply) => this.blocking.unblock(client, reply),
    watch: (client, key) => this.watch(client, key),
    watchedKeyChanged: (client) => this.watchedKeyChanged(client),
    unwatchAll: (client) => this.unwatchAll(client),
    startMonitor: (client) => this.monitors.add(client),
    stopMonitor: (client) => this.monitors.remove(client),
    pause: (endMs, type) => this.pause.pause('client-command', endMs, type),
    unpause: () => this.pause.unpause('client-command'),
    isPostponed: (client) => this.pause.isPostponed(client),
  }

  private *liveClients(): IterableIterator<Client> {
    for (const {client} of this.clients.values()) yield client
  }

  info(sections: readonly string[]): string {
    return this.infoBuilder.build(sections)
  }

  // ---- ServerContext ----------------------------------------------------------------------------

  getConfig(name: string): string | undefined {
    return this.config.get(name)
  }

  isReplica(): boolean {
    return this.replication.isReplica()
  }

  /** Ids for clients the server creates itself (the master link), from the same sequence as connections. */
  newClientId(): number {
    return this.nextClientId++
  }

  // ---- life cycle -------------------------------------------------------------------------------

  /** Loads the dataset, binds the listeners and starts the cron. Throws on a bind or load failure. */
  async start(): Promise<void> {
    if (this.mode === 'standalone' && this.maxmemoryBytes > 0 && this.maxmemoryBytes < 1024 * 1024) {
      this.logger.warning(`WARNING: You specified a maxmemory value that is less than 1MB (current value is ${this.maxmemoryBytes} bytes). Are you sure this is what you really want?`)
    }
    // As redis-server: the listeners open first, and clients get -LOADING while the dataset loads.
    this.listeners = await listenConfigured(this.config, (socket) => this.accept(socket))
    if (this.mode === 'standalone') await this.persistence.loadServing()
    if (this.shuttingDown) return
    if (this.mode === 'standalone') this.replication.start()
    this.cronHz = Math.max(1, Math.min(500, Number(this.config.get('hz') ?? 10)))
    this.cron = setInterval(() => this.serverCron(), Math.floor(1000 / this.cronHz))
  }

  /** Stops serving: saves when asked or when save points exist, closes everything, removes the pidfile. */
  async shutdown({save}: {save?: boolean} = {}): Promise<boolean> {
    if (this.shuttingDown) return true
    this.logger.warning('User requested shutdown...')
    // A shutdown during the start-up load never saves: the keyspace is not the file's yet (SHUTDOWN_NOSAVE).
    const shouldSave = this.mode === 'standalone' && !this.isLoading() && (save ?? this.config.savePoints().length > 0)
    if (shouldSave) {
      this.logger.notice('Saving the final RDB snapshot before exiting.')
      if (!this.persistence.saveNow()) {
        this.logger.warning('Error trying to save the DB, can\'t exit.')
        return false
      }
      this.logger.notice('DB saved on disk')
    }
    this.shuttingDown = true
    if (this.cron !== undefined) clearInterval(this.cron)
    this.evictor.stop()
    this.replication.stop()
    for (const listener of this.listeners) listener.close()
    closeUnixSocket(this.config, this.logger)
    for (const {connection} of this.clients.values()) connection?.close(true)
    this.logger.warning(`${this.mode === 'sentinel' ? 'Sentinel' : 'Redis'} is now ready to exit, bye bye...`)
    this.exit(0)
    return true
  }

  private serverCron(): void {
    // While a timed-out script is suspended only its BUSY replies are served: no expiry, saves or timeouts.
    if (this.scripting.running?.timedOut === true) return
    const now = this.clock.nowMs()
    // ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC: at most 25% of each cron period.
    this.keyspace.activeExpireCycle(250 / this.cronHz)
    if (this.tracking.clientCount > 0) this.tracking.limitUsedSlots()
    this.stats.sample(now)
    this.persistence.cron(now)
    this.closeIdleClients(now)
  }

  private closeIdleClients(now: number): void {
    const timeoutSec = this.config.timeout()
    if (timeoutSec <= 0) return
    for (const {client, connection} of this.clients.values()) {
      // Blocked clients wait for their own timeout, not the idle one (Redis clientsCronHandleTimeout).
      if (client.kind !== 'normal' || client.inPubSub || client.isMonitor || client.blocked !== undefined) continue
      if (now - client.lastCommandAtMs > timeoutSec * 1000) connection?.close(true)
    }
  }

  // ---- clients ----------------------------------------------------------------------------------

  private outputLimitsFor = {value: '\u0000', limits: parseOutputLimits('')}

  /** client-output-buffer-limit, parsed again only when CONFIG SET changed it. */
  private outputLimits(): Record<'normal' | 'replica' | 'pubsub', OutputLimit> {
    const value = this.config.get('client-output-buffer-limit') ?? ''
    if (value !== this.outputLimitsFor.value) this.outputLimitsFor = {value, limits: parseOutputLimits(value)}
    return this.outputLimitsFor.limits
  }

  private accept(socket: import('node:net').Socket): void {
    this.stats.totalConnectionsReceived++
    if (this.clients.size >= this.config.maxclients()) {
      this.stats.rejectedConnections++
      socket.end('-ERR max number of clients reached\r\n')
      return
    }
    const connection = new Connection(socket, {
      maxBulkLength: Number(this.config.get('proto-max-bulk-len') ?? 536870912),
      queryBufferLimit: Number(this.config.get('client-query-buffer-limit') ?? 1073741824),
      isAuthenticated: () => client.authenticated,
      outputLimitExceeded: (pending) => {
        const kind = client.kind === 'replica' ? 'replica' : client.kind === 'master' ? 'master' : client.inPubSub ? 'pubsub' : 'normal'
        return overOutputLimit(kind, pending, this.outputLimits(), client, Math.floor(this.clock.nowMs() / 1000), Number(this.config.get('repl-backlog-size') ?? 1048576))
      },
    })
    const client = new Client(
      this.nextClientId++,
      ...connectionAddresses(socket),
      this.clock.nowMs(),
    )
    client.unixSocket = unixSocketPathOf(socket) !== undefined
    client.authenticated = !this.requiresAuth()
    client.sink = {
      push: (reply) => {
        if (!client.repliesOff) connection.push(reply)
      },
      pushNotice: (reply) => connection.push(reply),
      // Later, not inside the command that served this client: its queued requests run on their own turn.
      resume: () => setImmediate(() => connection.resume()),
      close: (now) => connection.close(now),
      outputBytes: () => connection.pendingOutputBytes,
      queryBufferBytes: () => connection.queryBufferBytes,
    }
    this.clients.set(client.id, {client, connection})
    connection.attach({
      handle: (args) => {
        client.lastCommandAtMs = this.clock.nowMs()
        // processCommand: clients over maxmemory-clients go first; the caller itself may be one of them.
        if (this.evictClients(client)) return NONE
        this.requestClient = client
        if (this.tracking.clientCount > 0) this.tracking.limitUsedSlots()
        const reply = this.dispatcher.execute(client, args)
        endCachingOverride(client, args)
        this.requestClient = undefined
        return this.filterReply(client, reply)
      },
      afterReply: () => {
        this.tracking.flushPending()
        this.scheduleClientEviction()
      },
      afterRead: () => this.scheduleClientEviction(),
      protocol: () => client.resp,
      isClosing: () => client.closing,
      isBlocked: () => client.blocked !== undefined || client.runningScript,
      onProtocolError: (reason, sample) =>
        this.logger.verbose(`Protocol error (${reason}) from client: id=${client.id} addr=${client.remoteAddress}. Query buffer during protocol error: '${sample}'`),
      onOutputBufferLimit: () => {
        this.logger.warning(`Client ${clientInfoLine(client, this.clock.nowMs(), client.id + 7)} scheduled to be closed ASAP for overcoming of output buffer limits.`)
      },
      onQueryBufferLimit: (sample) =>
        this.logger.warning(`Closing client that reached max query buffer length: id=${client.id} addr=${client.remoteAddress} (qbuf initial bytes: "${sample.slice(0, 64)}")`),
      onClose: () => this.forgetClient(client),
    })
  }

  private clientEvictionScheduled = false
  /** The hz the cron started with. */
  private cronHz = 10

  /** beforeSleep's evictClients: once per turn of the event loop after replies grew output buffers. */
  private scheduleClientEviction(): void {
    if (this.clientEvictionScheduled || this.config.get('maxmemory-clients') === '0') return
    this.clientEvictionScheduled = true
    setImmediate(() => {
      this.clientEvictionScheduled = false
      this.evictClients(undefined)
    })
  }

  /** maxmemory-clients: closes the largest evictable clients while all clients use too much; true when `current` was one. */
  private evictClients(current: Client | undefined): boolean {
    // Runs before every command: off, or under the limit, it costs one pass and allocates nothing.
    const setting = this.config.get('maxmemory-clients') ?? '0'
    if (setting === '0') return false
    const limit = clientEvictionLimit(setting, this.maxmemoryBytes)
    if (limit === 0) return false
    const counted = (client: Client): boolean => !client.closing && (clientType(client) === 'normal' || clientType(client) === 'pubsub')
    let total = 0
    for (const {client} of this.clients.values()) if (counted(client)) total += clientTotalMemory(client)
    if (total < limit) return false
    const candidates = [...this.clients.values()].filter(({client}) => counted(client)).map((entry) => (
      {...entry, counted: true, evictable: !entry.client.noEvict, memory: clientTotalMemory(entry.client)}
    ))
    let evictedCurrent = false
    const now = this.clock.nowMs()
    for (const {client, connection} of clientsToEvict(candidates, limit)) {
      this.logger.notice(`Evicting client: ${clientInfoLine(client, now, client.id + 7)}`)
      this.stats.evictedClients++
      if (client === current) evictedCurrent = true
      if (connection === undefined) client.sink.close(true)
      else connection.close(true)
    }
    return evictedCurrent
  }

  /** CLIENT REPLY OFF/SKIP: the reply is dropped; a SKIP takes effect from the next command on. */
  private filterReply(client: Client, reply: Reply): Reply {
    const dropped = client.repliesOff || client.skipThisReply
    client.skipThisReply = client.skipNextReply
    client.skipNextReply = false
    return dropped ? NONE : reply
  }

  private forgetClient(client: Client): void {
    if (!this.clients.delete(client.id)) return
    this.pause.forget(client)
    this.blocking.forget(client)
    this.replication.replicaGone(client)
    this.unwatchAll(client)
    this.pubsub.unsubscribeAll(client)
    this.tracking.disable(client)
    this.monitors.remove(client)
  }

  /** A request released by the end of a pause runs again from the start; the master's goes back to its link. */
  private reprocess(client: Client, request: PostponedRequest): void {
    if (request.caller === 'master') {
      this.replication.link?.reprocessPostponed(client, request.argv)
      return
    }
    if (!this.clients.has(client.id)) return
    const reply = this.dispatcher.execute(client, request.argv)
    if (this.pause.isPostponed(client)) return
    this.resume(client, this.filterReply(client, reply))
  }

  // ---- maxmemory ------------------------------------------------------------------------------------

  /** used_memory and its parts: the one figure INFO shows and eviction compares with maxmemory. */
  usedMemory(): UsedMemory {
    return usedMemory({
      keyspace: this.keyspace,
      clientBytes: () => this.clientBytes(),
      scriptsBytes: () => this.scripting.evalScripts.memory,
      backlogBytes: () => this.replication.backlog?.histlen ?? 0,
    })
  }

  /**
   * The clients' share of used_memory, summed once per event-loop turn: the commands of one pipelined read
   * are checked against the same client figure (the dataset part is exact for each of them).
   */
  private clientBytes(): ClientMemory {
    if (this.clientMemo !== undefined) return this.clientMemo
    const memo = clientMemory(this.liveClients())
    this.clientMemo = memo
    queueMicrotask(() => {
      this.clientMemo = undefined
    })
    return memo
  }

  /**
   * processCommand's maxmemory step, run by the OOM gate before every command: evict per policy, and report
   * EVICT_FAIL (nothing left to free) as out of memory. Skipped without maxmemory and while a script yields.
   */
  isOutOfMemory(): boolean {
    if (this.maxmemoryBytes === 0 || this.scripting.running?.timedOut === true) return false
    const oom = this.evictor.perform() === 'fail'
    this.preCommandOom = oom
    return oom
  }

  /** server.pre_command_oom_state with maxmemory set: what a script's first denyoom write is judged by. */
  wasOutOfMemory(): boolean {
    return this.maxmemoryBytes > 0 && this.preCommandOom
  }

  /** isSafeToPerformEvictions. */
  private evictionIsSafe(): boolean {
    if (this.scripting.running?.timedOut === true) return false
    // Replicas are their master's exact copies unless replica-ignore-maxmemory is no.
    if (this.isReplica() && this.config.get('replica-ignore-maxmemory') !== 'no') return false
    // A paused dataset stays as it is: no expiry, no eviction.
    return !this.pause.isPaused()
  }

  /** After an eviction: the stat, the `evicted` keyspace event (class e), DEL or UNLINK to replicas, alone. */
  private keyEvicted(db: Database, key: string, lazy: boolean): void {
    // Deleting it counted as a change; an eviction is not one (performEvictions leaves server.dirty alone).
    this.keyspace.dirty--
    this.stats.evictedKeys++
    this.notifier.notify('e', 'evicted', key, db.index)
    this.propagate(db.index, [[Buffer.from(lazy ? 'UNLINK' : 'DEL'), Buffer.from(key, 'latin1')]])
  }

  private applyMemoryConfig(): void {
    this.maxmemoryBytes = Math.max(0, Number(this.config.get('maxmemory') ?? 0) || 0)
    const policy = this.config.get('maxmemory-policy') ?? 'noeviction'
    this.maxmemoryPolicy = (MAXMEMORY_POLICIES as readonly string[]).includes(policy) ? (policy as MaxmemoryPolicy) : 'noeviction'
    const access = this.keyspace.access
    access.lfu = isLfuPolicy(this.maxmemoryPolicy)
    access.logFactor = Math.max(0, Number(this.config.get('lfu-log-factor') ?? 10) || 0)
    access.decayTime = Math.max(0, Number(this.config.get('lfu-decay-time') ?? 1) || 0)
  }

  /** CONFIG SET of a memory directive; a new maxmemory starts evicting from the event loop (updateMaxmemory). */
  private memoryConfigChanged(name: string): void {
    if (!['maxmemory', 'maxmemory-policy', 'lfu-log-factor', 'lfu-decay-time'].includes(name)) return
    this.applyMemoryConfig()
    if (name !== 'maxmemory' || this.maxmemoryBytes === 0) return
    const used = this.usedMemory()
    if (this.maxmemoryBytes < used.total - used.clientsReplicas) {
      this.logger.warning(
        `WARNING: the new maxmemory value set via CONFIG SET (${this.maxmemoryBytes}) is smaller than the current memory usage (${used.total - used.clientsReplicas}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.`,
      )
    }
    this.evictor.startTimeProc()
  }

  // ---- gates used by the dispatcher -------------------------------------------------------------

  requiresAuth(): boolean {
    return this.config.requirepass() !== ''
  }

  isReadOnlyReplica(): boolean {
    return this.isReplica() && this.config.get('replica-read-only') === 'yes'
  }

  /** A replica whose master link is down, with replica-serve-stale-data no: most commands are refused (MASTERDOWN). */
  isLoading(): boolean {
    return this.persistence.loading !== undefined
  }

  isStaleReplica(): boolean {
    return this.isReplica() && !this.replication.linkUp() && this.config.get('replica-serve-stale-data') === 'no'
  }

  /** After a call: the slowlog and MONITOR (unless the command fed MONITOR itself, as EVAL does). */
  afterCommand(client: Client, spec: CommandSpec, argv: readonly Buffer[], usec: number, caller: Caller, monitorFed: boolean): void {
    this.slowlog.record(client, spec, argv, usec, this.config)
    if (this.tracking.clientCount > 0) rememberReadKeys(this.tracking, this.dispatcher, client, spec, argv, caller)
    // The clock is read only when a MONITOR client will get the line.
    if (this.monitors.active && !monitorFed) this.monitors.feed(client, spec, argv, this.clock.nowMs(), caller)
  }

  /** Feeds a call to MONITOR now, whatever its flags (EVAL shows itself before the commands it runs). */
  feedMonitors(client: Client, spec: CommandSpec, argv: readonly Buffer[], caller: Caller): void {
    if (this.monitors.active) this.monitors.feedNow(client, spec, argv, this.clock.nowMs(), caller)
  }

  // ---- blocking commands (BlockingHost) -------------------------------------------------------------

  runServe(client: Client, dbIndex: number, serve: BlockedOperation['serve'], readyKey: string | undefined): Reply | undefined {
    return this.dispatcher.runServe(client, dbIndex, serve, readyKey)
  }

  resume(client: Client, reply: Reply): void {
    client.sink.push(reply)
    client.sink.resume()
  }

  // ---- WATCH ------------------------------------------------------------------------------------

  watch(client: Client, key: string): void {
    if (client.watched.some((w) => w.dbIndex === client.dbIndex && w.key === key)) return
    client.watched.push({dbIndex: client.dbIndex, key, version: this.keyspace.watch(client.dbIndex, key)})
  }

  watchedKeyChanged(client: Client): boolean {
    return client.watched.some((w) => this.keyspace.changedSince(w.dbIndex, w.key, w.version))
  }

  unwatchAll(client: Client): void {
    for (const w of client.watched) this.keyspace.unwatch(w.dbIndex, w.key)
    client.watched.length = 0
  }

  // ---- propagation ------------------------------------------------------------------------------

  onPropagate(listener: PropagationListener): void {
    this.propagationListeners.push(listener)
  }

  /** A write to send to replicas; inside EXEC the whole transaction goes out wrapped in MULTI/EXEC. */
  propagate(dbIndex: number, commands: readonly (readonly Buffer[])[]): void {
    if (this.transactionDepth > 0) {
      this.transactionBuffer.push({dbIndex, commands: [...commands]})
      return
    }
    for (const listener of this.propagationListeners) listener(dbIndex, commands)
  }

  beginTransactionPropagation(): void {
    this.transactionDepth++
  }

  endTransactionPropagation(): void {
    if (--this.transactionDepth > 0) return
    const buffered = this.transactionBuffer
    this.transactionBuffer = []
    if (buffered.length === 0) return
    // The common case (one script or one queued write) goes out as it is, without the wrapper.
    const first = buffered[0] as {dbIndex: number; commands: (readonly Buffer[])[]}
    if (buffered.length === 1 && first.commands.length === 1) {
      this.propagate(first.dbIndex, first.commands)
      return
    }
    const all = buffered.flatMap((b) => b.commands.map((c) => ({dbIndex: b.dbIndex, command: c})))
    if (all.length === 1) {
      const only = all[0] as {dbIndex: number; command: readonly Buffer[]}
      this.propagate(only.dbIndex, [only.command])
      return
    }
    const dbIndex = all[0]?.dbIndex ?? 0
    this.propagate(dbIndex, [[Buffer.from('MULTI')]])
    for (const {dbIndex: db, command} of all) this.propagate(db, [command])
    this.propagate(dbIndex, [[Buffer.from('EXEC')]])
  }

  // ---- helpers for commands ---------------------------------------------------------------------

  rdbPath(): string {
    return join(this.config.dir(), this.config.dbfilename())
  }
}
