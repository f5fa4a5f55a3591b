// The Lua sandbox of Redis 7.0 scripts for the engine: the runtime of scripting/lua (Lua 5.1 numbers,
// Redis's libraries, read-only tables) behind the LuaSandbox port. One PRNG serves every state, as
// Redis has one redisLrand48 per process; math.random works only while a script runs.

import {createLuaRuntime, protectGlobals, RedisPrng, setTableReadonly} from './lua/runtime.js'
import type {LuaSandbox} from './sandbox.js'

export function createRedisSandbox(isScriptRunning: () => boolean): LuaSandbox {
  const prng = new RedisPrng()
  return {
    newState: () => createLuaRuntime({prng, isScriptRunning}).L,
    protect: (L) => protectGlobals(L),
    setTableWritable: (L, index, writable) => setTableReadonly(L, index, !writable),
  }
}
