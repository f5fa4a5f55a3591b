// The life of a command (server.c processCommand + call): lookup and arity; the gates of gates.ts in order,
// each stopping the command with its own error; MULTI queueing or the call; then stats, slowlog, MONITOR and
// propagation of writes. Commands that run other commands (EXEC, scripts) come back through the same
// pipeline with their own caller (`ctx.call`), and the dispatcher keeps the stack of calls in progress.

import type {ScriptingEngine} from './scripting/scripting-engine.js'
import {performance} from 'node:perf_hooks'
import {execAbortBecause, unknownCommand, unknownSubcommand, wrongArity} from '../resp/errors.js'
import {error, NONE, QUEUED, type Reply} from '../resp/reply.js'
import type {Clock} from '../common/clock.js'
import type {Logger} from '../common/logger.js'
import type {ServerConfig} from '../config/directives.js'
import type {BlockedOperation} from './blocking.js'
import type {Client} from './client.js'
import type {Caller, CommandContext, CommandFlag, CommandPipeline, CommandSpec, InvokeOptions, Resolved} from './command-spec.js'
import type {CommandTable} from './command-table.js'
import type {ClientPause} from './client-pause.js'
import {GATES_BY_CALLER, hasFlag, type GateState} from './gates.js'
import type {Database} from './keyspace/database.js'
import type {Keyspace} from './keyspace/keyspace.js'
import type {ClientsPort, PersistencePort, ReplicationPort} from './ports.js'
import type {PubSub} from './pubsub.js'
import type {ServerContext} from './server-context.js'
import type {Stats} from './stats.js'
import type {Tracking} from './tracking.js'
import type {EventClass, KeyspaceNotifier} from './keyspace-events.js'

export type {Resolved} from './command-spec.js'

/** Commands that run immediately even inside MULTI (Redis processCommand's exception list). */
const NOT_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset'])

/** What the dispatcher needs from the server: the ports it hands to handlers, and the after-call steps. */
export interface DispatcherHost {
  readonly commands: CommandTable
  readonly keyspace: Keyspace
  readonly clock: Clock
  readonly logger: Logger
  readonly config: ServerConfig
  readonly stats: Stats
  readonly pubsub: PubSub
  readonly tracking: Tracking
  /** Keyspace notifications (ctx.notify). */
  readonly notifier: KeyspaceNotifier
  /** ctx.server. */
  readonly context: ServerContext
  readonly clientsPort: ClientsPort
  readonly persistence: PersistencePort
  readonly replication: ReplicationPort
  readonly scripting: ScriptingEngine
  readonly blocking: {block(client: Client, dbIndex: number, operation: BlockedOperation): void; serveReadyKeys(): void}
  /** CLIENT PAUSE / FAILOVER: requests that must wait are postponed after the gates. */
  readonly pause: ClientPause
  requiresAuth(): boolean
  isReadOnlyReplica(): boolean
  isStaleReplica(): boolean
  /** The start-up load is running with the listeners open. */
  isLoading(): boolean
  /** The maxmemory step before a command: evicts, and answers true when nothing more can be freed. */
  isOutOfMemory(): boolean
  unwatchAll(client: Client): void
  /** Slowlog and MONITOR after a call. */
  afterCommand(client: Client, spec: CommandSpec, argv: readonly Buffer[], usec: number, caller: Caller, monitorFed: boolean): void
  feedMonitors(client: Client, spec: CommandSpec, argv: readonly Buffer[], caller: Caller): void
  propagate(dbIndex: number, commands: readonly (readonly Buffer[])[]): void
  beginTransactionPropagation(): void
  endTransactionPropagation(): void
}

/** Supplies the BUSY reply while a script runs (and yields), else undefined; set by the scripting engine. */
export type BusyProvider = () => Reply | undefined

export class Dispatcher implements CommandPipeline {
  /** The calls in progress, outermost first (Redis server.current_client / executing_client / script_caller). */
  private readonly calls: CallContext[] = []
  private busyProvider: BusyProvider | undefined
  /** Above zero while a call's writes must not reach replicas (InvokeOptions.propagate false). */
  private propagationMuted = 0
  private readonly gateState: GateState

