// Differential tests for LPOS, HRANDFIELD, SRANDMEMBER/SMISMEMBER/SINTERCARD, the bitmap commands and LCS:
// the same raw RESP to real Redis 7.0 and to rtopo-server, byte-identical replies, errors and RESP3 included.
// Random replies (HRANDFIELD, SRANDMEMBER) are compared by shape, size and membership instead.

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {ReplyParser, type RespValue} from '../../src/resp/reply-parser.js'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {prng} from '../helpers/prng.js'

const skip = realRedisMissing ?? bundledMissing

/** Binary test values: the raw client would send a JS string as UTF-8. */
const bin = (text: string): Buffer => Buffer.from(text, 'latin1')

type Plain = string | number | null | Plain[]

/** A reply as plain data: bulk/simple → string, int → number, nil → null, aggregates → arrays. */
function plain(value: RespValue): Plain {
  switch (value.type) {
    case 'bulk':
      return value.value === null ? null : value.value.toString('latin1')
    case 'simple':
    case 'error':
    case 'double':
    case 'bignum':
      return value.value
    case 'int':
      return Number(value.value)
    case 'array':
      return value.value === null ? null : value.value.map(plain)
    case 'set':
    case 'push':
      return value.value.map(plain)
    case 'map':
      return value.value.flatMap(([k, v]) => [plain(k), plain(v)])
    case 'null':
      return null
    case 'bool':
      return value.value ? 1 : 0
    case 'verbatim':
      return value.value.toString('latin1')
  }
}

function decode(bytes: Buffer): Plain {
  const parser = new ReplyParser()
  parser.feed(bytes)
  const parsed = parser.next()
  if (parsed === undefined) throw new Error(`incomplete reply ${JSON.stringify(bytes.toString('latin1'))}`)
  return plain(parsed.value)
}

