// The Lua engine of Redis functions (function_lua.c): one Lua state for every library. Its globals are an
// empty read-only table whose metatable's __index points at the real (protected) globals; while a library
// loads, __index points instead at the load-time API — a `redis` table with only register_function, log,
// the LOG_* levels and the version — so the body can register functions and nothing else. Each callback
// stays in the Lua registry under a luaL_ref that FCALL pushes.

import {bufferAt, lauxlib, lua, luaKey, type LuaState} from '../lua-engine.js'
import {pushRedisApi, redisPcall, type ScriptApiHost} from '../redis-api.js'
import {pushErrorTable} from '../reply-to-lua.js'
import {protectGlobals, protectTableRecursively, setErrorMetatable} from '../lua/runtime.js'
import type {LuaSandbox} from '../sandbox.js'
import {SCRIPT_FLAG_NAMES, type ScriptFlag} from '../script-flags.js'
import {BAD_NAME, isValidName, type FunctionEngine, type FunctionInfo, type LibraryInfo} from './libraries.js'

/** Instructions between two looks at the load clock (Redis: 100000). */
const HOOK_COUNT = 100_000
const LOAD_API_MEMBERS = ['log', 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION_NUM', 'REDIS_VERSION']

interface Loading {
  readonly library: LibraryInfo
  readonly startedAtMs: number
  readonly timeoutMs: number
}

/** A register_function error: raised as a Redis error table ({err="ERR …"}). */
class RegisterError extends Error {}

export class LuaFunctionEngine implements FunctionEngine {
  readonly name = 'LUA'
  readonly L: LuaState
  private loading: Loading | undefined
  /** Registry refs: the real globals, the load-time API table, and the metatable of the globals proxy. */
  private readonly realGlobals: number
  private readonly loadApi: number
  private readonly proxyMeta: number

  constructor(sandbox: LuaSandbox, api: ScriptApiHost, private readonly nowMs: () => number) {
    const L = sandbox.newState()
    this.L = L
    pushRedisApi(L, api)
    this.pushLoadApi(L)
    this.loadApi = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    lua.lua_setglobal(L, luaKey('redis'))
    lua.lua_pushcfunction(L, redisPcall)
    lua.lua_setglobal(L, luaKey('pcall'))
    // Redis's error-handler chunk removes `debug`; our handler is native, so only the removal remains.
    lua.lua_pushnil(L)
    lua.lua_setglobal(L, luaKey('debug'))
    protectGlobals(L, {errorHandler: false})
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS)
    this.realGlobals = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    this.proxyMeta = this.installGlobalsProxy(L)
  }

  /** The load-time globals: {redis = {register_function, log, LOG_*, REDIS_VERSION*}}, both erroring on misses. */
  private pushLoadApi(L: LuaState): void {
    const full = lua.lua_gettop(L)
    lua.lua_newtable(L)
    lua.lua_newtable(L)
    lua.lua_pushcfunction(L, (S: LuaState) => this.registerFunction(S))
    lua.lua_setfield(L, -2, luaKey('register_function'))
    for (const member of LOAD_API_MEMBERS) {
      lua.lua_getfield(L, full, luaKey(member))
      lua.lua_setfield(L, -2, luaKey(member))
    }
    setErrorMetatable(L)
    lua.lua_setfield(L, -2, luaKey('redis'))
    setErrorMetatable(L)
    protectTableRecursively(L, -1)
  }

  /** luaEngineInitEngine's last step: new empty globals reading through to the real ones; returns the metatable's ref. */
  private installGlobalsProxy(L: LuaState): number {
    lua.lua_newtable(L)
    lua.lua_newtable(L)
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.realGlobals)
    lua.lua_setfield(L, -2, luaKey('__index'))
    lua.lua_enablereadonlytable(L, -1, true)
    lua.lua_pushvalue(L, -1)
    const meta = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    lua.lua_setmetatable(L, -2)
    lua.lua_enablereadonlytable(L, -1, true)
    lua.lua_rawseti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS)
    return meta
  }

  private pointGlobalsAt(ref: number): void {
    const L = this.L
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.proxyMeta)
    lua.lua_enablereadonlytable(L, -1, false)
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref)
    lua.lua_setfield(L, -2, luaKey('__index'))
    lua.lua_enablereadonlytable(L, -1, true)
    lua.lua_pop(L, 1)
  }

  /** luaEngineCreate: compiles the body and runs it with the load-time globals and the 500 ms load timeout. */
  create(library: LibraryInfo, body: Buffer, timeoutMs: number): string | undefined {
    const L = this.L
    this.pointGlobalsAt(this.loadApi)
    try {
      if (lauxlib.luaL_loadbuffer(L, body, body.length, luaKey('@user_function')) !== lua.LUA_OK) {
        const message = bufferAt(L, -1)?.toString('latin1') ?? ''
        lua.lua_pop(L, 1)
        return `Error compiling function: ${message}`
      }
      const loading: Loading = {library, startedAtMs: this.nowMs(), timeoutMs}
      this.loading = loading
      const hook = (H: LuaState): void => {
        if (loading.timeoutMs <= 0 || this.nowMs() - loading.startedAtMs <= loading.timeoutMs) return
        lua.lua_sethook(H, hook, lua.LUA_MASKLINE, 0)
        pushErrorTable(H, 'FUNCTION LOAD timeout')
        lua.lua_error(H)
      }
      lua.lua_sethook(L, hook, lua.LUA_MASKCOUNT, HOOK_COUNT)
      if (lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
        const message = loadErrorMessage(L)
        lua.lua_pop(L, 1)
        return `Error registering functions: ${message}`
      }
      return undefined
    } finally {
      lua.lua_sethook(L, null, 0, 0)
      this.loading = undefined
      this.pointGlobalsAt(this.realGlobals)
    }
  }

  free(fn: FunctionInfo): void {
    lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, fn.ref)
  }

  /** Pushes a function's callback on `T` (a thread of this state). */
  pushFunction(T: LuaState, fn: FunctionInfo): void {
    lua.lua_rawgeti(T, lua.LUA_REGISTRYINDEX, fn.ref)
  }

  memory(): number {
    return lua.lua_gc(this.L, lua.LUA_GCCOUNT, 0) * 1024 + lua.lua_gc(this.L, lua.LUA_GCCOUNTB, 0)
  }

  /** redis.register_function(name, callback) or redis.register_function{function_name=…, callback=…, flags=…, description=…}. */
  private registerFunction(L: LuaState): number {
    const loading = this.loading
    if (loading === undefined) return raise(L, 'redis.register_function can only be called on FUNCTION LOAD command')
    let fn: Omit<FunctionInfo, 'library'>
    try {
      const argc = lua.lua_gettop(L)
      if (argc < 1 || argc > 2) throw new RegisterError('wrong number of arguments to redis.register_function')
      fn = argc === 1 ? readNamedArgs(L) : readPositionalArgs(L)
    } catch (cause) {
      if (cause instanceof RegisterError) return raise(L, cause.message)
      throw cause
    }
    const functions = loading.library.functions
    const failure = !isValidName(fn.name) ? BAD_NAME : functions.has(fn.name) ? 'Function already exists in the library' : undefined
    if (failure !== undefined) {
      lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, fn.ref)
      return raise(L, failure)
    }
    functions.set(fn.name, {...fn, library: loading.library})
    return 0
  }
}

