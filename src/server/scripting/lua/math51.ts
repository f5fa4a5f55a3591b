// Lua 5.1's math and string tables as Redis 7.0 has them, from fengari's 5.3 ones: the 5.1-only math
// functions (atan2, cosh, sinh, tanh, pow, log10, frexp, ldexp, mod), 5.1's log/max/min/modf/fmod,
// no integer functions; string.gfind, no string.pack/unpack; math.random from Redis's PRNG.

import {lauxlib, lua, removeFields, setFunctions, type LuaCFunction, type LuaState} from './lua-api.js'

/** glibc's NaN for an invalid operation (sign bit set), built from bits so no compiler folds it. */
export const NEGATIVE_NAN = new Float64Array(new Uint32Array([0, 0xfff80000]).buffer)[0] as number

/** C pow: pow(1, y) and pow(x, 0) are 1 even for NaN, pow(-1, ±inf) is 1, a NaN operand keeps its sign, an invalid result is -nan. */
export function cPow(x: number, y: number): number {
  if (x === 1 || y === 0) return 1
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1
  if (Number.isNaN(x)) return x
  if (Number.isNaN(y)) return y
  const r = Math.pow(x, y)
  return Number.isNaN(r) ? NEGATIVE_NAN : r
}

/** glibc log: a negative argument gives -nan (JS gives a positive NaN). */
const cLog = (x: number): number => (x < 0 ? NEGATIVE_NAN : Math.log(x))

/** C frexp: x = m * 2^e with 0.5 <= |m| < 1. */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0]
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  let bits = (view.getUint16(0) >> 4) & 0x7ff
  let shift = 0
  if (bits === 0) {
    view.setFloat64(0, x * 2 ** 64)
    bits = (view.getUint16(0) >> 4) & 0x7ff
    shift = 64
  }
  const e = bits - 1022 - shift
  view.setUint16(0, (view.getUint16(0) & 0x800f) | (1022 << 4))
  return [view.getFloat64(0), e]
}

/** C ldexp, exact in steps so that intermediate powers of two never overflow. */
export function ldexp(m: number, e: number): number {
  let result = m
  let rest = e
  while (rest > 1000) {
    result *= 2 ** 1000
    rest -= 1000
  }
  while (rest < -1000) {
    result *= 2 ** -1000
    rest += 1000
  }
  return result * 2 ** rest
}

const unary = (f: (x: number) => number): LuaCFunction => (L) => {
  lua.lua_pushnumber(L, f(lauxlib.luaL_checknumber(L, 1)))
  return 1
}

const binary = (f: (x: number, y: number) => number): LuaCFunction => (L) => {
  lua.lua_pushnumber(L, f(lauxlib.luaL_checknumber(L, 1), lauxlib.luaL_checknumber(L, 2)))
  return 1
}

const extreme = (better: (d: number, best: number) => boolean): LuaCFunction => (L) => {
  const n = lua.lua_gettop(L)
  let best = lauxlib.luaL_checknumber(L, 1)
  for (let i = 2; i <= n; i++) {
    const d = lauxlib.luaL_checknumber(L, i)
    if (better(d, best)) best = d
  }
  lua.lua_pushnumber(L, best)
  return 1
}

function modf(L: LuaState): number {
  const x = lauxlib.luaL_checknumber(L, 1)
  const ip = Math.trunc(x)
  const fp = Number.isFinite(x) ? x - ip : Number.isNaN(x) ? x : 0
  lua.lua_pushnumber(L, ip)
  lua.lua_pushnumber(L, fp === 0 && (x < 0 || Object.is(x, -0)) ? -0 : fp)
  return 2
}

function frexpFunction(L: LuaState): number {
  const [m, e] = frexp(lauxlib.luaL_checknumber(L, 1))
  lua.lua_pushnumber(L, m)
  lua.lua_pushnumber(L, e)
  return 2
}

function ldexpFunction(L: LuaState): number {
  const m = lauxlib.luaL_checknumber(L, 1)
  const e = Math.trunc(lauxlib.luaL_checknumber(L, 2))
  lua.lua_pushnumber(L, ldexp(m, e))
  return 1
}

const fmod = binary((a, b) => a % b)

/** Turns fengari's math table (on top of the stack) into Redis's 5.1 one. */
export function adjustMathLibrary(L: LuaState, random: {random: LuaCFunction; randomseed: LuaCFunction}): void {
  removeFields(L, -1, ['type', 'tointeger', 'ult', 'maxinteger', 'mininteger'])
  setFunctions(L, {
    atan: unary(Math.atan),
    atan2: binary(Math.atan2),
    cosh: unary(Math.cosh),
    sinh: unary(Math.sinh),
    tanh: unary(Math.tanh),
    pow: binary(cPow),
    log: unary(cLog),
    log10: unary(Math.log10),
    exp: unary(Math.exp),
    frexp: frexpFunction,
    ldexp: ldexpFunction,
    fmod,
    mod: fmod,
    modf,
    max: extreme((d, best) => d > best),
    min: extreme((d, best) => d < best),
    floor: unary(Math.floor),
    ceil: unary(Math.ceil),
    abs: unary(Math.abs),
    random: random.random,
    randomseed: random.randomseed,
  })
}

/** Redis 7.0.15's Lua refuses longer strings (lstring.c), with this text. */
const MAX_STRING_BYTES = 0x1fffffe8

/** 5.1 string.rep(s, n): no separator argument. */
function rep(L: LuaState): number {
  const s = lauxlib.luaL_checkstring(L, 1)
  const n = Math.trunc(lauxlib.luaL_checknumber(L, 2))
  if (n <= 0 || s.length === 0) {
    lua.lua_pushstring(L, new Uint8Array(0))
    return 1
  }
  if (s.length * n > MAX_STRING_BYTES) return lauxlib.luaL_error(L, 'Cannot create a string longer than 0x1fffffe8 characters')
  const out = new Uint8Array(s.length * n)
  for (let i = 0; i < n; i++) out.set(s, i * s.length)
  lua.lua_pushstring(L, out)
  return 1
}

/** Turns fengari's string table (on top of the stack) into 5.1's. */
export function adjustStringLibrary(L: LuaState): void {
  lua.lua_getfield(L, -1, 'gmatch')
  lua.lua_setfield(L, -2, 'gfind')
  removeFields(L, -1, ['pack', 'packsize', 'unpack'])
  setFunctions(L, {rep})
}
