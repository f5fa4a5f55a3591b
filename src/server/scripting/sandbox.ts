// The Lua environment of Redis 7.0 scripts, as the scripting engine uses it: a fresh state with Redis's
// libraries (Lua 5.1 numbers, cjson, cmsgpack, bit, struct, Redis's PRNG), the protection of the globals
// once the `redis` table is in place, and the brief opening of the globals for KEYS and ARGV.

import type {LuaState} from './lua-engine.js'

export interface LuaSandbox {
  /** A new state with the libraries loaded and the globals not yet protected. */
  newState(): LuaState
  /** Makes _G and every table reachable from it read-only; reading an unknown global raises Redis's error. */
  protect(L: LuaState): void
  /** Lifts (true) or restores (false) the read-only flag of the table at `index` (_G, to set KEYS and ARGV). */
  setTableWritable(L: LuaState, index: number, writable: boolean): void
}
