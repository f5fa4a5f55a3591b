// Redis's lua_cmsgpack 0.4.0 (deps/lua/src/lua_cmsgpack.c): cmsgpack.pack(...) concatenates the
// encodings of its arguments; unpack/unpack_one/unpack_limit decode a stream. A number is packed as an
// integer when it equals its int64 cast, else as float32 when exact, else float64. Tables whose keys are
// exactly 1..n are arrays (an empty table too), others maps; nesting deeper than 16 packs nil. Strings
// are str (fixstr/str8/16/32); bin and ext are not decoded ("Bad data format in input.").

import {lauxlib, lua, newLibrary, type LuaState} from './lua-api.js'

const MAX_NESTING = 16

class PackBuffer {
  bytes: number[] = []
  byte(b: number): void {
    this.bytes.push(b & 0xff)
  }
  uint(n: number, size: number): void {
    for (let i = size - 1; i >= 0; i--) this.bytes.push(Math.floor(n / 2 ** (8 * i)) & 0xff)
  }
  big(n: bigint, size: number): void {
    for (let i = size - 1; i >= 0; i--) this.bytes.push(Number((n >> BigInt(8 * i)) & 0xffn))
  }
  raw(data: Uint8Array): void {
    for (const b of data) this.bytes.push(b)
  }
}

function encodeInt(buf: PackBuffer, n: number): void {
  if (n >= 0) {
    if (n <= 127) buf.byte(n)
    else if (n <= 0xff) (buf.byte(0xcc), buf.uint(n, 1))
    else if (n <= 0xffff) (buf.byte(0xcd), buf.uint(n, 2))
    else if (n <= 0xffffffff) (buf.byte(0xce), buf.uint(n, 4))
    else (buf.byte(0xcf), buf.big(BigInt(n), 8))
  } else if (n >= -32) buf.byte(n)
  else if (n >= -128) (buf.byte(0xd0), buf.byte(n))
  else if (n >= -32768) (buf.byte(0xd1), buf.uint(n & 0xffff, 2))
  else if (n >= -2147483648) (buf.byte(0xd2), buf.uint(n >>> 0, 4))
  else (buf.byte(0xd3), buf.big(BigInt.asUintN(64, BigInt(n)), 8))
}

const INT64_LIMIT = 9223372036854775808

function encodeNumber(buf: PackBuffer, n: number): void {
  // IS_INT64_EQUIVALENT: not inf, and (int64_t)n == n (NaN and 2^63 fail it)
  if (Number.isFinite(n) && Math.trunc(n) === n && n >= -INT64_LIMIT && n < INT64_LIMIT) return encodeInt(buf, n === 0 ? 0 : n)
  // typed arrays keep a NaN's sign bit (Redis packs 0/0 as ff f8 ...); bytes reversed to big endian
  if (Math.fround(n) === n) {
    buf.byte(0xca)
    buf.raw(new Uint8Array(Float32Array.of(n).buffer).reverse())
  } else {
    buf.byte(0xcb)
    buf.raw(new Uint8Array(Float64Array.of(n).buffer).reverse())
  }
}

function encodeString(buf: PackBuffer, s: Uint8Array): void {
  const len = s.length
  if (len < 32) buf.byte(0xa0 | len)
  else if (len <= 0xff) (buf.byte(0xd9), buf.uint(len, 1))
  else if (len <= 0xffff) (buf.byte(0xda), buf.uint(len, 2))
  else (buf.byte(0xdb), buf.uint(len, 4))
  buf.raw(s)
}

function header(buf: PackBuffer, n: number, fix: number, code16: number): void {
  if (n <= 15) buf.byte(fix | n)
  else if (n <= 0xffff) (buf.byte(code16), buf.uint(n, 2))
  else (buf.byte(code16 + 1), buf.uint(n, 4))
}

/** table_is_an_array: every key a positive C-int-valued number, and max == count. */
function isArray(L: LuaState): boolean {
  let count = 0
  let max = 0
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2)) {
    lua.lua_pop(L, 1)
    const n = lua.lua_type(L, -1) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -1) : 0
    if (!(n > 0) || !(n <= 2147483647 && Math.trunc(n) === n)) {
      lua.lua_pop(L, 1)
      return false
    }
    if (n > max) max = n
    count++
  }
  return max === count
}

