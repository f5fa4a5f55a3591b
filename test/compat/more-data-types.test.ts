// Differential tests for LPOS, HRANDFIELD, SRANDMEMBER/SMISMEMBER/SINTERCARD:
// the same raw RESP to real Redis 7.0 and to rtopo-server, byte-identical replies, errors and RESP3 included.
// Random replies (HRANDFIELD, SRANDMEMBER) are compared by shape, size and membership instead.

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {ReplyParser, type RespValue} from '../../src/resp/reply-parser.js'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const skip = realRedisMissing ?? bundledMissing

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
  // HELLO's reply carries the connection id, which differs between the servers; switch both without comparing.
  const resp3 = () => Promise.all([pair.realClient.command('HELLO', '3'), pair.ourClient.command('HELLO', '3')])
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
})
