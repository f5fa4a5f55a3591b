// Redis's lua_cjson (deps/lua/src/lua_cjson.c, Lua CJSON 2.1.0): cjson.encode, cjson.null, cjson.new and
// the configuration functions (cjson-config.ts) with Redis's defaults: sparse arrays rejected unless
// ratio/safe allow them, depth 1000, precision 14, invalid numbers refused when encoding and accepted when
// decoding. Escaping as Redis's ("/" becomes "\/", DEL becomes \u007f), its error texts. Object keys come
// out in Lua 5.1's traversal order (the vendored VM keeps 5.1's table layout). Decoding: cjson-decode.ts.

import {format_float} from 'fengari/src/lprintf.js'
import {configFunctions} from './cjson-config.js'
import {lauxlib, lua, newLibrary, type LuaCFunction, type LuaState} from './lua-api.js'
import {decode} from './cjson-decode.js'

export interface JsonConfig {
  sparseConvert: boolean
  sparseRatio: number
  sparseSafe: number
  encodeMaxDepth: number
  decodeMaxDepth: number
  encodeInvalidNumbers: 0 | 1 | 2
  decodeInvalidNumbers: boolean
  encodeKeepBuffer: boolean
  precision: number
}

const defaultConfig = (): JsonConfig => ({
  sparseConvert: false, sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000, decodeMaxDepth: 1000,
  encodeInvalidNumbers: 0, decodeInvalidNumbers: true, encodeKeepBuffer: true, precision: 14,
})

const ESCAPES: (string | undefined)[] = Array.from({length: 256}, (_, c) => {
  if (c === 8) return '\\b'
  if (c === 9) return '\\t'
  if (c === 10) return '\\n'
  if (c === 12) return '\\f'
  if (c === 13) return '\\r'
  if (c < 32 || c === 127) return `\\u${c.toString(16).padStart(4, '0')}`
  if (c === 34) return '\\"'
  if (c === 92) return '\\\\'
  if (c === 47) return '\\/'
  return undefined
})

/** Output as bytes: JSON text is built from latin1 chunks so that any byte string survives. */
class ByteBuffer {
  private chunks: string[] = []
  add(text: string): void {
    this.chunks.push(text)
  }
  addBytes(bytes: Uint8Array): void {
    let run = ''
    for (const c of bytes) {
      const escape = ESCAPES[c]
      run += escape ?? String.fromCharCode(c)
    }
    this.chunks.push(run)
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this.chunks.join(''), (ch) => ch.charCodeAt(0))
  }
}

function typeName(L: LuaState, index: number): string {
  return String.fromCharCode(...lua.lua_typename(L, lua.lua_type(L, index)))
}

function encodeException(L: LuaState, index: number, reason: string): never {
  return lauxlib.luaL_error(L, `Cannot serialise ${typeName(L, index)}: ${reason}`)
}

function appendNumber(L: LuaState, cfg: JsonConfig, out: ByteBuffer, index: number): void {
  const num = lua.lua_tonumber(L, index)
  if (!Number.isFinite(num)) {
    if (cfg.encodeInvalidNumbers === 0) encodeException(L, index, 'must not be NaN or Inf')
    // Redis's cjson prints them with %.14g when allowed: inf, -inf, nan
    if (cfg.encodeInvalidNumbers === 1) out.add(Number.isNaN(num) ? 'nan' : num < 0 ? '-inf' : 'inf')
    else out.add('null')
    return
  }
  out.add(format_float('g', '', 0, cfg.precision, num))
}

/**
 * lua_array_length: the array size, or -1 for an object; raises on excessively sparse arrays. `max` is a C
 * int there, so a key of 2^31 or more (inf too) makes it INT_MIN and the table an object.
 */
function arrayLength(L: LuaState, cfg: JsonConfig): number {
  let max = 0
  let items = 0
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2)) {
    if (lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -2)
      if (k !== 0 && Math.floor(k) === k && k >= 1) {
        if (k > max) max = k < 2147483648 ? k : -2147483648
        items++
        lua.lua_pop(L, 1)
        continue
      }
    }
    lua.lua_pop(L, 2)
    return -1
  }
  if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
    if (!cfg.sparseConvert) encodeException(L, -1, 'excessively sparse array')
    return -1
  }
  return max
}

function appendData(L: LuaState, cfg: JsonConfig, depth: number, out: ByteBuffer): void {
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      out.add('"')
      out.addBytes(lua.lua_tostring(L, -1) as Uint8Array)
      out.add('"')
      return
    case lua.LUA_TNUMBER:
      return appendNumber(L, cfg, out, -1)
    case lua.LUA_TBOOLEAN:
      return out.add(lua.lua_toboolean(L, -1) ? 'true' : 'false')
    case lua.LUA_TTABLE: {
      depth++
      if (depth > cfg.encodeMaxDepth || !lua.lua_checkstack(L, 3)) lauxlib.luaL_error(L, `Cannot serialise, excessive nesting (${depth})`)
      const length = arrayLength(L, cfg)
      if (length > 0) appendArray(L, cfg, depth, out, length)
      else appendObject(L, cfg, depth, out)
      return
    }
    case lua.LUA_TNIL:
      return out.add('null')
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, -1) === null) return out.add('null')
      break
  }
  encodeException(L, -1, 'type not supported')
}

function appendArray(L: LuaState, cfg: JsonConfig, depth: number, out: ByteBuffer, length: number): void {
  out.add('[')
  for (let i = 1; i <= length; i++) {
    if (i > 1) out.add(',')
    lua.lua_rawgeti(L, -1, i)
    appendData(L, cfg, depth, out)
    lua.lua_pop(L, 1)
  }
  out.add(']')
}

function appendObject(L: LuaState, cfg: JsonConfig, depth: number, out: ByteBuffer): void {
  out.add('{')
  let first = true
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2)) {
    if (!first) out.add(',')
    first = false
    const keyType = lua.lua_type(L, -2)
    if (keyType === lua.LUA_TNUMBER) {
      out.add('"')
      appendNumber(L, cfg, out, -2)
      out.add('":')
    } else if (keyType === lua.LUA_TSTRING) {
      out.add('"')
      out.addBytes(lua.lua_tostring(L, -2) as Uint8Array)
      out.add('":')
    } else {
      encodeException(L, -2, 'table key must be a number or string')
    }
    appendData(L, cfg, depth, out)
    lua.lua_pop(L, 1)
  }
  out.add('}')
}

function encode(cfg: JsonConfig): LuaCFunction {
  return (L) => {
    lauxlib.luaL_argcheck(L, lua.lua_gettop(L) === 1, 1, 'expected 1 argument')
    const out = new ByteBuffer()
    appendData(L, cfg, 0, out)
    lua.lua_pushstring(L, out.toBytes())
    return 1
  }
}

function openInstance(L: LuaState): void {
  const cfg = defaultConfig()
  newLibrary(L, {encode: encode(cfg), decode: decode(cfg), ...configFunctions(cfg), new: newInstance})
  lua.lua_pushlightuserdata(L, null)
  lua.lua_setfield(L, -2, 'null')
  lua.lua_pushstring(L, 'cjson')
  lua.lua_setfield(L, -2, '_NAME')
  lua.lua_pushstring(L, '2.1.0')
  lua.lua_setfield(L, -2, '_VERSION')
}

function newInstance(L: LuaState): number {
  openInstance(L)
  return 1
}

/** luaopen_cjson: leaves the cjson table on the stack. */
export function openCjson(L: LuaState): void {
  openInstance(L)
}

