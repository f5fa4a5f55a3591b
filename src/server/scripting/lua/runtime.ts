// The Lua environment of Redis 7.0 scripting, on fengari patched to Lua 5.1 semantics (vendor/fengari,
// see its PATCHES.md). It reproduces script_lua.c (luaLoadLibraries, the globals allow list, the Redis
// math.random, the pcall replacement, luaSetErrorMetatable, luaSetTableProtectionRecursively) and
// eval.c scriptingInit's error handler. The `redis` table is not built here.
//
// Public API:
//   createLuaRuntime(options?: LuaRuntimeOptions): LuaRuntime
//       A fresh lua_State with Redis's libraries: base (5.1), table, string, math, coroutine, cjson, struct,
//       cmsgpack, bit, and `debug` until protectGlobals() runs. No io, os, package, utf8, print, dofile, loadfile.
//   LuaRuntime.L                    the lua_State, for the fengari API (import fengari from 'fengari')
//   LuaRuntime.prng                 the RedisPrng behind math.random (share one per server: Redis has one)
//   LuaRuntime.reseed(): void       back to the PRNG state of a freshly started Redis (7.0 never reseeds by itself)
//   LuaRuntime.compile(source: string | Uint8Array, chunkName = USER_SCRIPT_CHUNK): string | undefined
//       luaL_loadbuffer: pushes the compiled function and returns undefined, or returns the error message
//       ("user_script:1: '=' expected near 'end'") with nothing pushed.
//   LuaRuntime.close(): void        drops the state (fengari is garbage collected; kept for symmetry)
//   protectGlobals(L: LuaState, options?: {errorHandler?: boolean}): void
//       What scriptingInit does once the caller has set `redis`: defines __redis__err__handler and removes
//       `debug` (unless errorHandler is false), gives _G the metatable that raises "Script attempted to access
//       nonexistent global variable 'x'", and makes _G and every table reachable from it, their metatables
//       and the string metatable readonly ("Attempt to modify a readonly table").
//   setTableReadonly(L, index: number, enabled: boolean): void   Redis's lua_enablereadonlytable
//   isTableReadonly(L, index: number): boolean                   Redis's lua_isreadonlytable
//   protectTableRecursively(L, index: number): void              luaSetTableProtectionRecursively
//   setErrorMetatable(L): void                                   luaSetErrorMetatable on the table on top
//   USER_SCRIPT_CHUNK = '@user_script'   the chunk name Redis compiles EVAL bodies with
//   REDIS_LUA_GLOBALS: readonly string[]  the globals Redis 7.0 scripts see, besides redis/KEYS/ARGV/__redis__err__handler
//   RedisPrng (./prng.js)                the generator, with next(), seed(n), reset(), nextDouble()

import {adjustBaseLibrary, adjustCoroutineLibrary} from './base51.js'
import {openBit} from './bit.js'
import {openCjson} from './cjson.js'
import {openCmsgpack} from './cmsgpack.js'
import {lauxlib, lua, lualib, toLuaString, type LuaCFunction, type LuaState} from './lua-api.js'
import {adjustMathLibrary, adjustStringLibrary} from './math51.js'
import {randomFunctions, RedisPrng} from './prng.js'
import {openStruct} from './struct.js'
import {adjustTableLibrary} from './table51.js'

export {RedisPrng}
export type {LuaState}

export const USER_SCRIPT_CHUNK = '@user_script'

/** The globals a Redis 7.0 script sees besides `redis`, KEYS, ARGV and __redis__err__handler (from the oracle). */
export const REDIS_LUA_GLOBALS: readonly string[] = [
  '_G', '_VERSION', 'assert', 'bit', 'cjson', 'cmsgpack', 'collectgarbage', 'coroutine', 'error', 'gcinfo',
  'getmetatable', 'ipairs', 'load', 'loadstring', 'math', 'next', 'pairs', 'pcall', 'rawequal', 'rawget', 'rawset',
  'select', 'setmetatable', 'string', 'struct', 'table', 'tonumber', 'tostring', 'type', 'unpack', 'xpcall',
]

