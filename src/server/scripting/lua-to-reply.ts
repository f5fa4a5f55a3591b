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

/*
 * The depth at which Redis gives up. luaReplyToRedisReply calls lua_checkstack(lua, 4) for every value it
 * converts, and Lua 5.1 refuses when the slots in use plus 4 exceed LUAI_MAXCSTACK (8000); the value is then
 * answered `-ERR reached lua stack limit` in its place and the conversion goes on with its siblings. The
 * slots in use are modelled exactly: the returned value sits at slot 2 (above the error handler); an array
 * element is one slot above its table (the table, then the element), a map key four (table, inner map,
 * key, value, the key's copy) and a map value three, a set element three (table, inner set, key, its copy).
 */
const LUAI_MAXCSTACK = 8000
const CHECKSTACK_SLOTS = 4
const ROOT_SLOT = 2
const ARRAY_ITEM_SLOTS = 1
const MAP_KEY_SLOTS = 4
const MAP_VALUE_SLOTS = 3
const SET_ITEM_SLOTS = 3
const STACK_LIMIT_ERROR = 'ERR reached lua stack limit'

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

/**
 * A table being converted, whose contents are still being read. Its Lua side stays on the stack: the table
 * itself (an array), or the table, the inner {map=…}/{set=…} table and the key of the last lua_next.
 */
interface OpenTable {
  readonly kind: 'array' | 'map' | 'set'
  /** The slot of the table (Redis's stack use, see LUAI_MAXCSTACK above). */
  readonly slot: number
  /** Array: the next index to read. */
  next: number
  /** Map: 'next' to call lua_next, 'key' while the key is converted, 'value' while the value is. */
  phase: 'next' | 'key' | 'value'
  key: Reply | undefined
  readonly items: Reply[]
  readonly entries: [Reply, Reply][]
}

/**
 * Converts and pops the value on top of the stack. `callerResp` shapes RESP3-only forms for RESP2 callers.
 * Iterative: nested tables are walked with an explicit stack of open tables (their Lua side stays on the Lua
 * stack), so no nesting depth overflows the JavaScript call stack; the depth Redis reaches is modelled.
 */
export function popReply(L: LuaState, scriptResp: 2 | 3, callerResp: 2 | 3): Reply {
  const open: OpenTable[] = []
  let value = visit(L, ROOT_SLOT, scriptResp, callerResp, open)
  for (;;) {
    if (value !== undefined) {
      const parent = open[open.length - 1]
      if (parent === undefined) return value
      if (parent.kind === 'array' || parent.kind === 'set') parent.items.push(value)
      else if (parent.phase === 'key') {
        parent.key = value
        parent.phase = 'value'
      } else {
        parent.entries.push([parent.key as Reply, value])
        parent.key = undefined
        parent.phase = 'next'
      }
    }
    value = step(L, open[open.length - 1] as OpenTable, scriptResp, callerResp, open)
  }
}

/**
 * Goes on with the innermost open table: converts its next element (undefined when that is a table opened in
 * turn), or, when it has no more, pops its Lua side and returns its reply.
 */
function step(L: LuaState, table: OpenTable, scriptResp: 2 | 3, callerResp: 2 | 3, open: OpenTable[]): Reply | undefined {
  switch (table.kind) {
    case 'array':
      lua.lua_rawgeti(L, -1, table.next++)
      if (lua.lua_type(L, -1) !== lua.LUA_TNIL) return visit(L, table.slot + ARRAY_ITEM_SLOTS, scriptResp, callerResp, open)
      lua.lua_pop(L, 2)
      open.pop()
      return array(table.items)
    case 'map':
      if (table.phase === 'value') return visit(L, table.slot + MAP_VALUE_SLOTS, scriptResp, callerResp, open)
      // Stack: table, map, key.
      if (lua.lua_next(L, -2)) {
        // Stack: table, map, key, value; the key is converted from a copy, then the value.
        lua.lua_pushvalue(L, -2)
        table.phase = 'key'
        return visit(L, table.slot + MAP_KEY_SLOTS, scriptResp, callerResp, open)
      }
      lua.lua_pop(L, 2)
      open.pop()
      return map(table.entries)
    case 'set':
      if (lua.lua_next(L, -2)) {
        lua.lua_pop(L, 1)
        lua.lua_pushvalue(L, -1)
        return visit(L, table.slot + SET_ITEM_SLOTS, scriptResp, callerResp, open)
      }
      lua.lua_pop(L, 2)
      open.pop()
      return set(table.items)
  }
}

/**
 * Converts the value on top of the stack, at Redis's stack slot `slot`: a scalar or a table with a single
 * reply is popped and returned; an array, map or set table is opened (pushed on `open`, undefined returned)
 * and popped once its elements are done.
 */
function visit(L: LuaState, slot: number, scriptResp: 2 | 3, callerResp: 2 | 3, open: OpenTable[]): Reply | undefined {
  if (slot + CHECKSTACK_SLOTS > LUAI_MAXCSTACK || !lua.lua_checkstack(L, CHECKSTACK_SLOTS)) {
    lua.lua_pop(L, 1)
    return error(STACK_LIMIT_ERROR)
  }
  let reply: Reply
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      reply = {kind: 'bulk', value: bufferAt(L, -1) ?? Buffer.alloc(0)}
      break
    case lua.LUA_TBOOLEAN: {
      const value = lua.lua_toboolean(L, -1)
      reply = scriptResp === 2 ? (value ? int(1) : NIL) : bool(value)
      break
    }
    case lua.LUA_TNUMBER:
      reply = truncateToInteger(lua.lua_tonumber(L, -1))
      break
    case lua.LUA_TTABLE: {
      const single = singleReply(L, callerResp)
      if (single !== undefined) {
        reply = single
        break
      }
      const kind = openTable(L)
      open.push({kind, slot, next: 1, phase: 'next', key: undefined, items: [], entries: []})
      return undefined
    }
    default:
      reply = NIL
  }
  lua.lua_pop(L, 1)
  return reply
}

/**
 * For the table on top: pushes its {map=…} or {set=…} table and a nil key to start lua_next, and answers
 * which; a plain table is an array and nothing is pushed.
 */
function openTable(L: LuaState): 'array' | 'map' | 'set' {
  for (const [field, kind] of [[MAP, 'map'], [SET, 'set']] as const) {
    lua.lua_pushstring(L, field)
    lua.lua_rawget(L, -2)
    if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
      lua.lua_pushnil(L)
      return kind
    }
    lua.lua_pop(L, 1)
  }
  return 'array'
}

/** The string field `name` of the table on top, or undefined (the field is left off the stack). */
function stringField(L: LuaState, name: Uint8Array, tableIndex = -1): Buffer | undefined {
  lua.lua_pushstring(L, name)
  lua.lua_rawget(L, tableIndex - 1)
  const value = lua.lua_type(L, -1) === lua.LUA_TSTRING ? Buffer.from(bufferAt(L, -1) ?? Buffer.alloc(0)) : undefined
  lua.lua_pop(L, 1)
  return value
}

/** The reply of a table that stands for one value ({err=…}, {ok=…}, {double=…}, {big_number=…}, {verbatim_string=…}), or undefined. */
function singleReply(L: LuaState, callerResp: 2 | 3): Reply | undefined {
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
  return verbatimField(L, callerResp)
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