/** mp_encode_lua_type: encodes the value on top of the stack and pops it. */
function encodeValue(L: LuaState, buf: PackBuffer, level: number): void {
  let t = lua.lua_type(L, -1)
  if (t === lua.LUA_TTABLE && level === MAX_NESTING) t = lua.LUA_TNIL
  switch (t) {
    case lua.LUA_TSTRING:
      encodeString(buf, lua.lua_tostring(L, -1) as Uint8Array)
      break
    case lua.LUA_TBOOLEAN:
      buf.byte(lua.lua_toboolean(L, -1) ? 0xc3 : 0xc2)
      break
    case lua.LUA_TNUMBER:
      encodeNumber(buf, lua.lua_tonumber(L, -1))
      break
    case lua.LUA_TTABLE:
      encodeTable(L, buf, level)
      break
    default:
      buf.byte(0xc0)
  }
  lua.lua_pop(L, 1)
}

function encodeTable(L: LuaState, buf: PackBuffer, level: number): void {
  lauxlib.luaL_checkstack(L, 3, 'in function mp_encode_lua_table')
  if (isArray(L)) {
    const len = lua.lua_rawlen(L, -1)
    header(buf, len, 0x90, 0xdc)
    for (let j = 1; j <= len; j++) {
      lua.lua_pushnumber(L, j)
      lua.lua_gettable(L, -2)
      encodeValue(L, buf, level + 1)
    }
    return
  }
  let len = 0
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2)) {
    lua.lua_pop(L, 1)
    len++
  }
  header(buf, len, 0x80, 0xde)
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2)) {
    lua.lua_pushvalue(L, -2)
    encodeValue(L, buf, level + 1)
    encodeValue(L, buf, level + 1)
  }
}

function pack(L: LuaState): number {
  const nargs = lua.lua_gettop(L)
  if (nargs === 0) return lauxlib.luaL_argerror(L, 0, 'MessagePack pack needs input.')
  if (!lua.lua_checkstack(L, nargs)) return lauxlib.luaL_argerror(L, 0, 'Too many arguments for MessagePack pack.')
  const buf = new PackBuffer()
  for (let i = 1; i <= nargs; i++) {
    lua.lua_pushvalue(L, i)
    encodeValue(L, buf, 0)
  }
  lua.lua_pushstring(L, Uint8Array.from(buf.bytes))
  return 1
}

/* ===== decoding ===== */

type CursorError = 'eof' | 'badfmt' | undefined

class Cursor {
  err: CursorError
  constructor(readonly data: Uint8Array, public pos: number) {}
  get left(): number {
    return this.data.length - this.pos
  }
  need(n: number): boolean {
    if (this.left < n) this.err = 'eof'
    return this.err === undefined
  }
  view(at: number, n: number): DataView {
    return new DataView(this.data.buffer, this.data.byteOffset + at, n)
  }
}

function decodeSized(L: LuaState, c: Cursor, headerSize: number, lengthSize: number, fn: (len: number) => void): void {
  if (!c.need(headerSize)) return
  const v = c.view(c.pos + 1, lengthSize)
  const len = lengthSize === 1 ? v.getUint8(0) : lengthSize === 2 ? v.getUint16(0) : v.getUint32(0)
  c.pos += headerSize
  fn(len)
}

function pushString(L: LuaState, c: Cursor, len: number): void {
  if (!c.need(len)) return
  lua.lua_pushstring(L, c.data.slice(c.pos, c.pos + len))
  c.pos += len
}

function decodeArray(L: LuaState, c: Cursor, len: number): void {
  lua.lua_newtable(L)
  lauxlib.luaL_checkstack(L, 1, 'in function mp_decode_to_lua_array')
  for (let index = 1; index <= len; index++) {
    lua.lua_pushnumber(L, index)
    decodeValue(L, c)
    if (c.err) return
    lua.lua_settable(L, -3)
  }
}

function decodeMap(L: LuaState, c: Cursor, len: number): void {
  lua.lua_newtable(L)
  lauxlib.luaL_checkstack(L, 2, 'in function mp_decode_to_lua_hash')
  while (len--) {
    decodeValue(L, c)
    if (c.err) return
    decodeValue(L, c)
    if (c.err) return
    lua.lua_settable(L, -3)
  }
}

/** Fixed-size scalars by first byte: [total size, reader]. */
const SCALARS: Record<number, [number, (v: DataView) => number]> = {
  0xcc: [2, (v) => v.getUint8(1)],
  0xcd: [3, (v) => v.getUint16(1)],
  0xce: [5, (v) => v.getUint32(1)],
  0xcf: [9, (v) => Number(v.getBigInt64(1))], // lua_pushunsigned is lua_pushinteger on 5.1: a signed cast
  0xd0: [2, (v) => v.getInt8(1)],
  0xd1: [3, (v) => v.getInt16(1)],
  0xd2: [5, (v) => v.getInt32(1)],
  0xd3: [9, (v) => Number(v.getBigInt64(1))],
  0xca: [5, (v) => v.getFloat32(1)],
  0xcb: [9, (v) => v.getFloat64(1)],
}

