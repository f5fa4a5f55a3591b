// The configuration functions of lua_cjson (json_cfg_* with json_integer_option/json_enum_option):
// each takes optional new settings, validates them with cjson's messages, and returns the current ones.

import type {JsonConfig} from './cjson.js'
import {lauxlib, lua, type LuaCFunction, type LuaState} from './lua-api.js'

const INT_MAX = 2147483647

/** json_arg_init */
function argInit(L: LuaState, args: number): void {
  lauxlib.luaL_argcheck(L, lua.lua_gettop(L) <= args, args + 1, 'found too many arguments')
  while (lua.lua_gettop(L) < args) lua.lua_pushnil(L)
}

function integerOption(L: LuaState, index: number, get: () => number, set: (v: number) => void, min: number, max: number): void {
  if (!lua.lua_isnil(L, index)) {
    const value = Math.trunc(lauxlib.luaL_checknumber(L, index)) | 0
    lauxlib.luaL_argcheck(L, min <= value && value <= max, 1, `expected integer between ${min} and ${max}`)
    set(value)
  }
  lua.lua_pushnumber(L, get())
}

/** json_enum_option; `options` default to off/on with booleans allowed. */
function enumOption(L: LuaState, index: number, get: () => number, set: (v: number) => void, options = ['off', 'on']): void {
  if (!lua.lua_isnil(L, index)) {
    if (lua.lua_isboolean(L, index)) {
      set(lua.lua_toboolean(L, index) ? 1 : 0)
    } else {
      const name = String.fromCharCode(...lauxlib.luaL_checkstring(L, index))
      const at = options.indexOf(name)
      if (at < 0) lauxlib.luaL_argerror(L, index, `invalid option '${name}'`)
      set(at)
    }
  }
  const setting = get()
  if (setting === 0 || setting === 1) lua.lua_pushboolean(L, setting === 1)
  else lua.lua_pushstring(L, options[setting] as string)
}

export function configFunctions(cfg: JsonConfig): Record<string, LuaCFunction> {
  const flag = (key: 'encodeKeepBuffer' | 'decodeInvalidNumbers'): LuaCFunction => (L) => {
    argInit(L, 1)
    enumOption(L, 1, () => (cfg[key] ? 1 : 0), (v) => (cfg[key] = v === 1))
    return 1
  }
  const depth = (key: 'encodeMaxDepth' | 'decodeMaxDepth'): LuaCFunction => (L) => {
    argInit(L, 1)
    integerOption(L, 1, () => cfg[key], (v) => (cfg[key] = v), 1, INT_MAX)
    return 1
  }
  return {
    encode_sparse_array(L) {
      argInit(L, 3)
      enumOption(L, 1, () => (cfg.sparseConvert ? 1 : 0), (v) => (cfg.sparseConvert = v === 1))
      integerOption(L, 2, () => cfg.sparseRatio, (v) => (cfg.sparseRatio = v), 0, INT_MAX)
      integerOption(L, 3, () => cfg.sparseSafe, (v) => (cfg.sparseSafe = v), 0, INT_MAX)
      return 3
    },
    encode_max_depth: depth('encodeMaxDepth'),
    decode_max_depth: depth('decodeMaxDepth'),
    encode_number_precision(L) {
      argInit(L, 1)
      integerOption(L, 1, () => cfg.precision, (v) => (cfg.precision = v), 1, 14)
      return 1
    },
    encode_keep_buffer: flag('encodeKeepBuffer'),
    encode_invalid_numbers(L) {
      argInit(L, 1)
      enumOption(L, 1, () => cfg.encodeInvalidNumbers, (v) => (cfg.encodeInvalidNumbers = v as 0 | 1 | 2), ['off', 'on', 'null'])
      return 1
    },
    decode_invalid_numbers: flag('decodeInvalidNumbers'),
  }
}