  /** End time of the last call, and whether it was in the current synchronous turn (see startTimer). */
  private lastCallEnded = 0
  private inTimedTurn = false
  private readonly endTimedTurn = (): void => {
    this.inTimedTurn = false
  }

  constructor(private readonly server: DispatcherHost) {
    this.gateState = {
      requiresAuth: () => server.requiresAuth(),
      isReadOnlyReplica: () => server.isReadOnlyReplica(),
      isStaleReplica: () => server.isStaleReplica(),
      isLoading: () => server.isLoading(),
      isOutOfMemory: () => server.isOutOfMemory(),
      busyReply: () => this.busyProvider?.(),
      isMasterCalling: () => this.isMasterCalling(),
      lacksGoodReplicas: () => server.replication.lacksGoodReplicas(),
    }
  }

  /** Installs (or with undefined removes) the BUSY gate's reply provider. */
  setBusyProvider(provider: BusyProvider | undefined): void {
    this.busyProvider = provider
  }

  /** The innermost call in progress, if any. */
  get currentCall(): {readonly caller: Caller; readonly client: Client} | undefined {
    return this.calls[this.calls.length - 1]
  }

  /** The client of the outermost call in progress (Redis server.current_client while a command runs). */
  get outermostClient(): Client | undefined {
    return this.calls[0]?.client
  }

  /** The outermost call in progress: a script's caller and the EVAL or FCALL it sent (server.script_caller). */
  get outermostCall(): {readonly client: Client; readonly spec: CommandSpec | undefined; readonly argv: readonly Buffer[] | undefined} | undefined {
    return this.calls[0]
  }

  /**
   * True while the innermost call is a read-only command: its lookups are Redis's lookupKeyRead, whose misses
   * raise `keymiss` (a write command's lookups are lookupKeyWrite and raise none).
   */
  isReadCall(): boolean {
    const spec = this.calls[this.calls.length - 1]?.spec
    return spec !== undefined && (spec.flags.includes('readonly') || READS_ITS_SOURCES.has(spec.name))
  }

  /** True while the master's stream is applied: the outermost call came from the master (keyspace hook). */
  isMasterCalling(): boolean {
    return this.calls[0]?.caller === 'master'
  }

  /**
   * The start time of a call. Within one synchronous turn (the requests of one read, run back to back) the
   * previous call's end time serves, so a pipelined command reads the clock once instead of twice; the
   * turn ends with a microtask, so idle time is never counted. The cost is that a command's usec also
   * includes the sub-microsecond parsing and reply encoding between it and the previous command.
   */
  private startTimer(): number {
    if (this.calls.length > 0) return performance.now()
    if (this.inTimedTurn) return this.lastCallEnded
    this.inTimedTurn = true
    queueMicrotask(this.endTimedTurn)
    return performance.now()
  }

  /**
   * Runs one request from a client (or, with caller 'master', from the master's stream) and returns its
   * reply; then the clients blocked on keys it made ready are served (processCommand's
   * handleClientsBlockedOnKeys), so a write from the master wakes a replica's BLPOP as a client's would.
   */
  execute(client: Client, argv: readonly Buffer[], caller: 'client' | 'master' = 'client'): Reply {
    const reply = this.request(client, argv, caller)
    this.server.blocking.serveReadyKeys()
    return reply
  }

  private request(client: Client, argv: readonly Buffer[], caller: 'client' | 'master'): Reply {
    // Hot path: a known command without subcommands and with a valid arity resolves without a Resolved object.
    const spec = this.server.commands.lookup(argv[0] as Buffer)
    if (spec !== undefined && (spec.subcommands === undefined || spec.subcommands.length === 0) && arityOk(spec.arity, argv.length)) {
      return this.admit(client, spec, argv.slice(1), argv, caller)
    }
    const resolved = this.resolve(argv)
    if ('kind' in resolved) return this.reject(client, undefined, resolved)
    return this.admit(client, resolved.spec, resolved.handlerArgs, argv, caller)
  }

