// Redis's math.random and math.randomseed (script_lua.c redis_math_random over rand.c redisLrand48):
// the 48-bit linear congruential generator of lrand48, X = (0x5DEECE66D * X + 0xB) mod 2^48, with
// Redis's own state so that sequences equal Redis's on every platform. Redis 7.0 does not reseed before
// each EVAL: the state lives as long as the server, so consecutive scripts continue one sequence.

import {checkInt, lauxlib, lua, type LuaState} from './lua-api.js'

const MULTIPLIER = 0x5deece66dn
const INCREMENT = 0xbn
const MASK48 = (1n << 48n) - 1n
/** rand.c's X2:X1:X0 = 0x1234:0xABCD:0x330E */
const INITIAL_STATE = 0x1234abcd330en
/** REDIS_LRAND48_MAX */
const LRAND48_MAX = 2147483647

export class RedisPrng {
  private state = INITIAL_STATE

  /** redisLrand48(): the next 31-bit value. */
  next(): number {
    this.state = (MULTIPLIER * this.state + INCREMENT) & MASK48
    return Number(this.state >> 17n)
  }

  /** redisSrand48(seed): seed is a C int32. */
  seed(seed: number): void {
    this.state = ((BigInt(seed >>> 0) << 16n) | 0x330en) & MASK48
  }

  /** Back to the state a freshly started Redis has. */
  reset(): void {
    this.state = INITIAL_STATE
  }

  /** A double in [0, 1), as redis_math_random computes it. */
  nextDouble(): number {
    return (this.next() % LRAND48_MAX) / LRAND48_MAX
  }
}

/**
 * The two Lua functions bound to `prng`. `isScriptRunning` stands for Redis's run-context check: outside a
 * script invocation (e.g. while a FUNCTION library loads) they raise Redis's error.
 */
export function randomFunctions(prng: RedisPrng, isScriptRunning: () => boolean): {random: (L: LuaState) => number; randomseed: (L: LuaState) => number} {
  return {
    random(L) {
      if (!isScriptRunning()) lauxlib.luaL_error(L, 'math.random can only be called inside a script invocation')
      const r = prng.nextDouble()
      switch (lua.lua_gettop(L)) {
        case 0:
          lua.lua_pushnumber(L, r)
          break
        case 1: {
          const u = checkInt(L, 1)
          lauxlib.luaL_argcheck(L, 1 <= u, 1, 'interval is empty')
          lua.lua_pushnumber(L, Math.floor(r * u) + 1)
          break
        }
        case 2: {
          const l = checkInt(L, 1)
          const u = checkInt(L, 2)
          lauxlib.luaL_argcheck(L, l <= u, 2, 'interval is empty')
          lua.lua_pushnumber(L, Math.floor(r * (u - l + 1)) + l)
          break
        }
        default:
          return lauxlib.luaL_error(L, 'wrong number of arguments')
      }
      return 1
    },
    randomseed(L) {
      if (!isScriptRunning()) lauxlib.luaL_error(L, 'math.randomseed can only be called inside a script invocation')
      prng.seed(checkInt(L, 1))
      return 0
    },
  }
}
