// What the scripting engine needs from the server, as one narrow port: command lookup, running a command
// as the script client (the dispatcher's nested call), the replication state its checks read, logging,
// and the BUSY gate. The server implements it; the engine never sees the composition root.

import type {Reply} from '../../resp/reply.js'
import type {Client} from '../client.js'
import type {CommandSpec} from '../command-spec.js'

export interface ScriptCommandCall {
  readonly spec: CommandSpec
  readonly handlerArgs: readonly Buffer[]
}

export interface ScriptHost {
  /** The command (or subcommand) an argv names with a valid arity: undefined when unknown, 'arity' when the count is wrong. */
  lookup(argv: readonly Buffer[]): ScriptCommandCall | 'unknown' | 'arity'
  /** Runs a resolved command as the script client: no blocking, stats and slowlog fed; propagated only when `propagate`. */
  invoke(client: Client, call: ScriptCommandCall, argv: readonly Buffer[], propagate: boolean): Reply
  /** Opens / closes the MULTI … EXEC wrapper of a script's effects (a single write goes out bare). */
  beginEffects(): void
  endEffects(): void
  /** A fresh client for scripts, with the server's id sequence and no connection. */
  newScriptClient(): Client
  isReplica(): boolean
  /** Replica with replica-read-only yes. */
  isReadOnlyReplica(): boolean
  /** A replica whose master link is down with replica-serve-stale-data no. */
  isStaleReplica(): boolean
  /** min-replicas-to-write is set and too few good replicas are connected. */
  lacksGoodReplicas(): boolean
  /** maxmemory is set and the OOM check before the current command found nothing to evict (pre_command_oom_state). */
  wasOutOfMemory(): boolean
  config(name: string): string | undefined
  log(level: 'debug' | 'verbose' | 'notice' | 'warning', text: string): void
  /** Turns the BUSY gate on (a reply for commands without allow_busy) or off (undefined). */
  setBusy(reply: Reply | undefined): void
  /** While `frozen`, keys expire by the time the script started, not by the clock (script time snapshot). */
  freezeExpiryTime(frozen: boolean): void
  /** Counts an error reply in INFO errorstats. */
  countError(message: string, rejectedCommand: string | undefined): void
  /** Monotonic milliseconds. */
  nowMs(): number
}