/** eval.c scriptingInit's helper, word for word. */
const ERROR_HANDLER_SOURCE = 'local dbg = debug\n' +
  'debug = nil\n' +
  'function __redis__err__handler(err)\n' +
  "  local i = dbg.getinfo(2,'nSl')\n" +
  "  if i and i.what == 'C' then\n" +
  "    i = dbg.getinfo(3,'nSl')\n" +
  '  end\n' +
  "  if type(err) ~= 'table' then\n" +
  "    err = {err='ERR ' .. tostring(err)}" +
  '  end' +
  '  if i then\n' +
  "    err['source'] = i.source\n" +
  "    err['line'] = i.currentline\n" +
  '  end' +
  '  return err\n' +
  'end\n'

export interface LuaRuntimeOptions {
  /** The generator behind math.random; Redis has one per process. Default: a new one. */
  prng?: RedisPrng
  /** Redis's run-context check for math.random/randomseed. Default: always inside a script. */
  isScriptRunning?: () => boolean
}

export interface LuaRuntime {
  readonly L: LuaState
  readonly prng: RedisPrng
  reseed(): void
  compile(source: string | Uint8Array, chunkName?: string): string | undefined
  close(): void
}

function requireLibrary(L: LuaState, name: string, open: LuaCFunction, adjust?: () => void): void {
  lauxlib.luaL_requiref(L, name, open, 1)
  adjust?.()
  lua.lua_pop(L, 1)
}

function setGlobalLibrary(L: LuaState, name: string, open: (L: LuaState) => void): void {
  open(L)
  lua.lua_setglobal(L, name)
}

/** Redis's allow list drops every other global the libraries define (print, dofile, loadfile, rawlen ...). */
function removeUnlistedGlobals(L: LuaState): void {
  const allowed = new Set([...REDIS_LUA_GLOBALS, 'debug'])
  const extra: string[] = []
  lua.lua_pushglobaltable(L)
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2)) {
    lua.lua_pop(L, 1)
    const key = lua.lua_type(L, -1) === lua.LUA_TSTRING ? Buffer.from(lua.lua_tostring(L, -1) as Uint8Array).toString('latin1') : undefined
    if (key !== undefined && !allowed.has(key)) extra.push(key)
  }
  for (const key of extra) {
    lua.lua_pushnil(L)
    lua.lua_setfield(L, -2, key)
  }
  lua.lua_pop(L, 1)
}

function openLibraries(L: LuaState, prng: RedisPrng, isScriptRunning: () => boolean): void {
  requireLibrary(L, '_G', lualib.luaopen_base)
  let unpack: LuaCFunction | undefined
  requireLibrary(L, 'table', lualib.luaopen_table, () => {
    lua.lua_getfield(L, -1, 'unpack')
    const fn = lua.lua_tocfunction(L, -1)
    lua.lua_pop(L, 1)
    if (fn) unpack = fn
    adjustTableLibrary(L)
  })
  requireLibrary(L, 'string', lualib.luaopen_string, () => adjustStringLibrary(L))
  requireLibrary(L, 'math', lualib.luaopen_math, () => adjustMathLibrary(L, randomFunctions(prng, isScriptRunning)))
  requireLibrary(L, 'debug', lualib.luaopen_debug)
  requireLibrary(L, 'coroutine', lualib.luaopen_coroutine, () => adjustCoroutineLibrary(L))
  lua.lua_pushglobaltable(L)
  adjustBaseLibrary(L, unpack as LuaCFunction)
  lua.lua_pop(L, 1)
  setGlobalLibrary(L, 'cjson', openCjson)
  setGlobalLibrary(L, 'struct', openStruct)
  setGlobalLibrary(L, 'cmsgpack', openCmsgpack)
  setGlobalLibrary(L, 'bit', openBit)
  removeUnlistedGlobals(L)
}

