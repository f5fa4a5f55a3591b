// DUMP and RESTORE against real Redis 7.0: payloads travel both ways (ours RESTOREd on Redis, Redis's on ours)
// for every type and encoding, compared by DEBUG DIGEST-VALUE; where both hold the value in the same encoding
// the payloads are byte-identical (LZF compression included). RESTORE's options and errors reply alike.

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {crc64} from '../../src/server/persistence/crc64.js'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const skip = realRedisMissing ?? bundledMissing

/** The payload of a DUMP reply ($len\r\n…\r\n), undefined for a nil reply. */
async function dump(client: RawClient, key: string): Promise<Buffer | undefined> {
  const reply = await client.command('DUMP', key)
  if (reply.toString('latin1') === '$-1\r\n') return undefined
  const header = reply.indexOf('\r\n')
  expect(reply[0]).toBe(0x24)
  return reply.subarray(header + 2, reply.length - 2)
}

/** A payload with the given body and version, and a correct CRC-64. */
function payload(body: Buffer, version = 10): Buffer {
  const footer = Buffer.alloc(2)
  footer.writeUInt16LE(version, 0)
  const crc = Buffer.alloc(8)
  crc.writeBigUInt64LE(crc64(Buffer.concat([body, footer])), 0)
  return Buffer.concat([body, footer, crc])
}

/** A deterministic pseudo-random string (LZF cannot shrink it). */
function noise(length: number, seed: number): string {
  let x = seed
  let out = ''
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648
    out += String.fromCharCode(33 + (x % 90))
  }
  return out
}

const range = (n: number): number[] => Array.from({length: n}, (_, i) => i + 1)

interface Case {
  name: string
  setup: string[][]
  /** Both servers hold the value in the same encoding with the same layout: the payloads are equal bytes. */
  identical: boolean
}

const CASES: Case[] = [
  {name: 'embstr', setup: [['SET', 'k', 'hello']], identical: true},
  {name: 'empty string', setup: [['SET', 'k', '']], identical: true},
  {name: 'int8', setup: [['SET', 'k', '-7']], identical: true},
  {name: 'int16', setup: [['SET', 'k', '12345']], identical: true},
  {name: 'int32', setup: [['SET', 'k', '-70000']], identical: true},
  {name: 'int64 (written as text)', setup: [['SET', 'k', '9223372036854775807']], identical: true},
  {name: 'not canonical integers', setup: [['SET', 'k', '007']], identical: true},
  {name: 'binary', setup: [['SET', 'k', '\0\xff\r\nbinary']], identical: true},
  {name: 'compressible raw string (LZF)', setup: [['SET', 'k', 'abc'.repeat(100)]], identical: true},
  {name: 'text with repeats (LZF)', setup: [['SET', 'k', 'the quick brown fox jumps over the lazy dog, the quick brown fox again']], identical: true},
  {name: '21 bytes of one letter (LZF threshold)', setup: [['SET', 'k', 'a'.repeat(21)]], identical: true},
  {name: 'incompressible raw string', setup: [['SET', 'k', noise(200, 7)]], identical: true},
  {name: 'long string', setup: [['SET', 'k', `${noise(5000, 3)}${'z'.repeat(20000)}`]], identical: true},
  {name: 'list (one node, ints of every width)', setup: [['RPUSH', 'k', 'a', 'b', '1', '2', '300', '-5', '70000', '-4097', '5000000000', '']], identical: true},
  {name: 'list built with LPUSH', setup: [['LPUSH', 'k', 'a', 'b', 'c', 'd']], identical: true},
  {name: 'list with compressible node', setup: [['RPUSH', 'k', ...range(40).map((i) => `item:${i % 4}`)]], identical: true},
  {name: 'list with a big element', setup: [['RPUSH', 'k', 'a', 'x'.repeat(9000), 'b']], identical: true},
  {name: 'quicklist of many nodes', setup: [['RPUSH', 'k', ...range(600).map((i) => `${'y'.repeat(100)}${i}`)]], identical: false},
  {name: 'intset int16', setup: [['SADD', 'k', '1', '2', '3', '-100']], identical: true},
  {name: 'intset int32', setup: [['SADD', 'k', '1', '70000', '-5']], identical: true},
  {name: 'intset int64', setup: [['SADD', 'k', '1', '2', '3', '-100', '70000', '5000000000']], identical: true},
  {name: 'set of strings (hashtable)', setup: [['SADD', 'k', 'a', 'b', 'c', '1']], identical: false},
  {name: 'big set of integers (hashtable)', setup: [['SADD', 'k', ...range(600).map(String)]], identical: false},
  {name: 'small hash (listpack)', setup: [['HSET', 'k', 'f1', 'v1', 'f2', '2', 'num', '-70000', 'empty', '']], identical: true},
  {name: 'listpack hash after updates', setup: [['HSET', 'k', 'f1', 'v1', 'f2', 'v2', 'f3', 'v3'], ['HDEL', 'k', 'f2'], ['HSET', 'k', 'f2', 'again', 'f1', 'changed']], identical: true},
  {name: 'hash with a long value (hashtable)', setup: [['HSET', 'k', 'f', 'v'.repeat(65)]], identical: true},
  {name: 'big hash (hashtable)', setup: [['HSET', 'k', ...range(600).flatMap((i) => [`f${i}`, `v${i}`])]], identical: false},
  {name: 'small zset (listpack)', setup: [['ZADD', 'k', '1', 'a', '2.5', 'b', '0.1', 'c', '-3', 'd', '1e10', 'e', '-0', 'f']], identical: true},
  {name: 'zset with infinities', setup: [['ZADD', 'k', 'inf', 'top', '-inf', 'bottom', '3', 'mid']], identical: true},
  {name: 'zset with a long member (skiplist)', setup: [['ZADD', 'k', '1', 'm'.repeat(65), '2', 'short']], identical: true},
  {name: 'big zset (skiplist)', setup: [['ZADD', 'k', ...range(200).flatMap((i) => [`${(i * 7) % 13}.${i}`, `member:${i}`])]], identical: true},
]

