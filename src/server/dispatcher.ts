// The life of a command (server.c processCommand + call): ordered gates, each stopping the command with its
// own error; then MULTI queueing or execution; then stats, MONITOR and propagation of writes.

import {performance} from 'node:perf_hooks'
import {
  EXECABORT,
  NOAUTH,
  NOT_ALLOWED_IN_MULTI,
  READONLY_REPLICA,
  unknownCommand,
  unknownSubcommand,
  wrongArity,
} from '../resp/errors.js'
import {error, NONE, QUEUED, type Reply} from '../resp/reply.js'
import type {BlockedOperation} from './blocking.js'
import type {Client} from './client.js'
import type {Clock} from '../common/clock.js'
import type {CommandContext, CommandSpec} from './command-spec.js'
import type {Database} from './keyspace/database.js'
import type {Keyspace} from './keyspace/keyspace.js'
import type {ServerContext} from './server-context.js'
import type {Server} from './server.js'

/** Commands that run immediately even inside MULTI (Redis processCommand's exception list). */
const NOT_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset'])
/** Commands a RESP2 client may send while subscribed. */
const PUBSUB_CONTEXT = new Set(['ping', 'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset', 'ssubscribe', 'sunsubscribe'])

export interface Resolved {
  readonly spec: CommandSpec
  /** Arguments handed to the handler (after the command and subcommand names). */
  readonly handlerArgs: readonly Buffer[]
}

export class Dispatcher {
  /** True while EXEC runs its queue: blocking commands must not block there (Redis CLIENT_DENY_BLOCKING). */
  private inExec = false

  /** End time of the last call, and whether it was in the current synchronous turn (see startTimer). */
  private lastCallEnded = 0
  private inTimedTurn = false
  private readonly endTimedTurn = (): void => {
    this.inTimedTurn = false
  }

  constructor(private readonly server: Server) {}

  /**
   * The start time of a call. Within one synchronous turn (the requests of one read, run back to back) the
   * previous call's end time serves, so a pipelined command reads the clock once instead of twice; the
   * turn ends with a microtask, so idle time is never counted. The cost is that a command's usec also
   * includes the sub-microsecond parsing and reply encoding between it and the previous command.
   */
  private startTimer(): number {
    if (this.inTimedTurn) return this.lastCallEnded
    this.inTimedTurn = true
    queueMicrotask(this.endTimedTurn)
    return performance.now()
  }

  /** Runs one request from a client and returns its reply. */
  execute(client: Client, argv: readonly Buffer[]): Reply {
    // Hot path: a known command without subcommands and with a valid arity resolves without a Resolved object.
    const spec = this.server.commands.lookup(argv[0] as Buffer)
    if (spec !== undefined && (spec.subcommands === undefined || spec.subcommands.length === 0) && arityOk(spec.arity, argv.length)) {
      return this.admit(client, spec, argv.slice(1), argv)
    }
    const resolved = this.resolve(argv)
    if ('kind' in resolved) return this.reject(client, undefined, resolved)
    return this.admit(client, resolved.spec, resolved.handlerArgs, argv)
  }

  /** The gates, then MULTI queueing or the call. */
  private admit(client: Client, spec: CommandSpec, handlerArgs: readonly Buffer[], argv: readonly Buffer[]): Reply {
    const gate = this.checkGates(client, spec)
    if (gate !== undefined) return this.reject(client, spec, gate)
    if (client.multi !== undefined && !NOT_QUEUED.has(spec.name.split('|')[0] as string)) {
      client.multi.queue.push({name: spec.name, args: argv})
      return QUEUED
    }
    return this.invoke(client, spec, handlerArgs, argv)
  }

  /** Resolves the command and its subcommand and checks arity; returns the spec or the error reply. */
  resolve(argv: readonly Buffer[]): Resolved | Reply {
    const nameArg = argv[0] as Buffer
    const spec = this.server.commands.lookup(nameArg)
    if (spec === undefined) return unknownCommand(nameArg.toString('latin1'), argv.slice(1))
    if (!arityOk(spec.arity, argv.length)) return wrongArity(spec.name)
    // A container whose arity allows no subcommand (COMMAND) runs its own handler when called bare.
    if (spec.subcommands === undefined || spec.subcommands.length === 0 || argv.length === 1) return {spec, handlerArgs: argv.slice(1)}
    const subArg = argv[1] as Buffer
    const sub = this.server.commands.lookupSubcommand(spec, subArg)
    if (sub === undefined) return unknownSubcommand(subArg.toString('latin1'), spec.name)
    if (!arityOk(sub.arity, argv.length)) return wrongArity(sub.name)
    return {spec: sub, handlerArgs: argv.slice(2)}
  }

