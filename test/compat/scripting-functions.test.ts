// Redis functions (FUNCTION LOAD|LIST|DELETE|FLUSH|DUMP|RESTORE|STATS|KILL|HELP, FCALL, FCALL_RO) against real
// Redis 7.0, byte for byte in RESP2 and RESP3: library metadata and name rules, redis.register_function in both
// forms with flags, the restricted globals while a library loads, error texts (they name the function), FCALL_RO
// and no-writes, FUNCTION DUMP payload bytes and RESTORE with each policy, payloads restored across servers.
//
// FUNCTION LIST walks a dict whose hash seed is random per process, so with more than one library (or more
// than one function in a library) two real servers list them in different orders: those replies are compared
// with the records sorted. FUNCTION DUMP of several libraries has the same order problem and is compared by
// restoring it. Everything with one library of one function is compared byte for byte.

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import type {DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {canonical} from '../helpers/resp-value.js'
import {describeCases, startScriptingPair, type Case} from '../helpers/script-cases.js'

const skip = realRedisMissing ?? bundledMissing

const lib = (name: string, body: string): string => `#!lua name=${name}\n${body}`
const load = (name: string, body: string): string[] => ['FUNCTION', 'LOAD', lib(name, body)]
const ECHO_LIB = lib('lib1', "redis.register_function('f1', function(keys, args) return 'lib1:' .. (args[1] or '') end)")
const SHORT_LIB = lib('s', "redis.register_function('g', function() return 1 end)")

const LOADING: Case[] = [
  {name: 'FUNCTION LOAD, a duplicate library, REPLACE, FCALL', steps: [
    load('mylib', "redis.register_function('myfunc', function(keys, args) return args[1] end)"),
    load('mylib', "redis.register_function('myfunc', function(keys, args) return args[1] end)"),
    ['FUNCTION', 'LOAD', 'REPLACE', lib('mylib', "redis.register_function('myfunc', function(keys, args) return 'v2:' .. args[1] end)")],
    ['FCALL', 'myfunc', '0', 'hello'], ['FCALL', 'MYFUNC', '0', 'upper-case name'], ['FUNCTION', 'LOAD', 'replace', lib('mylib', "redis.register_function('myfunc', function() return 'v3' end)")],
    ['FCALL', 'myfunc', '0'], ['FUNCTION', 'LOAD', 'BOGUS', lib('x', "redis.register_function('b', function() return 1 end)")], ['FUNCTION', 'LOAD'], ['FUNCTION', 'LOAD', 'REPLACE'],
  ]},
  {name: 'library metadata: missing, no name, bad names, unknown keys, unknown engine', steps: [
    ['FUNCTION', 'LOAD', "redis.register_function('f', function() return 1 end)"], ['FUNCTION', 'LOAD', "#!lua\nredis.register_function('f', function() return 1 end)"],
    load('bad-name', "redis.register_function('f', function() return 1 end)"), load('', "redis.register_function('f', function() return 1 end)"),
    ['FUNCTION', 'LOAD', "#!lua name=ok_1 foo=bar\nredis.register_function('f1', function() return 1 end)"],
    ['FUNCTION', 'LOAD', "#!lua name=ok_1 flags=no-writes\nredis.register_function('f1', function() return 1 end)"],
    ['FUNCTION', 'LOAD', "#!js name=ok_1\nredis.register_function('f1', function() return 1 end)"],
    ['FUNCTION', 'LOAD', "#!lua name=a21 name=a22\nredis.register_function('sp3', function() return 1 end)"],
    ['FUNCTION', 'LOAD', "#!lua name=a19 \nredis.register_function('sp', function() return 1 end)"], ['FUNCTION', 'LOAD', "#!lua  name=a20\nredis.register_function('sp2', function() return 1 end)"],
    ['FUNCTION', 'LOAD', '#!lua name=Mixed_Case_9\nredis.register_function(\'mc\', function() return 1 end)'], ['FUNCTION', 'LOAD', '#!lua name=x.y\nreturn 1'],
  ]},
  {name: 'function names, duplicates across and within libraries, no functions', steps: [
    load('ok_1', "redis.register_function('bad-f', function() return 1 end)"), load('ok_1', "redis.register_function('', function() return 1 end)"), load('ok_1', 'return 1'),
    load('ok_1', "redis.register_function('f1', function() return 1 end)\nredis.register_function('f1', function() return 1 end)"),
    load('first', "redis.register_function('shared', function() return 1 end)"), load('second', "redis.register_function('shared', function() return 2 end)"),
    ['FUNCTION', 'LOAD', 'REPLACE', lib('second', "redis.register_function('shared', function() return 2 end)")], load('num', "redis.register_function(1, function() return 'one' end)"),
    ['FCALL', '1', '0'], load('A', "redis.register_function('A_b_9', function() return 'ok' end)"), ['FCALL', 'a_b_9', '0'],
  ]},
  {name: 'redis.register_function argument errors', steps: [
    load('r', "redis.register_function('f1')"), load('r', "redis.register_function('f1', 'notfn')"), load('r', "redis.register_function('x', function() return 'ok' end, 'extra')"),
    load('r', 'redis.register_function()'), load('r', "redis.register_function{function_name='f1'}"), load('r', 'redis.register_function{callback=function() return 1 end}'),
    load('r', "redis.register_function{function_name='f1', callback=function() return 1 end, flags={'bogus'}}"),
    load('r', "redis.register_function{function_name='f1', callback=function() return 1 end, bogus=1}"),
    load('r', "redis.register_function{function_name='y', callback=function() return 1 end, flags='no-writes'}"),
    load('r', "redis.register_function{function_name=5, callback=function() return 1 end}"), ['FCALL', '5', '0'],
  ]},
  {name: 'while loading, only redis.register_function, redis.log and the constants exist', steps: [
    load('e', "error('boom at load')"), load('e', "redis.call('set','x','y')"), load('e', 'return ('), load('e', "gv = 1\nredis.register_function('gv', function() return gv end)"),
    ...['type', 'next', 'string', 'math', 'table', 'cjson', 'bit', 'tostring', 'pcall', 'redis.call', 'redis.setresp', 'KEYS', '_G', 'loadstring', 'pairs'].map((g) =>
      ['FUNCTION', 'LOAD', 'REPLACE', lib('probe', `local v = ${g}\nredis.register_function('probe', function() return 'ok' end)`)]),
    ['FUNCTION', 'LOAD', 'REPLACE', lib('probe', "redis.log(redis.LOG_NOTICE, 'loading')\nlocal v = redis.REDIS_VERSION\nredis.register_function('probe', function() return v end)")],
    ['FCALL', 'probe', '0'],
  ]},
  {name: 'a library that never finishes loading times out', resp: [2], steps: [load('spin', 'while true do end'), ['FUNCTION', 'LIST']]},
]

const CALLING: Case[] = [
  {name: 'FCALL errors: unknown function, numkeys, arity', steps: [
    load('lib1', "redis.register_function('f1', function(keys, args) return {keys[1], args[1], #keys, #args} end)"), ['FCALL', 'nosuch', '0'], ['FCALL', 'f1', '-1'],
    ['FCALL', 'f1', '3', 'a'], ['FCALL', 'f1'], ['FCALL', 'f1', 'x'], ['FCALL', 'f1', '2', 'k1', 'k2', 'a1'], ['FCALL', 'f1', '0'], ['FCALL_RO', 'nosuch', '0'], ['FCALL_RO', 'f1', '-1'],
  ]},
  {name: 'runtime errors name the function and the line', steps: [
    load('lib2', "redis.register_function('f2', function(keys, args) error('runtime boom') end)\nredis.register_function('f3', function(keys, args) return redis.call('nosuch') end)"),
    ['FCALL', 'f2', '0'], ['FCALL', 'f3', '0'], load('lib3', "redis.register_function('usekeys', function() return KEYS[1] end)"), ['FCALL', 'usekeys', '1', 'k'],
    load('lib4', "redis.register_function('callfn', function() return redis.register_function('z', function() end) end)"), ['FCALL', 'callfn', '0'],
    load('lib5', "redis.register_function('wt', function() redis.call('set','s','v') return redis.call('lpush','s','x') end)"), ['FCALL', 'wt', '0'], ['GET', 's'],
  ]},
  {name: 'the redis table inside a function has no register_function, and an upvalue keeps state', steps: [
    load('a3', "redis.register_function('inner', function() local t = {} for k,_ in pairs(redis) do t[#t+1]=k end table.sort(t) return t end)"), ['FCALL', 'inner', '0'],
    load('a6', "local x = 1\nredis.register_function('cnt', function() x = x + 1 return x end)"), ['FCALL', 'cnt', '0'], ['FCALL', 'cnt', '0'],
    load('a7', "redis.register_function('tm', function() return #redis.call('time') end)"), ['FCALL', 'tm', '0'],
  ]},
  {name: 'no-writes functions, FCALL_RO and the other flags', steps: [
    load('ro', "redis.register_function{function_name='ro_get', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads a key'}"),
    load('ro2', "redis.register_function{function_name='ro_set', callback=function(keys, args) return redis.call('set', keys[1], args[1]) end, flags={'no-writes'}}"),
    load('rw', "redis.register_function('rw_set', function(keys, args) return redis.call('set', keys[1], args[1]) end)"),
    ['FCALL_RO', 'ro_get', '1', 'k'], ['FCALL_RO', 'rw_set', '1', 'k', 'v'], ['FCALL', 'ro_set', '1', 'k', 'v'], ['FCALL_RO', 'ro_set', '1', 'k', 'v'], ['FCALL', 'rw_set', '1', 'k', 'v'],
    ['FCALL_RO', 'ro_get', '1', 'k'], ['FCALL', 'ro_get', '1', 'k'],
    load('fl', "redis.register_function{function_name='fl', callback=function() return 1 end, flags={'allow-stale','no-writes','no-cluster','allow-oom'}}"), ['FCALL_RO', 'fl', '0'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'fl'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'ro'],
    load('f5', "redis.register_function{function_name='f5', callback=function() return redis.call('set','x','1') end, flags={'no-writes','allow-oom','allow-stale','no-cluster','allow-cross-slot-keys'}}"),
    ['FCALL', 'f5', '0'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'f5'],
  ]},
  {name: 'FCALL inside MULTI, FUNCTION LOAD inside MULTI', steps: [
    ['MULTI'], load('mx', "redis.register_function('mx', function(keys) return redis.call('incr', keys[1]) end)"), ['FCALL', 'mx', '1', 'n'], ['FCALL', 'mx', '1', 'n'], ['FCALL', 'nosuch', '0'], ['EXEC'],
  ]},
  {name: 'RESP3 replies from a function', steps: [
    load('r3', "redis.register_function('r3', function() redis.setresp(3) return {redis.call('zscore', 'z', 'a'), {map={a=1}}, {double=0.5}, true, false} end)"),
    ['ZADD', 'z', '2.5', 'a'], ['FCALL', 'r3', '0'],
  ]},
]

const ADMIN: Case[] = [
  {name: 'FUNCTION LIST of one library, WITHCODE and LIBRARYNAME patterns (case-insensitive globs)', steps: [
    ['FUNCTION', 'LIST'], ['FUNCTION', 'LOAD', ECHO_LIB], ['FUNCTION', 'LIST'], ['FUNCTION', 'LIST', 'WITHCODE'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'li*'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'LIB1'], ['FUNCTION', 'LIST', 'withcode', 'libraryname', 'lib?'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'lib'], ['FUNCTION', 'LIST', 'LIBRARYNAME', '*', 'WITHCODE'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME'], ['FUNCTION', 'LIST', 'BOGUS'], ['FUNCTION', 'LIST', 'WITHCODE', 'WITHCODE'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'a', 'LIBRARYNAME', 'b'],
  ]},
  {name: 'FUNCTION LIST of several libraries and functions (records compared without order)', steps: [
    ['FUNCTION', 'LOAD', ECHO_LIB], load('multi', "redis.register_function('m1', function() return 1 end)\nredis.register_function{function_name='m2', callback=function() return 2 end, description='two', flags={'no-writes'}}\nredis.register_function('m3', function() return 3 end)"),
    ['FUNCTION', 'LOAD', SHORT_LIB], {unordered: ['FUNCTION', 'LIST'], records: true}, {unordered: ['FUNCTION', 'LIST', 'WITHCODE'], records: true},
    {unordered: ['FUNCTION', 'LIST', 'LIBRARYNAME', 'multi'], records: true}, ['FUNCTION', 'STATS'],
  ]},
  {name: 'FUNCTION DELETE, FLUSH, STATS, HELP, KILL and unknown subcommands', steps: [
    ['FUNCTION', 'STATS'], ['FUNCTION', 'LOAD', ECHO_LIB], ['FUNCTION', 'STATS'], ['FUNCTION', 'DELETE', 'nosuch'], ['FUNCTION', 'DELETE'], ['FUNCTION', 'DELETE', 'LIB1'],
    ['FUNCTION', 'DELETE', 'lib1'], ['FCALL', 'f1', '0'], ['FUNCTION', 'STATS'], ['FUNCTION', 'LOAD', ECHO_LIB], ['FUNCTION', 'FLUSH', 'BOGUS'], ['FUNCTION', 'FLUSH', 'ASYNC'],
    ['FUNCTION', 'LIST'], ['FUNCTION', 'LOAD', ECHO_LIB], ['FUNCTION', 'FLUSH', 'sync'], ['FUNCTION', 'FLUSH', 'SYNC', 'ASYNC'], ['FUNCTION', 'LOAD', ECHO_LIB], ['FLUSHALL'],
    ['FCALL', 'f1', '0', 'survives FLUSHALL'], ['FUNCTION', 'FLUSH'], ['FUNCTION', 'BOGUS'], ['FUNCTION'], ['FUNCTION', 'HELP'], ['FUNCTION', 'KILL'], ['FUNCTION', 'STATS', 'x'],
    ['FUNCTION', 'DUMP', 'x'],
  ]},
  {name: 'FUNCTION DUMP bytes: none, a short library (uncompressed) and a long one (LZF)', steps: [
    ['FUNCTION', 'DUMP'], ['FUNCTION', 'LOAD', SHORT_LIB], ['FUNCTION', 'DUMP'], ['FUNCTION', 'FLUSH'], ['FUNCTION', 'LOAD', ECHO_LIB], ['FUNCTION', 'DUMP'],
    ['FUNCTION', 'RESTORE', 'garbage'], ['FUNCTION', 'RESTORE', '\u0000'], ['FUNCTION', 'RESTORE', ''], ['FUNCTION', 'RESTORE'],
  ]},
]

/** The payload of a FUNCTION DUMP reply. */
async function dump(client: RawClient): Promise<Buffer> {
  const reply = await client.command('FUNCTION', 'DUMP')
  expect(reply[0], reply.toString('latin1')).toBe(0x24)
  return reply.subarray(reply.indexOf('\r\n') + 2, reply.length - 2)
}

describe.skipIf(!!skip)(`Redis functions match Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: DifferentialPair
  beforeAll(async () => {
    pair = await startScriptingPair()
  })
  afterAll(async () => {
    await pair?.stop()
  })

  describeCases(() => pair, {
    'FUNCTION LOAD and library rules': LOADING,
    'FCALL and FCALL_RO': CALLING,
    'FUNCTION LIST, DELETE, FLUSH, STATS, DUMP': ADMIN,
  })

  describe('FUNCTION RESTORE', () => {
    beforeEach(async () => {
      await pair.reset()
      await pair.expectSame('FUNCTION', 'FLUSH')
    })

    it('restores a dump with each policy (APPEND by default) and reports collisions', async () => {
      const s = pair.expectSame
      await s('FUNCTION', 'LOAD', ECHO_LIB)
      const payload = await dump(pair.realClient)
      expect(await dump(pair.ourClient)).toEqual(payload)
      await s('FUNCTION', 'RESTORE', payload)
      await s('FUNCTION', 'RESTORE', payload, 'APPEND')
      await s('FUNCTION', 'RESTORE', payload, 'append')
      await s('FUNCTION', 'RESTORE', payload, 'REPLACE')
      await s('FUNCTION', 'RESTORE', payload, 'FLUSH')
      await s('FUNCTION', 'RESTORE', payload, 'BOGUS')
      await s('FUNCTION', 'RESTORE', payload, 'FLUSH', 'APPEND')
      await s('FUNCTION', 'LIST', 'WITHCODE')
      await s('FUNCTION', 'FLUSH')
      await s('FUNCTION', 'LOAD', lib('other', "redis.register_function('f1', function() return 'other' end)"))
      await s('FUNCTION', 'RESTORE', payload, 'REPLACE')
      await s('FUNCTION', 'RESTORE', payload, 'APPEND')
      await s('FCALL', 'f1', '0')
      await s('FUNCTION', 'RESTORE', payload, 'FLUSH')
      await s('FCALL', 'f1', '0', 'restored')
      await s('FUNCTION', 'LIST')
    })

    it('refuses a truncated or corrupted payload and an empty one changes nothing', async () => {
      const s = pair.expectSame
      await s('FUNCTION', 'LOAD', ECHO_LIB)
      const payload = await dump(pair.realClient)
      await s('FUNCTION', 'RESTORE', payload.subarray(0, payload.length - 1))
      const corrupt = Buffer.from(payload)
      corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] as number) ^ 0xff
      await s('FUNCTION', 'RESTORE', corrupt)
      const wrongVersion = Buffer.from(payload)
      wrongVersion[wrongVersion.length - 10] = 99
      await s('FUNCTION', 'RESTORE', wrongVersion)
      await s('FUNCTION', 'FLUSH')
      const empty = await dump(pair.realClient)
      expect(await dump(pair.ourClient)).toEqual(empty)
      await s('FUNCTION', 'LOAD', SHORT_LIB)
      await s('FUNCTION', 'RESTORE', empty)
      await s('FUNCTION', 'LIST')
      await s('FUNCTION', 'RESTORE', empty, 'FLUSH')
      await s('FUNCTION', 'LIST')
    })

    it("each server restores the other's dump of several libraries", async () => {
      const libraries = [ECHO_LIB, SHORT_LIB, lib('third', "redis.register_function{function_name='t', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='d'}\nredis.register_function('t2', function() return 2 end)")]
      for (const code of libraries) await pair.expectSame('FUNCTION', 'LOAD', code)
      const [fromReal, fromOurs] = [await dump(pair.realClient), await dump(pair.ourClient)]
      // Cross over: real Redis restores our payload and we restore real Redis's.
      const [a, b] = await Promise.all([pair.realClient.command('FUNCTION', 'RESTORE', fromOurs, 'FLUSH'), pair.ourClient.command('FUNCTION', 'RESTORE', fromReal, 'FLUSH')])
      expect([a.toString(), b.toString()]).toEqual(['+OK\r\n', '+OK\r\n'])
      const [realList, ourList] = await Promise.all([pair.realClient.command('FUNCTION', 'LIST', 'WITHCODE'), pair.ourClient.command('FUNCTION', 'LIST', 'WITHCODE')])
      expect(canonical(ourList, true)).toEqual(canonical(realList, true))
      await pair.expectSame('FCALL', 'f1', '0', 'crossed')
      await pair.expectSame('SET', 'k', 'v')
      await pair.expectSame('FCALL_RO', 't', '1', 'k')
      await pair.expectSame('FUNCTION', 'STATS')
    })
  })
})
