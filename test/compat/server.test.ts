// Differential tests of server commands against Redis 7.0: DBSIZE, FLUSHDB/FLUSHALL, SWAPDB, CONFIG,
// COMMAND, SLOWLOG, DEBUG DIGEST/DIGEST-VALUE, MEMORY, LATENCY, ROLE, SHUTDOWN/BGSAVE argument errors.

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const skipReason = realRedisMissing ?? bundledMissing

describe.skipIf(!!skipReason)(`server commands match Redis 7.0${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let pair: DifferentialPair

  beforeAll(async () => {
    pair = await startDifferentialPair(['--save', '', '--enable-debug-command', 'yes'])
  })
  afterAll(async () => {
    await pair?.stop()
  })
  beforeEach(async () => {
    await pair.reset()
  })

  it('DBSIZE, FLUSHDB, FLUSHALL and their options', async () => {
    await pair.expectSame('DBSIZE')
    await pair.expectSame('SET', 'a', '1')
    await pair.expectSame('DBSIZE')
    await pair.expectSame('FLUSHDB', 'NOW')
    await pair.expectSame('FLUSHDB', 'ASYNC', 'x')
    await pair.expectSame('FLUSHDB', 'async')
    await pair.expectSame('DBSIZE')
    await pair.expectSame('FLUSHALL', 'foo')
    await pair.expectSame('FLUSHALL', 'SYNC')
  })

  it('SWAPDB', async () => {
    await pair.expectSame('SET', 'a', '1')
    await pair.expectSame('SWAPDB', '0', '1')
    await pair.expectSame('GET', 'a')
    await pair.expectSame('SELECT', '1')
    await pair.expectSame('GET', 'a')
    await pair.expectSame('SWAPDB', 'a', '1')
    await pair.expectSame('SWAPDB', '1', 'b')
    await pair.expectSame('SWAPDB', '1', '99')
    await pair.expectSame('SWAPDB', '-1', '0')
  })

  it('CONFIG GET/SET/HELP and errors', async () => {
    await pair.expectSame('CONFIG', 'GET', 'maxmemory')
    // Redis walks its config dict (seeded randomly per process) for CONFIG GET, so compare multi-result replies as sets.
    for (const patterns of [['slowlog-*'], ['replica-priority', 'slave-priority'], ['slave-*']]) {
      const asPairs = async (node: typeof pair.real) => {
        const flat = (await node.client().call('CONFIG', 'GET', ...patterns)) as string[]
        return flat.map((v, i) => (i % 2 === 0 ? `${v}=${flat[i + 1]}` : '')).filter(Boolean).sort()
      }
      expect(await asPairs(pair.ours), `CONFIG GET ${patterns.join(' ')}`).toEqual(await asPairs(pair.real))
    }
    await pair.expectSame('CONFIG', 'GET', 'no-such-*')
    await pair.expectSame('CONFIG', 'SET', 'maxmemory')
    await pair.expectSame('CONFIG', 'SET', 'foo', 'bar')
    await pair.expectSame('CONFIG', 'SET', 'maxmemory', 'abc')
    await pair.expectSame('CONFIG', 'SET', 'maxmemory', '1mb')
    await pair.expectSame('CONFIG', 'GET', 'maxmemory')
    await pair.expectSame('CONFIG', 'SET', 'maxmemory', '0')
    await pair.expectSame('CONFIG', 'REWRITE')
    await pair.expectSame('CONFIG', 'HELP')
    await pair.expectSame('CONFIG', 'RESETSTAT')
    await pair.expectSame('CONFIG', 'FOO')
  })

  it('COMMAND subcommands', async () => {
    await pair.expectSame('COMMAND', 'INFO', 'get', 'no-such')
    await pair.expectSame('COMMAND', 'GETKEYS', 'mset', 'a', '1', 'b', '2')
    await pair.expectSame('COMMAND', 'GETKEYS', 'set', 'a')
    await pair.expectSame('COMMAND', 'GETKEYS', 'nosuch', 'a')
    await pair.expectSame('COMMAND', 'GETKEYS', 'get')
    await pair.expectSame('COMMAND', 'LIST', 'FILTERBY', 'foo', 'x')
    await pair.expectSame('COMMAND', 'HELP')
  })

  it('SLOWLOG records commands over the threshold with trimmed arguments', async () => {
    await pair.expectSame('CONFIG', 'SET', 'slowlog-log-slower-than', '0')
    await pair.expectSame('SLOWLOG', 'RESET')
    await pair.expectSame('SET', 'k', 'x'.repeat(200))
    const [real, ours] = await Promise.all([pair.realClient.command('SLOWLOG', 'GET', '1'), pair.ourClient.command('SLOWLOG', 'GET', '1')])
    // id, timestamp, duration and client address differ; the argument array must be identical.
    const args = (b: Buffer): string => b.toString('latin1').split(/\r\n\*3\r\n/)[1]?.split('\r\n$')[0] ?? b.toString('latin1')
    expect(args(ours)).toBe(args(real))
    expect(ours.toString('latin1')).toContain('... (72 more bytes)')
    await pair.expectSame('SLOWLOG', 'GET', 'x')
    await pair.expectSame('SLOWLOG', 'GET', '-2')
    await pair.expectSame('SLOWLOG', 'HELP')
    await pair.expectSame('CONFIG', 'SET', 'slowlog-log-slower-than', '10000')
  })

  it('DEBUG DIGEST and DIGEST-VALUE equal Redis for the same data', async () => {
    await pair.expectSame('DEBUG', 'DIGEST')
    await pair.expectSame('SET', 'a', 'hello')
    await pair.expectSame('RPUSH', 'l', 'a', 'b', 'c')
    await pair.expectSame('SADD', 's', 'x', 'y', '1')
    await pair.expectSame('HSET', 'h', 'f1', 'v1', 'f2', 'v2')
    await pair.expectSame('ZADD', 'z', '1.5', 'm1', '2', 'm2', '-3.25', 'm3')
    await pair.expectSame('SET', 'e', 'v', 'EX', '1000')
    await pair.expectSame('SELECT', '3')
    await pair.expectSame('SET', 'a', 'hello')
    await pair.expectSame('SELECT', '0')
    await pair.expectSame('DEBUG', 'DIGEST')
    await pair.expectSame('DEBUG', 'DIGEST-VALUE', 'a', 'l', 's', 'h', 'z', 'e', 'missing')
  })

  it('DEBUG POPULATE, OBJECT errors and unknown subcommands', async () => {
    await pair.expectSame('DEBUG', 'POPULATE', '5', 'k', '12')
    await pair.expectSame('DBSIZE')
    await pair.expectSame('GET', 'k:3')
    await pair.expectSame('DEBUG', 'POPULATE', 'x')
    await pair.expectSame('DEBUG', 'POPULATE', '1', 'a', '2', '3')
    await pair.expectSame('DEBUG', 'OBJECT', 'missing')
    await pair.expectSame('DEBUG', 'foo')
    await pair.expectSame('DEBUG', 'SLEEP', '0')
    await pair.expectSame('DEBUG', 'SET-ACTIVE-EXPIRE', '1')
    await pair.expectSame('DEBUG', 'DIGEST')
  })

  it('MEMORY, LATENCY and ROLE', async () => {
    await pair.expectSame('MEMORY', 'USAGE', 'missing')
    await pair.expectSame('MEMORY', 'USAGE', 'a', 'SAMPLES', 'x')
    await pair.expectSame('MEMORY', 'USAGE', 'a', 'foo')
    await pair.expectSame('MEMORY', 'HELP')
    await pair.expectSame('LATENCY', 'LATEST')
    await pair.expectSame('LATENCY', 'HISTORY', 'command')
    await pair.expectSame('LATENCY', 'GRAPH', 'command')
    await pair.expectSame('LATENCY', 'RESET')
    await pair.expectSame('LATENCY', 'DOCTOR')
    await pair.expectSame('LATENCY', 'HELP')
    await pair.expectSame('ROLE')
  })

  it('SAVE/BGSAVE/SHUTDOWN argument errors', async () => {
    await pair.expectSame('BGSAVE', 'foo')
    await pair.expectSame('BGSAVE', 'SCHEDULE', 'x')
    await pair.expectSame('SHUTDOWN', 'ABORT')
    await pair.expectSame('SHUTDOWN', 'NOSAVE', 'SAVE')
    await pair.expectSame('SHUTDOWN', 'FOO')
    await pair.expectSame('MULTI')
    await pair.expectSame('SHUTDOWN')
    await pair.expectSame('DISCARD')
  })

  it('TIME and LASTSAVE have Redis shapes', async () => {
    const ours = (await pair.ourClient.command('TIME')).toString('latin1')
    expect(ours).toMatch(/^\*2\r\n\$10\r\n\d{10}\r\n\$\d\r\n\d{1,6}\r\n$/)
    expect((await pair.ourClient.command('LASTSAVE')).toString('latin1')).toMatch(/^:\d{10}\r\n$/)
  })

  it('MONITOR lines: EXEC after its queued commands, EVAL before the commands its script runs, shown as lua', async () => {
    const [realMonitor, ourMonitor] = [await pair.real.raw(), await pair.ours.raw()]
    try {
      await Promise.all([realMonitor.command('MONITOR'), ourMonitor.command('MONITOR')])
      await pair.expectSame('SET', 'a', '1')
      await pair.expectSame('MULTI')
      await pair.expectSame('SET', 'b', '2')
      await pair.expectSame('EXEC')
      await pair.expectSame('SELECT', '2')
      await pair.expectSame('EVAL', "redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])", '1', 'c', '3')
      await pair.expectSame('CONFIG', 'GET', 'maxclients')
      await pair.expectSame('PING')
      const lines = async (monitor: typeof realMonitor): Promise<string[]> => {
        const out: string[] = []
        for (let i = 0; i < 8; i++) {
          // The time and the client's address differ between the servers; the rest must not.
          out.push((await monitor.reply(2000)).toString('latin1').replace(/^\+\d+\.\d{6} /, '+T ').replace(/^\+T \[(\d+) (?!lua\])[^\]]+\]/, '+T [$1 ADDR]'))
        }
        return out
      }
      const [real, ours] = await Promise.all([lines(realMonitor), lines(ourMonitor)])
      expect(ours).toEqual(real)
      expect(real.some((l) => l.includes('[2 lua] "set" "c" "3"'))).toBe(true)
    } finally {
      realMonitor.close()
      ourMonitor.close()
    }
  })
})
