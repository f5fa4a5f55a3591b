// Keyspace notifications against real Redis 7.0: the same command sequences on both servers, with a
// PSUBSCRIBE '__key*__:*' subscriber on each, and the full ordered list of (channel, message) pairs compared.
// Covers the notify-keyspace-events flag round trip and its error, every command family, `new`, `keymiss`,
// `expired` by lazy access and by the active expire cycle, and the events a replica raises for its master's writes.

import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing, stopAllNodes, type Engine, type NodeHandle} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {nodeScope, replicaOf, waitForLinkUp, waitForOffsetsEqual} from '../helpers/replication.js'
import {parseResp, type RespValue} from '../helpers/resp-value.js'

const skip = realRedisMissing ?? bundledMissing
const MARK = 'end-of-events'

type Event = [channel: string, message: string]

const text = (v: RespValue | undefined): string => (v !== undefined && 'text' in v ? v.text : JSON.stringify(v))
const items = (v: RespValue): RespValue[] | undefined => ('items' in v ? v.items : undefined)

/** A subscriber to every keyspace channel plus the marker channel, collecting (channel, message) pairs. */
async function subscribe(node: NodeHandle): Promise<{client: RawClient; until(): Promise<Event[]>}> {
  const client = await node.raw()
  await client.command('PSUBSCRIBE', '__key*__:*')
  await client.command('SUBSCRIBE', MARK)
  return {
    client,
    async until(): Promise<Event[]> {
      const events: Event[] = []
      for (;;) {
        const value = items(parseResp(await client.reply(10_000)))
        if (value === undefined) throw new Error('unexpected non-array push')
        if (text(value[0]) === 'message' && text(value[1]) === MARK) return events
        if (text(value[0]) === 'pmessage') events.push([text(value[2]), text(value[3])])
      }
    },
  }
}

