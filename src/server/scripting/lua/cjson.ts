// Redis's lua_cjson (deps/lua/src/lua_cjson.c, Lua CJSON 2.1.0): cjson.encode/decode/null/new and the
// configuration functions, with its defaults (sparse arrays rejected unless ratio/safe allow them,
// depth 1000, precision 14, invalid numbers refused when encoding and accepted when decoding),
// its escaping ("/" becomes "\/", DEL becomes \u007f) and its error texts. Decoding uses strtod's
// number syntax. Object keys are encoded in table traversal order, which is insertion order here and
// Lua's hash order in Redis (see README of this directory's tests).

import {format_float} from 'fengari/src/lprintf.js'
import {configFunctions} from './cjson-config.js'
import {lauxlib, lua, newLibrary, type LuaCFunction, type LuaState} from './lua-api.js'
import {parseStrtod} from './strtod.js'

interface JsonConfig {
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

/** lua_array_length: the array size, or -1 for an object; raises on excessively sparse arrays. */
function arrayLength(L: LuaState, cfg: JsonConfig): number {
  let max = 0
  let items = 0
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2)) {
    if (lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -2)
      if (k !== 0 && Math.floor(k) === k && k >= 1) {
        if (k > max) max = k
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

/* ===== decoding ===== */

type Token =
  | {type: 'T_OBJ_BEGIN' | 'T_OBJ_END' | 'T_ARR_BEGIN' | 'T_ARR_END' | 'T_COLON' | 'T_COMMA' | 'T_END' | 'T_NULL'; index: number}
  | {type: 'T_STRING'; index: number; value: Uint8Array}
  | {type: 'T_NUMBER'; index: number; value: number}
  | {type: 'T_BOOLEAN'; index: number; value: boolean}
  | {type: 'T_ERROR'; index: number; message: string}

const SINGLE: Record<number, Token['type']> = {123: 'T_OBJ_BEGIN', 125: 'T_OBJ_END', 91: 'T_ARR_BEGIN', 93: 'T_ARR_END', 44: 'T_COMMA', 58: 'T_COLON'}
const UNKNOWN_START = new Set([...'fiInNt"+-0123456789'].map((c) => c.charCodeAt(0)))
const ESCAPE_CHARS: Record<number, number> = {34: 34, 92: 92, 47: 47, 98: 8, 116: 9, 110: 10, 102: 12, 114: 13}

class JsonParser {
  pos = 0
  depth = 0
  constructor(readonly L: LuaState, readonly cfg: JsonConfig, readonly data: Uint8Array) {}

  private at(i: number): number {
    return i < this.data.length ? (this.data[i] as number) : 0
  }

  private matches(word: string): boolean {
    for (let i = 0; i < word.length; i++) if (this.at(this.pos + i) !== word.charCodeAt(i)) return false
    return true
  }

  /** json_is_invalid_number: strtod accepts it, strict JSON does not. */
  private isInvalidNumber(): boolean {
    let p = this.pos
    if (this.at(p) === 43) return true
    if (this.at(p) === 45) p++
    if (this.at(p) === 48) {
      const c2 = this.at(p + 1)
      return (c2 | 0x20) === 120 || (c2 >= 48 && c2 <= 57)
    }
    if (this.at(p) <= 57) return false
    const word = String.fromCharCode(this.at(p), this.at(p + 1), this.at(p + 2)).toLowerCase()
    return word === 'inf' || word === 'nan'
  }

  private numberToken(index: number): Token {
    const parsed = parseStrtod(this.data, this.pos)
    if (!parsed) return {type: 'T_ERROR', index: this.pos, message: 'invalid number'}
    this.pos = parsed.end
    return {type: 'T_NUMBER', index, value: parsed.value}
  }

  next(): Token {
    let c = this.at(this.pos)
    while (c === 32 || c === 9 || c === 10 || c === 13) c = this.at(++this.pos)
    const index = this.pos
    if (c === 0) return {type: 'T_END', index}
    const single = SINGLE[c]
    if (single) {
      this.pos++
      return {type: single, index} as Token
    }
    if (!UNKNOWN_START.has(c)) return {type: 'T_ERROR', index, message: 'invalid token'}
    if (c === 34) return this.stringToken(index)
    if (c === 45 || (c >= 48 && c <= 57)) {
      if (!this.cfg.decodeInvalidNumbers && this.isInvalidNumber()) return {type: 'T_ERROR', index, message: 'invalid number'}
      return this.numberToken(index)
    }
    for (const [word, token] of [['true', true], ['false', false]] as const) {
      if (this.matches(word)) {
        this.pos += word.length
        return {type: 'T_BOOLEAN', index, value: token}
      }
    }
    if (this.matches('null')) {
      this.pos += 4
      return {type: 'T_NULL', index}
    }
    if (this.cfg.decodeInvalidNumbers && this.isInvalidNumber()) return this.numberToken(index)
    return {type: 'T_ERROR', index, message: 'invalid token'}
  }

  private hex4(at: number): number {
    let v = 0
    for (let i = 0; i < 4; i++) {
      const c = this.at(at + i)
      const d = c >= 48 && c <= 57 ? c - 48 : (c | 0x20) >= 97 && (c | 0x20) <= 102 ? (c | 0x20) - 87 : -1
      if (d < 0) return -1
      v = v * 16 + d
    }
    return v
  }

  /** json_append_unicode_escape: returns the escape length, or 0 when invalid. */
  private unicodeEscape(out: number[]): number {
    let cp = this.hex4(this.pos + 2)
    if (cp < 0) return 0
    let length = 6
    if ((cp & 0xf800) === 0xd800) {
      if (cp & 0x400) return 0
      if (this.at(this.pos + 6) !== 92 || this.at(this.pos + 7) !== 117) return 0
      const low = this.hex4(this.pos + 8)
      if (low < 0 || (low & 0xfc00) !== 0xdc00) return 0
      cp = (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000
      length = 12
    }
    out.push(...new TextEncoder().encode(String.fromCodePoint(cp)))
    return length
  }

  private stringToken(index: number): Token {
    this.pos++
    const out: number[] = []
    for (;;) {
      const c = this.at(this.pos)
      if (c === 34) break
      if (c === 0) return {type: 'T_ERROR', index: this.pos, message: 'unexpected end of string'}
      if (c === 92) {
        const e = this.at(this.pos + 1)
        if (e === 117) {
          const length = this.unicodeEscape(out)
          if (!length) return {type: 'T_ERROR', index: this.pos, message: 'invalid unicode escape code'}
          this.pos += length
          continue
        }
        const mapped = ESCAPE_CHARS[e]
        if (mapped === undefined) return {type: 'T_ERROR', index: this.pos, message: 'invalid escape code'}
        out.push(mapped)
        this.pos += 2
        continue
      }
      out.push(c)
      this.pos++
    }
    this.pos++
    return {type: 'T_STRING', index, value: Uint8Array.from(out)}
  }

  fail(expected: string, token: Token): never {
    const found = token.type === 'T_ERROR' ? token.message : token.type
    return lauxlib.luaL_error(this.L, `Expected ${expected} but found ${found} at character ${token.index + 1}`)
  }

  private descend(slots: number): void {
    this.depth++
    if (this.depth <= this.cfg.decodeMaxDepth && lua.lua_checkstack(this.L, slots)) return
    lauxlib.luaL_error(this.L, `Found too many nested data structures (${this.depth}) at character ${this.pos}`)
  }

  value(token: Token): void {
    const L = this.L
    switch (token.type) {
      case 'T_STRING': return lua.lua_pushstring(L, token.value)
      case 'T_NUMBER': return lua.lua_pushnumber(L, token.value)
      case 'T_BOOLEAN': return lua.lua_pushboolean(L, token.value)
      case 'T_NULL': return lua.lua_pushlightuserdata(L, null)
      case 'T_OBJ_BEGIN': return this.object()
      case 'T_ARR_BEGIN': return this.array()
      default: this.fail('value', token)
    }
  }

  private object(): void {
    this.descend(3)
    lua.lua_newtable(this.L)
    let token = this.next()
    if (token.type === 'T_OBJ_END') return void this.depth--
    for (;;) {
      if (token.type !== 'T_STRING') this.fail('object key string', token)
      lua.lua_pushstring(this.L, token.value)
      token = this.next()
      if (token.type !== 'T_COLON') this.fail('colon', token)
      this.value(this.next())
      lua.lua_rawset(this.L, -3)
      token = this.next()
      if (token.type === 'T_OBJ_END') return void this.depth--
      if (token.type !== 'T_COMMA') this.fail('comma or object end', token)
      token = this.next()
    }
  }

  private array(): void {
    this.descend(2)
    lua.lua_newtable(this.L)
    let token = this.next()
    if (token.type === 'T_ARR_END') return void this.depth--
    for (let i = 1; ; i++) {
      this.value(token)
      lua.lua_rawseti(this.L, -2, i)
      token = this.next()
      if (token.type === 'T_ARR_END') return void this.depth--
      if (token.type !== 'T_COMMA') this.fail('comma or array end', token)
      token = this.next()
    }
  }
}

function decode(cfg: JsonConfig): LuaCFunction {
  return (L) => {
    lauxlib.luaL_argcheck(L, lua.lua_gettop(L) === 1, 1, 'expected 1 argument')
    const data = lauxlib.luaL_checkstring(L, 1)
    if (data.length >= 2 && (!data[0] || !data[1])) lauxlib.luaL_error(L, 'JSON parser does not support UTF-16 or UTF-32')
    const parser = new JsonParser(L, cfg, data)
    parser.value(parser.next())
    const end = parser.next()
    if (end.type !== 'T_END') parser.fail('the end', end)
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

export type {JsonConfig}
