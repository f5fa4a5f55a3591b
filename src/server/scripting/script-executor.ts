// Runs a compiled script on its own Lua thread (a coroutine), so that a script past busy-reply-threshold
// can be suspended from the instruction hook: the event loop then serves other clients, which get -BUSY,
// until the script ends or SCRIPT KILL / FUNCTION KILL stops it. Its effects stay atomic because every
// other command is refused meanwhile and the server's cron waits (Redis's processEventsWhileBlocked).

import {bufferAt, lauxlib, lua, luaKey, type LuaState} from './lua-engine.js'
import {ignoresStats, popReply} from './lua-to-reply.js'
import {pushErrorTable} from './reply-to-lua.js'
import type {Reply} from '../../resp/reply.js'
import {error} from '../../resp/reply.js'
import type {ScriptRun} from './script-run.js'

/**
 * Instructions between two looks at the clock. Redis uses 100000, about a millisecond of C Lua; fengari
 * runs some fifty times slower, so a tenth of that keeps the BUSY threshold as sharp as Redis's.
 */
const HOOK_COUNT = 10_000
/** Once timed out: how long a slice of the script runs before other clients get a turn. */
const SLICE_MS = 10

export interface ExecutorHost {
  /** Milliseconds; the busy threshold is read per run. */
  busyThresholdMs(): number
  nowMs(): number
  /** The script crossed the threshold: log it and turn the BUSY gate on. */
  enterTimedOut(run: ScriptRun): void
}

export type RunOutcome = {done: true; reply: Reply} | {done: false; resume: (onDone: (reply: Reply) => void) => void}

const ERROR_SOURCE = luaKey('source')
const ERROR_LINE = luaKey('line')
const ERR = luaKey('err')

/**
 * The message handler (eval.c __redis__err__handler): a string error becomes {err="ERR …"}; the error
 * gets the source and line of the Lua function that raised it (its caller when a C function raised it).
 */
export function errorHandler(L: LuaState): number {
  const ar = new lua.lua_Debug()
  let found = lua.lua_getstack(L, 1, ar) === 1 && lua.lua_getinfo(L, luaKey('nSl'), ar) !== 0
  // fengari marks JavaScript functions (our C functions) with what "J"; Lua 5.1 says "C".
  if (found && ar.what !== null && isNativeFunction(Buffer.from(ar.what).toString())) {
    found = lua.lua_getstack(L, 2, ar) === 1 && lua.lua_getinfo(L, luaKey('nSl'), ar) !== 0
  }
  if (!lua.lua_istable(L, 1)) {
    const text = Buffer.concat([Buffer.from('ERR '), toStringBytes(L, 1)])
    lua.lua_settop(L, 0)
    lua.lua_createtable(L, 0, 3)
    lua.lua_pushlstring(L, text, text.length)
    lua.lua_setfield(L, -2, ERR)
  } else {
    lua.lua_settop(L, 1)
  }
  if (found) {
    lua.lua_pushstring(L, ar.source ?? luaKey('?'))
    lua.lua_setfield(L, -2, ERROR_SOURCE)
    lua.lua_pushnumber(L, ar.currentline)
    lua.lua_setfield(L, -2, ERROR_LINE)
  }
  return 1
}

const isNativeFunction = (what: string): boolean => what === 'C' || what === 'J'

function toStringBytes(L: LuaState, index: number): Buffer {
  const text = lua.lua_type(L, index) === lua.LUA_TNIL ? Buffer.from('nil') : bufferAt(L, index)
  if (text !== undefined) return Buffer.from(text)
  const t = lua.lua_typename(L, lua.lua_type(L, index))
  return Buffer.from(`${Buffer.from(t).toString()}: ${lua.lua_topointer(L, index) as unknown as string}`)
}

/** Reads {err, source, line} of an error value into the reply text Redis sends (luaCallFunction). */
function errorReplyOf(L: LuaState, run: ScriptRun): Reply {
  if (!lua.lua_istable(L, -1)) {
    const msg = bufferAt(L, -1)?.toString('latin1') ?? 'execution failure'
    return error(`ERR Error running script ${run.options.name}, ${msg.slice(0, 100)}`)
  }
  const field = (name: Uint8Array): string | undefined => {
    lua.lua_getfield(L, -1, name)
    const v = lua.lua_isstring(L, -1) ? bufferAt(L, -1)?.toString('latin1') : undefined
    lua.lua_pop(L, 1)
    return v
  }
  const msg = field(ERR) ?? ''
  const source = field(ERROR_SOURCE)
  const line = field(ERROR_LINE)
  let text = msg.replace(/[\r\n]/g, ' ')
  if (source !== undefined && line !== undefined) text += ` script: ${run.options.name}, on ${source}:${line}.`
  return ignoresStats(L, -1) ? {kind: 'error', message: text, counted: true} : error(text)
}

