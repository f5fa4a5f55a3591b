// Commands are data (design principle 1): each group file exports CommandSpec rows; the command table gathers them.
// Handlers are synchronous and return a Reply, so every command is atomic on the event loop, as in Redis.

import type {ScriptingEngine} from './scripting/scripting-engine.js'
import type {Clock} from '../common/clock.js'
import type {ServerConfig} from '../config/directives.js'
import type {Reply} from '../resp/reply.js'
import type {BlockedOperation} from './blocking.js'
import type {Client} from './client.js'
import type {Database} from './keyspace/database.js'
import type {Keyspace} from './keyspace/keyspace.js'
import type {ClientsPort, PersistencePort, ReplicationPort} from './ports.js'
import type {PubSub} from './pubsub.js'
import type {ServerContext} from './server-context.js'
import type {Stats} from './stats.js'
import type {Tracking} from './tracking.js'
import type {EventClass} from './keyspace-events.js'

/** Redis 7.0 command flags, as COMMAND INFO reports them (lower case). */
export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'module'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'asking'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'sentinel'
  | 'only_sentinel'
  | 'no_mandatory_keys'
  | 'no_async_loading'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy'

export interface KeySpec {
  /** 1-based position of the first key, 0 when the command has no keys. */
  readonly first: number
  /** Position of the last key; negative counts from the end (-1 = last argument). */
  readonly last: number
  readonly step: number
}

export const NO_KEYS: KeySpec = {first: 0, last: 0, step: 0}

/** How a command uses a key (Redis 7.0 key-spec flags), as COMMAND GETKEYSANDFLAGS and COMMAND INFO report them. */
export type KeyFlag =
  | 'RO'
  | 'RW'
  | 'OW'
  | 'RM'
  | 'access'
  | 'update'
  | 'insert'
  | 'delete'
  | 'not_key'
  | 'incomplete'
  | 'variable_flags'

/**
 * One Redis 7.0 key spec: where the search for keys begins (a fixed index, or the argument after a keyword) and
 * how the keys are found from there (a range, or a count read from a numkeys argument). 'unknown' marks keys no
 * spec can locate (SORT's BY/GET/STORE): the command's extractor finds them.
 */
export interface KeySearch {
  readonly flags: readonly KeyFlag[]
  readonly notes?: string
  readonly begin: {readonly index: number} | {readonly keyword: string; readonly startFrom: number} | {readonly unknown: true}
  readonly find:
    | {readonly range: {readonly lastKey: number; readonly keyStep: number; readonly limit: number}}
    | {readonly keynum: {readonly keyNumIdx: number; readonly firstKey: number; readonly keyStep: number}}
    | {readonly unknown: true}
}

/** One key of a call: its argument position (0 = the command name) and how the command uses it. */
export interface KeyRef {
  readonly pos: number
  readonly flags: readonly KeyFlag[]
}

/**
 * Finds the keys of a whole call (`argv[0]` is the command name), as Redis's per-command getkeys procedures do;
 * no keys means the arguments are invalid (e.g. a bad numkeys).
 */
export type KeyExtractor = (argv: readonly Buffer[]) => readonly KeyRef[]
export const FIRST_KEY: KeySpec = {first: 1, last: 1, step: 1}
export const ALL_KEYS: KeySpec = {first: 1, last: -1, step: 1}

export type Handler = (ctx: CommandContext, args: readonly Buffer[]) => Reply

export interface CommandSpec {
  /** Lower case, as COMMAND reports it; a subcommand is named 'config|get'. */
  readonly name: string
  /** Redis arity: N exactly N arguments counting the name, -N at least N. */
  readonly arity: number
  readonly flags: readonly CommandFlag[]
  readonly keys: KeySpec
  /**
   * For commands whose key positions depend on the arguments (movablekeys): finds them in a call. COMMAND GETKEYS
   * uses it when the key specs cannot (a numkeys that is not a plain count), as Redis uses its getkeys procs.
   */
  readonly getKeys?: KeyExtractor
  /** ACL categories without the '@' (e.g. 'string', 'fast'), as COMMAND INFO lists them. */
  readonly categories?: readonly string[]
  /** Command tips (e.g. 'nondeterministic_output_order', 'request_policy:all_shards'), as COMMAND INFO lists them. */
  readonly tips?: readonly string[]
  /** Receives the arguments after the command name (and after the subcommand name for subcommands). */
  readonly handler: Handler
  readonly subcommands?: readonly CommandSpec[]
  /**
   * The flags the gates judge a call by, when they depend on its arguments: EVAL and FCALL take the flags
   * their script declares (Redis evalGetCommandFlags / fcallGetCommandFlags). COMMAND INFO shows `flags`.
   */
  readonly gateFlags?: (argv: readonly Buffer[], scripting: ScriptingEngine) => readonly CommandFlag[]
}

