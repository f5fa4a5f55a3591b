// Lua 5.1's table library (ltablib.c of 5.1) where it differs from fengari's 5.3 one: raw access,
// no bounds errors in insert/remove, 5.1's concat error, and foreach/foreachi/getn/maxn/setn.
// table.sort is fengari's (same algorithm and errors as 5.1).

import {checkInt, lauxlib, lua, optInt, removeFields, setFunctions, type LuaState} from './lua-api.js'

function checkTableLength(L: LuaState, arg: number): number {
  lauxlib.luaL_checktype(L, arg, lua.LUA_TTABLE)
  return lua.lua_rawlen(L, arg)
}

function insert(L: LuaState): number {
  let e = checkTableLength(L, 1) + 1
  let pos: number
  switch (lua.lua_gettop(L)) {
    case 2:
      pos = e
      break
    case 3: {
      pos = checkInt(L, 2)
      if (pos > e) e = pos
      for (let i = e; i > pos; i--) {
        lua.lua_rawgeti(L, 1, i - 1)
        lua.lua_rawseti(L, 1, i)
      }
      break
    }
    default:
      return lauxlib.luaL_error(L, "wrong number of arguments to 'insert'")
  }
  lua.lua_rawseti(L, 1, pos)
  return 0
}

function remove(L: LuaState): number {
  const e = checkTableLength(L, 1)
  let pos = optInt(L, 2, e)
  if (!(1 <= pos && pos <= e)) return 0
  lua.lua_rawgeti(L, 1, pos)
  for (; pos < e; pos++) {
    lua.lua_rawgeti(L, 1, pos + 1)
    lua.lua_rawseti(L, 1, pos)
  }
  lua.lua_pushnil(L)
  lua.lua_rawseti(L, 1, e)
  return 1
}

function concat(L: LuaState): number {
  const sep = lauxlib.luaL_optstring(L, 2, '')
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  let i = optInt(L, 3, 1)
  const last = lua.lua_isnoneornil(L, 4) ? lua.lua_rawlen(L, 1) : checkInt(L, 4)
  const parts: Uint8Array[] = []
  const addField = (): void => {
    lua.lua_rawgeti(L, 1, i)
    if (!lua.lua_isstring(L, -1)) {
      const type = String.fromCharCode(...lauxlib.luaL_typename(L, -1))
      lauxlib.luaL_error(L, `invalid value (${type}) at index ${i} in table for 'concat'`)
    }
    parts.push(lua.lua_tostring(L, -1) as Uint8Array)
    lua.lua_pop(L, 1)
  }
  for (; i < last; i++) {
    addField()
    parts.push(sep)
  }
  if (i === last) addField()
  let size = 0
  for (const part of parts) size += part.length
  const out = new Uint8Array(size)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  lua.lua_pushstring(L, out)
  return 1
}

function getn(L: LuaState): number {
  lua.lua_pushnumber(L, checkTableLength(L, 1))
  return 1
}

function maxn(L: LuaState): number {
  let max = 0
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  lua.lua_pushnil(L)
  while (lua.lua_next(L, 1)) {
    lua.lua_pop(L, 1)
    if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) {
      const v = lua.lua_tonumber(L, -1)
      if (v > max) max = v
    }
  }
  lua.lua_pushnumber(L, max)
  return 1
}

function setn(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  return lauxlib.luaL_error(L, "'setn' is obsolete")
}

function foreachi(L: LuaState): number {
  const n = checkTableLength(L, 1)
  lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION)
  for (let i = 1; i <= n; i++) {
    lua.lua_pushvalue(L, 2)
    lua.lua_pushnumber(L, i)
    lua.lua_rawgeti(L, 1, i)
    lua.lua_call(L, 2, 1)
    if (lua.lua_type(L, -1) !== lua.LUA_TNIL) return 1
    lua.lua_pop(L, 1)
  }
  return 0
}

function foreach(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION)
  lua.lua_pushnil(L)
  while (lua.lua_next(L, 1)) {
    lua.lua_pushvalue(L, 2)
    lua.lua_pushvalue(L, -3)
    lua.lua_pushvalue(L, -3)
    lua.lua_call(L, 2, 1)
    if (lua.lua_type(L, -1) !== lua.LUA_TNIL) return 1
    lua.lua_pop(L, 2)
  }
  return 0
}

/** Turns fengari's table library (on top of the stack) into 5.1's. */
export function adjustTableLibrary(L: LuaState): void {
  removeFields(L, -1, ['move', 'pack', 'unpack'])
  setFunctions(L, {insert, remove, concat, getn, maxn, setn, foreach, foreachi})
}
