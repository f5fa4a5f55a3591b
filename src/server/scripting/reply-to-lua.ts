// A command's reply as the script sees it (script_lua.c redisProtocolToLuaType): Redis encodes the reply in
// the script client's protocol (RESP2 unless redis.setresp(3)) and converts that protocol to Lua values.
// Scalars take a direct path; every other reply is encoded and parsed, so the shapes are exactly the wire's.

import {encodeReply} from '../../resp/encoder.js'
import type {Reply} from '../../resp/reply.js'
import {ReplyParser, type RespValue} from '../../resp/reply-parser.js'
import {lauxlib, lua, luaKey, type LuaState} from './lua-engine.js'

const OK_FIELD = luaKey('ok')
const ERR_FIELD = luaKey('err')
const IGNORE_STATS_FIELD = luaKey('ignore_error_stats_update')
const MAP_FIELD = luaKey('map')
const SET_FIELD = luaKey('set')
const DOUBLE_FIELD = luaKey('double')
const BIG_NUMBER_FIELD = luaKey('big_number')
const VERBATIM_FIELD = luaKey('verbatim_string')
const STRING_FIELD = luaKey('string')
const FORMAT_FIELD = luaKey('format')
const STACK_LIMIT = luaKey('reached lua stack limit')

/** Pushes the Lua form of `reply`, as seen by a script whose client speaks `resp`. */
export function pushReply(L: LuaState, reply: Reply, resp: 2 | 3): void {
  switch (reply.kind) {
    case 'int':
      lua.lua_pushnumber(L, Number(reply.value))
      return
    case 'bulk':
      lua.lua_pushlstring(L, reply.value, reply.value.length)
      return
    case 'simple':
      pushStatusTable(L, Buffer.from(reply.value, 'latin1'))
      return
    case 'error':
      pushErrorTable(L, `-${reply.message}`)
      lua.lua_pushboolean(L, true)
      lua.lua_setfield(L, -2, IGNORE_STATS_FIELD)
      return
    case 'nil':
    case 'nilArray':
      if (resp === 2) lua.lua_pushboolean(L, false)
      else lua.lua_pushnil(L)
      return
    default: {
      const parser = new ReplyParser()
      parser.feed(encodeReply(reply, resp))
      const parsed = parser.next()
      if (parsed === undefined) lua.lua_pushboolean(L, false)
      else pushRespValue(L, parsed.value)
    }
  }
}

/** An aggregate whose Lua table is being filled: the value, and how many of its elements are pushed. */
interface Filling {
  readonly value: Extract<RespValue, {type: 'array' | 'push' | 'map' | 'set'}>
  /** Elements done; for a map, keys and values counted apart (element i is entry i >> 1's key or value). */
  done: number
  readonly count: number
}

/**
 * Pushes the Lua form of a parsed reply. Iterative: the aggregates being filled are kept on an explicit
 * stack (their tables on the Lua stack), so no nesting depth overflows the JavaScript call stack. Redis
 * stops the server when the Lua stack cannot grow any more; here the script gets an error instead.
 */
function pushRespValue(L: LuaState, root: RespValue): void {
  const filling: Filling[] = []
  let value: RespValue | undefined = root
  for (;;) {
    if (value !== undefined) {
      const opened = pushValue(L, value)
      if (opened !== undefined) filling.push(opened)
      else {
        const parent = filling[filling.length - 1]
        if (parent === undefined) return
        storeElement(L, parent)
      }
    }
    const current = filling[filling.length - 1] as Filling
    if (current.done < current.count) {
      value = elementOf(current)
      continue
    }
    // The aggregate is complete: a map or set table becomes the field of its wrapper.
    if (current.value.type === 'map') lua.lua_setfield(L, -2, MAP_FIELD)
    else if (current.value.type === 'set') lua.lua_setfield(L, -2, SET_FIELD)
    filling.pop()
    const parent = filling[filling.length - 1]
    if (parent === undefined) return
    storeElement(L, parent)
    value = undefined
  }
}

function elementOf(filling: Filling): RespValue {
  const value = filling.value
  if (value.type === 'map') return (value.value[filling.done >> 1] as [RespValue, RespValue])[filling.done & 1] as RespValue
  return (value.value as RespValue[])[filling.done] as RespValue
}

/** Stores the element just pushed into the table of the aggregate being filled. */
function storeElement(L: LuaState, filling: Filling): void {
  const type = filling.value.type
  filling.done++
  if (type === 'array' || type === 'push') lua.lua_rawseti(L, -2, filling.done)
  else if (type === 'set') {
    lua.lua_pushboolean(L, true)
    lua.lua_settable(L, -3)
  } else if ((filling.done & 1) === 0) lua.lua_settable(L, -3)
}

