// The `redis` table that scripts see (script_lua.c luaRegisterRedisAPI, eval.c scriptingInit) and the
// global pcall that turns a Redis error table into its message: call, pcall, log, setresp, set_repl,
// sha1hex, error_reply, status_reply, the REPL_* and LOG_* constants and the version.

import {createHash} from 'node:crypto'
import {REDIS_VERSION} from '../version.js'
import {bufferAt, lauxlib, lua, luaKey, type LuaState} from './lua-engine.js'
import {toPrecision17} from '../../resp/encoder.js'
import {pushErrorTable, pushReply} from './reply-to-lua.js'
import {PROPAGATE_AOF, PROPAGATE_REPL, type ScriptRun} from './script-run.js'

/** Where the API finds the running script (undefined outside an invocation) and the server log. */
export interface ScriptApiHost {
  currentRun(): ScriptRun | undefined
  log(level: 'debug' | 'verbose' | 'notice' | 'warning', text: string): void
  /** The configured loglevel as a number (LL_DEBUG 0 … LL_WARNING 3). */
  verbosity(): number
}

const LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const

/** REDIS_VERSION_NUM: 0x00MMmmpp. */
export function versionNumber(version: string): number {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number)
  return (major << 16) | (minor << 8) | patch
}

const raise = (L: LuaState, text: string): number => {
  pushErrorTable(L, text)
  return lua.lua_error(L)
}

/** The number text Redis gives a Lua number passed to redis.call: printf("%.17g"). */
export function formatLuaNumber(n: number): string {
  if (Number.isNaN(n)) return n < 0 || Object.is(n, -NaN) ? '-nan' : 'nan'
  if (n === Infinity) return 'inf'
  if (n === -Infinity) return '-inf'
  return toPrecision17(n)
}

/** The arguments of redis.call as an argv (luaArgsToRedisArgv); an error text when one is not a string or number. */
function argvOf(L: LuaState): Buffer[] | string {
  const argc = lua.lua_gettop(L)
  if (argc === 0) return 'Please specify at least one argument for this redis lib call'
  const argv: Buffer[] = []
  for (let j = 1; j <= argc; j++) {
    if (lua.lua_type(L, j) === lua.LUA_TNUMBER) {
      argv.push(Buffer.from(formatLuaNumber(lua.lua_tonumber(L, j)), 'latin1'))
      continue
    }
    // A view on the Lua string, not a copy: Lua strings never change.
    const s = bufferAt(L, j)
    if (s === undefined) break
    argv.push(s)
  }
  lua.lua_settop(L, 0)
  return argv.length === argc ? argv : 'Lua redis lib command arguments must be strings or integers'
}

function genericCall(host: ScriptApiHost, L: LuaState, raiseError: boolean): number {
  const run = host.currentRun()
  if (run === undefined) return raise(L, 'redis.call/pcall can only be called inside a script invocation')
  const argv = argvOf(L)
  if (typeof argv === 'string') {
    pushErrorTable(L, argv)
    return raiseError ? lua.lua_error(L) : 1
  }
  const result = run.call(argv)
  if ('error' in result) {
    // Refused before it ran: counted now, as scriptCall's afterErrorReply does, and not again by the script's reply.
    run.countRejected(result.error, result.command)
    pushErrorTable(L, result.error)
    lua.lua_pushboolean(L, true)
    lua.lua_setfield(L, -2, luaKey('ignore_error_stats_update'))
    return raiseError ? lua.lua_error(L) : 1
  }
  pushReply(L, result.reply, run.scriptClient.resp)
  return raiseError && result.reply.kind === 'error' ? lua.lua_error(L) : 1
}

type JsFunction = (L: LuaState) => number

function setFunction(L: LuaState, name: string, fn: JsFunction): void {
  lua.lua_pushcfunction(L, fn)
  lua.lua_setfield(L, -2, luaKey(name))
}

function setNumber(L: LuaState, name: string, n: number): void {
  lua.lua_pushnumber(L, n)
  lua.lua_setfield(L, -2, luaKey(name))
}

/** Pushes a new `redis` table with the API common to EVAL scripts and function libraries. */
export function pushRedisApi(L: LuaState, host: ScriptApiHost): void {
  lua.lua_newtable(L)
  setFunction(L, 'call', (S) => genericCall(host, S, true))
  setFunction(L, 'pcall', (S) => genericCall(host, S, false))
  setFunction(L, 'log', (S) => logCommand(host, S))
  LOG_LEVELS.forEach((level, i) => setNumber(L, `LOG_${level.toUpperCase()}`, i))
  setNumber(L, 'REDIS_VERSION_NUM', versionNumber(REDIS_VERSION))
  lua.lua_pushstring(L, luaKey(REDIS_VERSION))
  lua.lua_setfield(L, -2, luaKey('REDIS_VERSION'))
  setFunction(L, 'setresp', (S) => setResp(host, S))
  setFunction(L, 'sha1hex', sha1hex)
  setFunction(L, 'error_reply', errorReply)
  setFunction(L, 'status_reply', statusReply)
  setFunction(L, 'set_repl', (S) => setRepl(host, S))
  setNumber(L, 'REPL_NONE', 0)
  setNumber(L, 'REPL_AOF', PROPAGATE_AOF)
  setNumber(L, 'REPL_SLAVE', PROPAGATE_REPL)
  setNumber(L, 'REPL_REPLICA', PROPAGATE_REPL)
  setNumber(L, 'REPL_ALL', PROPAGATE_AOF | PROPAGATE_REPL)
  setFunction(L, 'acl_check_cmd', (S) => aclCheckCommand(host, S))
}