/**
 * Who runs a command: a client's request, the master's replication stream, a script's redis.call, or EXEC
 * running its queue. A property of the call (Redis keeps it in the client flags and server.script_caller).
 */
export type Caller = 'client' | 'master' | 'script' | 'exec'

/** A request resolved to its spec (after lookup and arity). */
export interface Resolved {
  readonly spec: CommandSpec
  /** Arguments handed to the handler (after the command and subcommand names). */
  readonly handlerArgs: readonly Buffer[]
}

export interface InvokeOptions {
  readonly caller: Caller
  /** False for nested calls: a blocking command answers at once, as on timeout. */
  readonly mayBlock: boolean
  /** False: the call's writes are not propagated (a script's redis.set_repl(redis.REPL_NONE)). */
  readonly propagate?: boolean
}

/**
 * The dispatcher's pipeline as a command that runs other commands sees it (EXEC, a script engine): resolve,
 * then the gates for the caller, then the call. A script engine may apply its own checks between resolve
 * and invoke; `ctx.call` does all three for the common case.
 */
export interface CommandPipeline {
  /** Lookup and arity (with the subcommand): the spec, or the error reply. */
  resolve(argv: readonly Buffer[]): Resolved | Reply
  /** The ordered gate list for `caller`: the first gate's error, or undefined when the command may run. */
  gate(client: Client, spec: CommandSpec, caller: Caller): Reply | undefined
  /** The handler, then stats, slowlog, MONITOR and propagation. */
  invoke(client: Client, resolved: Resolved, argv: readonly Buffer[], options: InvokeOptions): Reply
}

/**
 * What a handler may use, and all it may use: the server is reached only through these ports. Built by the
 * dispatcher for each call.
 */
export interface CommandContext {
  readonly client: Client
  /**
   * The call as the client sent it, command name as typed (FUNCTION STATS shows it, subcommand errors quote
   * it); undefined while a blocked client is served.
   */
  readonly argv: readonly Buffer[] | undefined
  /** Who runs this call. */
  readonly caller: Caller
  readonly keyspace: Keyspace
  /** The client's selected database (as it was when the call began). */
  readonly db: Database
  readonly clock: Clock
  /** Mode, log, config lookups, the command table, INFO, the slowlog, shutdown. */
  readonly server: ServerContext
  /** The directives (CONFIG GET/SET/REWRITE, requirepass, save points …). */
  readonly config: ServerConfig
  /** Connected clients, WATCH, MONITOR, CLIENT UNBLOCK. */
  readonly clients: ClientsPort
  readonly pubsub: PubSub
  /** Client-side caching: CLIENT TRACKING, the tracking table, invalidations. */
  readonly tracking: Tracking
  /** INFO stats and commandstats counters. */
  readonly stats: Stats
  readonly persistence: PersistencePort
  readonly replication: ReplicationPort
  /** EVAL's script cache and the running script (EVAL, SCRIPT, FUNCTION, FCALL). */
  readonly scripting: ScriptingEngine
  /**
   * Replaces what is propagated to replicas for this command (Redis rewriteClientCommandVector and
   * alsoPropagate): e.g. SET … EX 10 goes out as SET … PXAT <abs>, SPOP as SREM. Without a call the
   * command is propagated verbatim when it changed the dataset.
   */
  propagateAs(...commands: (readonly Buffer[])[]): void
  /**
   * This command itself is not propagated (Redis preventCommandPropagation); the nested calls it made are,
   * each on its own. EVAL uses it so replicas get the script's writes, not the script.
   */
  preventPropagation(): void
  /**
   * Runs `fn`; what the nested calls inside it propagate goes out wrapped in MULTI/EXEC (a single command
   * goes out alone), as EXEC's queue does.
   */
  propagateTransaction<T>(fn: () => T): T
  /** False for nested calls (script, EXEC) and while serving a blocked client: a blocking command answers as on timeout. */
  readonly mayBlock: boolean
  /** Parks the client until `operation` can be served or times out; return the result as the reply. */
  block(operation: BlockedOperation): Reply
  /**
   * Runs another command from inside this one (resolve, the gates for `caller`, invoke; never blocks), as
   * `client`. The caller defaults to 'script'.
   */
  call(argv: readonly Buffer[], caller?: Caller): Reply
  /** The pipeline itself, for an engine that applies its own checks between resolve and invoke. */
  readonly dispatcher: CommandPipeline
  /**
   * Feeds this call to MONITOR now (for a skip_monitor command such as EVAL, whose line must come before
   * those of the commands it runs).
   */
  feedMonitor(): void
  /**
   * Raises a keyspace event (notify.c notifyKeyspaceEvent) of `eventClass` in the call's db (or `dbIndex`):
   * published when notify-keyspace-events enables the class.
   */
  notify(eventClass: EventClass, event: string, key: string | Buffer, dbIndex?: number): void
}