function raise(L: LuaState, text: string): number {
  pushErrorTable(L, text)
  return lua.lua_error(L)
}

const stringAt = (L: LuaState, index: number): Buffer | undefined =>
  lua.lua_isstring(L, index) ? Buffer.from(bufferAt(L, index) ?? Buffer.alloc(0)) : undefined

function readPositionalArgs(L: LuaState): Omit<FunctionInfo, 'library'> {
  const name = stringAt(L, 1)
  if (name === undefined) throw new RegisterError('first argument to redis.register_function must be a string')
  if (lua.lua_type(L, 2) !== lua.LUA_TFUNCTION) throw new RegisterError('second argument to redis.register_function must be a function')
  const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
  return {name: name.toString('latin1'), ref, description: undefined, flags: {compat: false, set: new Set()}}
}

/** luaRegisterFunctionReadNamedArgs: the table's fields in Lua's iteration order; the first bad one is the error. */
function readNamedArgs(L: LuaState): Omit<FunctionInfo, 'library'> {
  if (!lua.lua_istable(L, 1)) {
    throw new RegisterError('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).')
  }
  let name: Buffer | undefined
  let description: Buffer | undefined
  let ref: number | undefined
  let flags = new Set<ScriptFlag>()
  try {
    lua.lua_pushnil(L)
    while (lua.lua_next(L, -2)) {
      if (!lua.lua_isstring(L, -2)) throw new RegisterError('named argument key given to redis.register_function is not a string')
      const key = (stringAt(L, -2) as Buffer).toString('latin1').toLowerCase()
      if (key === 'function_name') {
        name = stringAt(L, -1)
        if (name === undefined) throw new RegisterError('function_name argument given to redis.register_function must be a string')
      } else if (key === 'description') {
        description = stringAt(L, -1)
        if (description === undefined) throw new RegisterError('description argument given to redis.register_function must be a string')
      } else if (key === 'callback') {
        if (lua.lua_type(L, -1) !== lua.LUA_TFUNCTION) throw new RegisterError('callback argument given to redis.register_function must be a function')
        if (ref !== undefined) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, ref)
        ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
        continue
      } else if (key === 'flags') {
        if (!lua.lua_istable(L, -1)) throw new RegisterError('flags argument to redis.register_function must be a table representing function flags')
        flags = readFlags(L)
      } else {
        throw new RegisterError('unknown argument given to redis.register_function')
      }
      lua.lua_pop(L, 1)
    }
    if (name === undefined) throw new RegisterError('redis.register_function must get a function name argument')
    if (ref === undefined) throw new RegisterError('redis.register_function must get a callback argument')
  } catch (cause) {
    if (ref !== undefined) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, ref)
    throw cause
  }
  return {name: name.toString('latin1'), ref, description, flags: {compat: false, set: flags}}
}

/** luaRegisterFunctionReadFlags: t[1], t[2] … until nil, each a flag name (case-insensitive). */
function readFlags(L: LuaState): Set<ScriptFlag> {
  const flags = new Set<ScriptFlag>()
  for (let j = 1; ; j++) {
    lua.lua_pushnumber(L, j)
    lua.lua_gettable(L, -2)
    if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1)
      return flags
    }
    const text = stringAt(L, -1)?.toString('latin1').toLowerCase()
    lua.lua_pop(L, 1)
    const flag = SCRIPT_FLAG_NAMES.find((f) => f === text)
    if (flag === undefined) throw new RegisterError('unknown flag given')
    flags.add(flag)
  }
}

/** luaExtractErrorInformation for a load error: a string gets "ERR ", a table gives its `err` field. */
function loadErrorMessage(L: LuaState): string {
  if (lua.lua_isstring(L, -1)) return `ERR ${bufferAt(L, -1)?.toString('latin1') ?? ''}`
  if (!lua.lua_istable(L, -1)) return '(null)'
  lua.lua_getfield(L, -1, luaKey('err'))
  const text = lua.lua_isstring(L, -1) ? bufferAt(L, -1)?.toString('latin1') : undefined
  lua.lua_pop(L, 1)
  return text ?? '(null)'
}
