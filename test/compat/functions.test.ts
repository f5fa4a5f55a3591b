// Redis functions beyond the FUNCTION/FCALL replies of scripting-functions.test.ts: edge cases of the
// load-time sandbox and of FUNCTION RESTORE payloads (byte for byte, RESP2 and RESP3), libraries in RDB files
// both ways (real Redis SAVE → we load; our SAVE → redis-check-rdb and real Redis load), and replication:
// the FUNCTION2 records of a full sync, the stream bytes of FUNCTION LOAD/DELETE/FLUSH/RESTORE and FCALL,
// and functions reaching a replica of the other engine.

import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {encodeCommand} from '../../src/resp/encoder.js'
import {crc64} from '../../src/server/persistence/crc64.js'
import type {DifferentialPair} from '../helpers/differential.js'
import {bundledMissing, startServer, stopAllNodes, type NodeHandle} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {replicaOf, waitForLinkUp, WireConnection} from '../helpers/replication.js'
import {canonical} from '../helpers/resp-value.js'
import {describeCases, startScriptingPair, type Case} from '../helpers/script-cases.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing

const lib = (name: string, body: string): string => `#!lua name=${name}\n${body}`
const load = (name: string, body: string): string[] => ['FUNCTION', 'LOAD', lib(name, body)]
const WRITER = lib('w', "redis.register_function('setk', function(keys, args) redis.call('set', keys[1], args[1]) return redis.call('incr', keys[2]) end)\n" +
  "redis.register_function{function_name='getk', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}")

/** A FUNCTION RESTORE payload around `records`, with the RDB version and CRC-64 footer. */
function payloadOf(records: Buffer, version = 10): Buffer {
  const body = Buffer.concat([records, Buffer.from([version & 0xff, version >> 8])])
  const crc = Buffer.alloc(8)
  crc.writeBigUInt64LE(crc64(body), 0)
  return Buffer.concat([body, crc])
}

const rawString = (s: string): Buffer => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)])
/** An RDB_OPCODE_FUNCTION record of the 7.0 release candidates: name, engine, no description, body. */
const OLD_RECORD = Buffer.concat([Buffer.from([0xf6]), rawString('oldlib'), rawString('LUA'), Buffer.from([0]), rawString("redis.register_function('oldf', function() return 'old' end)")])

