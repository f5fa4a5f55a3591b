// Test-only: runs a snippet in our Lua runtime as EVAL would (chunk @user_script, globals protected,
// KEYS/ARGV/redis present) and turns the result into what ioredis returns for Redis's RESP2 reply:
// numbers truncated to integers, true → 1, false/nil → null, tables → arrays up to the first nil,
// {err=...} → an error, {ok=...} → a status. Errors are "ERR <message>" without Redis's
// " script: <sha>, on @user_script:N." suffix (stripRedisError removes it from real replies).

import fengari from 'fengari'
import {createLuaRuntime, protectGlobals, type LuaRuntime, type LuaRuntimeOptions} from '../../src/server/scripting/lua/runtime.js'

const {lua} = fengari
type LuaState = LuaRuntime['L']

export type LuaReply = number | string | null | LuaReply[] | {error: string} | {status: string}

/** A runtime set up as Redis's EVAL environment: KEYS, ARGV and an empty redis table, then protected. */
export function evalRuntime(options: LuaRuntimeOptions = {}): LuaRuntime {
  const runtime = createLuaRuntime(options)
  for (const name of ['KEYS', 'ARGV', 'redis']) {
    lua.lua_newtable(runtime.L)
    lua.lua_setglobal(runtime.L, name)
  }
  protectGlobals(runtime.L)
  return runtime
}

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

function field(L: LuaState, name: string): string | undefined {
  lua.lua_getfield(L, -1, name)
  const value = lua.lua_type(L, -1) === lua.LUA_TSTRING ? decode(lua.lua_tostring(L, -1) as Uint8Array) : undefined
  lua.lua_pop(L, 1)
  return value
}

/** The value on top of the stack as a reply (does not pop it). */
export function toReply(L: LuaState): LuaReply {
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TNUMBER: {
      const n = Math.trunc(lua.lua_tonumber(L, -1))
      return Number.isFinite(n) ? n || 0 : -9223372036854775808
    }
    case lua.LUA_TSTRING:
      return decode(lua.lua_tostring(L, -1) as Uint8Array)
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, -1) ? 1 : null
    case lua.LUA_TTABLE: {
      const err = field(L, 'err')
      if (err !== undefined) return {error: err}
      const ok = field(L, 'ok')
      if (ok !== undefined) return {status: ok}
      const out: LuaReply[] = []
      for (let i = 1; ; i++) {
        lua.lua_rawgeti(L, -1, i)
        if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
          lua.lua_pop(L, 1)
          return out
        }
        out.push(toReply(L))
        lua.lua_pop(L, 1)
      }
    }
    default:
      return null
  }
}

/** Compiles and runs `source`; a failure is {error: "ERR ..."} (or the err field of a thrown table). */
export function runLua(runtime: LuaRuntime, source: string): LuaReply {
  const L = runtime.L
  const compileError = runtime.compile(source)
  if (compileError !== undefined) return {error: `ERR Error compiling script (new function): ${compileError}`}
  let reply: LuaReply
  if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    if (lua.lua_istable(L, -1)) {
      const err = field(L, 'err')
      reply = {error: err ?? 'ERR unknown error'}
    } else {
      reply = {error: `ERR ${decode(fengari.lauxlib.luaL_tolstring(L, -1))}`} // __redis__err__handler's tostring(err)
    }
  } else {
    reply = toReply(L)
  }
  lua.lua_settop(L, 0)
  return reply
}

/** Redis's error text without the " script: <sha>, on @user_script:N." suffix. */
export function stripRedisError(message: string): string {
  return message.replace(/ script: [0-9a-f]{40}, on @user_script:\d+\.$/, '')
}