describe.skipIf(!!skip)(`more data commands match Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: DifferentialPair
  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(() => pair?.stop())
  beforeEach(() => pair.reset())
  const resp3 = () => pair.resp3()
  /** The decoded replies of real Redis and ours to the same command. */
  const both = async (...command: string[]): Promise<[Plain, Plain]> => {
    const [a, b] = await Promise.all([pair.realClient.command(...command), pair.ourClient.command(...command)])
    return [decode(a), decode(b)]
  }

  it('LPOS: RANK, COUNT, MAXLEN, their errors, and RESP3 nil', async () => {
    const s = pair.expectSame
    await s('RPUSH', 'l', 'a', 'b', 'c', '1', '2', '3', 'c', 'c', 'a')
    await s('LPOS', 'l', 'c')
    await s('LPOS', 'l', 'zz')
    await s('LPOS', 'nope', 'a')
    await s('LPOS', 'nope', 'a', 'COUNT', '0')
    await s('LPOS', 'l', 'c', 'RANK', '2')
    await s('LPOS', 'l', 'c', 'RANK', '-1')
    await s('LPOS', 'l', 'c', 'RANK', '-3')
    await s('LPOS', 'l', 'c', 'RANK', '4')
    await s('LPOS', 'l', 'c', 'COUNT', '2')
    await s('LPOS', 'l', 'c', 'COUNT', '0')
    await s('LPOS', 'l', 'c', 'COUNT', '0', 'RANK', '-1')
    await s('LPOS', 'l', 'c', 'COUNT', '0', 'RANK', '2')
    await s('LPOS', 'l', 'c', 'COUNT', '5', 'RANK', '9')
    await s('LPOS', 'l', 'c', 'MAXLEN', '3')
    await s('LPOS', 'l', 'c', 'MAXLEN', '2')
    await s('LPOS', 'l', 'a', 'RANK', '-1', 'MAXLEN', '1')
    await s('LPOS', 'l', 'c', 'RANK', '-1', 'COUNT', '0', 'MAXLEN', '3')
    await s('LPOS', 'l', 'c', 'MAXLEN', '0', 'COUNT', '1')
    await s('LPOS', 'l', 'c', 'rank', '1', 'count', '1', 'maxlen', '0')
    await s('LPOS', 'l', 'c', 'RANK', '1', 'RANK', '-2')
    await s('LPOS', 'l', 'c', 'RANK', '9223372036854775807')
    await s('LPOS', 'l', 'c', 'RANK', '-9223372036854775807', 'COUNT', '1')
    await s('LPOS', 'l', 'c', 'RANK', '-9223372036854775808')
    await s('LPOS', 'l', 'c', 'RANK', '-9223372036854775808', 'COUNT', '1')
    await s('LPOS', 'l', 'c', 'COUNT', '9223372036854775807')
    await s('LPOS', 'l', 'c', 'MAXLEN', '9223372036854775807')
    // Errors, in argument order.
    await s('LPOS', 'l', 'c', 'RANK', '0')
    await s('LPOS', 'l', 'c', 'RANK', 'x')
    await s('LPOS', 'l', 'c', 'RANK', '9223372036854775808')
    await s('LPOS', 'l', 'c', 'COUNT', '-1')
    await s('LPOS', 'l', 'c', 'COUNT', 'x')
    await s('LPOS', 'l', 'c', 'MAXLEN', '-1')
    await s('LPOS', 'l', 'c', 'MAXLEN', '1.5')
    await s('LPOS', 'l', 'c', 'RANK')
    await s('LPOS', 'l', 'c', 'FOO', '1')
    await s('LPOS', 'l', 'c', 'COUNT', '-1', 'RANK', '0')
    await s('LPOS', 'nope', 'c', 'RANK', '0')
    await s('LPOS', 'l')
    await s('SET', 'str', 'x')
    await s('LPOS', 'str', 'x')
    await s('LPOS', 'str', 'x', 'COUNT', '-1')
    await resp3()
    await s('LPOS', 'l', 'zz')
    await s('LPOS', 'nope', 'a')
    await s('LPOS', 'nope', 'a', 'COUNT', '1')
    await s('LPOS', 'l', 'c', 'COUNT', '0')
  })

  it('HRANDFIELD: deterministic cases byte for byte, random ones by shape and membership, RESP2 and RESP3', async () => {
    const s = pair.expectSame
    await s('HSET', 'h', 'f1', 'v1', 'f2', 'v2', 'f3', 'v3', 'f4', 'v4', 'f5', 'v5')
    await s('HSET', 'one', 'only', 'value')
    await s('HRANDFIELD', 'nope')
    await s('HRANDFIELD', 'nope', '3')
    await s('HRANDFIELD', 'nope', '-3', 'WITHVALUES')
    await s('HRANDFIELD', 'h', '0')
    await s('HRANDFIELD', 'h', '0', 'WITHVALUES')
    // count >= size: the whole hash in its order.
    await s('HRANDFIELD', 'h', '5')
    await s('HRANDFIELD', 'h', '100', 'WITHVALUES')
    await s('HRANDFIELD', 'h', '9223372036854775807')
    // A one-field hash leaves no choice.
    await s('HRANDFIELD', 'one')
    await s('HRANDFIELD', 'one', '1', 'WITHVALUES')
    await s('HRANDFIELD', 'one', '-3', 'WITHVALUES')
    await s('HRANDFIELD', 'one', '-2', 'withvalues')
    // Errors: the count is parsed before the key is read.
    await s('HRANDFIELD', 'h', 'x')
    await s('HRANDFIELD', 'h', '1.5')
    await s('HRANDFIELD', 'h', '-9223372036854775808')
    await s('HRANDFIELD', 'h', '9223372036854775808')
    await s('HRANDFIELD', 'h', '4611686018427387903', 'WITHVALUES')
    await s('HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES')
    await s('HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES')
    await s('HRANDFIELD', 'h', '-4611686018427387903', 'WITHVALUES', 'x')
    await s('HRANDFIELD', 'h', '1', 'FOO')
    await s('HRANDFIELD', 'nope', '1', 'FOO')
    await s('HRANDFIELD', 'h', '1', 'WITHVALUES', 'WITHVALUES')
    await s('SET', 'str', 'x')
    await s('HRANDFIELD', 'str')
    await s('HRANDFIELD', 'str', '2')
    await s('HRANDFIELD', 'str', 'x')
    await s('HRANDFIELD')

    const fields = ['f1', 'f2', 'f3', 'f4', 'f5']
    const valueOf = (f: Plain): string => `v${String(f).slice(1)}`
    for (const protocol of [2, 3]) {
      if (protocol === 3) await resp3()
      const [realOne, ourOne] = await both('HRANDFIELD', 'h')
      expect(fields).toContain(realOne)
      expect(fields).toContain(ourOne)
      // Distinct fields, fewer than the hash holds.
      const [realSome, ourSome] = (await both('HRANDFIELD', 'h', '3')) as [string[], string[]]
      for (const reply of [realSome, ourSome]) {
        expect(reply).toHaveLength(3)
        expect(new Set(reply).size).toBe(3)
        for (const f of reply) expect(fields).toContain(f)
      }
      // Negative counts repeat fields; WITHVALUES pairs each field with its value.
      const [realMany, ourMany] = (await both('HRANDFIELD', 'h', '-20')) as [string[], string[]]
      for (const reply of [realMany, ourMany]) {
        expect(reply).toHaveLength(20)
        for (const f of reply) expect(fields).toContain(f)
      }
      for (const count of ['2', '-7', '1']) {
        const [realPairs, ourPairs] = (await both('HRANDFIELD', 'h', count, 'WITHVALUES')) as [Plain[], Plain[]]
        const n = Math.abs(Number(count))
        for (const reply of [realPairs, ourPairs]) {
          const pairs = protocol === 3 ? reply : Array.from({length: reply.length / 2}, (_, i) => [reply[2 * i], reply[2 * i + 1]])
          expect(reply).toHaveLength(protocol === 3 ? n : 2 * n)
          for (const p of pairs as Plain[][]) {
            expect(p).toHaveLength(2)
            expect(fields).toContain(p[0])
            expect(p[1]).toBe(valueOf(p[0] as Plain))
          }
          if (Number(count) > 0) expect(new Set((pairs as Plain[][]).map((p) => p[0])).size).toBe(n)
        }
      }
    }
    await s('HRANDFIELD', 'h', '5', 'WITHVALUES')
    await s('HRANDFIELD', 'one', '-2', 'WITHVALUES')
    await s('HRANDFIELD', 'nope')
    await s('HRANDFIELD', 'nope', '1', 'WITHVALUES')
  })

  it('SRANDMEMBER and SMISMEMBER', async () => {
    const s = pair.expectSame
    await s('SADD', 'one', 'm')
    await s('SADD', 's', 'a', 'b', 'c', 'd')
    await s('SRANDMEMBER', 'nope')
    await s('SRANDMEMBER', 'nope', '5')
    await s('SRANDMEMBER', 'nope', '-5')
    await s('SRANDMEMBER', 's', '0')
    await s('SRANDMEMBER', 'one')
    await s('SRANDMEMBER', 'one', '1')
    await s('SRANDMEMBER', 'one', '-3')
    await s('SRANDMEMBER', 'one', '9223372036854775807')
    await s('SRANDMEMBER', 's', 'x')
    await s('SRANDMEMBER', 'nope', 'x')
    await s('SRANDMEMBER', 's', '-9223372036854775808')
    await s('SRANDMEMBER', 's', '9223372036854775808')
    await s('SRANDMEMBER', 's', '1', '2')
    await s('SET', 'str', 'x')
    await s('SRANDMEMBER', 'str')
    await s('SRANDMEMBER', 'str', '2')
    await s('SRANDMEMBER', 'str', 'x')
    await s('SMISMEMBER', 's', 'a', 'z', 'd', 'a')
    await s('SMISMEMBER', 'nope', 'a', 'b')
    await s('SMISMEMBER', 'str', 'a')
    await s('SMISMEMBER', 's')

    const members = ['a', 'b', 'c', 'd']
    for (const protocol of [2, 3]) {
      if (protocol === 3) await resp3()
      const [realOne, ourOne] = await both('SRANDMEMBER', 's')
      expect(members).toContain(realOne)
      expect(members).toContain(ourOne)
      // count >= size returns every member (the order is the set's own, which differs between servers).
      const [realAll, ourAll] = (await both('SRANDMEMBER', 's', '10')) as [string[], string[]]
      expect([...ourAll].sort()).toEqual([...realAll].sort())
      expect([...ourAll].sort()).toEqual(members)
      const [realSome, ourSome] = (await both('SRANDMEMBER', 's', '3')) as [string[], string[]]
      for (const reply of [realSome, ourSome]) {
        expect(reply).toHaveLength(3)
        expect(new Set(reply).size).toBe(3)
        for (const m of reply) expect(members).toContain(m)
      }
      const [realMany, ourMany] = (await both('SRANDMEMBER', 's', '-9')) as [string[], string[]]
      for (const reply of [realMany, ourMany]) {
        expect(reply).toHaveLength(9)
        for (const m of reply) expect(members).toContain(m)
      }
    }
    await s('SRANDMEMBER', 'nope')
    await s('SRANDMEMBER', 'nope', '2')
    await s('SMISMEMBER', 's', 'a', 'z')
  })

  it('SINTERCARD: numkeys, LIMIT, missing keys, WRONGTYPE and errors', async () => {
    const s = pair.expectSame
    await s('SADD', 'a', '1', '2', '3', '4', '5', 'x')
    await s('SADD', 'b', '2', '3', '4', '5', '6', 'x')
    await s('SADD', 'c', '3', '4', '5', 'x', 'y')
    await s('SINTERCARD', '1', 'a')
    await s('SINTERCARD', '2', 'a', 'b')
    await s('SINTERCARD', '3', 'a', 'b', 'c')
    await s('SINTERCARD', '3', 'a', 'b', 'c', 'LIMIT', '0')
    await s('SINTERCARD', '3', 'a', 'b', 'c', 'LIMIT', '2')
    await s('SINTERCARD', '3', 'a', 'b', 'c', 'limit', '100')
    await s('SINTERCARD', '2', 'a', 'a')
    await s('SINTERCARD', '2', 'a', 'nope')
    await s('SINTERCARD', '1', 'nope')
    await s('SINTERCARD', '2', 'a', 'b', 'LIMIT', '1', 'LIMIT', '3')
    await s('SINTERCARD', '1', 'a', 'LIMIT', '9223372036854775807')
    await s('SET', 'str', 'x')
    await s('SINTERCARD', '2', 'a', 'str')
    await s('SINTERCARD', '2', 'nope', 'str')
    await s('SINTERCARD', '2', 'str', 'nope')
    // Errors, in the order Redis checks them.
    await s('SINTERCARD', '0', 'a')
    await s('SINTERCARD', '-1', 'a')
    await s('SINTERCARD', 'x', 'a')
    await s('SINTERCARD', '9223372036854775808', 'a')
    await s('SINTERCARD', '3', 'a', 'b')
    await s('SINTERCARD', '1', 'a', 'LIMIT')
    await s('SINTERCARD', '1', 'a', 'LIMIT', '-1')
    await s('SINTERCARD', '1', 'a', 'LIMIT', 'x')
    await s('SINTERCARD', '1', 'a', 'FOO')
    await s('SINTERCARD', '1', 'str', 'FOO')
    await s('SINTERCARD', '1')
    await s('SINTERCARD', '1', 'a', 'b')
    await resp3()
    await s('SINTERCARD', '2', 'a', 'b')
    await s('SINTERCARD', '2', 'a', 'nope')
  })

  it('SETBIT and GETBIT: values are strings, offsets up to 2^32-1, errors', async () => {
    const s = pair.expectSame
    await s('SETBIT', 'b', '7', '1')
    await s('GET', 'b')
    await s('SETBIT', 'b', '7', '1')
    await s('SETBIT', 'b', '7', '0')
    await s('SETBIT', 'b', '100', '1')
    await s('GET', 'b')
    await s('STRLEN', 'b')
    await s('GETBIT', 'b', '100')
    await s('GETBIT', 'b', '99')
    await s('GETBIT', 'b', '10000')
    await s('GETBIT', 'nope', '0')
    await s('SETBIT', 'b', '0', '0')
    await s('GET', 'b')
    // A bitmap is a plain string: APPEND, SETRANGE and SET interoperate.
    await s('APPEND', 'b', 'xyz')
    await s('GETBIT', 'b', '105')
    await s('SET', 's', 'A')
    await s('SETBIT', 's', '6', '1')
    await s('GET', 's')
    await s('SETRANGE', 's', '3', 'Z')
    await s('SETBIT', 's', '25', '1')
    await s('GET', 's')
    await s('SET', 'n', '12')
    await s('GETBIT', 'n', '2')
    await s('SETBIT', 'n', '15', '1')
    await s('INCR', 'n')
    await s('GET', 'n')
    // The TTL survives SETBIT.
    await s('SET', 't', 'a', 'EX', '1000')
    await s('SETBIT', 't', '1', '1')
    await s('TTL', 't')
    // Offsets stay below proto-max-bulk-len bytes: 2^32 bits by default (shown with a 1 MB limit, so the
    // largest bitmap is 1 MB rather than 512 MB).
    await s('GETBIT', 'b', '4294967295')
    await s('SETBIT', 'b', '4294967296', '1')
    await s('CONFIG', 'SET', 'proto-max-bulk-len', '1048576')
    await s('SETBIT', 'big', '8388607', '1')
    await s('STRLEN', 'big')
    await s('GETBIT', 'big', '8388607')
    await s('GETBIT', 'big', '8388606')
    await s('BITCOUNT', 'big')
    await s('BITPOS', 'big', '1')
    await s('SETBIT', 'big', '8388608', '1')
    await s('GETBIT', 'big', '8388608')
    await s('CONFIG', 'SET', 'proto-max-bulk-len', '536870912')
    await s('SETBIT', 'big', '8388608', '1')
    await s('STRLEN', 'big')
    await s('DEL', 'big')
    await s('GETBIT', 'b', '4294967296')
    await s('SETBIT', 'b', '-1', '1')
    await s('SETBIT', 'b', 'x', '1')
    await s('SETBIT', 'b', '1.0', '1')
    await s('SETBIT', 'b', '+1', '1')
    await s('SETBIT', 'b', '0', '2')
    await s('SETBIT', 'b', '0', '-1')
    await s('SETBIT', 'b', '0', 'x')
    await s('SETBIT', 'b', 'x', 'x')
    await s('SETBIT', 'b', '0', '')
    await s('GETBIT', 'b', '-1')
    await s('GETBIT', 'b', 'x')
    await s('RPUSH', 'l', 'x')
    await s('SETBIT', 'l', '0', '1')
    await s('SETBIT', 'l', '-1', '1')
    await s('GETBIT', 'l', '0')
    await s('GETBIT', 'l', 'x')
    await s('SETBIT', 'b', '0')
    await s('GETBIT', 'b')
    await resp3()
    await s('SETBIT', 'b', '3', '1')
    await s('GETBIT', 'b', '3')
    await s('GET', 'b')
  })

  it('SETBIT inside MULTI does not change the value SET queued before it', async () => {
    const s = pair.expectSame
    await s('MULTI')
    await s('SET', 'k', 'abc')
    await s('GET', 'k')
    await s('SETBIT', 'k', '0', '1')
    await s('SETBIT', 'k', '23', '0')
    await s('GET', 'k')
    await s('EXEC')
  })

  it('BITCOUNT: whole string, byte and bit ranges, negative indexes, errors', async () => {
    const s = pair.expectSame
    await s('SET', 'k', 'foobar')
    await s('BITCOUNT', 'k')
    await s('BITCOUNT', 'k', '0', '0')
    await s('BITCOUNT', 'k', '1', '1')
    await s('BITCOUNT', 'k', '1', '1', 'BYTE')
    await s('BITCOUNT', 'k', '5', '30', 'BIT')
    await s('BITCOUNT', 'k', '5', '30', 'bit')
    await s('BITCOUNT', 'k', '-2', '-1')
    await s('BITCOUNT', 'k', '-1', '-2')
    await s('BITCOUNT', 'k', '-1', '-2', 'FOO')
    await s('BITCOUNT', 'k', '-100', '100')
    await s('BITCOUNT', 'k', '3', '1')
    await s('BITCOUNT', 'k', '7', '7', 'BIT')
    await s('BITCOUNT', 'k', '-7', '-1', 'BIT')
    await s('BITCOUNT', 'k', '0', '-1', 'BIT')
    await s('BITCOUNT', 'k', '100', '200')
    await s('BITCOUNT', 'k', '-9223372036854775808', '9223372036854775807')
    await s('BITCOUNT', 'k', '-9223372036854775807', '-9223372036854775808')
    await s('BITCOUNT', 'k', '0')
    await s('BITCOUNT', 'k', '0', '1', 'BIT', 'x')
    await s('BITCOUNT', 'k', 'x', '1')
    await s('BITCOUNT', 'k', '0', 'x')
    await s('BITCOUNT', 'k', '0', '1', 'FOO')
    await s('BITCOUNT', 'k', '9223372036854775808', '1')
    // A missing key answers 0 before the arguments are looked at.
    await s('BITCOUNT', 'nope')
    await s('BITCOUNT', 'nope', '0')
    await s('BITCOUNT', 'nope', 'x', 'y', 'z', 'w')
    await s('SET', 'empty', '')
    await s('BITCOUNT', 'empty')
    await s('BITCOUNT', 'empty', '0', '-1')
    await s('BITCOUNT', 'empty', '0', '-1', 'BIT')
    await s('SET', 'n', '255')
    await s('BITCOUNT', 'n')
    await s('RPUSH', 'l', 'x')
    await s('BITCOUNT', 'l')
    await s('BITCOUNT', 'l', 'x')
    await s('BITCOUNT')
  })

  it('BITPOS: set and clear bits, ranges with BYTE|BIT, the zero padding rule, errors', async () => {
    const s = pair.expectSame
    await s('SET', 'k', bin('\xff\xf0\x00'))
    await s('BITPOS', 'k', '0')
    await s('BITPOS', 'k', '1')
    await s('BITPOS', 'k', '1', '2')
    await s('BITPOS', 'k', '0', '0', '0')
    await s('BITPOS', 'k', '1', '0', '-1')
    await s('BITPOS', 'k', '0', '2', '-1')
    await s('BITPOS', 'k', '1', '7', '15', 'BIT')
    await s('BITPOS', 'k', '0', '7', '15', 'BIT')
    await s('BITPOS', 'k', '0', '0', '11', 'bit')
    await s('BITPOS', 'k', '1', '12', '-1', 'BIT')
    await s('BITPOS', 'k', '0', '-100', '-1', 'BYTE')
    await s('BITPOS', 'k', '1', '5', '2')
    await s('BITPOS', 'k', '1', '100')
    await s('SET', 'ones', bin('\xff\xff\xff'))
    await s('BITPOS', 'ones', '0')
    await s('BITPOS', 'ones', '0', '1')
    await s('BITPOS', 'ones', '0', '1', '-1')
    await s('BITPOS', 'ones', '0', '0', '-1', 'BIT')
    await s('BITPOS', 'ones', '0', '3', '5', 'BIT')
    await s('BITPOS', 'ones', '1', '3', '5', 'BIT')
    await s('SET', 'zeros', bin('\x00\x00'))
    await s('BITPOS', 'zeros', '1')
    await s('BITPOS', 'zeros', '0', '1')
    await s('BITPOS', 'zeros', '1', '0', '-1', 'BIT')
    await s('SET', 'empty', '')
    await s('BITPOS', 'empty', '0')
    await s('BITPOS', 'empty', '1')
    await s('BITPOS', 'empty', '0', '0')
    await s('BITPOS', 'empty', '0', '0', '-1', 'BIT')
    // A missing key is all zeros, whatever the other arguments.
    await s('BITPOS', 'nope', '0')
    await s('BITPOS', 'nope', '1')
    await s('BITPOS', 'nope', '1', 'x', 'y', 'z')
    await s('BITPOS', 'nope', '2')
    // Errors, in argument order.
    await s('BITPOS', 'k', '2')
    await s('BITPOS', 'k', '-1')
    await s('BITPOS', 'k', 'x')
    await s('BITPOS', 'k', '1', 'x')
    await s('BITPOS', 'k', '1', '0', 'x')
    await s('BITPOS', 'k', '1', '0', 'x', 'FOO')
    await s('BITPOS', 'k', '1', 'x', '1', 'FOO')
    await s('BITPOS', 'k', '1', '0', '1', 'FOO')
    await s('BITPOS', 'k', '1', '0', '1', 'BIT', 'x')
    await s('RPUSH', 'l', 'x')
    await s('BITPOS', 'l', '1')
    await s('BITPOS', 'l', '5')
    await s('BITPOS', 'k')
  })

  it('BITCOUNT and BITPOS agree with Redis on random strings and ranges', async () => {
    const random = prng(20240607)
    const pick = (n: number) => Math.floor(random() * n)
    const commands: string[][] = []
    for (let round = 0; round < 24; round++) {
      const length = pick(8)
      // Runs of 0x00 and 0xff make the edge cases (no set bit, no clear bit) likely.
      const bytes = Buffer.from(Array.from({length}, () => [0x00, 0xff, 0xff, pick(256)][pick(4)] as number))
      await pair.expectSame('SET', 'r', bytes)
      for (let q = 0; q < 25; q++) {
        const unit = ['', 'BYTE', 'BIT'][pick(3)] as string
        const span = unit === 'BIT' ? length * 8 + 4 : length + 2
        const start = String(pick(2 * span + 1) - span)
        const end = String(pick(2 * span + 1) - span)
        const range = unit === '' ? [start, end] : [start, end, unit]
        commands.push(['BITCOUNT', 'r', ...range])
        const bit = String(pick(2))
        commands.push(['BITPOS', 'r', bit, ...(unit === '' ? [start, end].slice(0, pick(3)) : range)])
      }
    }
    for (const command of commands) await pair.expectSame(...command)
  })

  it('BITOP: AND, OR, XOR, NOT over strings of different lengths, missing keys, errors', async () => {
    const s = pair.expectSame
    await s('SET', 'a', 'foobar')
    await s('SET', 'b', 'abc')
    await s('SET', 'c', bin('\x00\xff\x0f'))
    await s('BITOP', 'AND', 'd', 'a', 'b')
    await s('GET', 'd')
    await s('BITOP', 'or', 'd', 'a', 'b', 'c')
    await s('GET', 'd')
    await s('BITOP', 'XOR', 'd', 'a', 'b', 'c')
    await s('GET', 'd')
    await s('BITOP', 'NOT', 'd', 'c')
    await s('GET', 'd')
    await s('BITOP', 'AND', 'd', 'a', 'nope')
    await s('GET', 'd')
    await s('BITOP', 'OR', 'd', 'nope', 'b')
    await s('GET', 'd')
    await s('BITOP', 'NOT', 'd', 'nope')
    await s('EXISTS', 'd')
    await s('BITOP', 'AND', 'd', 'nope', 'nope2')
    await s('BITOP', 'AND', 'a', 'a', 'a')
    await s('GET', 'a')
    // Long inputs (the word-at-a-time path in Redis).
    await s('SET', 'long1', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ')
    await s('SET', 'long2', 'The quick brown fox jumps over the lazy dog, twice: the quick brown fox')
    for (const op of ['AND', 'OR', 'XOR']) {
      await s('BITOP', op, 'dl', 'long1', 'long2')
      await s('GET', 'dl')
    }
    await s('BITOP', 'NOT', 'dl', 'long2')
    await s('GET', 'dl')
    // The destination is replaced whatever it held, and loses its TTL.
    await s('RPUSH', 'list', 'x')
    await s('BITOP', 'OR', 'list', 'b')
    await s('TYPE', 'list')
    await s('SET', 'ttl', 'x', 'EX', '1000')
    await s('BITOP', 'OR', 'ttl', 'b')
    await s('TTL', 'ttl')
    await s('SETBIT', 'bits', '3', '1')
    await s('BITOP', 'NOT', 'nb', 'bits')
    await s('GETBIT', 'nb', '3')
    await s('BITCOUNT', 'nb')
    // Errors.
    await s('BITOP', 'FOO', 'd', 'a')
    await s('BITOP', 'NOT', 'd', 'a', 'b')
    await s('BITOP', 'AND', 'd', 'a', 'list2')
    await s('RPUSH', 'list2', 'x')
    await s('BITOP', 'AND', 'd', 'a', 'list2')
    await s('BITOP', 'NOT', 'd', 'list2')
    await s('BITOP', 'AND', 'd')
    await resp3()
    await s('BITOP', 'OR', 'd', 'a', 'b')
    await s('BITOP', 'AND', 'd', 'nope')
  })

  it('LCS: the string, LEN, IDX with MINMATCHLEN and WITHMATCHLEN, RESP3 map, errors', async () => {
    const s = pair.expectSame
    await s('MSET', 'key1', 'ohmytext', 'key2', 'mynewtext')
    await s('LCS', 'key1', 'key2')
    await s('LCS', 'key1', 'key2', 'LEN')
    await s('LCS', 'key1', 'key2', 'IDX')
    await s('LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4')
    await s('LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN')
    await s('LCS', 'key1', 'key2', 'idx', 'withmatchlen', 'minmatchlen', '-5')
    await s('LCS', 'key1', 'key2', 'WITHMATCHLEN')
    await s('LCS', 'key1', 'key2', 'MINMATCHLEN', '2')
    await s('LCS', 'key1', 'key2', 'LEN', 'WITHMATCHLEN')
    await s('LCS', 'key1', 'key1', 'IDX', 'WITHMATCHLEN')
    await s('LCS', 'key1', 'nope')
    await s('LCS', 'nope', 'nope2', 'IDX')
    await s('LCS', 'nope', 'nope2', 'LEN')
    await s('MSET', 'x', 'ABCBDAB', 'y', 'BDCABA')
    await s('LCS', 'x', 'y')
    await s('LCS', 'x', 'y', 'IDX', 'WITHMATCHLEN')
    await s('LCS', 'y', 'x', 'IDX')
    await s('MSET', 'bin1', bin('a\x00b\xffc'), 'bin2', bin('\x00\xffc'))
    await s('LCS', 'bin1', 'bin2')
    await s('LCS', 'bin1', 'bin2', 'IDX')
    // Errors: the type check comes first, then options in order, then LEN with IDX.
    await s('LCS', 'key1', 'key2', 'LEN', 'IDX')
    await s('LCS', 'key1', 'key2', 'FOO')
    await s('LCS', 'key1', 'key2', 'MINMATCHLEN')
    await s('LCS', 'key1', 'key2', 'MINMATCHLEN', 'x')
    await s('LCS', 'key1', 'key2', 'MINMATCHLEN', 'x', 'FOO')
    await s('LCS', 'key1', 'key2', 'FOO', 'LEN', 'IDX')
    await s('LCS', 'nope', 'nope', 'FOO')
    await s('RPUSH', 'l', 'x')
    await s('LCS', 'key1', 'l')
    await s('LCS', 'l', 'nope', 'FOO')
    await s('LCS', 'key1')
    // The DP table may not exceed proto-max-bulk-len (3000 × 3000 cells × 4 bytes > 1 MB).
    await s('CONFIG', 'SET', 'proto-max-bulk-len', '1048576')
    await s('SET', 'long1', 'a'.repeat(3000))
    await s('SET', 'long2', 'b'.repeat(3000))
    await s('LCS', 'long1', 'long2', 'LEN')
    await s('CONFIG', 'SET', 'proto-max-bulk-len', '536870912')
    await s('LCS', 'long1', 'long2', 'LEN')
    await resp3()
    await s('LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN')
    await s('LCS', 'x', 'y', 'IDX')
    await s('LCS', 'key1', 'key2', 'LEN')
  })

  it('LCS agrees with Redis on random strings', async () => {
    const random = prng(77)
    for (let round = 0; round < 30; round++) {
      const word = () => Array.from({length: Math.floor(random() * 16)}, () => 'abcd'[Math.floor(random() * 4)]).join('')
      await pair.expectSame('MSET', 'p', word(), 'q', word())
      await pair.expectSame('LCS', 'p', 'q')
      await pair.expectSame('LCS', 'p', 'q', 'IDX', 'WITHMATCHLEN')
      await pair.expectSame('LCS', 'p', 'q', 'IDX', 'MINMATCHLEN', '2')
    }
  })
})