const EDGES: Case[] = [
  {name: 'engine names, flag case, numeric names and descriptions', steps: [
    ['FUNCTION', 'LOAD', "#!LUA name=up\nredis.register_function('up', function() return 1 end)"], ['FUNCTION', 'LOAD', "#!Lua name=up2\nredis.register_function('up2', function() return 2 end)"],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'up'],
    load('fc', "redis.register_function{function_name='fc', callback=function() return 1 end, flags={'NO-WRITES', 'Allow-Stale'}, description=42}"),
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'fc'], ['FCALL_RO', 'fc', '0'], load('emptyflags', "redis.register_function{function_name='ef', callback=function() return 1 end, flags={}}"),
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'emptyflags'], load('bf', "redis.register_function{function_name='bf', callback=function() return 1 end, flags={1}}"),
    load('df', "redis.register_function{function_name='df', callback=function() return 1 end, description={}}"),
    load('cf', "redis.register_function{function_name='cf', callback='x'}"), load('nf', "redis.register_function{function_name={}, callback=function() end}"),
    load('kf', "redis.register_function{[1]='x'}"), ['FUNCTION', 'LOAD', '#!lua\n'], ['FUNCTION', 'LOAD', '#!lua name=nonl'], ['FUNCTION', 'LOAD', '#!lua name="quo\nreturn 1'],
    ['function', 'flush', 'sync', 'async'], ['Function', 'Restore', 'x', 'flush', 'more'], ['function', 'list', 'libraryname'],
  ]},
  {name: 'load-time errors: error tables, redis.log, a captured register_function called later, FUNCTION from scripts', steps: [
    load('t1', "error({err='MYERR custom'})"), load('t2', 'error({})'), load('t3', "redis.log(redis.LOG_WARNING, 'at load')\nredis.register_function('t3', function() return redis.LOG_WARNING end)"),
    ['FCALL', 't3', '0'], load('t4', "local rf = redis.register_function\nredis.register_function('t4', function() return rf('late', function() end) end)"), ['FCALL', 't4', '0'],
    load('t5', "redis.register_function('t5', function() return redis.call('fcall', 't3', '0') end)"), ['FCALL', 't5', '0'],
    ['EVAL', "return redis.call('function', 'load', '#!lua name=fromeval\\nredis.register_function(\\'x\\', function() end)')", '0'],
    ['EVAL', "return redis.pcall('fcall', 't3', '0')", '0'], load('t6', "redis.register_function('t6', function(keys, args) return {#keys, #args, type(KEYS), type(ARGV)} end)"),
  ]},
  {name: 'the protections of Redis\'s test suite: malicious access, tricks on the globals, shebang quoting', steps: [
    ['FUNCTION', 'LOAD', "#!lua name=lib1\nlocal lib = redis\nlib.register_function('f1', function() lib.redis = redis lib.math = math return {ok='OK'} end)\n" +
      "lib.register_function('f2', function() lib.register_function('f1', function() return 1 end) end)"],
    ['FCALL', 'f1', '0'], ['FCALL', 'f2', '0'], load('lib2', 'redis.math.random()'), load('lib2', "redis.redis.call('ping')"), load('lib2', 'return math.random()'),
    load('lib2', 'redis.setresp(3)'), load('lib2', 'redis.set_repl(redis.REPL_NONE)'), load('lib2', 'mt = getmetatable(_G)'),
    load('t1', "redis.register_function('tg', function() mt = getmetatable(_G) original_globals = mt.__index original_globals['redis'] = function() return 1 end end)"), ['FCALL', 'tg', '0'],
    load('t2', "redis.register_function('tg2', function() local mt = getmetatable(_G) return {type(mt), type(rawget(_G, 'redis')), tostring(rawequal(_G, _G._G))} end)"), ['FCALL', 'tg2', '0'],
    ['FUNCTION', 'LOAD', "#!lua name=\"quoted\"\nredis.register_function('q', function() return 1 end)"], ['FUNCTION', 'LOAD', "#! name=test\nredis.register_function('e', function() return 1 end)"],
    ['FUNCTION', 'LOAD', "#!lua name='sq' \nredis.register_function('sq', function() return 1 end)"], ['FUNCTION', 'LIST', 'LIBRARYNAME', '*q*'],
  ]},
  {name: 'FCALL numkeys, keys and arguments, db of the caller, FUNCTION DELETE of a library in use', steps: [
    ['FUNCTION', 'LOAD', WRITER], ['SELECT', '2'], ['FCALL', 'setk', '2', 'a', 'n', 'v1'], ['GET', 'a'], ['SELECT', '0'], ['GET', 'a'], ['FCALL', 'setk', '1', 'a'],
    ['FCALL', 'setk', ' 1', 'a', 'b'], ['FCALL', 'setk', '1.0', 'a', 'b'], ['FCALL', 'SETK', '2', 'x', 'y', 'z'], ['FCALL_RO', 'GETK', '1', 'x'], ['FUNCTION', 'DELETE', 'w'],
    ['FCALL', 'getk', '1', 'x'], ['FUNCTION', 'STATS'], ['COMMAND', 'GETKEYS', 'FCALL', 'setk', '2', 'a', 'n', 'v1'], ['COMMAND', 'GETKEYS', 'FCALL', 'setk', 'x', 'a'],
  ]},
  {name: 'FUNCTION RESTORE of other payloads: a key DUMP, the old FUNCTION record, a newer version, empty records', steps: [
    ['SET', 'k', 'v'], ['FUNCTION', 'RESTORE', payloadOf(Buffer.from([0x00, 0x01, 0x76]))], ['FUNCTION', 'RESTORE', payloadOf(OLD_RECORD)], ['FUNCTION', 'LIST', 'WITHCODE'],
    ['FCALL', 'oldf', '0'], ['FUNCTION', 'RESTORE', payloadOf(OLD_RECORD)], ['FUNCTION', 'RESTORE', payloadOf(OLD_RECORD), 'REPLACE'], ['FUNCTION', 'RESTORE', payloadOf(Buffer.alloc(0), 11)],
    ['FUNCTION', 'RESTORE', payloadOf(Buffer.from([0xf5, 0x05, 0x61]))], ['FUNCTION', 'RESTORE', payloadOf(Buffer.concat([Buffer.from([0xf5]), rawString('#!lua name=z\nreturn 1')]))],
    ['FUNCTION', 'RESTORE', payloadOf(Buffer.concat([Buffer.from([0xf5]), rawString("#!lua name=oldlib\nredis.register_function('o2', function() end)")]))],
    ['FUNCTION', 'RESTORE', payloadOf(Buffer.concat([Buffer.from([0xf5]), rawString("#!lua name=q\nredis.register_function('oldf', function() end)")])), 'REPLACE'],
    ['FUNCTION', 'RESTORE', payloadOf(Buffer.from([0xf6, 0x05]))], ['FUNCTION', 'LIST'],
  ]},
]

async function dumpOf(client: RawClient): Promise<Buffer> {
  const reply = await client.command('FUNCTION', 'DUMP')
  return reply.subarray(reply.indexOf('\r\n') + 2, reply.length - 2)
}