/** The EVAL-only members (eval.c scriptingInit): the debugger hooks, inert outside a debugging session. */
export function addEvalOnlyApi(L: LuaState): void {
  setFunction(L, 'breakpoint', (S) => {
    lua.lua_pushboolean(S, false)
    return 1
  })
  setFunction(L, 'debug', () => 0)
  setFunction(L, 'replicate_commands', (S) => {
    lua.lua_pushboolean(S, true)
    return 1
  })
}

function logCommand(host: ScriptApiHost, L: LuaState): number {
  const argc = lua.lua_gettop(L)
  if (argc < 2) return raise(L, 'redis.log() requires two arguments or more.')
  if (!lua.lua_isnumber(L, -argc)) return raise(L, 'First argument must be a number (log level).')
  const level = Math.trunc(lua.lua_tonumber(L, -argc))
  if (level < 0 || level > 3) return raise(L, 'Invalid debug level.')
  if (level < host.verbosity()) return 0
  const parts: string[] = []
  for (let j = 2; j <= argc; j++) {
    const s = bufferAt(L, j)
    if (s !== undefined) parts.push(s.toString('latin1'))
  }
  host.log(LOG_LEVELS[level] ?? 'warning', parts.join(' '))
  return 0
}

function setResp(host: ScriptApiHost, L: LuaState): number {
  const run = host.currentRun()
  if (run === undefined) return raise(L, 'redis.setresp can only be called inside a script invocation')
  if (lua.lua_gettop(L) !== 1) return raise(L, 'redis.setresp() requires one argument.')
  const resp = Math.trunc(lua.lua_tonumber(L, 1))
  if (resp !== 2 && resp !== 3) return raise(L, 'RESP version must be 2 or 3.')
  run.scriptClient.resp = resp
  return 0
}

function setRepl(host: ScriptApiHost, L: LuaState): number {
  const run = host.currentRun()
  if (run === undefined) return raise(L, 'redis.set_repl can only be called inside a script invocation')
  if (lua.lua_gettop(L) !== 1) return raise(L, 'redis.set_repl() requires two arguments.')
  const flags = Math.trunc(lua.lua_tonumber(L, -1))
  if ((flags & ~(PROPAGATE_AOF | PROPAGATE_REPL)) !== 0) {
    return raise(L, 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.')
  }
  run.replFlags = flags
  return 0
}

function sha1hex(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1) return raise(L, 'wrong number of arguments')
  const s = bufferAt(L, 1) ?? Buffer.alloc(0)
  lua.lua_pushstring(L, luaKey(createHash('sha1').update(s).digest('hex')))
  return 1
}

function errorReply(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
    pushErrorTable(L, 'wrong number or type of arguments')
    return 1
  }
  const text = bufferAt(L, -1) ?? Buffer.alloc(0)
  pushErrorTable(L, text[0] === 0x2d ? text : Buffer.concat([Buffer.from('-'), text]))
  return 1
}

function statusReply(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
    pushErrorTable(L, 'wrong number or type of arguments')
    return 1
  }
  lua.lua_newtable(L)
  lua.lua_pushvalue(L, -2)
  lua.lua_setfield(L, -2, luaKey('ok'))
  return 1
}

/** Without ACL users every command is permitted to the default user; an unknown command is an error. */
function aclCheckCommand(host: ScriptApiHost, L: LuaState): number {
  const run = host.currentRun()
  if (run === undefined) return raise(L, 'redis.acl_check_cmd can only be called inside a script invocation')
  const argv = argvOf(L)
  if (typeof argv === 'string') return raise(L, argv)
  if (!run.commandExists(argv)) return raise(L, 'Invalid command passed to redis.acl_check_cmd()')
  lua.lua_pushboolean(L, true)
  return 1
}

/**
 * The global pcall of Redis scripts (luaRedisPcall): like Lua's, but an error table with an `err` field is
 * returned as its message. Written with a continuation so that a script suspended for BUSY can yield inside it.
 */
export function redisPcall(L: LuaState): number {
  const argc = lua.lua_gettop(L)
  lauxlib.luaL_checkany(L, 1)
  lua.lua_pushboolean(L, true)
  lua.lua_insert(L, 1)
  const status = lua.lua_pcallk(L, argc - 1, lua.LUA_MULTRET, 0, 0, finishPcall)
  return finishPcall(L, status, 0)
}

function finishPcall(L: LuaState, status: number, _ctx: number): number {
  if (status !== lua.LUA_OK && status !== lua.LUA_YIELD) {
    lua.lua_remove(L, 1)
    if (lua.lua_istable(L, -1)) {
      lua.lua_getfield(L, -1, luaKey('err'))
      // As in Redis, a table without a string `err` leaves that field's value on the stack too.
      if (lua.lua_isstring(L, -1)) lua.lua_replace(L, -2)
    }
    lua.lua_pushboolean(L, false)
    lua.lua_insert(L, 1)
  }
  return lua.lua_gettop(L)
}
