// HyperLogLog against real Redis 7.0, byte for byte: the same PFADD sequences give the same HLL strings (GET),
// the same estimates and PFDEBUG views, through sparse→dense promotion, unions of mixed encodings and PFMERGE;
// corrupted HLLs are refused with Redis's errors; DUMP payloads travel both ways; replicas get the same stream.

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {expectSameEvents, startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {attachSyncReplica} from '../helpers/replication.js'
import {prng} from '../helpers/prng.js'

const skip = realRedisMissing ?? bundledMissing

/** Random elements: text, numbers and binary of varied lengths (every tail length of the 8-byte hash blocks). */
function randomElement(random: () => number): Buffer {
  const kind = random()
  if (kind < 0.4) return Buffer.from(`user:${Math.floor(random() * 1e9)}`)
  if (kind < 0.6) return Buffer.from(String(Math.floor(random() * 1e6)))
  const bytes = Buffer.alloc(Math.floor(random() * 40))
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256)
  return bytes
}

/** An HLL header with the given encoding byte, then `body`. */
const hllBytes = (encoding: number, body: Buffer, card = Buffer.alloc(8)): Buffer =>
  Buffer.concat([Buffer.from('HYLL'), Buffer.from([encoding, 0, 0, 0]), card, body])

describe.skipIf(!!skip)(`HyperLogLog commands match Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: DifferentialPair
  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(() => pair?.stop())
  beforeEach(() => pair.reset())
  const s = (...args: (string | Buffer)[]) => pair.expectSame(...args)

  /**
   * The keyspace events each server publishes while `run` runs: a subscriber to every channel on each, read up
   * to the message that marks the end.
   */
  const eventsDuring = (run: () => Promise<void>): Promise<void> => expectSameEvents(pair, 'KEA', run)

  /** Everything a key shows: its bytes, encoding, opcodes (sparse) and registers. */
  const sameHll = async (key: string): Promise<void> => {
    await s('GET', key)
    await s('STRLEN', key)
    const encoding = await s('PFDEBUG', 'ENCODING', key)
    if (encoding === '+sparse\r\n') await s('PFDEBUG', 'DECODE', key)
  }

  it('PFADD, PFCOUNT and the cached cardinality: bytes before and after the count', async () => {
    await s('PFADD', 'h')
    await sameHll('h')
    await s('PFADD', 'h')
    await s('PFCOUNT', 'h')
    await s('GET', 'h')
    await s('PFADD', 'h', 'a', 'b', 'c', 'd', 'e', 'f', 'g')
    await sameHll('h')
    await s('PFADD', 'h', 'a', 'b')
    await s('PFCOUNT', 'h')
    await s('GET', 'h')
    await s('PFCOUNT', 'h')
    await s('PFADD', 'h', 'zz')
    await s('GET', 'h')
    await s('PFCOUNT', 'h')
    await s('PFCOUNT', 'nokey')
    await s('PFCOUNT', 'nokey', 'h')
    await s('PFCOUNT', 'h', 'h')
    await s('EXISTS', 'nokey')
    await s('PFADD', 'e', '')
    await sameHll('e')
    await s('PFDEBUG', 'GETREG', 'h')
    await s('PFDEBUG', 'ENCODING', 'h')
    await s('GET', 'h')
    await s('PFDEBUG', 'DECODE', 'h')
    await s('PFADD', 'h2', 'x')
    await s('PFDEBUG', 'TODENSE', 'h2')
    await s('PFDEBUG', 'TODENSE', 'h2')
    await s('GET', 'h2')
    await s('PFCOUNT', 'h2')
    await s('PFADD', 'h2', 'x')
    await s('PFADD', 'h2', 'y', 'z')
    await s('GET', 'h2')
    await s('PFDEBUG', 'getreg', 'h2')
  })

  it('errors: wrong type, not an HLL, PFDEBUG misuse, arity', async () => {
    await s('RPUSH', 'list', 'a')
    await s('SET', 'str', 'hello')
    await s('SET', 'int', '12345')
    await s('SET', 'long', '1234567890123456789')
    for (const key of ['list', 'str', 'int', 'long']) {
      await s('PFADD', key, 'a')
      await s('PFCOUNT', key)
      await s('PFCOUNT', 'nokey', key)
      await s('PFMERGE', 'dst', key)
      await s('PFMERGE', key, 'nokey')
      await s('PFDEBUG', 'ENCODING', key)
    }
    await s('EXISTS', 'dst')
    await s('PFADD', 'h', 'a')
    await s('PFDEBUG', 'nosuch', 'h')
    await s('PFDEBUG', 'nosuch', 'nokey')
    await s('PFDEBUG', 'GETREG', 'nokey')
    await s('PFDEBUG', 'GETREG')
    await s('PFDEBUG', 'GETREG', 'h', 'x')
    await s('PFDEBUG', 'TODENSE', 'list')
    await s('PFADD')
    await s('PFCOUNT')
    await s('PFMERGE')
    await s('PFSELFTEST', 'x')
  })

  it('corrupted HLLs: bad headers are not HLLs, bad sparse opcodes are INVALIDOBJ, a cached count is still served', async () => {
    const dense = hllBytes(0, Buffer.alloc(12288))
    const cases: [string, Buffer][] = [
      ['short', Buffer.from('HYLL\x01\x00\x00')],
      ['magic', hllBytes(1, Buffer.from([0x7f, 0xff])).fill('X', 3, 4)],
      ['encoding2', hllBytes(2, Buffer.from([0x7f, 0xff]))],
      ['denseShort', dense.subarray(0, dense.length - 1)],
      ['denseLong', Buffer.concat([dense, Buffer.from([0])])],
      ['garbage', Buffer.from('HYLLxxxxxxxxxxxxxxxxxxxxxxx')],
      ['headerOnly', hllBytes(1, Buffer.alloc(0))],
      ['tooFew', hllBytes(1, Buffer.from([0x7f, 0xfe]))],
      ['tooMany', hllBytes(1, Buffer.from([0x7f, 0xff, 0x00]))],
      ['valOverflow', hllBytes(1, Buffer.from([0x7f, 0xfd, 0x83]))],
      ['halfXzero', hllBytes(1, Buffer.from([0x7f]))],
      ['cachedBad', hllBytes(1, Buffer.from([0x00]), Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]))],
      ['staleBad', hllBytes(1, Buffer.from([0x00, 0x80, 0x40]), Buffer.from([5, 0, 0, 0, 0, 0, 0, 0x80]))],
      ['dense', dense],
      ['denseStale', hllBytes(0, Buffer.alloc(12288, 0xff), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80]))],
    ]
    for (const [key, value] of cases) {
      await s('SET', key, value)
      await s('PFCOUNT', key)
      await s('GET', key)
      await s('PFCOUNT', key, 'nokey')
      await s('PFADD', key, 'a', 'b', 'c', 'd')
      await s('GET', key)
      await s('PFMERGE', `m-${key}`, key)
      await s('GET', `m-${key}`)
      await s('PFDEBUG', 'DECODE', key)
      await s('PFDEBUG', 'GETREG', key)
      await s('PFDEBUG', 'TODENSE', key)
      await s('GET', key)
    }
  })

  it('random PFADD sequences (seeded): sparse growth, promotion to dense, unions and merges of mixed encodings', async () => {
    const random = prng(20240607)
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4']
    // Each key gets a different number of elements so some stay sparse and some turn dense.
    const budgets = [40, 400, 1500, 4000, 9000]
    for (const [i, key] of keys.entries()) {
      let added = 0
      let round = 0
      while (added < (budgets[i] as number)) {
        const batch = Array.from({length: 1 + Math.floor(random() * Math.min(200, 5 + added / 4))}, () => randomElement(random))
        added += batch.length
        await s('PFADD', key, ...batch)
        if (round++ % 7 === 0) {
          await s('PFCOUNT', key)
          await sameHll(key)
        }
      }
      await s('PFCOUNT', key)
      await sameHll(key)
    }
    await s('PFCOUNT', ...keys)
    await s('PFCOUNT', 'k0', 'k1')
    await s('PFCOUNT', 'k4', 'k0', 'nokey')
    await s('PFMERGE', 'sparseUnion', 'k0', 'k1')
    await sameHll('sparseUnion')
    await s('PFCOUNT', 'sparseUnion')
    await s('PFMERGE', 'k1', 'k0', 'k2')
    await sameHll('k1')
    await s('PFMERGE', 'all', ...keys)
    await sameHll('all')
    await s('PFCOUNT', 'all')
    await s('PFMERGE', 'k0', 'k4')
    await sameHll('k0')
    await s('PFMERGE', 'empty')
    await sameHll('empty')
    await s('PFMERGE', 'k3')
    await sameHll('k3')
    await s('PFDEBUG', 'GETREG', 'all')
  })

  it('hll-sparse-max-bytes decides when a sparse HLL turns dense', async () => {
    const random = prng(7)
    for (const limit of ['0', '100', '700', '12000']) {
      await s('CONFIG', 'SET', 'hll-sparse-max-bytes', limit)
      const key = `limit${limit}`
      for (let round = 0; round < 30; round++) {
        await s('PFADD', key, ...Array.from({length: 1 + round * 5}, () => randomElement(random)))
        if (round % 3 === 0) await sameHll(key)
      }
      await sameHll(key)
      await s('PFMERGE', `${key}-merged`, 'nokey', key)
      await sameHll(`${key}-merged`)
    }
    await s('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000')
  })

  it('every element of a large range: thousands of distinct counts estimate as Redis estimates them', async () => {
    const elements = Array.from({length: 20000}, (_, i) => `e${i}`)
    for (let i = 0; i < elements.length; i += 500) {
      await s('PFADD', 'big', ...elements.slice(i, i + 500))
      await s('PFCOUNT', 'big')
    }
    await sameHll('big')
  })

  it('PFCOUNT writing the cache counts as a change of the key (WATCH), a cached count does not', async () => {
    await s('PFADD', 'h', 'a', 'b')
    await s('WATCH', 'h')
    await s('PFCOUNT', 'h')
    await s('MULTI')
    await s('PING')
    await s('EXEC')
    await s('WATCH', 'h')
    await s('PFCOUNT', 'h')
    await s('MULTI')
    await s('PING')
    await s('EXEC')
  })

  it('keyspace events: pfadd for PFADD that changed a register and for PFMERGE, none for PFCOUNT', async () => {
    await eventsDuring(async () => {
      await s('PFADD', 'h', 'a', 'b')
      await s('PFADD', 'h', 'a')
      await s('PFADD', 'fresh')
      await s('PFCOUNT', 'h')
      await s('PFMERGE', 'm', 'h', 'fresh')
      await s('PFMERGE', 'm')
      await s('PFDEBUG', 'TODENSE', 'h')
    })
  })

  it('RESP3 replies', async () => {
    await pair.resp3()
    await s('PFADD', 'h', 'a', 'b', 'c')
    await s('PFCOUNT', 'h')
    await s('PFDEBUG', 'ENCODING', 'h')
    await s('PFDEBUG', 'DECODE', 'h')
    await s('PFDEBUG', 'GETREG', 'h')
  })

  it('DUMP/RESTORE: an HLL dumped by Redis restores on ours and the reverse, with identical payloads', async () => {
    const random = prng(99)
    for (const [key, count] of [['small', 10], ['medium', 600], ['dense', 5000]] as const) {
      const elements = Array.from({length: count}, () => randomElement(random))
      for (let i = 0; i < elements.length; i += 300) await s('PFADD', key, ...elements.slice(i, i + 300))
      await s('DUMP', key)
      await s('PFCOUNT', key)
      await s('DUMP', key)
      const fromRedis = await pair.realClient.command('DUMP', key)
      const fromOurs = await pair.ourClient.command('DUMP', key)
      const payloadOf = (reply: Buffer): Buffer => reply.subarray(reply.indexOf('\r\n') + 2, reply.length - 2)
      expect((await pair.ourClient.command('RESTORE', `${key}-r`, '0', payloadOf(fromRedis))).toString()).toBe('+OK\r\n')
      expect((await pair.realClient.command('RESTORE', `${key}-r`, '0', payloadOf(fromOurs))).toString()).toBe('+OK\r\n')
      await sameHll(`${key}-r`)
      await s('PFCOUNT', `${key}-r`)
      await s('PFADD', `${key}-r`, 'more', 'elements')
      await sameHll(`${key}-r`)
    }
  })

  it('PFSELFTEST passes', async () => {
    // Ten million adds: give the reply more time than the raw client's default.
    const run = async (client: typeof pair.realClient): Promise<string> => {
      client.send('*1\r\n$10\r\nPFSELFTEST\r\n')
      return (await client.reply(100_000)).toString()
    }
    const [a, b] = await Promise.all([run(pair.realClient), run(pair.ourClient)])
    expect(b).toBe(a)
    expect(a).toBe('+OK\r\n')
  }, 120_000)

  describe('what replicas receive', () => {
    it('PFADD when a register changed, PFCOUNT when it wrote the cache, PFMERGE always, PFDEBUG on conversion', async () => {
      const [real, ours] = await Promise.all([attachSyncReplica(pair.real), attachSyncReplica(pair.ours)])
      try {
        await s('PFADD', 'h', 'a', 'b', 'c')
        await s('PFADD', 'h', 'a')
        await s('pfcount', 'h')
        await s('PFCOUNT', 'h')
        await s('PFCOUNT', 'h', 'nokey')
        await s('PFADD', 'h2', 'x')
        await s('PFMERGE', 'm', 'h', 'h2')
        await s('PFMERGE', 'm')
        await s('PFDEBUG', 'ENCODING', 'h')
        await s('PFDEBUG', 'DECODE', 'h')
        await s('PFDEBUG', 'GETREG', 'h')
        await s('PFDEBUG', 'GETREG', 'h')
        await s('PFDEBUG', 'TODENSE', 'h2')
        await s('PFDEBUG', 'TODENSE', 'h2')
        await s('SET', 'done', '1')
        const [a, b] = await Promise.all([real.stream(), ours.stream()])
        expect(b).toBe(a)
      } finally {
        real.close()
        ours.close()
      }
    })
  })
})