describe.skipIf(skip)(`keyspace notifications vs real Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: DifferentialPair

  beforeAll(async () => {
    pair = await startDifferentialPair(['--save', '', '--enable-debug-command', 'yes'])
  }, 30_000)
  afterAll(async () => {
    await pair?.stop()
    // Also whatever a failed start left running.
    await stopAllNodes()
  })
  beforeEach(async () => {
    await pair.reset()
    await pair.expectSame('CONFIG', 'SET', 'notify-keyspace-events', '')
  })

  /** Runs the commands on both (replies compared) with `flags` set, and compares the events each published. */
  async function sameEvents(flags: string, commands: (string | Buffer)[][], afterwards?: () => Promise<void>): Promise<Event[]> {
    await pair.expectSame('CONFIG', 'SET', 'notify-keyspace-events', flags)
    const [real, ours] = await Promise.all([subscribe(pair.real), subscribe(pair.ours)])
    try {
      for (const command of commands) await pair.expectSame(...command)
      await afterwards?.()
      await Promise.all([pair.realClient.command('PUBLISH', MARK, 'x'), pair.ourClient.command('PUBLISH', MARK, 'x')])
      const [a, b] = await Promise.all([real.until(), ours.until()])
      expect(b).toEqual(a)
      return a
    } finally {
      real.client.close()
      ours.client.close()
      await Promise.all([
        pair.realClient.command('CONFIG', 'SET', 'notify-keyspace-events', ''),
        pair.ourClient.command('CONFIG', 'SET', 'notify-keyspace-events', ''),
      ])
    }
  }

  it('notify-keyspace-events: CONFIG SET / GET round trip and the error for a bad class', async () => {
    for (const flags of ['', 'KEA', 'AKE', 'Kx', 'xK', 'E', 'A', 'KA', 'Kn', 'Km', '$lshzxeKEtmdgn', 'gKE', 'g$lshzxetd', 'ghK', 'KEAnm', 'Ed', 'nmKE']) {
      await pair.expectSame('CONFIG', 'SET', 'notify-keyspace-events', flags)
      await pair.expectSame('CONFIG', 'GET', 'notify-keyspace-events')
    }
    for (const bad of ['Kq', 'a', 'KE ', 'K,E', 'k']) {
      await pair.expectSame('CONFIG', 'SET', 'notify-keyspace-events', bad)
      await pair.expectSame('CONFIG', 'GET', 'notify-keyspace-events')
    }
    await pair.expectSame('CONFIG', 'SET', 'notify-keyspace-events', 'KEA', 'maxmemory-policy', 'bogus')
    await pair.expectSame('CONFIG', 'GET', 'notify-keyspace-events')
  })

  it('class filtering: K only, E only, a class that is not enabled', async () => {
    await sameEvents('K$', [['SET', 'a', '1'], ['DEL', 'a'], ['LPUSH', 'l', 'x']])
    await sameEvents('Eg', [['SET', 'a', '1'], ['DEL', 'a'], ['LPUSH', 'l', 'x'], ['EXPIRE', 'l', '100']])
    await sameEvents('KEl', [['SET', 'a', '1'], ['RPUSH', 'a2', 'x'], ['DEL', 'a2']])
  })

  it('strings', async () => {
    await sameEvents('KEA', [
      ['SET', 's', 'v'], ['SET', 's', 'v', 'NX'], ['SET', 's', 'w', 'XX'], ['SET', 's', 'v', 'EX', '100'], ['SET', 's', 'v', 'PX', '100000', 'GET'],
      ['SET', 's', 'v', 'KEEPTTL'], ['SETNX', 's', 'x'], ['SETNX', 's2', 'x'], ['SETEX', 'e', '100', 'v'], ['PSETEX', 'e', '100000', 'v'],
      ['GETSET', 's', 'g'], ['GETDEL', 's'], ['GETDEL', 's'], ['SET', 's', '5'], ['GETEX', 's', 'EX', '100'], ['GETEX', 's', 'PERSIST'],
      ['GETEX', 's', 'PERSIST'], ['GETEX', 's'], ['GETEX', 's', 'EXAT', '1'], ['EXISTS', 's'],
      ['MSET', 'm1', '1', 'm2', '2', 'm1', '3'], ['MSETNX', 'm1', '1', 'm9', '9'], ['MSETNX', 'n1', '1', 'n2', '2'],
      ['INCR', 'c'], ['INCRBY', 'c', '5'], ['DECR', 'c'], ['DECRBY', 'c', '2'], ['INCRBYFLOAT', 'c', '1.5'], ['INCR', 'm1x'],
      ['APPEND', 'ap', 'x'], ['APPEND', 'ap', 'yz'], ['SETRANGE', 'ap', '1', 'QQ'], ['SETRANGE', 'ap', '1', ''], ['SETRANGE', 'sr', '0', ''],
      ['SETRANGE', 'sr', '3', 'x'], ['LCS', 'ap', 'sr'], ['GET', 'ap'], ['STRLEN', 'ap'], ['GETRANGE', 'ap', '0', '1'],
      ['SET', 'big', 'x', 'EX', '0'], ['INCR', 'ap'], ['SET', 'past', 'x', 'EXAT', '1'], ['GET', 'past'], ['SET', 'p2', 'x'],
      ['GETEX', 'p2', 'PXAT', '1'], ['SET', 'p3', 'x', 'PXAT', '99999999999999'], ['GETEX', 'p3', 'EXAT', '99999999999'], ['SET', 'p3', 'y', 'XX', 'KEEPTTL', 'GET'],
    ])
  })

  it('generic: DEL, UNLINK, EXPIRE family, PERSIST, RENAME, MOVE, COPY, RESTORE, FLUSH, SWAPDB', async () => {
    await sameEvents('KEA', [
      ['SET', 'a', '1'], ['SET', 'b', '2'], ['DEL', 'a', 'b', 'zz'], ['SET', 'a', '1'], ['UNLINK', 'a', 'zz'],
      ['SET', 'k', 'v'], ['EXPIRE', 'k', '100'], ['PEXPIRE', 'k', '100000'], ['EXPIREAT', 'k', '99999999999'], ['PEXPIREAT', 'k', '99999999999999'],
      ['EXPIRE', 'k', '50', 'NX'], ['EXPIRE', 'k', '50', 'XX'], ['PERSIST', 'k'], ['PERSIST', 'k'], ['EXPIRE', 'nokey', '10'],
      ['EXPIRE', 'k', '-1'], ['SET', 'k', 'v'], ['EXPIREAT', 'k', '1'], ['SET', 'k', 'v'], ['PEXPIRE', 'k', '0'],
      ['SET', 'r', 'v'], ['RENAME', 'r', 'r2'], ['SET', 'r', 'w'], ['RENAME', 'r', 'r2'], ['RENAMENX', 'r2', 'r2'], ['SET', 'x', '1'], ['RENAMENX', 'x', 'r2'],
      ['RENAMENX', 'x', 'r3'], ['RENAME', 'r3', 'r3'], ['EXPIRE', 'r3', '100'], ['RENAME', 'r3', 'r4'], ['EXPIRE', 'r4', '50', 'GT'], ['EXPIRE', 'r4', '500', 'GT'],
      ['EXPIRE', 'r4', '600', 'LT'], ['PEXPIRE', 'r4', '-5', 'XX'], ['EXPIRE', 'r4', '5', 'NX'],
      ['SET', 'mv', '1'], ['MOVE', 'mv', '3'], ['MOVE', 'mv', '3'], ['SELECT', '3'], ['MOVE', 'mv', '0'], ['SELECT', '0'],
      ['COPY', 'mv', 'cp'], ['COPY', 'mv', 'cp'], ['COPY', 'mv', 'cp', 'REPLACE'], ['COPY', 'mv', 'cp', 'DB', '2'],
      ['SET', 'd', 'dumped'], ['FLUSHDB'], ['SET', 'q', '1'], ['SWAPDB', '0', '1'], ['SWAPDB', '0', '1'], ['FLUSHALL'],
    ])
    const dump = await pair.realClient.command('DUMP', 'nothing')
    expect(dump.toString('latin1')).toBe('$-1\r\n')
    await pair.expectSame('SET', 'src', 'payload')
    const dumped = await pair.realClient.command('DUMP', 'src')
    // $<len>\r\n<payload>\r\n: the payload bytes themselves.
    const payload = dumped.subarray(dumped.indexOf('\r\n') + 2, dumped.length - 2)
    await sameEvents('KEA', [['RESTORE', 'dst', '0', payload], ['RESTORE', 'dst', '0', payload, 'REPLACE'], ['RESTORE', 'dst', '100000', payload, 'REPLACE'],
      ['RESTORE', 'dst', '1', payload, 'REPLACE', 'ABSTTL'], ['RESTORE', 'dst2', '1', payload, 'ABSTTL']])
  })

  it('new (class n) for every key added, and keymiss (class m) for reads of missing keys', async () => {
    await sameEvents('KEn', [['SET', 'a', '1'], ['SET', 'a', '2'], ['LPUSH', 'l', 'x'], ['RPUSH', 'l', 'y'], ['HSET', 'h', 'f', 'v'], ['SADD', 's', 'm'],
      ['ZADD', 'z', '1', 'm'], ['INCR', 'c'], ['APPEND', 'ap', 'x'], ['SET', 'b', '1'], ['RENAME', 'a', 'b'],
      ['COPY', 'b', 'b2'], ['SET', 'm', '1'], ['MOVE', 'm', '1'], ['MSET', 'p', '1', 'q', '2'], ['SETRANGE', 'sr', '2', 'x'], ['PFADD', 'hll', 'a'],
      ['SUNIONSTORE', 'su', 's'], ['GEOADD', 'g', '1', '1', 'p']])
    await sameEvents('KEm', [['GET', 'missing'], ['SET', 'a', '1'], ['GET', 'a'], ['MGET', 'a', 'b', 'c'], ['STRLEN', 'nope'], ['LRANGE', 'nol', '0', '-1'],
      ['HGET', 'noh', 'f'], ['SMEMBERS', 'nos'], ['ZRANGE', 'noz', '0', '-1'], ['EXISTS', 'a', 'b'], ['TYPE', 'b'], ['LLEN', 'x'], ['HGETALL', 'y'],
      ['SCARD', 'z'], ['ZSCORE', 'w', 'm'], ['TTL', 'q'], ['GETRANGE', 'r', '0', '1'], ['TOUCH', 't1', 'a'], ['OBJECT', 'ENCODING', 'o1'],
      ['MEMORY', 'USAGE', 'mu'], ['DUMP', 'du'], ['PFCOUNT', 'pc'], ['SINTERCARD', '1', 'sc'], ['LPOS', 'lp', 'a'], ['SRANDMEMBER', 'sr'],
      ['GETBIT', 'gb', '1'], ['BITCOUNT', 'bc'], ['HGET', 'hg', 'f'], ['SISMEMBER', 'si', 'x'], ['XLEN', 'xl'], ['XRANGE', 'xr', '-', '+'],
      ['LINDEX', 'li', '0'], ['FLUSHDB'], ['RANDOMKEY']])
    // Write commands whose sources Redis reads with lookupKeyRead, and plain writes (lookupKeyWrite: no keymiss).
    await sameEvents('KEm', [['GETDEL', 'w1'], ['GETEX', 'w2'], ['SET', 'w3', 'v', 'GET'], ['SET', 'w3b', 'v'], ['GETSET', 'w4', 'v'],
      ['SUNIONSTORE', 'd1', 'w5', 'w6'], ['SINTERSTORE', 'd1', 'w7'], ['SDIFFSTORE', 'd1', 'w8'], ['ZUNIONSTORE', 'd2', '1', 'w9'],
      ['ZINTERSTORE', 'd2', '2', 'w10', 'w11'], ['ZDIFFSTORE', 'd2', '1', 'w12'], ['BITOP', 'OR', 'd3', 'w13'], ['SORT', 'w14', 'STORE', 'd4'],
      ['SORT', 'w15'], ['COPY', 'w16', 'd5'], ['COPY', 'w3', 'd5b'], ['PFMERGE', 'd6', 'w17'], ['ZRANGESTORE', 'd7', 'w18', '0', '1'],
      ['GEOSEARCHSTORE', 'd8', 'w19', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'], ['LMOVE', 'w20', 'd9', 'LEFT', 'LEFT'],
      ['SMOVE', 'w21', 'd10', 'x'], ['INCR', 'w22'], ['LPUSHX', 'w23', 'a'], ['HDEL', 'w24', 'f'], ['DEL', 'w25'], ['EXPIRE', 'w26', '10'],
      ['PERSIST', 'w27'], ['MOVE', 'w28', '1'], ['APPEND', 'w29', 'x'], ['HINCRBY', 'w30', 'f', '1'], ['SPOP', 'w31'], ['ZPOPMIN', 'w32'],
      ['LPOP', 'w33'], ['SETBIT', 'w34', '1', '1'], ['RENAME', 'w35', 'd11'], ['RPOPLPUSH', 'w36', 'd12'], ['RPUSH', 'sl', '2', '1'],
      ['SORT', 'sl', 'BY', 'w_*', 'GET', 'o_*'], ['SORT_RO', 'sl', 'GET', '#', 'GET', 'h_*->f'], ['SORT', 'sl', 'BY', 'nosort', 'GET', 'g_*', 'STORE', 'd13']])
    await sameEvents('KEA', [['GET', 'missing'], ['SET', 'a', '1']])
  })

  it('lists, with the del of an emptied list', async () => {
    await sameEvents('KEA', [
      ['LPUSH', 'l', 'a', 'b'], ['RPUSH', 'l', 'c'], ['LPUSHX', 'l', 'z'], ['RPUSHX', 'l', 'y'], ['LPUSHX', 'none', 'z'], ['LINSERT', 'l', 'BEFORE', 'c', 'i'],
      ['LINSERT', 'l', 'AFTER', 'nothere', 'i'], ['LSET', 'l', '0', 'S'], ['LPOP', 'l'], ['RPOP', 'l'], ['LPOP', 'l', '2'], ['LPOP', 'l', '0'],
      ['RPUSH', 'l', 'x', 'x', 'y', 'x'], ['LREM', 'l', '2', 'x'], ['LREM', 'l', '0', 'nothere'], ['LTRIM', 'l', '0', '-1'], ['LTRIM', 'l', '5', '10'],
      ['RPUSH', 'l', 'a', 'b', 'c'], ['LMOVE', 'l', 'l2', 'LEFT', 'RIGHT'], ['RPOPLPUSH', 'l', 'l2'], ['LMOVE', 'l', 'l', 'LEFT', 'LEFT'],
      ['LMOVE', 'l', 'l2', 'RIGHT', 'LEFT'], ['LMOVE', 'l', 'l2', 'RIGHT', 'LEFT'], ['LMPOP', '2', 'l', 'l2', 'RIGHT', 'COUNT', '10'],
      ['RPUSH', 'l', 'a'], ['LREM', 'l', '0', 'a'], ['RPUSH', 'l', 'a'], ['RPOP', 'l', '5'], ['LRANGE', 'l', '0', '-1'], ['LPOS', 'l', 'a'],
      ['RPUSH', 'b', 'x', 'y'], ['BLPOP', 'nope', 'b', '1'], ['BRPOP', 'b', '1'], ['RPUSH', 'b', 'x'], ['BLMOVE', 'b', 'b2', 'LEFT', 'LEFT', '1'],
      ['BLMPOP', '1', '1', 'b2', 'LEFT'],
    ])
  })

  it('BLPOP / BLMOVE wakeups raise the pop events of the served client', async () => {
    const [realWaiter, ourWaiter] = await Promise.all([pair.real.raw(), pair.ours.raw()])
    onTestFinished(() => {
      realWaiter.close()
      ourWaiter.close()
    })
    await sameEvents('KEA', [], async () => {
      realWaiter.send('*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n5\r\n')
      ourWaiter.send('*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n5\r\n')
      await waitBlocked(1)
      await pair.expectSame('RPUSH', 'q', 'one', 'two')
      const [a, b] = await Promise.all([realWaiter.reply(5000), ourWaiter.reply(5000)])
      expect(b.toString('latin1')).toBe(a.toString('latin1'))
      realWaiter.send('*6\r\n$6\r\nBLMOVE\r\n$2\r\nq2\r\n$2\r\nq3\r\n$4\r\nLEFT\r\n$5\r\nRIGHT\r\n$1\r\n5\r\n')
      ourWaiter.send('*6\r\n$6\r\nBLMOVE\r\n$2\r\nq2\r\n$2\r\nq3\r\n$4\r\nLEFT\r\n$5\r\nRIGHT\r\n$1\r\n5\r\n')
      await waitBlocked(1)
      await pair.expectSame('LPUSH', 'q2', 'v')
      const [c, d] = await Promise.all([realWaiter.reply(5000), ourWaiter.reply(5000)])
      expect(d.toString('latin1')).toBe(c.toString('latin1'))
    })
  })

  /** Until both servers report `count` blocked clients. */
  async function waitBlocked(count: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const [a, b] = await Promise.all([pair.realClient.command('INFO', 'clients'), pair.ourClient.command('INFO', 'clients')])
      if ([a, b].every((r) => r.toString('latin1').includes(`blocked_clients:${count}\r\n`))) return
      await new Promise((r) => setTimeout(r, 20))
    }
    throw new Error(`never saw ${count} blocked clients`)
  }

  it('hashes', async () => {
    await sameEvents('KEA', [
      ['HSET', 'h', 'a', '1', 'b', '2'], ['HSET', 'h', 'a', '1'], ['HMSET', 'h', 'c', '3'], ['HSETNX', 'h', 'a', 'x'], ['HSETNX', 'h', 'd', 'x'],
      ['HINCRBY', 'h', 'a', '5'], ['HINCRBYFLOAT', 'h', 'a', '0.5'], ['HDEL', 'h', 'zz'], ['HDEL', 'h', 'a', 'b'], ['HDEL', 'h', 'c', 'd'],
      ['HINCRBY', 'h2', 'n', '1'], ['HGET', 'h2', 'n'], ['HGETALL', 'h2'], ['HDEL', 'h2', 'n'],
    ])
  })

  it('sets and the store commands', async () => {
    await sameEvents('KEA', [
      ['SADD', 's', 'a', 'b', 'c'], ['SADD', 's', 'a'], ['SREM', 's', 'zz'], ['SREM', 's', 'a', 'b'], ['SPOP', 's'], ['SPOP', 's'], ['SADD', 's', 'x', 'y', 'z'],
      ['SPOP', 's', '0'], ['SMOVE', 's', 't', 'x'], ['SMOVE', 's', 't', 'nothere'], ['SMOVE', 't', 't', 'x'], ['SADD', 'u', 'x', 'q'],
      ['SINTERSTORE', 'si', 's', 't', 'u'], ['SINTERSTORE', 'si2', 't', 'u'], ['SUNIONSTORE', 'su', 's', 't', 'u'], ['SDIFFSTORE', 'sd', 'u', 't'],
      ['SDIFFSTORE', 'sd', 'u', 'u'], ['SINTERSTORE', 'si2', 'nothing', 'u'], ['SUNIONSTORE', 'none', 'a1', 'a2'], ['SREM', 'u', 'q'], ['SPOP', 'u', '10'], ['SPOP', 'u', '10'],
      ['SREM', 't', 'x'], ['SISMEMBER', 's', 'a'],
    ])
  })

  it('sorted sets and the store commands', async () => {
    await sameEvents('KEA', [
      ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'], ['ZADD', 'z', '1', 'a'], ['ZADD', 'z', 'NX', '9', 'a'], ['ZADD', 'z', 'INCR', '2', 'a'],
      ['ZINCRBY', 'z', '1', 'b'], ['ZADD', 'z', 'XX', 'CH', '7', 'c'], ['ZREM', 'z', 'zz'], ['ZREM', 'z', 'a'], ['ZREMRANGEBYSCORE', 'z', '100', '200'],
      ['ZREMRANGEBYSCORE', 'z', '0', '3'], ['ZREMRANGEBYRANK', 'z', '0', '0'], ['ZADD', 'lex', '0', 'a', '0', 'b', '0', 'c'],
      ['ZREMRANGEBYLEX', 'lex', '[a', '[b'], ['ZREMRANGEBYLEX', 'lex', '[x', '[y'], ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z'], ['ZPOPMIN', 'z'],
      ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'], ['ZRANGESTORE', 'zr', 'z', '0', '1'], ['ZRANGESTORE', 'zr', 'z', '10', '11'],
      ['ZUNIONSTORE', 'zu', '2', 'z', 'lex'], ['ZINTERSTORE', 'zi', '2', 'z', 'lex'], ['ZINTERSTORE', 'zi', '2', 'z', 'z'], ['ZDIFFSTORE', 'zd', '1', 'z'],
      ['ZDIFFSTORE', 'zd', '2', 'z', 'z'], ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '5'], ['ZREMRANGEBYRANK', 'lex', '0', '-1'],
      ['ZADD', 'b', '1', 'x'], ['BZPOPMIN', 'b', '1'], ['ZADD', 'b', '1', 'x', '2', 'y'], ['BZPOPMAX', 'b', '1'], ['BZMPOP', '1', '1', 'b', 'MIN'],
    ])
  })

  it('bitmaps and BITFIELD, SORT STORE, HyperLogLog, geo and streams', async () => {
    await sameEvents('KEA', [
      ['SETBIT', 'b', '7', '1'], ['SETBIT', 'b', '7', '1'], ['SETBIT', 'b', '7', '0'], ['SETBIT', 'b', '30', '0'], ['SET', 'bf', 'x'],
      ['BITFIELD', 'bf', 'SET', 'u8', '0', '121'], ['BITFIELD', 'bf', 'GET', 'u8', '0'], ['BITFIELD', 'bfnew', 'INCRBY', 'i5', '100', '1'], ['BITFIELD_RO', 'bf', 'GET', 'u4', '0'],
      ['BITOP', 'OR', 'bo', 'b', 'bf'], ['BITOP', 'AND', 'bo', 'none1', 'none2'], ['BITOP', 'AND', 'bo2', 'none1'],
      ['RPUSH', 'src', '3', '1', '2'], ['SORT', 'src', 'STORE', 'sorted'], ['SORT', 'src', 'BY', 'w_*', 'GET', 'o_*', 'STORE', 'sorted'], ['SORT', 'none', 'STORE', 'sorted'], ['SORT', 'none', 'STORE', 'sorted'],
      ['PFADD', 'hll', 'a', 'b'], ['PFADD', 'hll', 'a'], ['PFMERGE', 'hm', 'hll'], ['GEOADD', 'g', '13.36', '38.11', 'P'],
      ['GEOSEARCHSTORE', 'gs', 'g', 'FROMLONLAT', '13', '38', 'BYRADIUS', '100', 'km'], ['XADD', 'x', '1-1', 'f', 'v'], ['XDEL', 'x', '1-1'],
      ['XTRIM', 'x', 'MAXLEN', '0'], ['DEL', 'x'],
    ])
  })

  it('streams: XADD, trimming, XDEL, XSETID and the consumer-group events', async () => {
    await sameEvents('KEAn', [
      ['XADD', 'x', '1-1', 'f', 'v'], ['XADD', 'x', 'MAXLEN', '1', '2-1', 'f', 'v'], ['XADD', 'nomk', 'NOMKSTREAM', '*', 'f', 'v'],
      ['XGROUP', 'CREATE', 'x', 'g', '0'], ['XGROUP', 'CREATE', 'x2', 'g', '$', 'MKSTREAM'], ['XGROUP', 'CREATECONSUMER', 'x', 'g', 'c1'],
      ['XGROUP', 'CREATECONSUMER', 'x', 'g', 'c1'], ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 'x', '>'], ['XACK', 'x', 'g', '2-1'],
      ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 'x', '0'], ['XGROUP', 'SETID', 'x', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c3', 'STREAMS', 'x', '>'],
      ['XCLAIM', 'x', 'g', 'c1', '0', '2-1'], ['XAUTOCLAIM', 'x', 'g', 'c4', '0', '0'], ['XGROUP', 'DELCONSUMER', 'x', 'g', 'c1'],
      ['XGROUP', 'DESTROY', 'x', 'g'], ['XSETID', 'x', '5-0'], ['XDEL', 'x', '2-1'], ['XDEL', 'x', '9-9'], ['XTRIM', 'x', 'MAXLEN', '0'],
      ['XADD', 'x', '6-1', 'f', 'v'], ['XTRIM', 'x', 'MINID', '0'], ['XTRIM', 'x', 'MAXLEN', '0'], ['DEL', 'x', 'x2'],
    ])
    await sameEvents('KEm', [['XLEN', 'nox'], ['XREAD', 'STREAMS', 'nox', '0'], ['XRANGE', 'nox', '-', '+'], ['XINFO', 'STREAM', 'nox'], ['XPENDING', 'nox', 'g'],
      ['XACK', 'nox', 'g', '1-1'], ['XCLAIM', 'nox', 'g', 'c', '0', '1-1'], ['XAUTOCLAIM', 'nox', 'g', 'c', '0', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'nox', '>'], ['XADD', 'sx', '1-1', 'f', 'v'], ['XGROUP', 'CREATE', 'sx', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'sx', 'nox', '>', '>'], ['XDEL', 'nox', '1-1'], ['XTRIM', 'nox', 'MAXLEN', '0'], ['XSETID', 'nox', '1-1']])
  })

  it('a seeded random mix of every family over a few keys (types collide: WRONGTYPE raises nothing)', async () => {
    for (const seed of [12345, 777, 4242, 99]) await randomMix(seed)
  })

  async function randomMix(seed: number): Promise<void> {
    await pair.reset()
    let state = seed
    const random = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      return (state >>> 8) % n
    }
    const k = (): string => `k${random(4)}`
    const v = (): string => String(random(5))
    const makers: (() => string[])[] = [
      () => ['SET', k(), v()], () => ['INCR', k()], () => ['APPEND', k(), v()], () => ['DEL', k(), k()], () => ['EXPIRE', k(), '100'],
      () => ['PERSIST', k()], () => ['RENAME', k(), k()], () => ['COPY', k(), k(), 'REPLACE'], () => ['LPUSH', k(), v()], () => ['RPOP', k()],
      () => ['LREM', k(), '0', v()], () => ['LTRIM', k(), '1', '-1'], () => ['LMOVE', k(), k(), 'LEFT', 'RIGHT'], () => ['HSET', k(), v(), v()],
      () => ['HDEL', k(), v()], () => ['HINCRBY', k(), v(), '1'], () => ['SADD', k(), v()], () => ['SREM', k(), v()], () => ['SMOVE', k(), k(), v()],
      () => ['SUNIONSTORE', k(), k(), k()], () => ['SINTERSTORE', k(), k(), k()], () => ['ZADD', k(), v(), v()], () => ['ZREM', k(), v()],
      () => ['ZINCRBY', k(), '1', v()], () => ['ZPOPMIN', k()], () => ['ZUNIONSTORE', k(), '2', k(), k()], () => ['ZREMRANGEBYSCORE', k(), '0', '2'],
      () => ['GET', k()], () => ['GETDEL', k()], () => ['SETRANGE', k(), '1', v()], () => ['SORT', k(), 'STORE', k()], () => ['MSET', k(), v(), k(), v()],
      () => ['GETEX', k(), 'PX', '100000'], () => ['TYPE', k()], () => ['LLEN', k()], () => ['SETBIT', k(), v(), '1'], () => ['BITOP', 'OR', k(), k(), k()],
      () => ['MOVE', k(), '1'], () => ['LINSERT', k(), 'BEFORE', v(), v()], () => ['HSETNX', k(), v(), v()], () => ['ZRANGESTORE', k(), k(), '0', '1'],
      () => ['SDIFFSTORE', k(), k(), k()], () => ['ZINTERSTORE', k(), '2', k(), k()], () => ['ZDIFFSTORE', k(), '2', k(), k()], () => ['LPOP', k(), '2'],
      () => ['RPOPLPUSH', k(), k()], () => ['ZREMRANGEBYRANK', k(), '0', '0'], () => ['GETSET', k(), v()], () => ['INCRBYFLOAT', k(), '1.5'],
      () => ['EXPIRE', k(), '-1'], () => ['UNLINK', k()], () => ['RENAMENX', k(), k()], () => ['LSET', k(), '0', v()], () => ['ZADD', k(), 'INCR', v(), v()],
      () => ['HINCRBYFLOAT', k(), v(), '0.5'], () => ['SETNX', k(), v()], () => ['MSETNX', k(), v(), k(), v()], () => ['EXISTS', k(), k()],
      () => ['ZADD', k(), 'GT', 'CH', v(), v()], () => ['SREM', k(), v(), v()], () => ['SMEMBERS', k()], () => ['HGETALL', k()], () => ['ZPOPMAX', k(), '2'],
      () => ['LMPOP', '2', k(), k(), 'LEFT'], () => ['ZMPOP', '2', k(), k(), 'MAX'], () => ['SINTERCARD', '2', k(), k()], () => ['PEXPIRE', k(), '100000', 'NX'],
    ]
    const commands = Array.from({length: 400}, () => (makers[random(makers.length)] as () => string[])())
    await sameEvents('KEAnm', commands)
  }

  it('MULTI/EXEC and a script raise the events of the commands they run, in order', async () => {
    await sameEvents('KEA', [
      ['MULTI'], ['SET', 'a', '1'], ['LPUSH', 'l', 'x'], ['DEL', 'a'], ['EXEC'],
      ['EVAL', "redis.call('set', KEYS[1], 'v'); redis.call('expire', KEYS[1], 100); return redis.call('incr', 'cnt')", '1', 'k'],
    ])
  })

  it('expired: lazily on access (then keymiss), and by the active expire cycle', async () => {
    await sameEvents('KEAm', [['DEBUG', 'SET-ACTIVE-EXPIRE', '0'], ['SET', 'a', '1', 'PX', '1'], ['SET', 'b', '1', 'PX', '1'], ['SET', 'c', '1', 'PX', '1']], async () => {
      await new Promise((r) => setTimeout(r, 20))
      for (const command of [['GET', 'a'], ['EXISTS', 'b'], ['SET', 'c', '2'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '1']]) await pair.expectSame(...command)
    })
    // Active expiry: nobody touches the key; each server's cycle deletes it and publishes `expired`.
    await pair.expectSame('CONFIG', 'SET', 'notify-keyspace-events', 'KEx')
    const [real, ours] = await Promise.all([subscribe(pair.real), subscribe(pair.ours)])
    onTestFinished(() => {
      real.client.close()
      ours.client.close()
    })
    await pair.expectSame('SET', 'gone', '1', 'PX', '50')
    const first = async (s: typeof real): Promise<Event> => {
      const value = items(parseResp(await s.client.reply(10_000))) ?? []
      return [text(value[2]), text(value[3])]
    }
    const [a, b] = await Promise.all([first(real), first(ours)])
    expect(a).toEqual(['__keyspace@0__:gone', 'expired'])
    expect(b).toEqual(a)
    const [c, d] = await Promise.all([first(real), first(ours)])
    expect(d).toEqual(c)
    await pair.expectSame('EXISTS', 'gone')
  })
})

describe.skipIf(skip)(`notify-keyspace-events in a config file and CONFIG REWRITE${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('is read from the file, and rewritten quoted in the form CONFIG GET shows', async () => {
    const start = nodeScope(onTestFinished)
    const rewritten = async (engine: Engine): Promise<string[]> => {
      const node = await start({engine, config: 'save ""\nnotify-keyspace-events KEl\n'})
      const c = await node.raw()
      onTestFinished(() => c.close())
      const lines: string[] = [(await c.command('CONFIG', 'GET', 'notify-keyspace-events')).toString('latin1')]
      for (const flags of ['KEAn', '']) {
        await c.command('CONFIG', 'SET', 'notify-keyspace-events', flags)
        lines.push((await c.command('CONFIG', 'REWRITE')).toString('latin1'))
        lines.push(...readFileSync(join(node.dir, 'redis.conf'), 'latin1').split('\n').filter((l) => l.includes('notify-keyspace-events')))
      }
      return lines
    }
    const [real, ours] = await Promise.all([rewritten('redis'), rewritten('bundled')])
    expect(ours).toEqual(real)
  })
})

