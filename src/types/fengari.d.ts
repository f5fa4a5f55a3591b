// Type declarations for the part of fengari (vendor/fengari, patched for Redis's Lua 5.1) that
// src/server/scripting/lua uses. Lua strings are byte arrays (Uint8Array); JS strings passed where a
// `LuaString` is expected are converted with to_luastring first.

declare module 'fengari' {
  /** An opaque lua_State. */
  export interface LuaState {
    readonly __luaState: unique symbol
  }
  export type LuaString = Uint8Array
  export type LuaCFunction = (L: LuaState) => number

  export interface LuaApi {
    LUA_OK: number
    LUA_ERRRUN: number
    LUA_ERRSYNTAX: number
    LUA_ERRMEM: number
    LUA_MULTRET: number
    LUA_REGISTRYINDEX: number
    LUA_RIDX_GLOBALS: number
    LUA_TNONE: number
    LUA_TNIL: number
    LUA_TBOOLEAN: number
    LUA_TLIGHTUSERDATA: number
    LUA_TNUMBER: number
    LUA_TSTRING: number
    LUA_TTABLE: number
    LUA_TFUNCTION: number
    LUA_TUSERDATA: number
    LUA_TTHREAD: number
    lua_absindex(L: LuaState, idx: number): number
    lua_call(L: LuaState, nargs: number, nresults: number): void
    lua_checkstack(L: LuaState, n: number): boolean
    lua_concat(L: LuaState, n: number): void
    lua_createtable(L: LuaState, narr: number, nrec: number): void
    lua_enablereadonlytable(L: LuaState, idx: number, enabled: boolean | number): void
    lua_error(L: LuaState): never
    lua_getfield(L: LuaState, idx: number, k: LuaString | string): number
    lua_getglobal(L: LuaState, name: LuaString | string): number
    lua_geti(L: LuaState, idx: number, n: number): number
    lua_getmetatable(L: LuaState, idx: number): boolean
    lua_gettable(L: LuaState, idx: number): number
    lua_gettop(L: LuaState): number
    lua_insert(L: LuaState, idx: number): void
    lua_isnoneornil(L: LuaState, idx: number): boolean
    lua_isnumber(L: LuaState, idx: number): boolean
    lua_isreadonlytable(L: LuaState, idx: number): boolean
    lua_isstring(L: LuaState, idx: number): boolean
    lua_istable(L: LuaState, idx: number): boolean
    lua_newtable(L: LuaState): void
    lua_newuserdata(L: LuaState, size: number): unknown
    lua_next(L: LuaState, idx: number): boolean
    lua_pcall(L: LuaState, nargs: number, nresults: number, errfunc: number): number
    lua_pop(L: LuaState, n: number): void
    lua_pushboolean(L: LuaState, b: boolean | number): void
    lua_pushcclosure(L: LuaState, fn: LuaCFunction, n: number): void
    lua_pushcfunction(L: LuaState, fn: LuaCFunction): void
    lua_pushinteger(L: LuaState, n: number): void
    lua_pushlightuserdata(L: LuaState, p: unknown): void
    lua_pushliteral(L: LuaState, s: string): void
    lua_pushnil(L: LuaState): void
    lua_pushnumber(L: LuaState, n: number): void
    lua_pushstring(L: LuaState, s: LuaString | string): void
    lua_pushvalue(L: LuaState, idx: number): void
    lua_pushglobaltable(L: LuaState): void
    lua_tocfunction(L: LuaState, idx: number): LuaCFunction | null
    lua_isboolean(L: LuaState, idx: number): boolean
    lua_isnil(L: LuaState, idx: number): boolean
    lua_isnone(L: LuaState, idx: number): boolean
    lua_rawequal(L: LuaState, a: number, b: number): boolean
    lua_rawget(L: LuaState, idx: number): number
    lua_rawgeti(L: LuaState, idx: number, n: number): number
    lua_rawlen(L: LuaState, idx: number): number
    lua_rawset(L: LuaState, idx: number): void
    lua_rawseti(L: LuaState, idx: number, n: number): void
    lua_remove(L: LuaState, idx: number): void
    lua_replace(L: LuaState, idx: number): void
    lua_setfield(L: LuaState, idx: number, k: LuaString | string): void
    lua_setglobal(L: LuaState, name: LuaString | string): void
    lua_setmetatable(L: LuaState, idx: number): void
    lua_settable(L: LuaState, idx: number): void
    lua_settop(L: LuaState, idx: number): void
    lua_toboolean(L: LuaState, idx: number): boolean
    lua_tonumber(L: LuaState, idx: number): number
    lua_tonumberx(L: LuaState, idx: number): number | false
    lua_tostring(L: LuaState, idx: number): LuaString | null
    lua_touserdata(L: LuaState, idx: number): unknown
    lua_type(L: LuaState, idx: number): number
    lua_typename(L: LuaState, t: number): LuaString
    lua_upvalueindex(i: number): number
    lua_isfunction(L: LuaState, idx: number): boolean
    lua_iscfunction(L: LuaState, idx: number): boolean
    lua_isuserdata(L: LuaState, idx: number): boolean
    lua_islightuserdata(L: LuaState, idx: number): boolean
    lua_isthread(L: LuaState, idx: number): boolean
    lua_isyieldable(L: LuaState): boolean
    lua_pushlstring(L: LuaState, s: LuaString | string, len: number): void
    lua_tolstring(L: LuaState, idx: number): LuaString | null
    lua_topointer(L: LuaState, idx: number): unknown
    lua_newthread(L: LuaState): LuaState
    lua_resume(L: LuaState, from: LuaState | null, nargs: number): number
    lua_yield(L: LuaState, nresults: number): number
    lua_pcallk(L: LuaState, nargs: number, nresults: number, errfunc: number, ctx: number, k: unknown): number
    lua_gc(L: LuaState, what: number, data: number): number
    lua_close(L: LuaState): void
    lua_getstack(L: LuaState, level: number, ar: unknown): boolean
    lua_getinfo(L: LuaState, what: LuaString | string, ar: unknown): boolean
    lua_sethook(L: LuaState, hook: ((L: LuaState, ar: unknown) => void) | null, mask: number, count: number): void
    LUA_YIELD: number
    LUA_MASKCALL: number
    LUA_MASKRET: number
    LUA_MASKLINE: number
    LUA_MASKCOUNT: number
    LUA_GCCOUNT: number
    LUA_GCCOUNTB: number
  }