export function createLuaRuntime(options: LuaRuntimeOptions = {}): LuaRuntime {
  const L = lauxlib.luaL_newstate()
  const prng = options.prng ?? new RedisPrng()
  openLibraries(L, prng, options.isScriptRunning ?? (() => true))
  return {
    L,
    prng,
    reseed: () => prng.reset(),
    compile(source, chunkName = USER_SCRIPT_CHUNK) {
      const bytes = typeof source === 'string' ? toLuaString(source) : source
      if (lauxlib.luaL_loadbuffer(L, bytes, bytes.length, toLuaString(chunkName)) === lua.LUA_OK) return undefined
      const message = lauxlib.luaL_tolstring(L, -1)
      lua.lua_pop(L, 2)
      return new TextDecoder().decode(message)
    },
    close() {
      lua.lua_settop(L, 0)
    },
  }
}

export function setTableReadonly(L: LuaState, index: number, enabled: boolean): void {
  lua.lua_enablereadonlytable(L, index, enabled)
}

export function isTableReadonly(L: LuaState, index: number): boolean {
  return lua.lua_isreadonlytable(L, index)
}

/** luaSetTableProtectionRecursively: the table at `index`, the tables it holds, and their metatables. */
export function protectTableRecursively(L: LuaState, index: number): void {
  const t = lua.lua_absindex(L, index)
  if (lua.lua_isreadonlytable(L, t)) return
  lua.lua_enablereadonlytable(L, t, true)
  lauxlib.luaL_checkstack(L, 2, null)
  lua.lua_pushnil(L)
  while (lua.lua_next(L, t)) {
    if (lua.lua_istable(L, -1)) protectTableRecursively(L, -1)
    lua.lua_pop(L, 1)
  }
  if (lua.lua_getmetatable(L, t)) {
    protectTableRecursively(L, -1)
    lua.lua_pop(L, 1)
  }
}

/** script_lua.c luaProtectedTableError, the __index of _G's metatable. */
function protectedTableError(L: LuaState): number {
  if (lua.lua_gettop(L) !== 2) lauxlib.luaL_error(L, 'Wrong number of arguments to luaProtectedTableError')
  if (!lua.lua_isstring(L, -1) && !lua.lua_isnumber(L, -1)) {
    lauxlib.luaL_error(L, 'Second argument to luaProtectedTableError must be a string or number')
  }
  const name = lua.lua_tostring(L, -1) as Uint8Array
  return lauxlib.luaL_error(L, "Script attempted to access nonexistent global variable '%s'", name)
}

/** script_lua.c luaSetErrorMetatable: reading a missing field of the table on top raises Redis's error. */
export function setErrorMetatable(L: LuaState): void {
  lua.lua_newtable(L)
  lua.lua_pushcfunction(L, protectedTableError)
  lua.lua_setfield(L, -2, '__index')
  lua.lua_setmetatable(L, -2)
}

export function protectGlobals(L: LuaState, options: {errorHandler?: boolean} = {}): void {
  if (options.errorHandler !== false) {
    const source = toLuaString(ERROR_HANDLER_SOURCE)
    if (lauxlib.luaL_loadbuffer(L, source, source.length, toLuaString('@err_handler_def')) !== lua.LUA_OK) {
      throw new Error(`error handler does not compile: ${new TextDecoder().decode(lua.lua_tostring(L, -1) ?? new Uint8Array())}`)
    }
    lua.lua_call(L, 0, 0)
  }
  lua.lua_pushglobaltable(L)
  setErrorMetatable(L)
  protectTableRecursively(L, -1)
  lua.lua_pop(L, 1)
  lua.lua_pushstring(L, '')
  if (lua.lua_getmetatable(L, -1)) {
    protectTableRecursively(L, -1)
    lua.lua_pop(L, 1)
  }
  lua.lua_pop(L, 1)
}
