// Commands are data (design principle 1): each group file exports CommandSpec rows; the command table gathers them.
// Handlers are synchronous and return a Reply, so every command is atomic on the event loop, as in Redis.

import type {Clock} from '../common/clock.js'
import type {Reply} from '../resp/reply.js'
import type {BlockedOperation} from './blocking.js'
import type {Client} from './client.js'
import type {Database} from './keyspace/database.js'
import type {Keyspace} from './keyspace/keyspace.js'
import type {ServerContext} from './server-context.js'

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
  /** ACL categories without the '@' (e.g. 'string', 'fast'), as COMMAND INFO lists them. */
  readonly categories?: readonly string[]
  /** Receives the arguments after the command name (and after the subcommand name for subcommands). */
  readonly handler: Handler
  readonly subcommands?: readonly CommandSpec[]
}

/** What a handler may use. Built by the dispatcher for each call. */
export interface CommandContext {
  readonly client: Client
  readonly keyspace: Keyspace
  /** The client's selected database. */
  readonly db: Database
  readonly clock: Clock
  readonly server: ServerContext
  /**
   * Replaces what is propagated to replicas for this command (Redis rewriteClientCommandVector and
   * alsoPropagate): e.g. SET … EX 10 goes out as SET … PXAT <abs>, SPOP as SREM. Without a call the
   * command is propagated verbatim when it changed the dataset.
   */
  propagateAs(...commands: (readonly Buffer[])[]): void
  /** False inside EXEC (and while serving a blocked client): a blocking command answers as on timeout. */
  readonly mayBlock: boolean
  /** Parks the client until `operation` can be served or times out; return the result as the reply. */
  block(operation: BlockedOperation): Reply
}
