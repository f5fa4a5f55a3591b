// Unit tests of the Lua runtime (src/server/scripting/lua) alone; every expected value was recorded from
// Redis 7.0.15's EVAL and is checked in as a literal (test/compat/lua-runtime.test.ts compares live).

import {describe, expect, it} from 'vitest'
import {evalRuntime, runLua} from '../helpers/lua-reply.js'
import {createLuaRuntime, isTableReadonly, protectGlobals, RedisPrng, REDIS_LUA_GLOBALS} from '../../src/server/scripting/lua/runtime.js'
import fengari from 'fengari'

const cases = (rows: [string, unknown][]): void => {
  const runtime = evalRuntime()
  for (const [source, expected] of rows) expect(runLua(runtime, source), source).toEqual(expected)
}

describe('Lua runtime (Redis 7.0 Lua 5.1 environment)', () => {
  it('has only doubles, printed with %.14g', () => cases([
    ['return tostring(100000*100000)', '10000000000'], ['return tostring(10/2)', '5'], ['return tostring(1e15)', '1e+15'],
    ['return tostring(0/0)', '-nan'], ['return tostring(-(0/0))', 'nan'], ['return tostring(2^53)', '9.007199254741e+15'],
    ['return tostring(-0)', '-0'], ['return tostring(1/0)', 'inf'], ['return tostring(-1.5e-7)', '-1.5e-07'],
    ["return string.format('%d', 3.7)", '3'], ["return string.format('%x', -1)", 'ffffffffffffffff'],
    ["return string.format('%g %g %g %g', 1e-5, 123456789, 0.0001, 1e15)", '1e-05 1.23457e+08 0.0001 1e+15'],
    ["return string.sub('hello', 2.7)", 'ello'], ["return tostring(tonumber('0x1p4'))", '16'], ['return tostring(1 % math.huge)', '-nan'],
    ['local s = 0 for i = 1, 2, 0.5 do s = s + i end return tostring(s)', '4.5'], ['return 3.99', 3],
  ]))

  it('reports errors with Lua 5.1 texts and the user_script chunk name', () => cases([
    ['local a = nil; a()', {error: "ERR user_script:1: attempt to call local 'a' (a nil value)"}],
    ['local t = {} t.x.y = 1', {error: "ERR user_script:1: attempt to index field 'x' (a nil value)"}],
    ['return 1 < nil', {error: 'ERR user_script:1: attempt to compare number with nil'}],
    ['return string.rep()', {error: "ERR user_script:1: bad argument #1 to 'rep' (string expected, got no value)"}],
    ['goto x', {error: "ERR Error compiling script (new function): user_script:1: '=' expected near 'x'"}],
    ['if x then', {error: "ERR Error compiling script (new function): user_script:1: 'end' expected near '<eof>'"}],
    ['return 3 // 2', {error: "ERR Error compiling script (new function): user_script:1: unexpected symbol near '/'"}],
    ['return error(12)', {error: 'ERR user_script:1: 12'}],
    ['return string.char(256)', {error: "ERR user_script:1: bad argument #1 to 'char' (invalid value)"}],
  ]))

  it('protects the globals as Redis does', () => cases([
    ['string.x = 1', {error: 'ERR user_script:1: Attempt to modify a readonly table'}],
    ["rawset(_G,'x',1)", {error: 'ERR Attempt to modify a readonly table'}],
    ['table.insert(string, 1)', {error: 'ERR Attempt to modify a readonly table'}],
    ['return undefined_var', {error: "ERR user_script:1: Script attempted to access nonexistent global variable 'undefined_var'"}],
    ['return type(os)', {error: "ERR user_script:1: Script attempted to access nonexistent global variable 'os'"}],
    ['return type(debug)', {error: "ERR user_script:1: Script attempted to access nonexistent global variable 'debug'"}],
    ["return {pcall(error, {err='x'})}", [null, 'x']], ['return _VERSION', 'Lua 5.1'],
  ]))

  it('marks tables readonly through the exported API', () => {
    const runtime = createLuaRuntime()
    protectGlobals(runtime.L, {errorHandler: false})
    fengari.lua.lua_getglobal(runtime.L, 'math')
    expect(isTableReadonly(runtime.L, -1)).toBe(true)
    expect(REDIS_LUA_GLOBALS).toContain('unpack')
  })

  it('math.random follows Redis 7.0 from a fresh start, without reseeding between scripts', () => {
    const runtime = evalRuntime({prng: new RedisPrng()})
    expect(runLua(runtime, 'return {math.random(100), math.random(1, 6), tostring(math.random()), tostring(math.random())}'))
      .toEqual([40, 6, '0.35333609737146', '0.44658343468168'])
    expect(runLua(runtime, 'math.randomseed(42) return {math.random(1000), tostring(math.random())}')).toEqual([745, '0.34270147855519'])
    expect(runLua(runtime, 'return tostring(math.random())')).toEqual('0.11108528222474')
    runtime.reseed()
    expect(runLua(runtime, 'return math.random(100)')).toBe(40)
  })

  it('cjson, cmsgpack, bit and struct give Redis results', () => cases([
    ["return cjson.encode({1,2,3,{a='x/y'}})", '[1,2,3,{"a":"x\\/y"}]'], ['return cjson.encode({})', '{}'],
    ['return cjson.encode({[1]=1, [20]=2})', {error: 'ERR user_script:1: Cannot serialise table: excessively sparse array'}],
    ['return cjson.encode(0/0)', {error: 'ERR user_script:1: Cannot serialise number: must not be NaN or Inf'}],
    ["return cjson.decode('[1,2')", {error: 'ERR user_script:1: Expected comma or array end but found T_END at character 5'}],
    ["local s = cmsgpack.pack(1, -33, 2^32, 0.5, 'ab', {1}, {a=true}) local t = {} for i = 1, #s do t[i] = string.format('%02x', s:byte(i)) end return table.concat(t, ' ')",
      '01 d0 df cf 00 00 00 01 00 00 00 00 ca 3f 00 00 00 a2 61 62 91 01 81 a1 61 c3'],
    ["return tostring(cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255'))", '-1'],
    ['return {bit.tobit(2^32 + 5), bit.tohex(-1, -4), bit.rol(0x12345678, 8), bit.bswap(0x12345678)}', [5, 'FFFF', 878082066, 2018915346]],
    ["return {struct.unpack('>I2 <I2 b', struct.pack('>I2 <I2 b', 513, 513, -1))}", [513, 513, -1, 6]],
    ["return {struct.size('>I2 i !4 d'), struct.size('bhlTifd')}", [16, 35]],
  ]))
})
