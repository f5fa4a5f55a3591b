// One script invocation (script.c scriptRunCtx): the checks before it starts, the checks on each
// redis.call, the replication flags, and the kill / timed-out state that SCRIPT KILL and BUSY read.

import type {Reply} from '../../resp/reply.js'
import type {Client} from '../client.js'
import type {ScriptFlags} from './script-flags.js'
import type {ScriptHost} from './script-host.js'

export const PROPAGATE_AOF = 1
export const PROPAGATE_REPL = 2

export interface ScriptRunOptions {
  /** EVAL (true) or FCALL (false): it picks SCRIPT KILL vs FUNCTION KILL and the error texts. */
  readonly isEval: boolean
  /** The sha of an EVAL script or the name of a function, as errors and logs show it. */
  readonly name: string
  readonly flags: ScriptFlags
  /** EVAL_RO / EVALSHA_RO / FCALL_RO. */
  readonly readOnlyCommand: boolean
  /** The caller's command line, which FUNCTION STATS shows while a function runs. */
  readonly command?: readonly Buffer[]
}

/** The outcome of a redis.call: the command's reply, or a script error text (it never ran). */
export type ScriptCallResult = {reply: Reply} | {error: string; command?: string}

export class ScriptRun {
  readonly startedAtMs: number
  timedOut = false
  killed = false
  /** A write command ran: from then on SCRIPT KILL answers UNKILLABLE and no write is refused midway. */
  wroteData = false
  readOnly: boolean
  replFlags = PROPAGATE_AOF | PROPAGATE_REPL

  constructor(
    private readonly host: ScriptHost,
    readonly caller: Client,
    readonly scriptClient: Client,
    readonly options: ScriptRunOptions,
  ) {
    this.startedAtMs = host.nowMs()
    this.readOnly = options.readOnlyCommand || (!options.flags.compat && options.flags.set.has('no-writes'))
  }

  /** A script that declares allow-oom runs its denyoom commands whatever the memory state (SCRIPT_ALLOW_OOM). */
  get allowsOom(): boolean {
    return !this.options.flags.compat && this.options.flags.set.has('allow-oom')
  }

  /** The master link's scripts are never refused nor killed (mustObeyClient). */
  get callerIsMaster(): boolean {
    return this.caller.kind === 'master'
  }

  /** scriptPrepareForRun: an error text when the script may not start, else undefined. */
  static refusal(host: ScriptHost, caller: Client, options: ScriptRunOptions): string | undefined {
    const flags = options.flags
    const obey = caller.kind === 'master'
    if (flags.compat) return host.isStaleReplica() ? "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'." : undefined
    if (host.isStaleReplica() && !flags.set.has('allow-stale')) {
      return "-MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script."
    }
    if (!flags.set.has('no-writes')) {
      if (host.isReadOnlyReplica() && !obey) return '-READONLY Can not run script with write flag on readonly replica'
      if (options.readOnlyCommand) return 'Can not execute a script with write flag using *_ro command.'
      if (!host.isReplica() && host.lacksGoodReplicas()) return '-NOREPLICAS Not enough good replicas to write.'
    }
    // no-writes implies allow-oom.
    if (host.wasOutOfMemory() && !flags.set.has('allow-oom') && !flags.set.has('no-writes')) {
      return "-OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'"
    }
    return undefined
  }

  /** scriptCall: the per-command checks, then the command as the script client. */
  call(argv: readonly Buffer[]): ScriptCallResult {
    const found = this.host.lookup(argv)
    if (found === 'unknown') return {error: 'Unknown Redis command called from script'}
    if (found === 'arity') return {error: 'Wrong number of args calling Redis command from script'}
    const flags = found.spec.flags
    const command = found.spec.name
    if (flags.includes('noscript')) return {error: 'This Redis command is not allowed from script', command}
    if (this.host.isStaleReplica() && !flags.includes('stale')) return {error: 'Can not execute the command on a stale replica', command}
    const isWrite = flags.includes('write')
    if (this.readOnly && (isWrite || flags.includes('may_replicate'))) return {error: 'Write commands are not allowed from read-only scripts.', command}
    if (isWrite && !this.wroteData) {
      if (this.host.isReadOnlyReplica() && !this.callerIsMaster) return {error: "-READONLY You can't write against a read only replica.", command}
      if (!this.host.isReplica() && this.host.lacksGoodReplicas()) return {error: '-NOREPLICAS Not enough good replicas to write.', command}
    }
    // scriptVerifyOOM: over maxmemory, only the first write of a script may be refused, never one midway.
    if (flags.includes('denyoom') && !this.wroteData && !this.callerIsMaster && !this.allowsOom && this.host.wasOutOfMemory()) {
      return {error: "-OOM command not allowed when used memory > 'maxmemory'.", command}
    }
    if (isWrite) this.wroteData = true
    return {reply: this.host.invoke(this.scriptClient, found, argv, (this.replFlags & PROPAGATE_REPL) !== 0)}
  }

  /** errorstats for a call the checks refused ("-CODE …" or a bare text counted as ERR). */
  countRejected(text: string, command: string | undefined): void {
    this.host.countError(text.startsWith('-') ? text.slice(1) : `ERR ${text}`, command)
  }

  /** redis.acl_check_cmd: the command is known (its arity is not checked). */
  commandExists(argv: readonly Buffer[]): boolean {
    return this.host.lookup(argv) !== 'unknown'
  }

  elapsedMs(): number {
    return this.host.nowMs() - this.startedAtMs
  }
}