  /** The gates, then MULTI queueing or the call. */
  private admit(client: Client, spec: CommandSpec, handlerArgs: readonly Buffer[], argv: readonly Buffer[], caller: Caller): Reply {
    // EVAL and FCALL are gated by their script's declared flags (Redis getCommandFlags).
    const gated = spec.gateFlags === undefined ? spec : withFlags(spec, spec.gateFlags(argv, this.server.scripting))
    const refused = this.gate(client, gated, caller)
    if (refused !== undefined) return this.reject(client, spec, refused, argv)
    // processCommand postpones a paused command after its checks and before MULTI queueing.
    const pause = this.server.pause
    if (pause.active && pause.postpones(client, mayReplicate(client, spec, gated))) {
      client.lastCommandName = spec.name
      pause.postpone(client, argv, caller)
      return NONE
    }
    if (client.multi !== undefined && !NOT_QUEUED.has(spec.name.split('|')[0] as string)) {
      client.multi.queue.push({name: spec.name, args: argv, flags: gated.flags})
      return QUEUED
    }
    return this.run(client, spec, handlerArgs, argv, caller, true)
  }

  /** Resolves the command and its subcommand and checks arity; returns the spec or the error reply. */
  resolve(argv: readonly Buffer[]): Resolved | Reply {
    const nameArg = argv[0] as Buffer
    const spec = this.server.commands.lookup(nameArg)
    if (spec === undefined) return unknownCommand(nameArg, argv.slice(1))
    if (!arityOk(spec.arity, argv.length)) return wrongArity(spec.name)
    // A container whose arity allows no subcommand (COMMAND) runs its own handler when called bare.
    if (spec.subcommands === undefined || spec.subcommands.length === 0 || argv.length === 1) return {spec, handlerArgs: argv.slice(1)}
    const subArg = argv[1] as Buffer
    const sub = this.server.commands.lookupSubcommand(spec, subArg)
    if (sub === undefined) return unknownSubcommand(subArg, spec.name)
    if (!arityOk(sub.arity, argv.length)) return wrongArity(sub.name)
    return {spec: sub, handlerArgs: argv.slice(2)}
  }

  /** The gates of gates.ts that apply to `caller`, in order: the first refusal, or undefined. */
  gate(client: Client, spec: CommandSpec, caller: Caller): Reply | undefined {
    const gates = GATES_BY_CALLER[caller]
    for (let i = 0; i < gates.length; i++) {
      const refused = (gates[i] as (typeof gates)[number]).check(client, spec, this.gateState)
      if (refused !== undefined) return refused
    }
    return undefined
  }

  /** A refused command (rejectCommand): stats, the transaction flagged, and EXEC itself aborting it. */
  private reject(client: Client, spec: CommandSpec | undefined, reply: Reply, argv?: readonly Buffer[]): Reply {
    if (spec !== undefined) this.server.stats.command(spec.name).rejectedCalls++
    if (spec?.name === 'exec' && client.multi !== undefined && reply.kind === 'error') {
      // multi.c execCommandAbort: the transaction is discarded and the reason given; MONITOR, which saw
      // MULTI, is sent the EXEC so the transaction is seen to end.
      client.multi = undefined
      this.server.unwatchAll(client)
      reply = execAbortBecause(reply.message)
      if (argv !== undefined) this.server.feedMonitors(client, spec, argv, 'client')
    } else if (client.multi !== undefined) {
      // Inside MULTI a rejected command makes EXEC fail with EXECABORT (Redis flagTransaction).
      client.multi.aborted = true
    }
    if (reply.kind === 'error') this.server.stats.error(reply.message)
    return reply
  }

  /** Runs a resolved command: the handler, then stats, slowlog, MONITOR and propagation. */
  invoke(client: Client, {spec, handlerArgs}: Resolved, argv: readonly Buffer[], options: InvokeOptions): Reply {
    if (options.propagate === false) return this.withoutPropagation(() => this.run(client, spec, handlerArgs, argv, options.caller, options.mayBlock))
    return this.run(client, spec, handlerArgs, argv, options.caller, options.mayBlock)
  }

