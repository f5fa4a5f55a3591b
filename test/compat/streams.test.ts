// Streams against real Redis 7.0, byte for byte: XADD's ID rules and options, ranges, XDEL/XTRIM/XSETID, consumer
// groups (XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM), XINFO with the node layout Redis keeps
// (radix-tree keys and nodes after `~` trimming), DUMP payloads, keyspace events and the gates. Replies that
// carry the time (idle times, delivery and seen times) are left out; explicit IDs keep the rest deterministic.

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const skip = realRedisMissing ?? bundledMissing

/** Runs every command on both servers and expects the same reply bytes. */
async function same(pair: DifferentialPair, commands: readonly (readonly string[])[]): Promise<void> {
  for (const command of commands) await pair.expectSame(...command)
}

describe.skipIf(!!skip)(`streams match Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: DifferentialPair
  beforeAll(async () => {
    pair = await startDifferentialPair(['--save', '', '--enable-debug-command', 'yes'])
  })
  afterAll(() => pair?.stop())
  beforeEach(() => pair.reset())

  it('XADD IDs, options and errors; XRANGE/XREVRANGE bounds; XDEL, XTRIM, XSETID, TYPE and OBJECT ENCODING', async () => {
    await same(pair, [
      ["xadd", "s", "1-1", "a", "1"],
      ["xadd", "s", "1-1", "a", "1"],
      ["xadd", "s", "1-*", "b", "2"],
      ["xadd", "s", "2", "c", "3", "d", "4"],
      ["xadd", "s", "0-0", "a", "1"],
      ["xadd", "s2", "0-0", "a", "1"],
      ["exists", "s2"],
      ["xadd", "s", "3-0", "a"],
      ["xadd", "s", "NOMKSTREAM", "4-0", "a", "1"],
      ["xadd", "nokey", "NOMKSTREAM", "4-0", "a", "1"],
      ["xadd", "s", "MAXLEN", "2", "5-0", "a", "1"],
      ["xlen", "s"],
      ["xrange", "s", "-", "+"],
      ["xrevrange", "s", "+", "-"],
      ["xrange", "s", "(1-1", "+"],
      ["xrange", "s", "-", "+", "COUNT", "1"],
      ["xrange", "s", "-", "+", "COUNT", "0"],
      ["xrange", "s", "-", "+", "COUNT", "-1"],
      ["xrange", "s", "-", "+", "COUNT", "x"],
      ["xrange", "s", "-", "+", "FOO"],
      ["xrange", "s", "(-", "+"],
      ["xrange", "s", "1", "(1"],
      ["xrange", "s", "-", "(0-0"],
      ["xrange", "s", "(18446744073709551615-18446744073709551615", "+"],
      ["xrange", "s", "abc", "+"],
      ["xadd", "s", "MAXLEN", "~", "1", "6-0", "a", "1"],
      ["xadd", "s", "MAXLEN", "=", "-1", "7-0", "a", "1"],
      ["xadd", "s", "MAXLEN", "1", "MINID", "1", "7-0", "a", "1"],
      ["xadd", "s", "LIMIT", "10", "7-0", "a", "1"],
      ["xadd", "s", "MAXLEN", "10", "LIMIT", "10", "7-0", "a", "1"],
      ["xadd", "s", "MAXLEN", "~", "10", "LIMIT", "10", "7-0", "a", "1"],
      ["xadd", "s", "MAXLEN", "~", "10", "LIMIT", "-1", "7-0", "a", "1"],
      ["xadd", "s", "18446744073709551615-18446744073709551615", "a", "1"],
      ["xadd", "s", "*", "a", "1"],
      ["xadd", "s", "8-x", "a", "1"],
      ["xadd", "s", "", "1", "a"],
      ["xtrim", "s", "MAXLEN", "1"],
      ["xtrim", "s"],
      ["xtrim", "s", "FOO", "1"],
      ["xtrim", "nokey", "MAXLEN", "1"],
      ["xtrim", "s", "MINID", "100"],
      ["xlen", "s"],
      ["set", "str", "x"],
      ["xadd", "str", "*", "a", "1"],
      ["xlen", "str"],
      ["xrange", "str", "-", "+"],
      ["xdel", "str", "1-0"],
      ["xdel", "s", "1-0", "abc"],
      ["xdel", "nokey", "abc"],
      ["xadd", "d", "1-0", "a", "1", "b", "2"],
      ["xadd", "d", "2-0", "a", "1", "b", "2"],
      ["xadd", "d", "3-0", "a", "1", "b", "2"],
      ["xdel", "d", "2-0", "2-0", "5-0"],
      ["xrange", "d", "-", "+"],
      ["xinfo", "stream", "d"],
      ["xdel", "d", "1-0", "3-0"],
      ["xlen", "d"],
      ["exists", "d"],
      ["xinfo", "stream", "d"],
      ["xsetid", "d", "1-0"],
      ["xsetid", "d", "5-0"],
      ["xsetid", "d", "5-0", "ENTRIESADDED", "1"],
      ["xsetid", "d", "6-0", "ENTRIESADDED", "10", "MAXDELETEDID", "7-0"],
      ["xsetid", "d", "6-0", "ENTRIESADDED", "10", "MAXDELETEDID", "5-0"],
      ["xsetid", "d", "6-0", "ENTRIESADDED", "-1"],
      ["xsetid", "d", "6-0", "FOO"],
      ["xsetid", "nokey", "1-0"],
      ["xsetid", "str", "1-0"],
      ["xinfo", "stream", "d"],
      ["type", "d"],
      ["object", "encoding", "d"],
      ["xadd", "s", "01-1", "a", "1"],
      ["xadd", "s", "\"", "20-1\"", "a", "1"],
      ["xadd", "s", "+21", "a", "1"],
      ["xadd", "s", "-22", "a", "1"],
      ["xadd", "s", "23-+1", "a", "1"],
      ["xadd", "s", "18446744073709551616", "a", "1"],
      ["xrange", "s", "-", "+", ""],
    ])
  })

  it('consumer groups: XGROUP, XREADGROUP history and new entries, NOACK, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO', async () => {
    await same(pair, [
      ["xgroup", "create", "s", "g", "$"],
      ["xgroup", "create", "s", "g", "$", "MKSTREAM"],
      ["xgroup", "create", "s", "g", "$", "MKSTREAM"],
      ["xgroup", "create", "s", "g2", "0", "ENTRIESREAD", "5"],
      ["xgroup", "create", "s", "g3", "0", "ENTRIESREAD", "-2"],
      ["xgroup", "create", "s", "g4", "0", "ENTRIESREAD", "x"],
      ["xgroup", "create", "s", "g5", "0", "FOO"],
      ["xgroup", "create", "s", "g6", "bad"],
      ["xgroup", "help"],
      ["xgroup", "foo"],
      ["xgroup", "setid", "s", "nog", "0"],
      ["xgroup", "setid", "s", "g", "0", "ENTRIESREAD", "3"],
      ["xgroup", "setid", "s", "g", "-", ""],
      ["xgroup", "setid", "s", "g", "0", "MKSTREAM"],
      ["xgroup", "createconsumer", "s", "g", "alice"],
      ["xgroup", "createconsumer", "s", "g", "alice"],
      ["xgroup", "createconsumer", "s", "nog", "alice"],
      ["xgroup", "delconsumer", "s", "g", "bob"],
      ["xgroup", "destroy", "s", "g3"],
      ["xinfo", "groups", "s"],
      ["xadd", "s", "1-0", "a", "1"],
      ["xadd", "s", "2-0", "b", "2"],
      ["xadd", "s", "3-0", "c", "3"],
      ["xreadgroup", "GROUP", "g", "alice", "STREAMS", "s", ">"],
      ["xreadgroup", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", "0"],
      ["xreadgroup", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", "0"],
      ["xreadgroup", "GROUP", "g", "alice", "STREAMS", "s", "2"],
      ["xreadgroup", "GROUP", "g", "bob", "STREAMS", "s", ">"],
      ["xreadgroup", "GROUP", "g2", "bob", "COUNT", "2", "STREAMS", "s", ">"],
      ["xreadgroup", "GROUP", "g2", "bob", "NOACK", "STREAMS", "s", ">"],
      ["xreadgroup", "GROUP", "nog", "bob", "STREAMS", "s", ">"],
      ["xreadgroup", "GROUP", "g", "bob", "STREAMS", "s", "$"],
      ["xreadgroup", "GROUP", "g", "bob", "STREAMS", "nokey", ">"],
      ["xread", "STREAMS", "s", ">"],
      ["xread", "STREAMS", "s", "0"],
      ["xread", "COUNT", "2", "STREAMS", "s", "0", ""],
      ["xread", "STREAMS", "s", "$"],
      ["xread", "STREAMS", "s", "s", "0", "1"],
      ["xread", "STREAMS", "s", "0", "1"],
      ["xread", "STREAMS", "nokey", "0"],
      ["xread", "GROUP", "g", "a", "STREAMS", "s", "0"],
      ["xread", "NOACK", "STREAMS", "s", "0"],
      ["xreadgroup", "STREAMS", "s", "0"],
      ["xreadgroup", "GROUP", "g", "a", "FOO", "STREAMS", "s", "0"],
      ["xread", "BLOCK", "-1", "STREAMS", "s", "0"],
      ["xread", "BLOCK", "x", "STREAMS", "s", "0"],
      ["xread", "COUNT", "x", "STREAMS", "s", "0"],
      ["xread", "STREAMS", "s", "bad"],
      ["xpending", "s", "g"],
      ["xpending", "s", "g", "x", "+", "10"],
      ["xpending", "s", "nog"],
      ["xpending", "nokey", "g"],
      ["xack", "s", "g", "1-0", "9-0"],
      ["xack", "s", "g", "bad"],
      ["xack", "s", "nog", "1-0"],
      ["xack", "nokey", "g", "bad"],
      ["xpending", "s", "g"],
      ["xinfo", "groups", "s"],
      ["xinfo", "stream", "nokey"],
      ["xinfo", "help"],
      ["xinfo", "foo"],
      ["xinfo", "stream"],
      ["xinfo", "groups", "s", "extra"],
      ["xgroup", "delconsumer", "s", "g", "alice"],
      ["xpending", "s", "g"],
      ["xclaim", "s", "g", "carol", "0", "2-0", "3-0"],
      ["xclaim", "s", "g", "carol", "0", "2-0", "JUSTID"],
      ["xclaim", "s", "g", "carol", "0", "2-0", "FORCE", "JUSTID", "RETRYCOUNT", "7"],
      ["xclaim", "s", "g", "carol", "x", "2-0"],
      ["xclaim", "s", "g", "carol", "0", "2-0", "IDLE", "x"],
      ["xclaim", "s", "g", "carol", "0", "2-0", "FOO"],
      ["xclaim", "s", "g", "carol", "0", "2-0", "IDLE"],
      ["xclaim", "s", "nog", "carol", "0", "2-0"],
      ["xclaim", "s", "g", "carol", "0", "1-0", "FORCE", "JUSTID"],
      ["xclaim", "s", "g", "dave", "0", "1-0", "3-0", "FORCE", "JUSTID", "LASTID", "5-0"],
      ["xinfo", "groups", "s"],
      ["xdel", "s", "3-0"],
      ["xclaim", "s", "g", "dave", "0", "3-0", "JUSTID"],
      ["xautoclaim", "s", "g", "erin", "0", "0"],
      ["xautoclaim", "s", "g", "erin", "0", "0", "COUNT", "1"],
      ["xautoclaim", "s", "g", "erin", "0", "0", "COUNT", "0"],
      ["xautoclaim", "s", "g", "erin", "0", "0", "COUNT", "x"],
      ["xautoclaim", "s", "g", "erin", "0", "0", "JUSTID"],
      ["xautoclaim", "s", "g", "erin", "x", "0"],
      ["xautoclaim", "s", "g", "erin", "0", "bad"],
      ["xautoclaim", "s", "nog", "erin", "0", "0"],
      ["xautoclaim", "s", "g", "erin", "0", "(0", "FOO"],
      ["xadd", "s", "4-0", "d", "4"],
      ["xadd", "s", "5-0", "e", "5"],
      ["xreadgroup", "GROUP", "g", "frank", "STREAMS", "s", ">"],
      ["xadd", "s", "6-0", "f", "6"],
      ["xdel", "s", "5-0"],
      ["xautoclaim", "s", "g", "erin", "0", "0", "COUNT", "1", "JUSTID"],
      ["xautoclaim", "s", "g", "erin", "0", "0", "COUNT", "1", "JUSTID"],
      ["xinfo", "groups", "s"],
      ["xinfo", "stream", "s"],
      ["xgroup", "destroy", "s", "g"],
      ["xgroup", "destroy", "s", "g"],
      ["xinfo", "groups", "s"],
      ["xgroup", "create", "str", "g", "$"],
      ["set", "str", "x"],
      ["xgroup", "create", "str", "g", "$"],
      ["xgroup", "create", "str", "g", "$", "MKSTREAM"],
      ["xinfo", "stream", "str"],
      ["xgroup", "createconsumer", "nokey", "g", "a"],
    ])
  })

  it('node layout: `~` trimming, LIMIT, node limits, tombstones and XINFO STREAM radix-tree keys and nodes', async () => {
    const commands: string[][] = []
    for (let i = 1; i <= 350; i++) commands.push(['XADD', 'big', `${i}-${i % 3}`, `f${i % 2}`, `v${i}`, 'g', 'x'])
    commands.push(['XINFO', 'STREAM', 'big'], ['XTRIM', 'big', 'MAXLEN', '~', '120'], ['XLEN', 'big'], ['XINFO', 'STREAM', 'big'])
    commands.push(['XTRIM', 'big', 'MINID', '~', '200'], ['XINFO', 'STREAM', 'big'], ['XTRIM', 'big', 'MINID', '250'], ['XTRIM', 'big', 'MAXLEN', '90'])
    for (let i = 351; i < 460; i++) commands.push(['XADD', 'big', 'MAXLEN', '~', '150', `${i}-0`, `field${'x'.repeat(i % 50)}`, 'y'.repeat((i * 7) % 300)])
    commands.push(['XINFO', 'STREAM', 'big'], ['XDEL', 'big', '400-0', '401-0', '402-0', '450-0'], ['XINFO', 'STREAM', 'big', 'FULL', 'COUNT', '2'])
    commands.push(['XADD', 'big', 'MINID', '~', '420', '500-0', 'a', 'b'], ['XINFO', 'STREAM', 'big'], ['XRANGE', 'big', '-', '+', 'COUNT', '5'])
    commands.push(['CONFIG', 'SET', 'stream-node-max-entries', '5'])
    for (let i = 600; i < 640; i++) commands.push(['XADD', 'small', String(i), 'a', String(i)])
    for (let i = 600; i < 640; i += 3) commands.push(['XDEL', 'small', `${i}-0`])
    commands.push(['XINFO', 'STREAM', 'small'], ['XTRIM', 'small', 'MAXLEN', '~', '10', 'LIMIT', '6'], ['XINFO', 'STREAM', 'small'])
    commands.push(['XTRIM', 'small', 'MAXLEN', '~', '10', 'LIMIT', '0'], ['XINFO', 'STREAM', 'small'], ['XINFO', 'STREAM', 'small', 'FULL'])
    commands.push(['CONFIG', 'SET', 'stream-node-max-entries', '100'], ['CONFIG', 'SET', 'stream-node-max-bytes', '200'])
    for (let i = 1; i <= 30; i++) commands.push(['XADD', 'bytes', String(i), 'k', 'v'.repeat(i * 3)])
    commands.push(['XINFO', 'STREAM', 'bytes'], ['XTRIM', 'bytes', 'MAXLEN', '~', '20'], ['XINFO', 'STREAM', 'bytes'], ['CONFIG', 'SET', 'stream-node-max-bytes', '4096'])
    commands.push(['DEBUG', 'DIGEST-VALUE', 'big', 'small', 'bytes'], ['DEBUG', 'DIGEST'], ['DUMP', 'big'], ['DUMP', 'small'], ['DUMP', 'bytes'])
    await same(pair, commands)
  })

  it('DUMP and RESTORE of streams with groups, both ways; COPY and RENAME keep groups', async () => {
    await same(pair, [
      ['XADD', 's', '1-1', 'a', '1', 'b', '2'], ['XADD', 's', '2-0', 'a', '3', 'b', '4'], ['XADD', 's', '3-7', 'x', '123', 'y', '-5'],
      ['XGROUP', 'CREATE', 's', 'g1', '0'], ['XGROUP', 'CREATE', 's', '42', '$', 'ENTRIESREAD', '3'], ['XGROUP', 'CREATECONSUMER', 's', 'g1', 'bob'],
      ['XCLAIM', 's', 'g1', 'alice', '0', '1-1', '2-0', 'FORCE', 'JUSTID', 'TIME', '1000', 'RETRYCOUNT', '4'], ['XDEL', 's', '2-0'],
      ['XGROUP', 'CREATE', 'empty', 'g', '$', 'MKSTREAM'], ['DUMP', 'empty'],
      ['COPY', 's', 'copy'], ['XINFO', 'GROUPS', 'copy'], ['RENAME', 'copy', 'moved'], ['XINFO', 'GROUPS', 'moved'],
    ])
    const real = await pair.realClient.command('DUMP', 's')
    const ours = await pair.ourClient.command('DUMP', 's')
    // A consumer's seen-time is the wall clock of each server: mask its 8 bytes (after the consumer's name)
    // and the trailing CRC64, and compare the rest byte for byte.
    const masked = (dump: Buffer): string => {
      const bytes = Buffer.from(dump.subarray(0, dump.length - 10))
      for (const name of ['alice', 'bob']) {
        const at = bytes.indexOf(name)
        if (at >= 0) bytes.fill(0, at + name.length, at + name.length + 8)
      }
      return bytes.toString('latin1')
    }
    expect(ours.length).toBe(real.length)
    expect(masked(ours)).toBe(masked(real))
    const ourPayload = ours.subarray(ours.indexOf('\r\n') + 2, ours.length - 2)
    expect((await pair.realClient.command('RESTORE', 'from-ours', '0', ourPayload)).toString()).toBe('+OK\r\n')
    await pair.realClient.command('DEL', 'from-ours')
    const payload = real.subarray(real.indexOf('\r\n') + 2, real.length - 2)
    for (const client of [pair.realClient, pair.ourClient]) {
      expect((await client.command('RESTORE', 'restored', '0', payload)).toString()).toBe('+OK\r\n')
    }
    await same(pair, [
      ['XINFO', 'STREAM', 'restored', 'FULL'], ['XINFO', 'GROUPS', 'restored'], ['XPENDING', 'restored', 'g1'], ['DEBUG', 'DIGEST-VALUE', 'restored'],
      ['RESTORE', 'restored', '0', payload.subarray(0, 20).toString('latin1')],
    ])
  })

  it('keyspace events of class t for every stream command', async () => {
    await same(pair, [['CONFIG', 'SET', 'notify-keyspace-events', 'KEt']])
    const [realSub, ourSub] = [await pair.real.raw(), await pair.ours.raw()]
    try {
      await Promise.all([realSub.command('PSUBSCRIBE', '__key*__:*'), ourSub.command('PSUBSCRIBE', '__key*__:*')])
      await same(pair, [
        ['XADD', 's', 'MAXLEN', '1', '1-0', 'a', '1'], ['XADD', 's', 'MAXLEN', '1', '2-0', 'a', '1'], ['XADD', 's', '3-0', 'a', '1'],
        ['XTRIM', 's', 'MAXLEN', '1'], ['XDEL', 's', '3-0'], ['XSETID', 's', '9-0'], ['XGROUP', 'CREATE', 's', 'g', '0'],
        ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c'], ['XGROUP', 'SETID', 's', 'g', '0'], ['XADD', 's', '10-0', 'a', '1'],
        ['XREADGROUP', 'GROUP', 'g', 'd', 'STREAMS', 's', '>'], ['XGROUP', 'DELCONSUMER', 's', 'g', 'c'], ['XGROUP', 'DESTROY', 's', 'g'],
        ['XGROUP', 'CREATE', 'm', 'g', '$', 'MKSTREAM'], ['PING'],
      ])
      const drain = async (client: typeof realSub): Promise<string[]> => {
        const seen: string[] = []
        for (;;) {
          const reply = (await client.reply(2000)).toString('latin1')
          if (reply.toLowerCase().includes('pong')) return seen
          seen.push(reply)
        }
      }
      for (const client of [realSub, ourSub]) client.send('*1\r\n$4\r\nPING\r\n')
      const [realEvents, ourEvents] = await Promise.all([drain(realSub), drain(ourSub)])
      expect(ourEvents).toEqual(realEvents)
      expect(ourEvents.length).toBeGreaterThan(20)
    } finally {
      realSub.close()
      ourSub.close()
    }
  })

  it('RESP3 replies, MULTI, and the read-only and script gates', async () => {
    await pair.resp3()
    await same(pair, [
      ['XADD', 's', '1-0', 'a', '1'], ['XADD', 's', '2-0', 'b', '2'], ['XGROUP', 'CREATE', 's', 'g', '0'],
      ['XREAD', 'STREAMS', 's', 's', '0', '1-0'], ['XREAD', 'COUNT', '1', 'STREAMS', 's', '0'], ['XREAD', 'STREAMS', 's', '5'],
      ['XINFO', 'STREAM', 's'], ['XINFO', 'GROUPS', 's'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'], ['XPENDING', 's', 'g'],
      ['MULTI'], ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'], ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'], ['XADD', 's', '3-0', 'c', '3'], ['EXEC'],
      ['EVAL', "return redis.call('xread', 'BLOCK', '0', 'STREAMS', KEYS[1], '$')", '1', 's'],
      ['EVAL', "return redis.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '10', 'STREAMS', KEYS[1], '>')", '1', 's'],
      ['EVAL', "return redis.call('xadd', KEYS[1], '9-0', 'f', 'v')", '1', 's'],
      ['EVAL', "return redis.call('xrange', KEYS[1], '-', '+')", '1', 's'],
      ['COMMAND', 'GETKEYS', 'XREAD', 'COUNT', '2', 'STREAMS', 'a', 'b', '0', '0'],
      ['COMMAND', 'GETKEYS', 'XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'a', '>'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'XADD', 's', '*', 'a', '1'],
    ])
  })
})