describe.skipIf(!!skip)(`Redis functions: edge cases, RDB files and replication against Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: DifferentialPair
  beforeAll(async () => {
    pair = await startScriptingPair()
  })
  afterAll(async () => {
    await pair?.stop()
    await stopAllNodes()
  })

  describeCases(() => pair, {'load-time sandbox, FCALL and FUNCTION RESTORE edge cases': EDGES})

  it('a running function: FUNCTION STATS, BUSY, FUNCTION KILL; a running EVAL: FUNCTION STATS and FUNCTION KILL refuse', async () => {
    const SPIN = lib('spin', "redis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)")
    const each = async (node: NodeHandle): Promise<string[]> => {
      const [a, b] = [await node.raw(), await node.raw()]
      const out: string[] = []
      const step = async (...args: string[]): Promise<void> => {
        out.push((await b.command(...args)).toString('latin1').replace(/duration_ms\r\n:\d+/, 'duration_ms\r\n:N'))
      }
      await b.command('CONFIG', 'SET', 'busy-reply-threshold', '100')
      await b.command('FUNCTION', 'FLUSH')
      await b.command('FUNCTION', 'LOAD', SPIN)
      for (const [start, kill] of [[['FCALL', 'spin', '0'], 'FUNCTION'], [['EVAL', 'while true do end', '0'], 'SCRIPT']] as const) {
        a.send(encodeCommand([...start]))
        await waitFor(async () => (await b.command('PING')).toString(), (r) => r.startsWith('-BUSY'), {what: 'the script to turn BUSY on'})
        await step('FUNCTION', 'STATS')
        await step('PING')
        await step(kill === 'FUNCTION' ? 'SCRIPT' : 'FUNCTION', 'KILL')
        await step(kill, 'KILL')
        out.push((await a.reply()).toString('latin1'))
        await step(kill, 'KILL')
        await step('FUNCTION', 'STATS')
      }
      await b.command('CONFIG', 'SET', 'busy-reply-threshold', '5000')
      a.close()
      b.close()
      return out
    }
    expect(await each(pair.ours)).toEqual(await each(pair.real))
  })

  describe('RDB files', () => {
    const args = ['--save', '', '--dbfilename', 'dump.rdb']

    it('we load the libraries of a file real Redis saved; real Redis loads ours; redis-check-rdb accepts it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rtopo-fn-rdb-'))
      const real = await startServer({engine: 'redis', args, dir})
      const realClient = await real.raw()
      await realClient.command('FUNCTION', 'LOAD', WRITER)
      await realClient.command('FUNCTION', 'LOAD', lib('second', "redis.register_function('s', function() return 's' end)"))
      await realClient.command('SET', 'plain', 'key')
      const listed = canonical(await realClient.command('FUNCTION', 'LIST', 'WITHCODE'), true)
      expect((await realClient.command('SAVE')).toString()).toBe('+OK\r\n')
      realClient.close()
      await real.stop()

      const ours = await startServer({engine: 'bundled', args, dir})
      const ourClient = await ours.raw()
      expect(canonical(await ourClient.command('FUNCTION', 'LIST', 'WITHCODE'), true)).toEqual(listed)
      expect((await ourClient.command('FCALL', 'setk', '2', 'fk', 'cnt', 'val')).toString()).toBe(':1\r\n')
      expect((await ourClient.command('SAVE')).toString()).toBe('+OK\r\n')
      ourClient.close()
      await ours.stop()
      expect(execFileSync('redis-check-rdb', [join(dir, 'dump.rdb')], {encoding: 'utf8'})).toContain('RDB looks OK')

      const again = await startServer({engine: 'redis', args, dir})
      const againClient = await again.raw()
      expect(canonical(await againClient.command('FUNCTION', 'LIST', 'WITHCODE'), true)).toEqual(listed)
      expect((await againClient.command('FCALL_RO', 'getk', '1', 'fk')).toString()).toBe('$3\r\nval\r\n')
      againClient.close()
      await again.stop()
    })

    it('a library that does not load makes the file fail to load, naming the offset', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rtopo-fn-rdb-bad-'))
      const ours = await startServer({engine: 'bundled', args, dir})
      const ourClient = await ours.raw()
      await ourClient.command('FUNCTION', 'LOAD', lib('good', "redis.register_function('g', function() return 1 end)"))
      await ourClient.command('SAVE')
      ourClient.close()
      await ours.stop()
      // Corrupt the library in place: 'register_function' → 'register_functioX' keeps the length and fixes the CRC.
      const file = readFileSync(join(dir, 'dump.rdb'))
      const at = file.indexOf('register_function')
      file[at + 16] = 0x58
      const body = file.subarray(0, file.length - 8)
      file.writeBigUInt64LE(crc64(body), file.length - 8)
      writeFileSync(join(dir, 'dump.rdb'), file)
      await expect(startServer({engine: 'bundled', args, dir})).rejects.toThrow(/Failed loading library, Error registering functions: .*register_functioX.*at byte \d+/s)
    })
  })

  describe('replication', () => {
    /** A hand-driven replica of `master`: the full-sync payload, then the stream. */
    async function rawReplica(master: NodeHandle): Promise<{link: WireConnection; rdb: Buffer}> {
      const link = await WireConnection.connect(master.port)
      link.send('REPLCONF', 'listening-port', '1')
      expect(await link.reply()).toBe('+OK\r\n')
      link.send('PSYNC', '?', '-1')
      expect(await link.reply()).toMatch(/^\+FULLRESYNC /)
      return {link, rdb: await link.payload()}
    }

    it('a full sync carries the FUNCTION2 records before the keys, and the stream carries the FUNCTION commands verbatim', async () => {
      const recordsOf = async (client: RawClient): Promise<Buffer> => {
        const dump = await dumpOf(client)
        return dump.subarray(0, dump.length - 10)
      }
      const run = async (master: NodeHandle): Promise<{records: Buffer; rdb: Buffer; stream: string[]}> => {
        const client = await master.raw()
        await client.command('FUNCTION', 'LOAD', WRITER)
        await client.command('SET', 'k0', 'v0')
        const records = await recordsOf(client)
        const {link, rdb} = await rawReplica(master)
        const payload = await dumpOf(client)
        const commands: (string | Buffer)[][] = [
          ['FUNCTION', 'LOAD', lib('x', "redis.register_function('xf', function() return 1 end)")],
          ['function', 'load', 'replace', lib('x', "redis.register_function('xf', function() return 2 end)")],
          ['FUNCTION', 'LOAD', lib('x', "redis.register_function('xf', function() return 3 end)")],
          load('sw', "redis.register_function('sw', function(keys, args) redis.call('incr', keys[1]) return redis.call('rpush', keys[2], args[1]) end)"),
          ['FCALL', 'sw', '2', 'n', 'l', 'v'], ['FCALL', 'sw', '0'], ['FCALL_RO', 'getk', '1', 'a'], ['FUNCTION', 'DELETE', 'sw'], ['FUNCTION', 'DELETE', 'x'], ['FUNCTION', 'DELETE', 'x'],
          ['FUNCTION', 'FLUSH', 'async'], ['FUNCTION', 'RESTORE', payload], ['FUNCTION', 'RESTORE', payload, 'replace'], ['FUNCTION', 'FLUSH'], ['SET', 'zz_final_marker', '1'],
        ]
        for (const c of commands) await client.command(...c)
        const stream: string[] = []
        for (;;) {
          const c = await link.commandSkippingPings()
          stream.push(c)
          if (c.includes('zz_final_marker')) break
        }
        link.close()
        client.close()
        await master.stop()
        return {records, rdb, stream}
      }
      const real = await run(await startServer({engine: 'redis', args: ['--save', '']}))
      const ours = await run(await startServer({engine: 'bundled', args: ['--save', '']}))
      expect(ours.records).toEqual(real.records)
      for (const {records, rdb} of [real, ours]) {
        const at = rdb.indexOf(records)
        expect(at).toBeGreaterThan(0)
        expect(at).toBeLessThan(rdb.indexOf(Buffer.from([0xfe, 0x00])))
      }
      expect(ours.stream).toEqual(real.stream)
    })

    it('functions reach a replica of the other engine, by full sync and by the stream', async () => {
      for (const [masterEngine, replicaEngine] of [['bundled', 'redis'], ['redis', 'bundled']] as const) {
        const master = await startServer({engine: masterEngine, args: ['--save', '']})
        const replica = await startServer({engine: replicaEngine, args: ['--save', '']})
        const m = await master.raw()
        const r = await replica.raw()
        await m.command('FUNCTION', 'LOAD', WRITER)
        await r.command('FUNCTION', 'LOAD', lib('stale', "redis.register_function('stale', function() return 1 end)"))
        await replicaOf(replica, master)
        await waitForLinkUp(replica)
        await m.command('FUNCTION', 'LOAD', lib('later', "redis.register_function('later', function() return 'later' end)"))
        await m.command('FCALL', 'setk', '2', 'a', 'n', 'v')
        await waitFor(async () => (await r.command('GET', 'a')).toString(), (v) => v === '$1\r\nv\r\n', {what: 'the FCALL effects on the replica'})
        expect(canonical(await r.command('FUNCTION', 'LIST', 'WITHCODE'), true)).toEqual(canonical(await m.command('FUNCTION', 'LIST', 'WITHCODE'), true))
        expect((await r.command('FCALL_RO', 'getk', '1', 'a')).toString()).toBe('$1\r\nv\r\n')
        expect((await r.command('FCALL', 'setk', '2', 'a', 'n', 'v')).toString()).toMatch(/^-READONLY /)
        m.close()
        r.close()
        await replica.stop()
        await master.stop()
      }
    })
  })
})