  /** Runs `fn` with everything it would propagate dropped. */
  private withoutPropagation(fn: () => Reply): Reply {
    this.propagationMuted++
    try {
      return fn()
    } finally {
      this.propagationMuted--
    }
  }

  /** A command run from inside another (EXEC's queue, a script): resolve, the caller's gates, invoke; never blocks. */
  callNested(client: Client, argv: readonly Buffer[], caller: Caller): Reply {
    const resolved = this.resolve(argv)
    if ('kind' in resolved) return this.reject(client, undefined, resolved)
    const refused = this.gate(client, resolved.spec, caller)
    if (refused !== undefined) return this.reject(client, resolved.spec, refused)
    return this.run(client, resolved.spec, resolved.handlerArgs, argv, caller, false)
  }

  /** Runs `fn` with the propagation of what it calls wrapped in MULTI/EXEC (one command goes out alone). */
  propagateTransaction<T>(fn: () => T): T {
    this.server.beginTransactionPropagation()
    try {
      return fn()
    } finally {
      this.server.endTransactionPropagation()
    }
  }

  private run(client: Client, spec: CommandSpec, handlerArgs: readonly Buffer[], argv: readonly Buffer[], caller: Caller, mayBlock: boolean): Reply {
    const server = this.server
    const dirtyBefore = server.keyspace.dirty
    const dbIndex = client.dbIndex
    const ctx = new CallContext(this, server, client, dbIndex, caller, mayBlock, spec, argv)
    const started = this.startTimer()
    this.calls.push(ctx)
    let reply: Reply
    try {
      reply = spec.handler(ctx, handlerArgs)
    } catch (cause) {
      // A handler must not throw for user input; if one does, it is a bug: log it and keep serving.
      server.logger.warning(`Internal error running '${spec.name}': ${cause instanceof Error ? cause.stack : String(cause)}`)
      reply = error(`ERR internal error running '${spec.name}': ${cause instanceof Error ? cause.message : String(cause)}`)
    } finally {
      this.calls.pop()
    }
    const ended = performance.now()
    this.lastCallEnded = ended
    const usec = Math.round((ended - started) * 1000)
    const stats = server.stats.command(spec.name)
    stats.calls++
    stats.usec += usec
    server.stats.totalCommandsProcessed++
    if (reply.kind === 'error') {
      stats.failedCalls++
      // An error a script passes on from one of its commands was counted there (ERR_REPLY_FLAG_NO_STATS_UPDATE).
      if (reply.counted !== true) server.stats.error(reply.message)
    }
    client.lastCommandName = spec.name
    server.afterCommand(client, spec, argv, usec, caller, ctx.monitorFed)
    if (ctx.propagationPrevented || this.propagationMuted > 0) return reply
    const propagated = ctx.propagated
    if (server.keyspace.dirty !== dirtyBefore && (spec.flags.includes('write') || spec.flags.includes('may_replicate'))) {
      server.propagate(dbIndex, propagated ?? [argv])
    } else if (propagated !== undefined && propagated.length > 0) {
      server.propagate(dbIndex, propagated)
    }
    return reply
  }

  /**
   * Serves a blocked client (BLPOP woken by a push): like a command, but its writes are propagated only as
   * the operation describes them (LPOP, LMOVE …), since the original command must not be replayed.
   */
  runServe(client: Client, dbIndex: number, serve: BlockedOperation['serve'], readyKey: string | undefined): Reply | undefined {
    const ctx = new CallContext(this, this.server, client, dbIndex, 'client', false, undefined, undefined)
    this.calls.push(ctx)
    let reply: Reply | undefined
    try {
      reply = serve(ctx, readyKey)
    } finally {
      this.calls.pop()
    }
    const propagated = ctx.propagated
    if (reply !== undefined && propagated !== undefined && propagated.length > 0) this.server.propagate(dbIndex, propagated)
    return reply
  }
}

/**
 * What a handler gets: one object per call with its methods on the prototype, so a call allocates no
 * closures. `propagated` holds the last propagateAs() of the call.
 */
class CallContext implements CommandContext {
  readonly db: Database
  propagated: (readonly Buffer[])[] | undefined = undefined
  propagationPrevented = false
  monitorFed = false

