// The Lua sandbox of Redis 7.0 scripts for the engine: the runtime of scripting/lua (Lua 5.1 numbers,
// Redis's libraries, read-only tables) behind the LuaSandbox port. One PRNG serves every state, as
// Redis has one redisLrand48 per process; math.random works only while a script runs.

import {lua} from './lua-engine.js'
import {createLuaRuntime, protectGlobals, RedisPrng, setTableReadonly} from './lua/runtime.js'
import type {LuaSandbox} from './sandbox.js'

export function createRedisSandbox(isScriptRunning: () => boolean): LuaSandbox {
  const prng = new RedisPrng()
  return {
    newState: () => createLuaRuntime({prng, isScriptRunning}).L,
    protect: (L) => protectGlobals(L),
    setTableWritable: (L, index, writable) => setTableReadonly(L, index, !writable),
    setGlobalsWritable: (L, writable) => {
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS)
      setTableReadonly(L, -1, !writable)
      lua.lua_pop(L, 1)
    },
  }
}