/**
 * Runs `pushCall` (which pushes the function and its `nargs` arguments on the thread) under the error
 * handler. Returns the reply, or a handle to resume a suspended script later.
 */
export function execute(
  host: ExecutorHost,
  L: LuaState,
  run: ScriptRun,
  nargs: number,
  pushCall: (T: LuaState) => void,
  maySuspend: boolean,
): RunOutcome {
  const {thread: T, ref: threadRef} = takeThread(L)
  lua.lua_pushcfunction(T, runBody)
  lua.lua_pushcfunction(T, errorHandler)
  pushCall(T)
  const threshold = host.busyThresholdMs()
  let sliceStarted = run.startedAtMs
  const hook = (H: LuaState): void => {
    if (run.killed) {
      // Every line raises again, so a pcall in a loop cannot keep a killed script alive.
      lua.lua_sethook(H, hook, lua.LUA_MASKLINE, 0)
      // Redis names SCRIPT KILL here even when FUNCTION KILL stopped a function (script_lua.c luaMaskCountHook).
      pushErrorTable(H, 'Script killed by user with SCRIPT KILL...')
      lua.lua_error(H)
      return
    }
    if (threshold <= 0) return
    const now = host.nowMs()
    if (!run.timedOut) {
      if (now - run.startedAtMs < threshold) return
      host.enterTimedOut(run)
      sliceStarted = now
      lua.lua_sethook(H, hook, lua.LUA_MASKCOUNT, HOOK_COUNT / 10)
    }
    if (maySuspend && now - sliceStarted >= SLICE_MS && lua.lua_isyieldable(H)) lua.lua_yield(H, 0)
  }
  lua.lua_sethook(T, hook, lua.LUA_MASKCOUNT, HOOK_COUNT)
  const finish = (status: number): Reply => {
    let reply: Reply
    if (status !== lua.LUA_OK) {
      // The body itself failed (the handler could not run): report what is on top.
      reply = errorReplyOf(T, run)
    } else {
      const ok = lua.lua_toboolean(T, -1)
      lua.lua_pop(T, 1)
      reply = ok ? popReply(T, run.scriptClient.resp, run.caller.resp) : errorReplyOf(T, run)
    }
    lua.lua_sethook(T, null, 0, 0)
    releaseThread(L, T, threadRef, status === lua.LUA_OK)
    return reply
  }
  const status = lua.lua_resume(T, L, nargs + 2)
  if (status !== lua.LUA_YIELD) return {done: true, reply: finish(status)}
  return {
    done: false,
    resume: (onDone) => {
      const step = (): void => {
        sliceStarted = host.nowMs()
        const next = lua.lua_resume(T, L, 0)
        if (next === lua.LUA_YIELD) setImmediate(step)
        else onDone(finish(next))
      }
      setImmediate(step)
    },
  }
}

/**
 * One spare thread per Lua state: a coroutine that returned normally can start another function, so the
 * common case allocates no thread. A thread that failed is dead and is dropped. Threads are anchored in
 * the registry: the state's own stack may move while a script is suspended.
 */
const spareThreads = new WeakMap<LuaState, {thread: LuaState; ref: number}>()

function takeThread(L: LuaState): {thread: LuaState; ref: number} {
  const spare = spareThreads.get(L)
  if (spare !== undefined) {
    spareThreads.delete(L)
    return spare
  }
  const thread = lua.lua_newthread(L)
  return {thread, ref: lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)}
}

function releaseThread(L: LuaState, thread: LuaState, ref: number, reusable: boolean): void {
  if (reusable && !spareThreads.has(L)) {
    lua.lua_settop(thread, 0)
    spareThreads.set(L, {thread, ref})
  } else {
    lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, ref)
  }
}

/** The thread's body: [handler, fn, args…] → pcall under the handler → (result, ok). Yieldable throughout. */
function runBody(T: LuaState): number {
  const nargs = lua.lua_gettop(T) - 2
  const status = lua.lua_pcallk(T, nargs, 1, 1, 0, afterBody)
  return afterBody(T, status, 0)
}

function afterBody(T: LuaState, status: number, _ctx: number): number {
  lua.lua_pushboolean(T, status === lua.LUA_OK || status === lua.LUA_YIELD)
  return 2
}