describe.skipIf(skip)(`keyspace notifications on a replica${skip ? ` (skipped: ${skip})` : ''}`, () => {
  /** master → replica of one engine, events on the replica while the master runs `commands`. */
  async function replicaEvents(engine: Engine, commands: string[][]): Promise<Event[]> {
    const start = nodeScope(onTestFinished)
    const master = await start({engine, args: ['--save', '', '--enable-debug-command', 'yes']})
    const replica = await start({engine, args: ['--save', '', '--notify-keyspace-events', 'KEAm']})
    await replicaOf(replica, master)
    await waitForLinkUp(replica)
    const sub = await subscribe(replica)
    onTestFinished(() => sub.client.close())
    const m = await master.raw()
    const r = await replica.raw()
    onTestFinished(() => {
      m.close()
      r.close()
    })
    for (const command of commands) await m.command(...command)
    await waitForOffsetsEqual([master, replica])
    // A key the master has not expired yet: reading it on the replica raises no `expired` (its master decides).
    // Both reads come after its 100 ms TTL, whatever time the commands above took.
    await new Promise((res) => setTimeout(res, 150))
    await r.command('GET', 'soon')
    await new Promise((res) => setTimeout(res, 150))
    await r.command('GET', 'soon')
    // Now the master expires it: the replica applies the DEL it propagates, and raises `del`, not `expired`.
    await m.command('DEBUG', 'SET-ACTIVE-EXPIRE', '1')
    for (let i = 0; i < 200 && !(await m.command('INFO', 'stats')).toString('latin1').includes('expired_keys:1\r\n'); i++) {
      await new Promise((res) => setTimeout(res, 20))
    }
    await waitForOffsetsEqual([master, replica])
    await r.command('PUBLISH', MARK, 'x')
    return sub.until()
  }

  it('applies the master stream with the same events as real Redis, and no expired before the master deletes', async () => {
    const commands = [
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['SET', 'a', '1'], ['SET', 'a', '2', 'EX', '100'], ['INCR', 'n'], ['LPUSH', 'l', 'x', 'y'], ['RPOP', 'l'], ['LPOP', 'l'], ['HSET', 'h', 'f', 'v'],
      ['SADD', 's', 'm'], ['SPOP', 's'], ['ZADD', 'z', '1', 'm'], ['ZINCRBY', 'z', '1', 'm'], ['RENAME', 'a', 'b'], ['EXPIRE', 'b', '100'], ['PERSIST', 'b'],
      ['MULTI'], ['SET', 't', '1'], ['DEL', 't'], ['EXEC'], ['INCRBYFLOAT', 'f', '1.5'], ['GETDEL', 'n'], ['SET', 'soon', '1', 'PX', '100'],
    ]
    const [real, ours] = await Promise.all([replicaEvents('redis', commands), replicaEvents('bundled', commands)])
    expect(ours).toEqual(real)
    expect(real.some(([, m]) => m === 'expired')).toBe(false)
    // Read after its expiry, the key the master still holds is a keymiss on the replica.
    expect(real).toContainEqual(['__keyspace@0__:soon', 'keymiss'])
    expect(real.slice(-2)).toEqual([['__keyspace@0__:soon', 'del'], ['__keyevent@0__:del', 'soon']])
  }, 60_000)
})
