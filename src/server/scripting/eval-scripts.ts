// EVAL scripts (eval.c): the script cache (sha1 → body and flags, the compiled function kept in the Lua
// registry as f_<sha>), one Lua state for all of them, EVAL / EVALSHA / *_RO, and SCRIPT's subcommands.
// SCRIPT LOAD and EVAL are not replicated: a replica's cache is its own, as in Redis 7.0.

import {createHash} from 'node:crypto'
import {error, type Reply} from '../../resp/reply.js'
import {parseInt64} from '../commands/args.js'
import {lua, lauxlib, luaKey, type LuaState} from './lua-engine.js'
import {addEvalOnlyApi, pushRedisApi, redisPcall, type ScriptApiHost} from './redis-api.js'
import {COMPAT_FLAGS, extractShebangFlags, type ScriptFlags} from './script-flags.js'
import type {LuaSandbox} from './sandbox.js'

export const NOSCRIPT = error('NOSCRIPT No matching script. Please use EVAL.')

export interface CachedScript {
  readonly sha: string
  readonly body: Buffer
  readonly flags: ScriptFlags
  /** The compiled function's reference in the Lua registry (Redis names it f_<sha> there; scripts see neither). */
  readonly ref: number
}

const KEYS = luaKey('KEYS')
const ARGV = luaKey('ARGV')
const CHUNK_NAME = luaKey('@user_script')

export const sha1hex = (body: Buffer): string => createHash('sha1').update(body).digest('hex')

/** The parsed numkeys / keys / args of EVAL-like and FCALL-like commands (args after the script or name). */
export type KeysAndArgs = {keys: Buffer[]; args: Buffer[]} | Reply

export function splitKeysAndArgs(numkeysArg: Buffer, rest: readonly Buffer[]): KeysAndArgs {
  // The common case, one digit, without parsing into a bigint.
  const digit = numkeysArg.length === 1 ? (numkeysArg[0] as number) - 0x30 : -1
  if (digit >= 0 && digit <= 9 && digit <= rest.length) return {keys: rest.slice(0, digit), args: rest.slice(digit)}
  const parsed = parseInt64(numkeysArg)
  if (!parsed.ok) return error('ERR value is not an integer or out of range')
  if (parsed.value > BigInt(rest.length)) return error("ERR Number of keys can't be greater than number of args")
  if (parsed.value < 0n) return error("ERR Number of keys can't be negative")
  const n = Number(parsed.value)
  return {keys: rest.slice(0, n), args: rest.slice(n)}
}

export class EvalScripts {
  private L: LuaState
  /** Registry references of the strings "KEYS" and "ARGV": pushing the same Lua string keeps its hash. */
  private keysName = 0
  private argvName = 0
  private readonly cache = new Map<string, CachedScript>()
  /** The last EVALSHA argument looked up: the gates and the handler of one call ask for the same Buffer. */
  private lastShaArg: Buffer | undefined
  private lastShaScript: CachedScript | undefined
  private cacheBytes = 0

  constructor(
    private readonly sandbox: LuaSandbox,
    private readonly api: ScriptApiHost,
  ) {
    this.L = this.createState()
  }

  get state(): LuaState {
    return this.L
  }

  get count(): number {
    return this.cache.size
  }

  /** used_memory_scripts_eval: the bodies and shas held by the cache. */
  get memory(): number {
    return this.cacheBytes
  }

  luaMemory(): number {
    return lua.lua_gc(this.L, lua.LUA_GCCOUNT, 0) * 1024 + lua.lua_gc(this.L, lua.LUA_GCCOUNTB, 0)
  }

  private createState(): LuaState {
    const L = this.sandbox.newState()
    pushRedisApi(L, this.api)
    addEvalOnlyApi(L)
    lua.lua_setglobal(L, luaKey('redis'))
    lua.lua_pushcfunction(L, redisPcall)
    lua.lua_setglobal(L, luaKey('pcall'))
    this.sandbox.protect(L)
    lua.lua_pushstring(L, KEYS)
    this.keysName = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    lua.lua_pushstring(L, ARGV)
    this.argvName = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    return L
  }

  /** SCRIPT FLUSH: a new Lua state and an empty cache. */
  flush(): void {
    this.cache.clear()
    this.lastShaArg = undefined
    this.lastShaScript = undefined
    this.cacheBytes = 0
    lua.lua_close(this.L)
    this.L = this.createState()
  }

  exists(sha: string): boolean {
    return this.cache.has(sha.toLowerCase())
  }

  get(sha: string): CachedScript | undefined {
    return this.cache.get(sha.toLowerCase())
  }

  /** get() for an EVALSHA argument, remembered for the same Buffer (gate flags, then the call). */
  getByArg(arg: Buffer): CachedScript | undefined {
    if (arg === this.lastShaArg) return this.lastShaScript
    const script = this.get(arg.toString('latin1'))
    this.lastShaArg = arg
    this.lastShaScript = script
    return script
  }

  /** luaCreateFunction: compiles and caches a body (once per sha); the error reply when it does not compile. */
  create(body: Buffer): CachedScript | Reply {
    const sha = sha1hex(body)
    const known = this.cache.get(sha)
    if (known !== undefined) return known
    const shebang = extractShebangFlags(body)
    if (!shebang.ok) return error(`ERR ${shebang.error}`)
    const L = this.L
    // The shebang line is cut but its line feed kept, so line numbers in errors stay the user's.
    const code = body.subarray(shebang.shebangLength)
    if (lauxlib.luaL_loadbuffer(L, code, code.length, CHUNK_NAME) !== lua.LUA_OK) {
      const message = lua.lua_tolstring(L, -1)
      lua.lua_pop(L, 1)
      const text = message === null || message === undefined ? '' : Buffer.from(message).toString('latin1')
      return error(`ERR Error compiling script (new function): ${text}`.replace(/[\r\n]/g, ' '))
    }
    const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    // A remembered miss may be this very sha (SCRIPT LOAD queued before EVALSHA in one MULTI).
    this.lastShaArg = undefined
    const script: CachedScript = {sha, body: Buffer.from(body), flags: shebang.ok ? shebang.flags : COMPAT_FLAGS, ref}
    this.cache.set(sha, script)
    this.cacheBytes += 40 + body.length
    return script
  }

  /** Pushes the compiled function of a cached script on `T` and sets KEYS and ARGV. */
  prepareCall(T: LuaState, script: CachedScript, keys: readonly Buffer[], args: readonly Buffer[]): void {
    const L = this.L
    // _G is read-only and has no __newindex: a raw set with the protection lifted is lua_setglobal.
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS)
    this.sandbox.setTableWritable(L, -1, true)
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.keysName)
    pushStringArray(L, keys)
    lua.lua_rawset(L, -3)
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.argvName)
    pushStringArray(L, args)
    lua.lua_rawset(L, -3)
    this.sandbox.setTableWritable(L, -1, false)
    lua.lua_pop(L, 1)
    lua.lua_rawgeti(T, lua.LUA_REGISTRYINDEX, script.ref)
  }
}

export function pushStringArray(L: LuaState, items: readonly Buffer[]): void {
  lua.lua_createtable(L, items.length, 0)
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Buffer
    lua.lua_pushlstring(L, item, item.length)
    lua.lua_rawseti(L, -2, i + 1)
  }
}
