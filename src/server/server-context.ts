// The part of the server itself that command handlers may reach (ctx.server): mode, log, config lookups,
// the command table, INFO, the slowlog and shutdown. Implemented by server.ts; kept as an interface so
// command groups do not import the composition root.

import type {Logger} from '../common/logger.js'
import type {CommandTable} from './command-table.js'
import type {SlowLog} from './slowlog.js'
import type {UsedMemory} from './used-memory.js'

export interface ServerContext {
  /** 'sentinel' when this process runs as a sentinel (another command table, no dataset). */
  readonly mode: 'standalone' | 'sentinel'
  readonly logger: Logger
  /** The one command table (COMMAND and its subcommands read it). */
  readonly commands: CommandTable
  readonly slowlog: SlowLog
  /** Current value of a config directive as CONFIG GET shows it, or undefined when unknown. */
  getConfig(name: string): string | undefined
  /** True when this server is a replica (affects expiry and the READONLY gate). */
  isReplica(): boolean
  /** True when requirepass is set: new connections start unauthenticated. */
  requiresAuth(): boolean
  /** used_memory and its parts (used-memory.ts): what INFO memory, MEMORY STATS and eviction read. */
  usedMemory(): UsedMemory
  /** The INFO text for the requested section names (lower case); [] means `default`. */
  info(sections: readonly string[]): string
  /** Stops the server (saving when asked or when save points exist); false when the final save failed. */
  shutdown(options: {save?: boolean}): Promise<boolean>
}
