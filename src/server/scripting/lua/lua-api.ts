// Small helpers over the fengari C-style API shared by the library files: registering functions into a
// table, reading and pushing byte strings, and a Lua 5.1 style integer check (a C cast of the double).

import fengari, {type LuaCFunction, type LuaState, type LuaString} from 'fengari'

export const {lua, lauxlib, lualib, to_luastring: toLuaString, to_jsstring: toJsString} = fengari
export type {LuaCFunction, LuaState, LuaString}

/** Sets each function of `functions` as a field of the table on top of the stack. */
export function setFunctions(L: LuaState, functions: Record<string, LuaCFunction>): void {
  for (const [name, fn] of Object.entries(functions)) {
    lua.lua_pushcfunction(L, fn)
    lua.lua_setfield(L, -2, toLuaString(name, true))
  }
}

/** Creates a table holding `functions` and leaves it on the stack. */
export function newLibrary(L: LuaState, functions: Record<string, LuaCFunction>): void {
  lua.lua_createtable(L, 0, Object.keys(functions).length)
  setFunctions(L, functions)
}

/** Removes the named fields from the table at `index`. */
export function removeFields(L: LuaState, index: number, names: readonly string[]): void {
  const t = lua.lua_absindex(L, index)
  for (const name of names) {
    lua.lua_pushnil(L)
    lua.lua_setfield(L, t, toLuaString(name, true))
  }
}

/** luaL_checkint of Lua 5.1: the number truncated and wrapped to a C int. */
export function checkInt(L: LuaState, arg: number): number {
  return toInt32(lauxlib.luaL_checknumber(L, arg))
}

/** luaL_optint of Lua 5.1. */
export function optInt(L: LuaState, arg: number, def: number): number {
  return lua.lua_isnoneornil(L, arg) ? def : checkInt(L, arg)
}

/** (int)(long long)d as x86-64 does it: out-of-range and NaN give INT_MIN's low bits. */
export function toInt32(d: number): number {
  if (!Number.isFinite(d) || Math.abs(d) >= 9223372036854775808) return 0
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(d))))
}

/** Pushes a byte string. */
export function pushBytes(L: LuaState, bytes: Uint8Array): void {
  lua.lua_pushstring(L, bytes)
}

/** Pushes a JS string as UTF-8. */
export function pushString(L: LuaState, text: string): void {
  lua.lua_pushstring(L, toLuaString(text))
}

/** luaL_error with a JS string message (no format directives are interpreted). */
export function raise(L: LuaState, message: string): never {
  return lauxlib.luaL_error(L, toLuaString('%s'), toLuaString(message))
}

/** The byte string at `index` (numbers converted as Lua does), or null. */
export function toBytes(L: LuaState, index: number): Uint8Array | null {
  return lua.lua_tostring(L, index)
}

/** Calls `fn` for every key/value of the table at `index`; the key is at -2 and the value at -1. */
export function forEachPair(L: LuaState, index: number, fn: () => void): void {
  const t = lua.lua_absindex(L, index)
  lua.lua_pushnil(L)
  while (lua.lua_next(L, t)) {
    fn()
    lua.lua_pop(L, 1)
  }
}
