// The part of fengari's C API that the script executor uses beyond fengari.d.ts: threads, hooks, yields
// with continuations, the debug interface for error positions, references and the collector.

import 'fengari'

declare module 'fengari' {
  export class lua_Debug {
    what: LuaString | null
    source: LuaString | null
    currentline: number
  }
  export type LuaKFunction = (L: LuaState, status: number, ctx: number) => number
  export type LuaHook = (L: LuaState, ar: lua_Debug) => void

  interface LuaApi {
    LUA_YIELD: number
    LUA_MASKCOUNT: number
    LUA_MASKLINE: number
    LUA_GCCOUNT: number
    LUA_GCCOUNTB: number
    lua_Debug: typeof lua_Debug
    lua_close(L: LuaState): void
    lua_gc(L: LuaState, what: number, data: number): number
    lua_getinfo(L: LuaState, what: LuaString, ar: lua_Debug): number
    lua_getstack(L: LuaState, level: number, ar: lua_Debug): number
    lua_isyieldable(L: LuaState): boolean
    lua_newthread(L: LuaState): LuaState
    lua_pcallk(L: LuaState, nargs: number, nresults: number, errfunc: number, ctx: number, k: LuaKFunction): number
    lua_pushlstring(L: LuaState, s: Uint8Array, len: number): void
    lua_resume(L: LuaState, from: LuaState | null, nargs: number): number
    lua_sethook(L: LuaState, hook: LuaHook | null, mask: number, count: number): void
    lua_tolstring(L: LuaState, idx: number): LuaString | null
    lua_topointer(L: LuaState, idx: number): unknown
    lua_yield(L: LuaState, nresults: number): number
  }
  interface LauxLib {
    luaL_ref(L: LuaState, t: number): number
    luaL_unref(L: LuaState, t: number, ref: number): void
  }
}