  export interface LauxLib {
    luaL_argcheck(L: LuaState, cond: boolean, arg: number, extramsg: string): void
    luaL_argerror(L: LuaState, arg: number, extramsg: LuaString | string): never
    luaL_checkany(L: LuaState, arg: number): void
    luaL_checkinteger(L: LuaState, arg: number): number
    luaL_checknumber(L: LuaState, arg: number): number
    luaL_checkstack(L: LuaState, n: number, msg: LuaString | string | null): void
    luaL_checkstring(L: LuaState, arg: number): LuaString
    luaL_checklstring(L: LuaState, arg: number): LuaString
    luaL_checktype(L: LuaState, arg: number, t: number): void
    luaL_error(L: LuaState, fmt: LuaString | string, ...args: unknown[]): never
    luaL_len(L: LuaState, idx: number): number
    luaL_loadbuffer(L: LuaState, buff: LuaString, size: number | null, name: LuaString | null): number
    luaL_loadbufferx(L: LuaState, buff: LuaString, size: number | null, name: LuaString | null, mode: LuaString | null): number
    luaL_newstate(): LuaState
    luaL_optinteger(L: LuaState, arg: number, def: number): number
    luaL_optnumber(L: LuaState, arg: number, def: number): number
    luaL_optstring(L: LuaState, arg: number, def: LuaString | string | null): LuaString
    luaL_requiref(L: LuaState, modname: LuaString | string, openf: LuaCFunction, glb: boolean | number): void
    luaL_tolstring(L: LuaState, idx: number): LuaString
    luaL_typename(L: LuaState, idx: number): LuaString
    luaL_where(L: LuaState, level: number): void
    luaL_callmeta(L: LuaState, obj: number, e: LuaString | string): boolean
    luaL_ref(L: LuaState, t: number): number
    luaL_unref(L: LuaState, t: number, ref: number): void
    LUA_NOREF: number
    LUA_REFNIL: number
  }

  export interface LuaLib {
    luaopen_base: LuaCFunction
    luaopen_coroutine: LuaCFunction
    luaopen_table: LuaCFunction
    luaopen_string: LuaCFunction
    luaopen_math: LuaCFunction
    luaopen_debug: LuaCFunction
  }

  const fengari: {
    lua: LuaApi
    lauxlib: LauxLib
    lualib: LuaLib
    to_luastring(s: string, cache?: boolean): LuaString
    to_jsstring(s: LuaString, from?: number, to?: number, replacement_char?: boolean): string
    luastring_eq(a: LuaString, b: LuaString): boolean
  }
  export default fengari
}

declare module 'fengari/src/lprintf.js' {
  /** C printf of a double for conv e E f F g G (prec < 0: none). */
  export function format_float(conv: string, flags: string, width: number, prec: number, x: number): string
  /** C printf of a double cast to a 64-bit integer, for conv d i o u x X. */
  export function format_int(conv: string, flags: string, width: number, prec: number, x: number): string
  /** "%.14g" */
  export function lua_number2str51(x: number): string
}
