// A script's return value as the caller's reply (script_lua.c luaReplyToRedisReply): numbers truncate to
// integers, strings are bulk, a table is {err=…}, {ok=…}, one of the RESP3 forms ({double=…}, {map=…} …)
// or an array that ends at the first nil; booleans follow the script's protocol (redis.setresp).

import {array, bool, double, error, int, map, NIL, raw, set, simple, type Reply} from '../../resp/reply.js'
import {bufferAt, lua, luaKey, type LuaState} from './lua-engine.js'

const ERR = luaKey('err')
const OK = luaKey('ok')
const DOUBLE = luaKey('double')
const BIG_NUMBER = luaKey('big_number')
const VERBATIM = luaKey('verbatim_string')
const FORMAT = luaKey('format')
const STRING = luaKey('string')
const MAP = luaKey('map')
const SET = luaKey('set')

const LLONG_MIN = -(2n ** 63n)
const TWO_63 = 2 ** 63
/** Deeper than this, Lua 5.1's C stack limit (LUAI_MAXCSTACK 8000) stops Redis's conversion. */
const MAX_DEPTH = 3998

/** C's (long long) cast of a double, as x86-64 does it: out of range and NaN give LLONG_MIN. */
export function truncateToInteger(n: number): Reply {
  if (!(n > -TWO_63 - 1 && n < TWO_63)) return int(LLONG_MIN)
  const t = Math.trunc(n)
  return int(Number.isSafeInteger(t) ? t : BigInt(t))
}

const IGNORE_STATS = luaKey('ignore_error_stats_update')

/** The error table at `index` passes on a command's error that errorstats already counted. */
export function ignoresStats(L: LuaState, index: number): boolean {
  lua.lua_getfield(L, index, IGNORE_STATS)
  const flag = lua.lua_toboolean(L, -1)
  lua.lua_pop(L, 1)
  return flag
}

/** One line for a status or error: Redis replaces CR and LF with spaces. */
const oneLine = (text: string): string => text.replace(/[\r\n]/g, ' ')

/** Converts and pops the value on top of the stack. `callerResp` shapes RESP3-only forms for RESP2 callers. */
export function popReply(L: LuaState, scriptResp: 2 | 3, callerResp: 2 | 3): Reply {
  const reply = toReply(L, scriptResp, callerResp, 0)
  lua.lua_pop(L, 1)
  return reply
}

function toReply(L: LuaState, scriptResp: 2 | 3, callerResp: 2 | 3, depth: number): Reply {
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      return {kind: 'bulk', value: bufferAt(L, -1) ?? Buffer.alloc(0)}
    case lua.LUA_TBOOLEAN: {
      const value = lua.lua_toboolean(L, -1)
      if (scriptResp === 2) return value ? int(1) : NIL
      return bool(value)
    }
    case lua.LUA_TNUMBER:
      return truncateToInteger(lua.lua_tonumber(L, -1))
    case lua.LUA_TTABLE:
      if (depth >= MAX_DEPTH || !lua.lua_checkstack(L, 4)) return error('ERR reached lua stack limit')
      return tableToReply(L, scriptResp, callerResp, depth)
    default:
      return NIL
  }
}

/** The string field `name` of the table on top, or undefined (the field is left off the stack). */
function stringField(L: LuaState, name: Uint8Array, tableIndex = -1): Buffer | undefined {
  lua.lua_pushstring(L, name)
  lua.lua_rawget(L, tableIndex - 1)
  const value = lua.lua_type(L, -1) === lua.LUA_TSTRING ? Buffer.from(bufferAt(L, -1) ?? Buffer.alloc(0)) : undefined
  lua.lua_pop(L, 1)
  return value
}

function tableToReply(L: LuaState, scriptResp: 2 | 3, callerResp: 2 | 3, depth: number): Reply {
  const err = stringField(L, ERR)
  if (err !== undefined) {
    // Redis writes "-" and the text, so {err='-X'} goes out as "--X".
    const message = oneLine(err.toString('latin1'))
    return ignoresStats(L, -1) ? {kind: 'error', message, counted: true} : error(message)
  }
  const ok = stringField(L, OK)
  if (ok !== undefined) return simple(oneLine(ok.toString('latin1')))
  lua.lua_pushstring(L, DOUBLE)
  lua.lua_rawget(L, -2)
  if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) {
    const value = lua.lua_tonumber(L, -1)
    lua.lua_pop(L, 1)
    return double(value)
  }
  lua.lua_pop(L, 1)
  const bigNumber = stringField(L, BIG_NUMBER)
  if (bigNumber !== undefined) {
    const text = oneLine(bigNumber.toString('latin1'))
    return raw(Buffer.from(callerResp === 3 ? `(${text}\r\n` : `$${text.length}\r\n${text}\r\n`, 'latin1'))
  }
  const verbatim = verbatimField(L, callerResp)
  if (verbatim !== undefined) return verbatim
  lua.lua_pushstring(L, MAP)
  lua.lua_rawget(L, -2)
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    const entries: [Reply, Reply][] = []
    lua.lua_pushnil(L)
    while (lua.lua_next(L, -2)) {
      lua.lua_pushvalue(L, -2)
      const key = toReply(L, scriptResp, callerResp, depth + 1)
      lua.lua_pop(L, 1)
      const value = toReply(L, scriptResp, callerResp, depth + 1)
      lua.lua_pop(L, 1)
      entries.push([key, value])
    }
    lua.lua_pop(L, 1)
    return map(entries)
  }
  lua.lua_pop(L, 1)
  lua.lua_pushstring(L, SET)
  lua.lua_rawget(L, -2)
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    const items: Reply[] = []
    lua.lua_pushnil(L)
    while (lua.lua_next(L, -2)) {
      lua.lua_pop(L, 1)
      lua.lua_pushvalue(L, -1)
      items.push(toReply(L, scriptResp, callerResp, depth + 1))
      lua.lua_pop(L, 1)
    }
    lua.lua_pop(L, 1)
    return set(items)
  }
  lua.lua_pop(L, 1)
  const items: Reply[] = []
  for (let j = 1; ; j++) {
    lua.lua_rawgeti(L, -1, j)
    if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1)
      break
    }
    items.push(toReply(L, scriptResp, callerResp, depth + 1))
    lua.lua_pop(L, 1)
  }
  return array(items)
}

/** {verbatim_string={format=…, string=…}}: RESP3 "=len\r\nfmt:text", a plain bulk for RESP2 callers. */
function verbatimField(L: LuaState, callerResp: 2 | 3): Reply | undefined {
  lua.lua_pushstring(L, VERBATIM)
  lua.lua_rawget(L, -2)
  let reply: Reply | undefined
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    const format = stringField(L, FORMAT)
    const text = stringField(L, STRING)
    if (format !== undefined && text !== undefined) {
      const fmt = Buffer.concat([format, Buffer.alloc(3, ' ')]).subarray(0, 3)
      reply = raw(callerResp === 3
        ? Buffer.concat([Buffer.from(`=${text.length + 4}\r\n`), fmt, Buffer.from(':'), text, Buffer.from('\r\n')])
        : Buffer.concat([Buffer.from(`$${text.length}\r\n`), text, Buffer.from('\r\n')]))
    }
  }
  lua.lua_pop(L, 1)
  return reply
}
