// The one import point of the Lua VM (fengari, vendored with Lua 5.1 number semantics) for the scripting
// code: the C API namespaces, the state type, and byte-string helpers. Lua strings are Uint8Arrays, so
// Buffers go in as they are and come out as views on the Lua string's bytes (Lua strings are immutable).

import fengari, {type LuaState as FengariState} from 'fengari'

export const lua = fengari.lua
export const lauxlib = fengari.lauxlib
export type LuaState = FengariState

const keys = new Map<string, Uint8Array>()

/** A Lua string for a fixed ASCII name, interned so the hot path allocates nothing. */
export function luaKey(name: string): Uint8Array {
  let key = keys.get(name)
  if (key === undefined) {
    key = fengari.to_luastring(name)
    keys.set(name, key)
  }
  return key
}

/** The bytes of a Lua string as a Buffer view (no copy). */
export const toBuffer = (s: Uint8Array): Buffer => Buffer.from(s.buffer, s.byteOffset, s.byteLength)

/** The string at `index` as a Buffer, or undefined when it is neither a string nor a number. */
export function bufferAt(L: LuaState, index: number): Buffer | undefined {
  const s = lua.lua_tolstring(L, index)
  return s === null || s === undefined ? undefined : toBuffer(s)
}
