// BITFIELD and BITFIELD_RO against real Redis 7.0, byte for byte: every width of i1..i64 and u1..u63 at aligned
// and unaligned offsets, #N offsets (their product wrapping at 64 bits), the OVERFLOW policies at the i64 and
// u63 bounds (and C's quirks with SET values far outside a narrow type), the error texts and their order,
// missing and non-string keys, the zero padding of writes seen through GET/GETRANGE, BITFIELD_RO, the gates,
// keyspace events and what replicas receive.

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {expectSameEvents, startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {attachSyncReplica} from '../helpers/replication.js'
import {prng} from '../helpers/prng.js'

const skip = realRedisMissing ?? bundledMissing

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** The bounds of a type and the values just inside them, around zero and in between. */
function interesting(signed: boolean, bits: number): bigint[] {
  const max = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n
  const min = signed ? -max - 1n : 0n
  const values = new Set([min, min + 1n, -1n, 0n, 1n, max - 1n, max, max / 2n, min / 2n])
  return [...values].filter((v) => v >= min && v <= max)
}

/** Increments and SET values spanning int64: its bounds, powers of two near them, small steps. */
const WIDE: readonly bigint[] = [
  INT64_MIN, INT64_MIN + 1n, -(2n ** 62n), -(2n ** 32n), -129n, -128n, -2n, -1n, 0n, 1n, 2n, 127n, 128n, 255n, 256n,
  2n ** 32n, 2n ** 62n, INT64_MAX - 1n, INT64_MAX,
]

describe.skipIf(!!skip)(`BITFIELD and BITFIELD_RO match Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: DifferentialPair
  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(() => pair?.stop())
  beforeEach(() => pair.reset())
  const s = (...args: (string | Buffer)[]) => pair.expectSame(...args)

  /** The whole value, its length and its bytes through GETRANGE: what the writes left. */
  const sameString = async (key: string): Promise<void> => {
    await s('GET', key)
    await s('STRLEN', key)
    await s('GETRANGE', key, '0', '-1')
    await s('EXISTS', key)
  }

  it('GET of every width, signed and unsigned, at aligned and unaligned offsets of random bytes', async () => {
    const random = prng(7)
    const bytes = Buffer.alloc(24)
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256)
    await s('SET', 'k', bytes)
    for (let bits = 1; bits <= 64; bits++) {
      const types = bits <= 63 ? [`i${bits}`, `u${bits}`] : [`i${bits}`]
      for (const type of types) {
        // Inside, across byte edges, straddling the end of the string and wholly past it.
        const call: string[] = ['BITFIELD', 'k']
        for (const offset of [0, 1, 3, 7, 8, 13, 63, 64, 100, 191 - bits, 190 - bits + 8, 180, 192, 1000]) call.push('GET', type, String(Math.max(0, offset)))
        await s(...call)
        await s('BITFIELD_RO', 'k', 'GET', type, '#0', 'GET', type, '#1', 'GET', type, '#2', 'GET', type, '#5')
      }
    }
    await sameString('k')
  })

  it('SET of every width at unaligned offsets, and the bytes GETRANGE then shows', async () => {
    const random = prng(11)
    for (let bits = 1; bits <= 64; bits++) {
      for (const signed of bits <= 63 ? [true, false] : [true]) {
        const type = `${signed ? 'i' : 'u'}${bits}`
        const key = `k:${type}`
        await s('SET', key, Buffer.from([0xa5, 0x5a, 0xff, 0x00, 0x81]))
        for (const value of interesting(signed, bits)) {
          const offset = String(Math.floor(random() * 40))
          await s('BITFIELD', key, 'SET', type, offset, String(value), 'GET', type, offset, 'GET', 'u8', '0', 'GET', 'i64', '3')
        }
        await s('BITFIELD', key, 'SET', type, `#${Math.floor(random() * 9)}`, '-1', 'SET', type, '#1', '5')
        await sameString(key)
        for (let i = 0; i < 12; i++) await s('GETRANGE', key, String(i), String(i + 2))
      }
    }
  }, 60_000)

  it('INCRBY and SET at the bounds of each type, under WRAP, SAT and FAIL', async () => {
    const types: [boolean, number][] = [[true, 1], [true, 2], [true, 8], [true, 13], [true, 32], [true, 63], [true, 64],
      [false, 1], [false, 2], [false, 8], [false, 13], [false, 32], [false, 62], [false, 63]]
    for (const [signed, bits] of types) {
      const type = `${signed ? 'i' : 'u'}${bits}`
      for (const mode of ['WRAP', 'SAT', 'FAIL']) {
        const calls: string[][] = []
        for (const start of interesting(signed, bits)) {
          for (const incr of WIDE) {
            calls.push(['BITFIELD', 'n', 'OVERFLOW', 'WRAP', 'SET', type, '5', String(start), 'OVERFLOW', mode, 'INCRBY', type, '5', String(incr), 'GET', type, '5'])
          }
        }
        for (const value of WIDE) calls.push(['BITFIELD', 'n', 'OVERFLOW', mode, 'SET', type, '3', String(value), 'GET', type, '3', 'GET', 'u63', '0'])
        for (const call of calls) await s(...call)
        await sameString('n')
      }
    }
  }, 120_000)

  it('the i64 and u63 edges spelled out: wrap to the other end, saturate, fail with nil and no write', async () => {
    await s('BITFIELD', 'x', 'SET', 'i64', '0', String(INT64_MAX), 'INCRBY', 'i64', '0', '1', 'INCRBY', 'i64', '0', '-1')
    await s('BITFIELD', 'x', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', String(INT64_MAX), 'INCRBY', 'i64', '0', String(INT64_MIN), 'INCRBY', 'i64', '0', String(INT64_MIN))
    await s('BITFIELD', 'x', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '0', '-1', 'GET', 'i64', '0', 'OVERFLOW', 'WRAP', 'INCRBY', 'i64', '0', '-1')
    await s('BITFIELD', 'x', 'SET', 'u63', '64', String(INT64_MAX), 'INCRBY', 'u63', '64', '1', 'INCRBY', 'u63', '64', '-1')
    await s('BITFIELD', 'x', 'OVERFLOW', 'SAT', 'SET', 'u63', '64', '-1', 'INCRBY', 'u63', '64', String(INT64_MIN), 'SET', 'u63', '64', String(INT64_MIN))
    await s('BITFIELD', 'x', 'OVERFLOW', 'FAIL', 'SET', 'u63', '64', '-1', 'INCRBY', 'u63', '64', '1', 'SET', 'u63', '64', String(INT64_MAX), 'INCRBY', 'u63', '64', '1')
    await s('BITFIELD', 'x', 'OVERFLOW', 'WRAP', 'SET', 'u63', '64', '-1', 'SET', 'i8', '130', String(INT64_MIN), 'OVERFLOW', 'SAT', 'SET', 'i8', '130', String(INT64_MIN))
    await s('BITFIELD', 'x', 'OVERFLOW', 'sat', 'SET', 'i8', '130', String(INT64_MAX), 'SET', 'u8', '130', '-5', 'overflow', 'Fail', 'SET', 'i1', '0', '1', 'GET', 'i1', '0')
    await sameString('x')
  })

  it('offsets: plain, #N (times the width, wrapping at 64 bits), negative, huge, and proto-max-bulk-len', async () => {
    const offsets = ['0', '-1', '#-1', '#', '', '+5', '05', '1.5', ' 1', '1 ', '#0', '#1', '#01', '##1', '4294967295', '4294967296', '4294967288',
      '#536870911', '#536870912', '#67108863', '#67108864', '9223372036854775807', '9223372036854775808', '-9223372036854775808',
      '#144115188075855872', '#144115188075855873', '#288230376151711745', '#288230376151711744', '#4611686018427387904', '#9223372036854775807']
    for (const type of ['u1', 'u8', 'i8', 'i64', 'u63']) {
      for (const offset of offsets) await s('BITFIELD', 'missing', 'GET', type, offset)
    }
    await s('EXISTS', 'missing')
    await s('SET', 'k', 'abcdefghijklmnop')
    for (const offset of ['#288230376151711745', '#2', '#3', '7', '#1']) await s('BITFIELD', 'k', 'GET', 'i64', offset, 'GET', 'i32', offset, 'GET', 'u5', offset)
    // The limit is the string's: with proto-max-bulk-len at 1 MB the last addressable bit is 8388607.
    await s('CONFIG', 'SET', 'proto-max-bulk-len', '1048576')
    try {
      for (const offset of ['8388607', '8388608', '#8388607', '#1048575', '#1048576', '#131071', '#131072']) {
        await s('BITFIELD', 'm', 'GET', 'u1', offset)
        await s('BITFIELD', 'm', 'GET', 'u8', offset)
        await s('BITFIELD', 'm', 'GET', 'i64', offset)
      }
      // A write at the last bit grows the string to the limit, and a wide field there goes past it.
      await s('BITFIELD', 'm', 'SET', 'u1', '8388607', '1')
      await s('STRLEN', 'm')
      await s('BITFIELD', 'm', 'SET', 'i64', '8388607', '-1', 'GET', 'u1', '8388607')
      await s('STRLEN', 'm')
      await s('GETRANGE', 'm', '-12', '-1')
    } finally {
      await s('CONFIG', 'SET', 'proto-max-bulk-len', '536870912')
    }
  })

  it('types: the sign letter is case-sensitive, widths 1..64 (u up to 63), strict integers', async () => {
    const types: (string | Buffer)[] = ['u64', 'i65', 'i0', 'u0', 'I8', 'U8', 'i', 'u', '', 'x8', 'i08', 'i+8', 'i-8', 'i8 ', ' i8', 'i 8',
      'i8.0', 'i64', 'u63', 'i1', 'u1', 'i18446744073709551624', 'i9223372036854775808', 'i-9223372036854775808', 'int8', 'uint8',
      Buffer.from('i8\0x'), Buffer.from('u\x008'), Buffer.from('u16\0')]
    for (const type of types) {
      await s('BITFIELD', 'k', 'GET', type, '0')
      await s('BITFIELD', 'k', 'SET', type, '0', '1')
      await s('BITFIELD_RO', 'k', 'GET', type, '0')
    }
    await sameString('k')
  })

  it('subcommands: any case, their argument counts, OVERFLOW words, SET/INCRBY values, and the error order', async () => {
    const calls: (string | Buffer)[][] = [
      ['BITFIELD', 'k'], ['BITFIELD', 'k', 'get', 'u8', '0'], ['BITFIELD', 'k', 'GeT', 'u8', '0', 'sEt', 'u8', '0', '1', 'InCrBy', 'u8', '0', '1'],
      ['BITFIELD', 'k', 'GET'], ['BITFIELD', 'k', 'GET', 'u8'], ['BITFIELD', 'k', 'SET', 'u8', '0'], ['BITFIELD', 'k', 'INCRBY', 'u8', '0'],
      ['BITFIELD', 'k', 'OVERFLOW'], ['BITFIELD', 'k', 'OVERFLOW', 'WRAPS'], ['BITFIELD', 'k', 'OVERFLOW', ''], ['BITFIELD', 'k', 'OVERFLOW', 'SAT'],
      ['BITFIELD', 'k', 'OVERFLOW', 'fail', 'OVERFLOW', 'sat', 'OVERFLOW', 'wrap'], ['BITFIELD', 'k', 'NOPE', 'u8', '0'], ['BITFIELD', 'k', 'GETS', 'u8', '0'],
      ['BITFIELD', 'k', Buffer.from('get\0'), 'u8', '0'], ['BITFIELD', 'k', 'OVERFLOW', Buffer.from('sat\0x'), 'INCRBY', 'u2', '0', '9'],
      ['BITFIELD', 'k', 'SET', 'u8', '0', 'x'], ['BITFIELD', 'k', 'SET', 'u8', '0', ''], ['BITFIELD', 'k', 'SET', 'u8', '0', '1.0'],
      ['BITFIELD', 'k', 'SET', 'u8', '0', '9223372036854775808'], ['BITFIELD', 'k', 'INCRBY', 'u8', '0', '-9223372036854775809'],
      ['BITFIELD', 'k', 'SET', 'u8', '0', '+1'], ['BITFIELD', 'k', 'SET', 'u8', '0', '-0'], ['BITFIELD', 'k', 'SET', 'u8', '0', '007'],
      // The first bad argument decides, scanning left to right; nothing is written before the scan ends.
      ['BITFIELD', 'k', 'SET', 'u8', '0', '1', 'GET', 'u64', '0'], ['BITFIELD', 'k', 'SET', 'u64', '-1', 'x'], ['BITFIELD', 'k', 'SET', 'u8', '-1', 'x'],
      ['BITFIELD', 'k', 'SET', 'u8', '0', '1', 'OVERFLOW', 'BAD', 'GET', 'u64', '0'], ['BITFIELD', 'k', 'INCRBY', 'u8', '0', '1', 'BOGUS'],
      ['BITFIELD', 'k', 'INCRBY', 'u8', '0', '1', 'GET', 'u8'], ['BITFIELD', 'k', 'GET', 'u8', '0', 'OVERFLOW'],
      ['BITFIELD'], ['BITFIELD_RO'], ['bitfield_ro', 'k'],
    ]
    for (const call of calls) await s(...call)
    await sameString('k')
  })

  it('a missing key: GETs read zeros and create nothing; writes create it zero-padded, even when every write FAILs', async () => {
    await s('BITFIELD', 'none', 'GET', 'i64', '1000', 'GET', 'u63', '#7')
    await s('BITFIELD_RO', 'none', 'GET', 'u8', '0')
    await s('BITFIELD', 'none', 'OVERFLOW', 'FAIL')
    await s('EXISTS', 'none')
    await s('BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '16', '256', 'SET', 'i4', '0', '8')
    await sameString('f')
    await s('BITFIELD', 'g', 'SET', 'u8', '#3', '0')
    await sameString('g')
    await s('BITFIELD', 'h', 'INCRBY', 'i5', '100', '3', 'GET', 'i5', '100', 'GET', 'u8', '#100')
    await sameString('h')
    // Growing an existing string pads with zeros and keeps its bytes.
    await s('SET', 'e', 'hello')
    await s('BITFIELD', 'e', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '80', '1000')
    await sameString('e')
    await s('BITFIELD', 'e', 'SET', 'u16', '#10', '65535', 'SET', 'u4', '4', '15')
    await sameString('e')
    await s('SET', 'num', '12345')
    await s('BITFIELD', 'num', 'GET', 'u8', '0', 'INCRBY', 'u8', '0', '1', 'GET', 'i64', '#0')
    await sameString('num')
  })

  it('a non-string key: WRONGTYPE for reads and writes, after the arguments are parsed', async () => {
    await s('RPUSH', 'list', 'a')
    await s('HSET', 'hash', 'f', 'v')
    for (const key of ['list', 'hash']) {
      await s('BITFIELD', key)
      await s('BITFIELD', key, 'GET', 'u8', '0')
      await s('BITFIELD', key, 'SET', 'u8', '0', '1')
      await s('BITFIELD', key, 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000')
      await s('BITFIELD', key, 'GET', 'u64', '0')
      await s('BITFIELD', key, 'SET', 'u8', '0', 'x')
      await s('BITFIELD_RO', key, 'GET', 'u8', '0')
      await s('BITFIELD_RO', key, 'SET', 'u8', '0', '1')
      await s('BITFIELD_RO', key)
      await s('TYPE', key)
    }
  })

  it('BITFIELD_RO: GETs only; a SET or INCRBY anywhere is refused after the arguments parse, and nothing is written', async () => {
    await s('SET', 'k', Buffer.from([0xde, 0xad, 0xbe, 0xef]))
    const calls: string[][] = [
      ['BITFIELD_RO', 'k', 'GET', 'u16', '0', 'GET', 'i16', '#1', 'GET', 'i3', '5'], ['BITFIELD_RO', 'k', 'SET', 'u8', '0', '1'],
      ['BITFIELD_RO', 'k', 'GET', 'u8', '0', 'INCRBY', 'u8', '0', '1'], ['BITFIELD_RO', 'k', 'OVERFLOW', 'SAT', 'GET', 'u8', '0'],
      ['BITFIELD_RO', 'k', 'OVERFLOW', 'SAT'], ['BITFIELD_RO', 'k', 'OVERFLOW', 'BAD'], ['BITFIELD_RO', 'k', 'INCRBY', 'u64', '0', '1'],
      ['BITFIELD_RO', 'k', 'SET', 'u8', '0', 'x'], ['BITFIELD_RO', 'k', 'SET', 'u8', '0', '1', 'GET', 'u8', '-1'], ['BITFIELD_RO', 'k', 'SET', 'u8', '0'],
      ['BITFIELD_RO', 'new', 'SET', 'u8', '0', '1'], ['EXISTS', 'new'], ['bitfield_ro', 'k', 'get', 'i32', '#0'],
    ]
    for (const call of calls) await s(...call)
    await sameString('k')
  })

  it('RESP3: FAIL answers a null in the array', async () => {
    await pair.resp3()
    await s('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '5', 'INCRBY', 'u2', '0', '3', 'INCRBY', 'u2', '0', '1', 'GET', 'u2', '0')
    await s('BITFIELD_RO', 'k', 'GET', 'u2', '0')
  })

  it('gates and nesting: MULTI, scripts (EVAL_RO refuses BITFIELD but takes BITFIELD_RO), a read-only replica', async () => {
    await s('MULTI')
    await s('BITFIELD', 'k', 'SET', 'u8', '0', '200')
    await s('BITFIELD', 'k', 'GET', 'u64', '0')
    await s('BITFIELD_RO', 'k', 'GET', 'u8', '0')
    await s('EXEC')
    await s('EVAL', "return redis.call('BITFIELD', KEYS[1], 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '100', 'INCRBY', 'u8', '0', '10')", '1', 'k')
    await s('EVAL_RO', "return redis.call('BITFIELD_RO', KEYS[1], 'GET', 'u8', '0')", '1', 'k')
    await s('EVAL_RO', "return redis.pcall('BITFIELD', KEYS[1], 'GET', 'u8', '0')", '1', 'k')
    await sameString('k')
    // A replica whose master is unreachable still serves reads: BITFIELD is a write command even with only GETs.
    await s('REPLICAOF', '127.0.0.1', '1')
    try {
      await s('BITFIELD', 'k', 'GET', 'u8', '0')
      await s('BITFIELD', 'k', 'SET', 'u8', '0', '1')
      await s('BITFIELD_RO', 'k', 'GET', 'u8', '0')
    } finally {
      await s('REPLICAOF', 'NO', 'ONE')
    }
  })

  it('COMMAND INFO and GETKEYSANDFLAGS: the key is RO access while only GETs, RW access update from a write', async () => {
    await s('COMMAND', 'INFO', 'BITFIELD', 'BITFIELD_RO')
    const calls: string[][] = [
      ['BITFIELD', 'k'], ['BITFIELD', 'k', 'GET', 'u8', '0'], ['BITFIELD', 'k', 'OVERFLOW', 'SAT', 'GET', 'u8', '0'], ['BITFIELD', 'k', 'GET', 'u8', '0', 'SET', 'u8', '0', '1'],
      ['BITFIELD', 'k', 'INCRBY', 'u8', '0', '1'], ['BITFIELD', 'k', 'GET', 'u8'], ['BITFIELD', 'k', 'bogus'], ['BITFIELD', 'k', 'OVERFLOW'],
      ['BITFIELD_RO', 'k', 'GET', 'u8', '0'], ['BITFIELD_RO', 'k', 'SET', 'u8', '0', '1'],
    ]
    for (const call of calls) {
      await s('COMMAND', 'GETKEYS', ...call)
      await s('COMMAND', 'GETKEYSANDFLAGS', ...call)
    }
  })

  it('keyspace events: setbit once per call that changed a field, new when it creates, keymiss on reads only', async () => {
    const calls: string[][] = [
      ['BITFIELD', 'a', 'GET', 'u8', '0'], ['BITFIELD_RO', 'a', 'GET', 'u8', '0'], ['BITFIELD', 'a', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '2'],
      ['BITFIELD', 'a', 'SET', 'u8', '0', '1'], ['BITFIELD', 'a', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '255'], ['BITFIELD', 'a', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '100', '1000'],
      ['BITFIELD', 'b', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000'], ['BITFIELD', 'c', 'SET', 'u8', '0', '0'], ['BITFIELD', 'a', 'INCRBY', 'i8', '0', '0'],
      ['BITFIELD', 'a', 'GET', 'u64', '0'],
    ]
    await expectSameEvents(pair, 'KEAmn', async () => {
      for (const call of calls) await s(...call)
    })
  })

  it('a call whose every write FAILs creates or grows the key but signals nothing: WATCH holds, no invalidation', async () => {
    const cases: {setup: (string | number)[][]; call: string[]}[] = [
      {setup: [], call: ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u4', '0', '100']},
      {setup: [['SET', 'k', 'a']], call: ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '64', '1000']},
      {setup: [['SET', 'k', 'a', 'EX', 1000]], call: ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '64', '1000']},
      {setup: [['SET', 'k', 'a']], call: ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '64', '1000', 'SET', 'u8', '0', '1']},
      {setup: [['SET', 'k', 'a']], call: ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000']},
      {setup: [], call: ['BITFIELD', 'k', 'GET', 'u8', '0']},
    ]
    for (const {setup, call} of cases) {
      await pair.reset()
      for (const command of setup) await s(...command.map(String))
      const nodes = [pair.real, pair.ours]
      const watchers = await Promise.all(nodes.map((n) => n.raw()))
      const trackers = await Promise.all(nodes.map((n) => n.raw()))
      try {
        for (const [i, watcher] of watchers.entries()) {
          const tracker = trackers[i] as (typeof trackers)[number]
          await watcher.command('WATCH', 'k')
          await tracker.command('HELLO', '3')
          await tracker.command('CLIENT', 'TRACKING', 'ON')
          await tracker.command('GET', 'k')
        }
        await s(...call)
        const execs = await Promise.all(watchers.map(async (w) => {
          await w.command('MULTI')
          await w.command('PING')
          return (await w.command('EXEC')).toString('latin1')
        }))
        expect(execs[1], `${call.join(' ')}: EXEC of a client WATCHing the key`).toBe(execs[0])
        // An invalidation push, when one is sent, arrives before the PONG.
        const pongs = await Promise.all(trackers.map(async (t) => (await t.command('PING')).toString('latin1')))
        expect(pongs[1], `${call.join(' ')}: what a tracking client reads next`).toBe(pongs[0])
        await sameString('k')
        // Whether the TTL survived (1 when there was one to remove).
        await s('PERSIST', 'k')
      } finally {
        for (const c of [...watchers, ...trackers]) c.close()
      }
    }
  })

  it('agrees with Redis on random sequences over a few keys, and the strings end up the same', async () => {
    const random = prng(2024)
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
    const widths = (signed: boolean): number => 1 + Math.floor(random() * (signed ? 64 : 63))
    for (let round = 0; round < 400; round++) {
      const key = pick(['r1', 'r2', 'r3'])
      const call: string[] = [pick(['BITFIELD', 'BITFIELD', 'BITFIELD', 'BITFIELD_RO']), key]
      for (let n = 1 + Math.floor(random() * 5); n > 0; n--) {
        const signed = random() < 0.5
        const type = `${signed ? 'i' : 'u'}${widths(signed)}`
        const offset = random() < 0.3 ? `#${Math.floor(random() * 20)}` : String(Math.floor(random() * 300))
        const value = random() < 0.4 ? String(pick(WIDE)) : String(Math.floor(random() * 2000) - 1000)
        const sub = pick(['GET', 'GET', 'SET', 'INCRBY', 'OVERFLOW'])
        if (sub === 'OVERFLOW') call.push('OVERFLOW', pick(['WRAP', 'SAT', 'FAIL']))
        else if (sub === 'GET') call.push('GET', type, offset)
        else call.push(sub, type, offset, value)
      }
      await s(...call)
    }
    for (const key of ['r1', 'r2', 'r3']) await sameString(key)
  })

  describe('what replicas receive', () => {
    it('BITFIELD verbatim when a field changed or the string grew with a write; nothing for reads, no-ops and FAILs alone', async () => {
      const [real, ours] = await Promise.all([attachSyncReplica(pair.real), attachSyncReplica(pair.ours)])
      try {
        await s('BITFIELD', 'k', 'GET', 'u8', '0')
        await s('BITFIELD_RO', 'k', 'GET', 'u8', '0')
        await s('BITFIELD', 'k', 'SET', 'u8', '0', '7', 'GET', 'u8', '0')
        await s('BITFIELD', 'k', 'SET', 'u8', '0', '7')
        await s('BITFIELD', 'k', 'INCRBY', 'i8', '0', '0')
        await s('bitfield', 'k', 'overflow', 'sat', 'incrby', 'u8', '0', '1000')
        await s('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '1000')
        await s('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1')
        await s('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '64', '1000')
        await s('BITFIELD', 'k', 'SET', 'u8', '#20', '0')
        await s('BITFIELD', 'new', 'OVERFLOW', 'FAIL', 'INCRBY', 'u4', '0', '100')
        await s('BITFIELD', 'k', 'SET', 'u8', '0', 'bad')
        await s('SELECT', '3')
        await s('BITFIELD', 'k3', 'INCRBY', 'i64', '#2', '-5', 'SET', 'i64', '#2', '-5')
        await s('SELECT', '0')
        await s('MULTI')
        await s('BITFIELD', 'm', 'SET', 'u1', '0', '1')
        await s('BITFIELD', 'm', 'SET', 'u1', '0', '1')
        await s('EXEC')
        await s('SET', 'done', '1')
        const [a, b] = await Promise.all([real.stream(), ours.stream()])
        expect(b).toBe(a)
        await s('INFO', 'keyspace')
      } finally {
        real.close()
        ours.close()
      }
    })
  })
})
