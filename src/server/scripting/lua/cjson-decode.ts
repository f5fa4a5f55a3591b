// cjson.decode of Redis's lua_cjson: its tokenizer (strtod numbers, invalid numbers accepted by default,
// \uXXXX escapes with surrogate pairs into UTF-8), its depth limit and its error texts
// ("Expected value but found T_END at character 1"). null decodes to cjson.null (a NULL lightuserdata).

import type {JsonConfig} from './cjson.js'
import {lauxlib, lua, type LuaCFunction, type LuaState} from './lua-api.js'
import {parseStrtod} from './strtod.js'


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

/** cjson.decode bound to an instance's configuration. */
export function decode(cfg: JsonConfig): LuaCFunction {
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
