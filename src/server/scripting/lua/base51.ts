// Lua 5.1's base library and coroutine table on top of fengari's 5.3 ones: load takes a reader
// function only, loadstring/unpack/gcinfo exist, tonumber with a base is C strtoul, collectgarbage has
// 5.1's options, coroutine.running is nil on the main thread; and Redis's pcall replacement
// (script_lua.c luaRedisPcall), which turns an error table {err=...} into its err field.

import {lauxlib, lua, optInt, pushString, setFunctions, toLuaString, type LuaState} from './lua-api.js'

/** 5.1 load(func [, chunkname]): the reader's pieces are concatenated, then compiled. */
function load51(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TFUNCTION)
  const name = lauxlib.luaL_optstring(L, 2, '=(load)')
  const pieces: Uint8Array[] = []
  let size = 0
  for (;;) {
    lua.lua_pushvalue(L, 1)
    lua.lua_call(L, 0, 1)
    if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1)
      break
    }
    if (!lua.lua_isstring(L, -1)) {
      lua.lua_pop(L, 1)
      lauxlib.luaL_where(L, 1)
      pushString(L, 'reader function must return a string')
      lua.lua_concat(L, 2)
      lua.lua_pushnil(L)
      lua.lua_insert(L, -2)
      return 2
    }
    const piece = lua.lua_tostring(L, -1) as Uint8Array
    lua.lua_pop(L, 1)
    if (piece.length === 0) break
    pieces.push(piece)
    size += piece.length
  }
  const chunk = new Uint8Array(size)
  let at = 0
  for (const piece of pieces) {
    chunk.set(piece, at)
    at += piece.length
  }
  return loadResult(L, lauxlib.luaL_loadbuffer(L, chunk, chunk.length, name))
}

/** 5.1 loadstring(s [, chunkname]): the chunk name defaults to the source itself. */
function loadstring51(L: LuaState): number {
  const source = lauxlib.luaL_checkstring(L, 1)
  const name = lauxlib.luaL_optstring(L, 2, source)
  return loadResult(L, lauxlib.luaL_loadbuffer(L, source, source.length, name))
}

function loadResult(L: LuaState, status: number): number {
  if (status === lua.LUA_OK) return 1
  lua.lua_pushnil(L)
  lua.lua_insert(L, -2)
  return 2
}

/** C strtoul(s, &end, base) followed by 5.1's "only trailing spaces" rule; undefined when it fails. */
function strtoul(text: Uint8Array, base: number): number | undefined {
  const isSpace = (c: number | undefined): boolean => c === 32 || (c !== undefined && c >= 9 && c <= 13)
  let i = 0
  while (isSpace(text[i])) i++
  let negative = false
  if (text[i] === 45 || text[i] === 43) negative = text[i++] === 45
  if (base === 16 && text[i] === 48 && (text[i + 1] === 120 || text[i + 1] === 88)) i += 2
  const start = i
  let value = 0n
  const limit = (1n << 64n) - 1n
  let overflow = false
  for (; i < text.length; i++) {
    const c = text[i] as number
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : c >= 65 && c <= 90 ? c - 55 : 99
    if (digit >= base) break
    value = value * BigInt(base) + BigInt(digit)
    if (value > limit) overflow = true
  }
  if (i === start) return undefined
  while (isSpace(text[i])) i++
  if (i !== text.length) return undefined
  if (overflow) return Number(limit)
  return Number(negative ? BigInt.asUintN(64, -value) : value)
}

function tonumber51(L: LuaState): number {
  const base = optInt(L, 2, 10)
  if (base === 10) {
    lauxlib.luaL_checkany(L, 1)
    if (lua.lua_isnumber(L, 1)) {
      lua.lua_pushnumber(L, lua.lua_tonumber(L, 1))
      return 1
    }
  } else {
    const text = lauxlib.luaL_checkstring(L, 1)
    lauxlib.luaL_argcheck(L, base >= 2 && base <= 36, 2, 'base out of range')
    const n = strtoul(text, base)
    if (n !== undefined) {
      lua.lua_pushnumber(L, n)
      return 1
    }
  }
  lua.lua_pushnil(L)
  return 1
}

const GC_OPTIONS = ['stop', 'restart', 'collect', 'count', 'step', 'setpause', 'setstepmul']

/** A plausible heap size in KB: fengari lives in the JS heap and cannot measure its own. */
const estimatedHeapKb = (): number => 24.5

function collectgarbage51(L: LuaState): number {
  const option = lua.lua_isnoneornil(L, 1) ? 'collect' : String.fromCharCode(...lauxlib.luaL_checkstring(L, 1))
  if (!GC_OPTIONS.includes(option)) lauxlib.luaL_argerror(L, 1, toLuaString(`invalid option '${option}'`))
  optInt(L, 2, 0)
  switch (option) {
    case 'count':
      lua.lua_pushnumber(L, estimatedHeapKb())
      break
    case 'step':
      lua.lua_pushboolean(L, true)
      break
    case 'setpause':
    case 'setstepmul':
      lua.lua_pushnumber(L, 200)
      break
    default:
      lua.lua_pushnumber(L, 0)
  }
  return 1
}

function gcinfo(L: LuaState): number {
  lua.lua_pushnumber(L, Math.floor(estimatedHeapKb()))
  return 1
}