  constructor(
    readonly dispatcher: Dispatcher,
    private readonly host: DispatcherHost,
    readonly client: Client,
    private readonly dbIndex: number,
    readonly caller: Caller,
    readonly mayBlock: boolean,
    readonly spec: CommandSpec | undefined,
    readonly argv: readonly Buffer[] | undefined,
  ) {
    this.db = host.keyspace.db(dbIndex)
  }

  // The ports: getters on the prototype, so a call copies nothing.
  get keyspace(): Keyspace {
    return this.host.keyspace
  }

  get clock(): Clock {
    return this.host.clock
  }

  get server(): ServerContext {
    return this.host.context
  }

  get config(): ServerConfig {
    return this.host.config
  }

  get clients(): ClientsPort {
    return this.host.clientsPort
  }

  get pubsub(): PubSub {
    return this.host.pubsub
  }

  get tracking(): Tracking {
    return this.host.tracking
  }

  get stats(): Stats {
    return this.host.stats
  }

  get persistence(): PersistencePort {
    return this.host.persistence
  }

  get scripting(): ScriptingEngine {
    return this.host.scripting
  }

  get replication(): ReplicationPort {
    return this.host.replication
  }

  propagateAs(...commands: (readonly Buffer[])[]): void {
    this.propagated = commands
  }

  preventPropagation(): void {
    this.propagationPrevented = true
  }

  propagateTransaction<T>(fn: () => T): T {
    return this.dispatcher.propagateTransaction(fn)
  }

  block(operation: BlockedOperation): Reply {
    this.host.blocking.block(this.client, this.dbIndex, operation)
    return NONE
  }

  call(argv: readonly Buffer[], caller: Caller = 'script'): Reply {
    return this.dispatcher.callNested(this.client, argv, caller)
  }

  notify(eventClass: EventClass, event: string, key: string | Buffer, dbIndex: number = this.dbIndex): void {
    this.host.notifier.notify(eventClass, event, key, dbIndex)
  }

  feedMonitor(): void {
    if (this.spec === undefined || this.argv === undefined || this.monitorFed) return
    this.monitorFed = true
    this.host.feedMonitors(this.client, this.spec, this.argv, this.caller)
  }
}

/**
 * Write commands whose source keys Redis looks up with lookupKeyRead (a miss raises `keymiss`); their
 * destinations are written through Database.set/delete/lookupQuiet, which raise none.
 */
const READS_ITS_SOURCES = new Set([
  'getdel', 'getex', 'getset', 'set', 'sunionstore', 'sinterstore', 'sdiffstore', 'zunionstore', 'zinterstore', 'zdiffstore',
  'zrangestore', 'bitop', 'sort', 'copy', 'pfmerge', 'geosearchstore', 'georadius', 'georadiusbymember', 'xack', 'xclaim',
  'xautoclaim', 'xreadgroup',
])

/** Commands Redis flags may_replicate without COMMAND INFO showing it (the flag is hidden on purpose). */
const HIDDEN_MAY_REPLICATE = new Set(['eval', 'evalsha', 'fcall', 'pfcount', 'publish', 'spublish'])

/**
 * processCommand's is_may_replicate_command: a write or a may-replicate command, or EXEC queuing one. A
 * script that declares its flags (gated flags differ from the row's) has may_replicate dropped.
 */
function mayReplicate(client: Client, spec: CommandSpec, gated: CommandSpec): boolean {
  if (hasFlag(client, gated, 'write') || hasFlag(client, gated, 'may_replicate')) return true
  if (HIDDEN_MAY_REPLICATE.has(spec.name) && gated.flags === spec.flags) return true
  return spec.name === 'exec' && client.multi !== undefined && client.multi.queue.some((q) => HIDDEN_MAY_REPLICATE.has(q.name))
}

const withFlags = (spec: CommandSpec, flags: readonly CommandFlag[]): CommandSpec => (flags === spec.flags ? spec : {...spec, flags})

const arityOk = (arity: number, count: number): boolean => (arity >= 0 ? count === arity : count >= -arity)