/** Pushes a scalar's Lua value (undefined returned), or an aggregate's table(s) to fill (returned). */
function pushValue(L: LuaState, value: RespValue): Filling | undefined {
  if (!lua.lua_checkstack(L, 5)) lauxlib.luaL_error(L, STACK_LIMIT)
  switch (value.type) {
    case 'int':
      lua.lua_pushnumber(L, Number(value.value))
      return
    case 'bulk':
      if (value.value === null) lua.lua_pushboolean(L, false)
      else lua.lua_pushlstring(L, value.value, value.value.length)
      return
    case 'simple':
      pushStatusTable(L, Buffer.from(value.value, 'latin1'))
      return
    case 'error':
      pushErrorTable(L, `-${value.value}`)
      lua.lua_pushboolean(L, true)
      lua.lua_setfield(L, -2, IGNORE_STATS_FIELD)
      return
    case 'array':
    case 'push':
      if (value.value === null) {
        lua.lua_pushboolean(L, false)
        return
      }
      lua.lua_createtable(L, value.value.length, 0)
      return {value, done: 0, count: value.value.length}
    case 'map':
      lua.lua_createtable(L, 0, 1)
      lua.lua_createtable(L, 0, value.value.length)
      return {value, done: 0, count: value.value.length * 2}
    case 'set':
      lua.lua_createtable(L, 0, 1)
      lua.lua_createtable(L, 0, value.value.length)
      return {value, done: 0, count: value.value.length}
    case 'double':
      lua.lua_createtable(L, 0, 1)
      lua.lua_pushnumber(L, parseRespDouble(value.value))
      lua.lua_setfield(L, -2, DOUBLE_FIELD)
      return
    case 'bool':
      lua.lua_pushboolean(L, value.value)
      return
    case 'null':
      lua.lua_pushnil(L)
      return
    case 'bignum':
      lua.lua_createtable(L, 0, 1)
      lua.lua_pushstring(L, Buffer.from(value.value, 'latin1'))
      lua.lua_setfield(L, -2, BIG_NUMBER_FIELD)
      return
    case 'verbatim': {
      // Lua sees {verbatim_string={format=fmt, string=text}}.
      const format = Buffer.from(value.format, 'latin1')
      const text = value.value
      lua.lua_createtable(L, 0, 1)
      lua.lua_createtable(L, 0, 2)
      lua.lua_pushlstring(L, text, text.length)
      lua.lua_setfield(L, -2, STRING_FIELD)
      lua.lua_pushlstring(L, format, format.length)
      lua.lua_setfield(L, -2, FORMAT_FIELD)
      lua.lua_setfield(L, -2, VERBATIM_FIELD)
    }
  }
}

const parseRespDouble = (text: string): number =>
  text === 'inf' ? Infinity : text === '-inf' ? -Infinity : text === 'nan' || text === '-nan' ? NaN : Number(text)

function pushStatusTable(L: LuaState, text: Buffer): void {
  lua.lua_createtable(L, 0, 1)
  lua.lua_pushlstring(L, text, text.length)
  lua.lua_setfield(L, -2, OK_FIELD)
}

/**
 * Pushes Redis's error table {err="CODE message"} (luaPushErrorBuff): a text starting with '-' carries its
 * own code as the first word, any other text gets ERR; trailing CR/LF are trimmed.
 */
export function pushErrorTable(L: LuaState, text: string | Buffer): void {
  let s: Buffer = typeof text === 'string' ? Buffer.from(text, 'latin1') : text
  let code: Buffer = Buffer.from('ERR')
  if (s[0] === 0x2d) {
    const space = s.indexOf(0x20)
    if (space < 0) {
      s = s.subarray(1)
    } else {
      code = s.subarray(1, space)
      s = s.subarray(space + 1)
    }
  }
  let start = 0
  let end = s.length
  while (start < end && (s[start] === 0x0d || s[start] === 0x0a)) start++
  while (end > start && (s[end - 1] === 0x0d || s[end - 1] === 0x0a)) end--
  const message = Buffer.concat([code, Buffer.from(' '), s.subarray(start, end)])
  lua.lua_createtable(L, 0, 1)
  lua.lua_pushlstring(L, message, message.length)
  lua.lua_setfield(L, -2, ERR_FIELD)
}