describe.skipIf(!!skip)(`DUMP / RESTORE match Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: DifferentialPair
  beforeAll(async () => {
    pair = await startDifferentialPair(['--save', '', '--enable-debug-command', 'yes'])
  })
  afterAll(() => pair?.stop())
  beforeEach(() => pair.reset())

  it.each(CASES)('$name', async ({setup, identical}) => {
    const s = pair.expectSame
    for (const command of setup) await s(...command)
    await s('OBJECT', 'ENCODING', 'k')
    const real = await dump(pair.realClient, 'k')
    const ours = await dump(pair.ourClient, 'k')
    expect(real).toBeDefined()
    expect(ours).toBeDefined()
    if (identical) expect(ours?.toString('hex')).toBe(real?.toString('hex'))
    // Each server restores the other's payload under the same name, so the replies can be compared.
    expect((await pair.realClient.command('RESTORE', 'copy', '0', ours as Buffer)).toString()).toBe('+OK\r\n')
    expect((await pair.ourClient.command('RESTORE', 'copy', '0', real as Buffer)).toString()).toBe('+OK\r\n')
    const digests = await s('DEBUG', 'DIGEST-VALUE', 'k', 'copy')
    const [original, copy] = digests.split('\r\n').filter((l) => l.startsWith('+'))
    expect(copy).toBe(original)
    await s('TYPE', 'copy')
    await s('TTL', 'copy')
    // Our own payload restores on ours too, and dumping the copy gives the payload back.
    expect((await pair.ourClient.command('RESTORE', 'again', '0', ours as Buffer)).toString()).toBe('+OK\r\n')
    expect((await dump(pair.ourClient, 'again'))?.toString('hex')).toBe(ours?.toString('hex'))
  })

  it('LZF output equals Redis for strings of every shape (seeded fuzz)', async () => {
    let x = 12345
    const next = (n: number): number => {
      x = (x * 1103515245 + 12345) % 2147483648
      return x % n
    }
    for (let t = 0; t < 80; t++) {
      const alphabet = 1 + next(6) * next(40)
      const length = 21 + next(t % 10 === 0 ? 20000 : 300)
      const parts: string[] = []
      while (parts.join('').length < length) {
        if (next(3) === 0 && parts.length > 0) parts.push(parts[next(parts.length)] as string)
        else parts.push(Array.from({length: 1 + next(12)}, () => String.fromCharCode(97 + (next(alphabet) % 150))).join(''))
      }
      const value = Buffer.from(parts.join('').slice(0, length), 'latin1')
      await pair.expectSame('SET', 'k', value)
      const real = await dump(pair.realClient, 'k')
      expect((await dump(pair.ourClient, 'k'))?.toString('hex'), `string ${t} of ${length} bytes`).toBe(real?.toString('hex'))
    }
  })

  it('with rdbcompression off nothing is LZF-compressed, as in Redis', async () => {
    const s = pair.expectSame
    await s('CONFIG', 'SET', 'rdbcompression', 'no')
    await s('SET', 'str', 'abc'.repeat(100))
    await s('RPUSH', 'list', ...range(40).map((i) => `item:${i % 4}`))
    for (const key of ['str', 'list']) {
      const real = await dump(pair.realClient, key)
      expect((await dump(pair.ourClient, key))?.toString('hex')).toBe(real?.toString('hex'))
      expect(real?.includes('abcabcabc') || real?.includes('item:1')).toBe(true)
    }
    await s('CONFIG', 'SET', 'rdbcompression', 'yes')
  })

  it('DUMP of a missing key is nil (RESP2 and RESP3), and DUMP checks its arity', async () => {
    const s = pair.expectSame
    await s('DUMP', 'nope')
    await s('DUMP')
    await s('DUMP', 'a', 'b')
    await s('SET', 'k', 'v', 'PX', '1')
    await new Promise((r) => setTimeout(r, 20))
    await s('DUMP', 'k')
    await Promise.all([pair.realClient.command('HELLO', '3'), pair.ourClient.command('HELLO', '3')])
    await s('DUMP', 'nope')
  })

  it('RESTORE: BUSYKEY, REPLACE, TTLs, ABSTTL and already-expired keys', async () => {
    const s = pair.expectSame
    await s('SET', 'src', 'value')
    const data = await dump(pair.ourClient, 'src') as Buffer
    await s('RESTORE', 'src', '0', data)
    // The target check comes before the TTL is even parsed.
    await s('RESTORE', 'src', '-1', data)
    await s('RESTORE', 'src', 'abc', data)
    await s('RESTORE', 'src', '0', data, 'REPLACE')
    await s('GET', 'src')
    await s('TTL', 'src')
    await s('RESTORE', 'new', '-1', data)
    await s('RESTORE', 'new', 'abc', data)
    await s('RESTORE', 'new', '1.5', data)
    await s('EXISTS', 'new')
    await s('RESTORE', 'new', '100000', data)
    await s('TTL', 'new')
    await s('RESTORE', 'new', '0', data, 'REPLACE')
    await s('TTL', 'new')
    // A future absolute expiry is kept to the millisecond.
    await s('RESTORE', 'abs', '4102444800000', data, 'ABSTTL')
    await s('PEXPIRETIME', 'abs')
    await s('RESTORE', 'abs', '4102444800123', data, 'absttl', 'replace')
    await s('PEXPIRETIME', 'abs')
    // A past absolute expiry: OK, but nothing is created — and a replaced key is gone.
    await s('RESTORE', 'past', '1', data, 'ABSTTL')
    await s('EXISTS', 'past')
    await s('SET', 'past', 'old')
    await s('RESTORE', 'past', '1', data, 'ABSTTL', 'REPLACE')
    await s('EXISTS', 'past')
    await s('SET', 'past', 'old')
    await s('RESTORE', 'past', '1', data, 'ABSTTL')
    await s('GET', 'past')
    // A relative TTL that overflows lands in the past as well.
    await s('RESTORE', 'huge', '9223372036854775807', data)
    await s('EXISTS', 'huge')
    await s('RESTORE', 'big', '9223372036854775808', data)
    // A restored key replaces a key of another type.
    await s('RPUSH', 'list', 'a')
    await s('RESTORE', 'list', '0', data, 'REPLACE')
    await s('TYPE', 'list')
  })

  it('RESTORE options: IDLETIME, FREQ, syntax and value errors', async () => {
    const s = pair.expectSame
    await s('SET', 'src', 'value')
    const data = await dump(pair.ourClient, 'src') as Buffer
    await s('RESTORE', 'k', '0', data, 'IDLETIME', '1000')
    await s('OBJECT', 'IDLETIME', 'k')
    await s('RESTORE', 'k', '0', data, 'REPLACE', 'IDLETIME', '0')
    await s('OBJECT', 'IDLETIME', 'k')
    await s('RESTORE', 'k2', '0', data, 'FREQ', '100')
    await s('EXISTS', 'k2')
    await s('RESTORE', 'k3', '0', data, 'IDLETIME', '-1')
    await s('RESTORE', 'k3', '0', data, 'IDLETIME', 'x')
    await s('RESTORE', 'k3', '0', data, 'IDLETIME')
    await s('RESTORE', 'k3', '0', data, 'FREQ', '256')
    await s('RESTORE', 'k3', '0', data, 'FREQ', '-1')
    await s('RESTORE', 'k3', '0', data, 'FREQ', '1.5')
    await s('RESTORE', 'k3', '0', data, 'IDLETIME', '5', 'FREQ', '5')
    await s('RESTORE', 'k3', '0', data, 'FREQ', '5', 'IDLETIME', '5')
    await s('RESTORE', 'k3', '0', data, 'NOPE')
    await s('RESTORE', 'k3', '0', data, 'REPLACE', 'REPLACE', 'ABSTTL')
    // Option errors come before the BUSYKEY check.
    await s('RESTORE', 'src', '0', data, 'IDLETIME', '-1')
    await s('RESTORE', 'src', '0', data, 'BOGUS')
    await s('RESTORE', 'k4', '0')
    await s('RESTORE', 'k4')
  })

  it('RESTORE rejects bad checksums, newer versions, short and undecodable payloads', async () => {
    const s = pair.expectSame
    await s('RPUSH', 'src', 'a', 'b', 'c')
    const data = await dump(pair.ourClient, 'src') as Buffer
    const flipped = Buffer.from(data)
    flipped[3] = (flipped[3] as number) ^ 0x01
    await s('RESTORE', 'k', '0', flipped)
    const badCrc = Buffer.from(data)
    badCrc[badCrc.length - 1] = (badCrc[badCrc.length - 1] as number) ^ 0xff
    await s('RESTORE', 'k', '0', badCrc)
    await s('RESTORE', 'k', '0', 'short')
    await s('RESTORE', 'k', '0', '')
    const body = data.subarray(0, data.length - 10)
    await s('RESTORE', 'k', '0', payload(body, 11))
    // Older RDB versions are accepted.
    await s('RESTORE', 'k', '0', payload(body, 9))
    await s('LRANGE', 'k', '0', '-1')
    // Valid footers around bodies that do not decode.
    await s('RESTORE', 'x', '0', payload(Buffer.from([0xff])))
    await s('RESTORE', 'x', '0', payload(Buffer.from([200, 1, 2])))
    await s('RESTORE', 'x', '0', payload(Buffer.from([0x00, 0x40])))
    await s('RESTORE', 'x', '0', payload(Buffer.alloc(0)))
    // An empty collection is refused.
    await s('RESTORE', 'x', '0', payload(Buffer.from([18, 0])))
    await s('RESTORE', 'x', '0', payload(Buffer.from([2, 0])))
    // Bytes after the value are ignored, as in Redis.
    await s('RESTORE', 'x', '0', payload(Buffer.from([0x00, 0x03, 0x61, 0x62, 0x63, 0x7a, 0x7a])))
    await s('GET', 'x')
    // Hand-built payloads: a plain (type 0) string with LZF, a plain list (type 1), a plain set (type 2).
    await s('RESTORE', 'lzf', '0', payload(Buffer.from([0x00, 0xc3, 0x06, 0x19, 0x01, 0x61, 0x61, 0xe0, 0x0e, 0x00])))
    await s('GET', 'lzf')
    await s('RESTORE', 'plainlist', '0', payload(Buffer.from([0x01, 0x02, 0x01, 0x61, 0xc0, 0x05])))
    await s('LRANGE', 'plainlist', '0', '-1')
    await s('RESTORE', 'plainset', '0', payload(Buffer.from([0x02, 0x02, 0x01, 0x61, 0x01, 0x62])))
    await s('SCARD', 'plainset')
    await s('SMISMEMBER', 'plainset', 'a', 'b', 'c')
    await s('EXISTS', 'k', 'x', 'lzf')
  })
})