/** mp_decode_to_lua_type */
function decodeValue(L: LuaState, c: Cursor): void {
  if (!c.need(1)) return
  lauxlib.luaL_checkstack(L, 1, 'too many return values at once; use unpack_one or unpack_limit instead.')
  const b = c.data[c.pos] as number
  const scalar = SCALARS[b]
  if (scalar) {
    if (!c.need(scalar[0])) return
    lua.lua_pushnumber(L, scalar[1](c.view(c.pos, scalar[0])))
    c.pos += scalar[0]
    return
  }
  switch (b) {
    case 0xc0: lua.lua_pushnil(L); c.pos++; return
    case 0xc3: lua.lua_pushboolean(L, true); c.pos++; return
    case 0xc2: lua.lua_pushboolean(L, false); c.pos++; return
    case 0xd9: return decodeSized(L, c, 2, 1, (len) => pushString(L, c, len))
    case 0xda: return decodeSized(L, c, 3, 2, (len) => pushString(L, c, len))
    case 0xdb: return decodeSized(L, c, 5, 4, (len) => pushString(L, c, len))
    case 0xdc: return decodeSized(L, c, 3, 2, (len) => decodeArray(L, c, len))
    case 0xdd: return decodeSized(L, c, 5, 4, (len) => decodeArray(L, c, len))
    case 0xde: return decodeSized(L, c, 3, 2, (len) => decodeMap(L, c, len))
    case 0xdf: return decodeSized(L, c, 5, 4, (len) => decodeMap(L, c, len))
  }
  if ((b & 0x80) === 0) (lua.lua_pushnumber(L, b), c.pos++)
  else if ((b & 0xe0) === 0xe0) (lua.lua_pushnumber(L, b - 256), c.pos++)
  else if ((b & 0xe0) === 0xa0) {
    if (!c.need(1 + (b & 0x1f))) return
    c.pos++
    pushString(L, c, b & 0x1f)
  } else if ((b & 0xf0) === 0x90) (c.pos++, decodeArray(L, c, b & 0xf))
  else if ((b & 0xf0) === 0x80) (c.pos++, decodeMap(L, c, b & 0xf))
  else c.err = 'badfmt'
}

/** mp_unpack_full */
function unpackFull(L: LuaState, limit: number, offset: number): number {
  const s = lauxlib.luaL_checkstring(L, 1)
  const decodeAll = !limit && !offset
  if (offset < 0 || limit < 0) return lauxlib.luaL_error(L, `Invalid request to unpack with offset of ${offset} and limit of ${s.length}.`)
  if (offset > s.length) return lauxlib.luaL_error(L, `Start offset ${offset} greater than input length ${s.length}.`)
  if (decodeAll) limit = 2147483647
  const c = new Cursor(s, offset)
  let count = 0
  for (; c.left > 0 && count < limit; count++) {
    decodeValue(L, c)
    if (c.err === 'eof') return lauxlib.luaL_error(L, 'Missing bytes in input.')
    if (c.err === 'badfmt') return lauxlib.luaL_error(L, 'Bad data format in input.')
  }
  if (!decodeAll) {
    lauxlib.luaL_checkstack(L, 1, 'in function mp_unpack_full')
    lua.lua_pushnumber(L, c.left === 0 ? -1 : c.pos)
    lua.lua_insert(L, 2)
    count++
  }
  return count
}

const intArg = (L: LuaState, arg: number, def?: number): number =>
  def !== undefined && lua.lua_isnoneornil(L, arg) ? def : lauxlib.luaL_checkinteger(L, arg)

/** luaopen_cmsgpack: leaves the cmsgpack table on the stack. */
export function openCmsgpack(L: LuaState): void {
  newLibrary(L, {
    pack,
    unpack: (state) => unpackFull(state, 0, 0),
    unpack_one(state) {
      const offset = intArg(state, 2, 0)
      lua.lua_pop(state, lua.lua_gettop(state) - 1)
      return unpackFull(state, 1, offset)
    },
    unpack_limit(state) {
      const limit = intArg(state, 2)
      const offset = intArg(state, 3, 0)
      lua.lua_pop(state, lua.lua_gettop(state) - 1)
      return unpackFull(state, limit, offset)
    },
  })
  for (const [field, value] of [['_NAME', 'cmsgpack'], ['_VERSION', 'lua-cmsgpack 0.4.0'], ['_COPYRIGHT', 'Copyright (C) 2012, Salvatore Sanfilippo'], ['_DESCRIPTION', 'MessagePack C implementation for Lua']]) {
    lua.lua_pushstring(L, value as string)
    lua.lua_setfield(L, -2, field as string)
  }
}