  /** Gates 3–7 of design §4, in Redis's order. */
  private checkGates(client: Client, spec: CommandSpec): Reply | undefined {
    if (!client.authenticated && this.server.requiresAuth() && !spec.flags.includes('no_auth')) return NOAUTH
    if (client.multi !== undefined && spec.flags.includes('no_multi')) return NOT_ALLOWED_IN_MULTI
    if (client.kind !== 'master' && this.server.isReadOnlyReplica() && spec.flags.includes('write')) return READONLY_REPLICA
    if (client.inPubSubContext && !PUBSUB_CONTEXT.has(spec.name)) {
      return error(
        `ERR Can't execute '${spec.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
      )
    }
    const stale = this.server.staleReplicaReply(spec)
    if (stale !== undefined) return stale
    return undefined
  }

  private reject(client: Client, spec: CommandSpec | undefined, reply: Reply): Reply {
    // Inside MULTI a rejected command makes EXEC fail with EXECABORT (Redis flagTransaction).
    if (client.multi !== undefined) client.multi.aborted = true
    if (spec !== undefined) this.server.stats.command(spec.name).rejectedCalls++
    if (reply.kind === 'error') this.server.stats.error(reply.message)
    return reply
  }

  /** Executes a resolved command: the handler, then stats, MONITOR, slowlog and propagation. */
  call(client: Client, {spec, handlerArgs}: Resolved, argv: readonly Buffer[]): Reply {
    return this.invoke(client, spec, handlerArgs, argv)
  }

  private invoke(client: Client, spec: CommandSpec, handlerArgs: readonly Buffer[], argv: readonly Buffer[]): Reply {
    const server = this.server
    const dirtyBefore = server.keyspace.dirty
    const dbIndex = client.dbIndex
    const ctx = new CallContext(server, client, dbIndex, !this.inExec)
    const started = this.startTimer()
    let reply: Reply
    try {
      reply = spec.handler(ctx, handlerArgs)
    } catch (cause) {
      // A handler must not throw for user input; if one does, it is a bug: log it and keep serving.
      server.logger.warning(`Internal error running '${spec.name}': ${cause instanceof Error ? cause.stack : String(cause)}`)
      reply = error(`ERR internal error running '${spec.name}': ${cause instanceof Error ? cause.message : String(cause)}`)
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
      server.stats.error(reply.message)
    }
    client.lastCommandName = spec.name
    server.afterCommand(client, spec, argv, usec, dbIndex)
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
    const ctx = new CallContext(this.server, client, dbIndex, false)
    const reply = serve(ctx, readyKey)
    const propagated = ctx.propagated
    if (reply !== undefined && propagated !== undefined && propagated.length > 0) this.server.propagate(dbIndex, propagated)
    return reply
  }

  /** EXEC: runs the queued commands atomically unless a watched key changed or a queued command was rejected. */
  exec(client: Client): Reply {
    const multi = client.multi
    if (multi === undefined) return error('ERR EXEC without MULTI')
    client.multi = undefined
    if (multi.aborted) {
      this.server.unwatchAll(client)
      return EXECABORT
    }
    const changed = this.server.watchedKeyChanged(client)
    this.server.unwatchAll(client)
    if (changed) return {kind: 'nilArray'}
    const replies: Reply[] = []
    this.server.beginTransactionPropagation()
    this.inExec = true
    try {
      for (const queued of multi.queue) {
        const resolved = this.resolve(queued.args)
        if ('kind' in resolved) {
          replies.push(resolved)
          continue
        }
        // Gates that depend on state which may have changed since queueing (e.g. the server became a replica).
        const gate = resolved.spec.flags.includes('write') && client.kind !== 'master' && this.server.isReadOnlyReplica()
          ? READONLY_REPLICA
          : undefined
        replies.push(gate ?? this.call(client, resolved, queued.args))
      }
    } finally {
      this.inExec = false
      this.server.endTransactionPropagation()
    }
    return {kind: 'array', items: replies}
  }
}

/**
 * What a handler gets: one object per call with its methods on the prototype, so a call allocates no
 * closures. `propagated` holds the last propagateAs() of the call.
 */
class CallContext implements CommandContext {
  readonly keyspace: Keyspace
  readonly db: Database
  readonly clock: Clock
  readonly server: ServerContext
  propagated: (readonly Buffer[])[] | undefined = undefined

  constructor(
    private readonly host: Server,
    readonly client: Client,
    private readonly dbIndex: number,
    readonly mayBlock: boolean,
  ) {
    this.keyspace = host.keyspace
    this.db = host.keyspace.db(dbIndex)
    this.clock = host.clock
    this.server = host
  }

  propagateAs(...commands: (readonly Buffer[])[]): void {
    this.propagated = commands
  }

  block(operation: BlockedOperation): Reply {
    this.host.blocking.block(this.client, this.dbIndex, operation)
    return NONE
  }
}

const arityOk = (arity: number, count: number): boolean => (arity >= 0 ? count === arity : count >= -arity)