/** 5.1 error: a number message gets the position too (5.3 only adds it to strings). */
function error51(L: LuaState): number {
  const level = optInt(L, 2, 1)
  lua.lua_settop(L, 1)
  if (lua.lua_isstring(L, 1) && level > 0) {
    lauxlib.luaL_where(L, level)
    lua.lua_pushvalue(L, 1)
    lua.lua_concat(L, 2)
  }
  return lua.lua_error(L)
}

function ipairsAux(L: LuaState): number {
  const i = lauxlib.luaL_checknumber(L, 2) + 1
  lua.lua_pushnumber(L, i)
  lua.lua_rawgeti(L, 1, i)
  return lua.lua_type(L, -1) === lua.LUA_TNIL ? 0 : 2
}

/** 5.1 ipairs: a table only, raw access. */
function ipairs51(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  lua.lua_pushcfunction(L, ipairsAux)
  lua.lua_pushvalue(L, 1)
  lua.lua_pushnumber(L, 0)
  return 3
}

/** 5.1 tostring: whatever __tostring returns, unchecked; numbers with %.14g. */
function tostring51(L: LuaState): number {
  lauxlib.luaL_checkany(L, 1)
  if (lauxlib.luaL_callmeta(L, 1, '__tostring')) return 1
  lauxlib.luaL_tolstring(L, 1)
  return 1
}

/** The iterator 5.1's pairs returns: its own next, not the global one (pairs({}) ~= next). */
function pairsNext(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  lua.lua_settop(L, 2)
  if (lua.lua_next(L, 1)) return 2
  lua.lua_pushnil(L)
  return 1
}

/** 5.1 pairs: a table only, no __pairs. */
function pairs51(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  lua.lua_pushcfunction(L, pairsNext)
  lua.lua_pushvalue(L, 1)
  lua.lua_pushnil(L)
  return 3
}

/** 5.1 assert: the message must be a string (or number), raised with luaL_error's position. */
function assert51(L: LuaState): number {
  lauxlib.luaL_checkany(L, 1)
  if (lua.lua_toboolean(L, 1)) return lua.lua_gettop(L)
  const message = lauxlib.luaL_optstring(L, 2, 'assertion failed!')
  return lauxlib.luaL_error(L, '%s', message)
}

/** script_lua.c luaRedisPcall. */
function redisPcall(L: LuaState): number {
  const argc = lua.lua_gettop(L)
  if (argc === 0) {
    // Redis calls its own placeholder here (lua_pcall with nargs -1)
    lua.lua_pushboolean(L, false)
    pushString(L, 'attempt to call a boolean value')
    return 2
  }
  lua.lua_pushboolean(L, true)
  lua.lua_insert(L, 1)
  if (lua.lua_pcall(L, argc - 1, lua.LUA_MULTRET, 0) !== lua.LUA_OK) {
    lua.lua_remove(L, 1)
    if (lua.lua_istable(L, -1)) {
      lua.lua_getfield(L, -1, 'err')
      if (lua.lua_isstring(L, -1)) lua.lua_replace(L, -2)
    }
    lua.lua_pushboolean(L, false)
    lua.lua_insert(L, 1)
  }
  return lua.lua_gettop(L)
}

/** Adjusts _G (on top of the stack) from fengari's 5.3 base library to Lua 5.1's, as Redis has it. */
const LUAI_MAXCSTACK = 8000

export function adjustBaseLibrary(L: LuaState, unpack53: (L: LuaState) => number): void {
  const unpack = (state: LuaState): number => {
    lauxlib.luaL_checktype(state, 1, lua.LUA_TTABLE) // 5.1's luaB_unpack wants a table
    // 5.1's lua_checkstack refuses to grow a C function's frame past LUAI_MAXCSTACK (8000) slots.
    const first = lua.lua_isnoneornil(state, 2) ? 1 : lauxlib.luaL_checkinteger(state, 2)
    const last = lua.lua_isnoneornil(state, 3) ? lauxlib.luaL_len(state, 1) : lauxlib.luaL_checkinteger(state, 3)
    if (last - first + 1 + lua.lua_gettop(state) > LUAI_MAXCSTACK) return lauxlib.luaL_error(state, 'too many results to unpack')
    return unpack53(state)
  }
  setFunctions(L, {
    assert: assert51,
    load: load51,
    loadstring: loadstring51,
    tonumber: tonumber51,
    collectgarbage: collectgarbage51,
    gcinfo,
    unpack,
    error: error51,
    tostring: tostring51,
    ipairs: ipairs51,
    pairs: pairs51,
    pcall: redisPcall,
  })
  lua.lua_pushstring(L, 'Lua 5.1')
  lua.lua_setfield(L, -2, '_VERSION')
}

/** coroutine.running of 5.1: nil on the main thread. Wraps fengari's on the coroutine table on top. */
export function adjustCoroutineLibrary(L: LuaState): void {
  lua.lua_getfield(L, -1, 'running')
  lua.lua_pushcclosure(L, (state) => {
    lua.lua_pushvalue(state, lua.lua_upvalueindex(1))
    lua.lua_call(state, 0, 2)
    if (lua.lua_toboolean(state, -1)) {
      lua.lua_pushnil(state)
      return 1
    }
    lua.lua_pop(state, 1)
    return 1
  }, 1)
  lua.lua_setfield(L, -2, 'running')
  lua.lua_pushnil(L)
  lua.lua_setfield(L, -2, 'isyieldable')
}


