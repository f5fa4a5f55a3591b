// The scripting engine of the server: the one script that may run at a time (EVAL or FCALL), the script
// client it runs commands as, the BUSY state once it passes busy-reply-threshold, SCRIPT KILL /
// FUNCTION KILL, EVAL's script cache and the function libraries. Handlers in commands/scripting.ts and
// commands/functions.ts call into it.

import {error, NONE, OK, type Reply} from '../../resp/reply.js'
import type {Client} from '../client.js'
import {EvalScripts, NOSCRIPT, splitKeysAndArgs, type CachedScript} from './eval-scripts.js'
import {Functions} from './functions/functions.js'
import {execute, type ExecutorHost} from './script-executor.js'
import type {ScriptHost} from './script-host.js'
import {ScriptRun, type ScriptRunOptions} from './script-run.js'
import type {LuaSandbox} from './sandbox.js'
import type {LuaState} from './lua-engine.js'

export const BUSY_EVAL = error('BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.')
export const BUSY_FUNCTION = error('BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.')
const NOTBUSY = error('NOTBUSY No scripts in execution right now.')
const UNKILLABLE_MASTER = error('UNKILLABLE The busy script was sent by a master instance in the context of replication and cannot be killed.')
const UNKILLABLE_WROTE = error(
  'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.',
)

const LOG_LEVEL_NUMBER: Record<string, number> = {debug: 0, verbose: 1, notice: 2, warning: 3}

/** How a finished script's reply reaches a caller whose EVAL had to be suspended. */
export interface SuspendedCaller {
  /** The connection reads no further requests from the caller until `finish`. */
  suspend(client: Client): void
  finish(client: Client, reply: Reply): void
}

export interface RunRequest {
  readonly caller: Client
  readonly options: ScriptRunOptions
  /** The caller's db when the script starts (the script client starts there). */
  readonly dbIndex: number
  /** False for nested callers (EVAL inside MULTI, a script from the master link): no suspension. */
  readonly maySuspend: boolean
  readonly state: LuaState
  readonly nargs: number
  readonly pushCall: (T: LuaState) => void
}

export class ScriptingEngine {
  readonly evalScripts: EvalScripts
  /** FUNCTION LOAD's libraries, on their own Lua state (FCALL runs through run() like EVAL). */
  readonly functions: Functions
  private current: ScriptRun | undefined
  private readonly scriptClient: Client
  private readonly executorHost: ExecutorHost

  constructor(
    private readonly host: ScriptHost,
    sandbox: LuaSandbox,
    private readonly suspended: SuspendedCaller,
  ) {
    const api = this.apiHost()
    this.evalScripts = new EvalScripts(sandbox, api)
    this.functions = new Functions(sandbox, api, () => host.nowMs())
    this.scriptClient = host.newScriptClient()
    this.executorHost = {
      busyThresholdMs: () => Number(host.config('busy-reply-threshold') ?? 5000),
      nowMs: () => host.nowMs(),
      enterTimedOut: (run) => {
        host.log('warning', `Slow script detected: still in execution after ${Math.floor(run.elapsedMs())} milliseconds. You can try killing the script using the ${run.options.isEval ? 'SCRIPT KILL' : 'FUNCTION KILL'} command. Script name is: ${run.options.name}.`)
        run.timedOut = true
        host.setBusy(run.options.isEval ? BUSY_EVAL : BUSY_FUNCTION)
      },
    }
  }

  /** The running script, if any (FUNCTION STATS, INFO). */
  get running(): ScriptRun | undefined {
    return this.current
  }

  /** The callbacks of the `redis` API, shared by EVAL's Lua state and the function libraries'. */
  private apiHost(): {currentRun: () => ScriptRun | undefined; log: ScriptHost['log']; verbosity: () => number} {
    return {
      currentRun: () => this.current,
      log: (level, text) => this.host.log(level, text),
      verbosity: () => LOG_LEVEL_NUMBER[this.host.config('loglevel') ?? 'notice'] ?? 2,
    }
  }

  /** Runs a script to its end, or suspends it past the busy threshold and answers the caller later. */
  run(request: RunRequest): Reply {
    const refusal = ScriptRun.refusal(this.host, request.caller, request.options)
    if (refusal !== undefined) return error(refusal.startsWith('-') ? refusal.slice(1) : `ERR ${refusal}`)
    const client = this.scriptClient
    client.dbIndex = request.dbIndex
    client.resp = 2
    const run = new ScriptRun(this.host, request.caller, client, request.options)
    this.current = run
    this.host.freezeExpiryTime(true)
    this.host.beginEffects()
    const outcome = execute(this.executorHost, request.state, run, request.nargs, request.pushCall, request.maySuspend)
    if (outcome.done) return this.end(run, outcome.reply)
    // Suspended: only reachable when the script could yield, i.e. it was not called from inside MULTI.
    this.suspended.suspend(request.caller)
    outcome.resume((reply) => this.suspended.finish(request.caller, this.end(run, reply)))
    return NONE
  }

  private end(run: ScriptRun, reply: Reply): Reply {
    this.host.endEffects()
    this.host.freezeExpiryTime(false)
    if (run.timedOut) this.host.setBusy(undefined)
    // The same words for FUNCTION KILL, as Redis logs them.
    if (run.killed) this.host.log('warning', 'Lua script killed by user with SCRIPT KILL.')
    this.current = undefined
    return reply
  }

  /** SCRIPT KILL (isEval) and FUNCTION KILL (script.c scriptKill). */
  kill(isEval: boolean): Reply {
    const run = this.current
    if (run === undefined) return NOTBUSY
    if (run.callerIsMaster) return UNKILLABLE_MASTER
    if (run.wroteData) return UNKILLABLE_WROTE
    if (isEval && !run.options.isEval) return BUSY_FUNCTION
    if (!isEval && run.options.isEval) return BUSY_EVAL
    run.killed = true
    return OK
  }

  /** EVAL, EVAL_RO, EVALSHA and EVALSHA_RO. */
  evalCommand(caller: Client, args: readonly Buffer[], how: {sha: boolean; readOnly: boolean; maySuspend: boolean}): Reply {
    const [first, numkeys] = args as [Buffer, Buffer]
    if (how.sha && first.length !== 40) return NOSCRIPT
    const split = splitKeysAndArgs(numkeys, args.slice(2))
    if ('kind' in split) return split
    let script: CachedScript | undefined
    if (how.sha) {
      script = this.evalScripts.getByArg(first)
      if (script === undefined) return NOSCRIPT
    } else {
      const created = this.evalScripts.create(first)
      if ('kind' in created) return created
      script = created
    }
    const found = script
    return this.run({
      caller,
      options: {isEval: true, name: found.sha, flags: found.flags, readOnlyCommand: how.readOnly},
      dbIndex: caller.dbIndex,
      maySuspend: how.maySuspend,
      state: this.evalScripts.state,
      nargs: 0,
      pushCall: (T) => this.evalScripts.prepareCall(T, found, split.keys, split.args),
    })
  }
}
