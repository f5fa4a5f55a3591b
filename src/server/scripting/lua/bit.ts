// LuaBitOp 1.0 (deps/lua/src/lua_bit.c) as Redis ships it: 32-bit operations on numbers. Arguments are
// normalised as LuaBitOp does on doubles, by adding 2^52+2^51 and taking the low 32 bits of the result
// (round to nearest even, then modulo 2^32); results are signed 32-bit numbers.

import {lauxlib, lua, newLibrary, type LuaCFunction, type LuaState} from './lua-api.js'

const f64 = new Float64Array(1)
const u32 = new Uint32Array(f64.buffer)

/** barg(): the argument's low 32 bits after LuaBitOp's normalisation, as an unsigned number. */
function bitArg(L: LuaState, arg: number): number {
  f64[0] = lauxlib.luaL_checknumber(L, arg) + 6755399441055744.0
  return u32[0] as number
}

function pushBits(L: LuaState, b: number): number {
  lua.lua_pushnumber(L, b | 0)
  return 1
}

const fold = (op: (a: number, b: number) => number): LuaCFunction => (L) => {
  let b = bitArg(L, 1)
  for (let i = lua.lua_gettop(L); i > 1; i--) b = op(b, bitArg(L, i))
  return pushBits(L, b)
}

const shift = (op: (b: number, n: number) => number): LuaCFunction => (L) => {
  const b = bitArg(L, 1)
  const n = bitArg(L, 2) & 31
  return pushBits(L, op(b, n))
}

function tohex(L: LuaState): number {
  let b = bitArg(L, 1)
  let n = lua.lua_type(L, 2) === lua.LUA_TNONE ? 8 : bitArg(L, 2) | 0
  let digits = '0123456789abcdef'
  if (n < 0) {
    n = -n
    digits = '0123456789ABCDEF'
  }
  if (n > 8) n = 8
  const out: string[] = new Array<string>(n)
  for (let i = n; --i >= 0;) {
    out[i] = digits[b & 15] as string
    b >>>= 4
  }
  lua.lua_pushstring(L, out.join(''))
  return 1
}

const BIT_FUNCTIONS: Record<string, LuaCFunction> = {
  tobit: (L) => pushBits(L, bitArg(L, 1)),
  bnot: (L) => pushBits(L, ~bitArg(L, 1)),
  band: fold((a, b) => a & b),
  bor: fold((a, b) => a | b),
  bxor: fold((a, b) => a ^ b),
  lshift: shift((b, n) => b << n),
  rshift: shift((b, n) => b >>> n),
  arshift: shift((b, n) => (b | 0) >> n),
  rol: shift((b, n) => (b << n) | (b >>> (32 - n))),
  ror: shift((b, n) => (b << (32 - n)) | (b >>> n)),
  bswap: (L) => {
    const b = bitArg(L, 1)
    return pushBits(L, (b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24))
  },
  tohex,
}

/** luaopen_bit: leaves the bit table on the stack. */
export function openBit(L: LuaState): void {
  newLibrary(L, BIT_FUNCTIONS)
}
