import {describe, expect, it} from 'vitest'
import {systemClock} from '../../src/common/clock.js'
import {Database} from '../../src/server/keyspace/database.js'
import {Deque} from '../../src/server/keyspace/deque.js'
import {SortedSet} from '../../src/server/keyspace/sorted-set.js'
import {stringValue} from '../../src/server/keyspace/string-value.js'
import {crc64} from '../../src/server/persistence/crc64.js'
import {decodeIntset, decodeListpack, encodeIntset, encodeListpack} from '../../src/server/persistence/listpack.js'
import {lzfDecompress} from '../../src/server/persistence/lzf.js'
import {readRdb, RdbError} from '../../src/server/persistence/rdb-reader.js'
import {writeRdb} from '../../src/server/persistence/rdb-writer.js'
import {decodeNode} from '../../src/server/persistence/stream-rdb.js'

const hooks = {keyModified: () => {}, keyExpired: () => {}, isReplica: () => false}
const aux = {redisVer: '7.0.15', redisBits: 64, ctime: 1700000000, usedMem: 1000, aofBase: 0}

describe('checksums and containers', () => {
  it('CRC-64 Jones matches the published vectors', () => {
    expect(crc64(Buffer.from('123456789'))).toBe(0xe9c6d914c4b8d9can)
    expect(crc64(Buffer.from('REDIS0010\xff', 'latin1'))).toBe(0xeb7ea789fe37fda9n)
  })

  it('LZF decompresses literal runs and overlapping back references', () => {
    // "aaaaaaaaaa": literal 'a', then a back reference of length 9 at distance 1.
    expect(lzfDecompress(Buffer.from([0x00, 0x61, 0xe0, 0x00, 0x00]), 10).toString()).toBe('aaaaaaaaaa')
    expect(() => lzfDecompress(Buffer.from([0x05, 0x61]), 6)).toThrow(/corrupt LZF/)
  })

  it('encodes listpacks byte for byte like Redis (rdb.md §7.1 example)', () => {
    const blob = encodeListpack([Buffer.from('a'), Buffer.from('b'), Buffer.from('1')])
    expect(blob.toString('hex')).toBe('0f000000' + '0300' + '816102' + '816202' + '0101' + 'ff')
    const values = ['x'.repeat(200), '-4097', '70000', '9223372036854775807', '-5', '']
    expect(decodeListpack(encodeListpack(values.map((v) => Buffer.from(v)))).map(String)).toEqual(values)
    expect(encodeIntset([3n, 1n, 2n]).toString('hex')).toBe('0200000003000000010002000300')
    expect(decodeIntset(encodeIntset([5000000000n, -1n]))).toEqual([-1n, 5000000000n])
  })
})

describe('RDB round trip', () => {
  it('writes and reads every type, binary keys, expiries and several databases', () => {
    const db0 = new Database(0, systemClock, hooks)
    const db5 = new Database(5, systemClock, hooks)
    const z = new SortedSet()
    z.add('a', 1.5)
    z.add('b', -Infinity)
    const bigZ = new SortedSet()
    for (let i = 0; i < 200; i++) bigZ.add(`m${i}`, i / 7)
    db0.set('\x00\xffbin', stringValue(Buffer.from([0, 1, 2, 255])))
    db0.set('int', stringValue(Buffer.from('-123456')))
    db0.set('list', {type: 'list', value: new Deque([Buffer.from('x'), Buffer.from('y'.repeat(10000))])})
    db0.set('hash', {type: 'hash', value: new Map([['f', Buffer.from('v')]])})
    db0.set('set', {type: 'set', value: new Set(['1', '2', 'three'])})
    db0.set('zset', {type: 'zset', value: z})
    db0.set('bigzset', {type: 'zset', value: bigZ})
    db5.set('later', stringValue(Buffer.from('v')), {expiresAt: Date.now() + 60_000})
    db5.set('gone', stringValue(Buffer.from('v')), {expiresAt: Date.now() - 1})
    const loaded = readRdb(writeRdb([db0, db5], aux, Date.now()), Date.now())
    const [r0, r5] = loaded.databases
    expect(r0?.size).toBe(7)
    const bin = r0?.entries.get('\x00\xffbin')?.value
    expect(bin?.type).toBe('string')
    expect((bin as {value: Buffer}).value).toEqual(Buffer.from([0, 1, 2, 255]))
    expect(String((r0?.entries.get('int')?.value as {value: Buffer}).value)).toBe('-123456')
    expect([...(r0?.entries.get('list')?.value.value as Deque<Buffer>)].map((b) => b.length)).toEqual([1, 10000])
    expect([...(r0?.entries.get('zset')?.value.value as SortedSet)]).toEqual([{member: 'b', score: -Infinity}, {member: 'a', score: 1.5}])
    expect((r0?.entries.get('bigzset')?.value.value as SortedSet).score('m10')).toBe(10 / 7)
    expect(r5?.index).toBe(5)
    expect([...(r5?.entries.keys() ?? [])]).toEqual(['later'])
    expect(loaded.expiredKeys).toBe(0)
    expect(loaded.aux.get('redis-ver')?.toString()).toBe('7.0.15')
  })

  it('reports truncation and checksum errors with the byte offset', () => {
    const image = writeRdb([], aux, Date.now())
    expect(() => readRdb(image.subarray(0, image.length - 3), Date.now())).toThrow(RdbError)
    const corrupt = Buffer.from(image)
    corrupt[12] = (corrupt[12] as number) ^ 0xff
    expect(() => readRdb(corrupt, Date.now())).toThrow(/at byte/)
    expect(() => readRdb(Buffer.from('REDIS0011'), Date.now())).toThrow("Can't handle RDB format version 0011")
  })
})

describe('corrupt stream nodes (found by the RDB fuzzer)', () => {
  const lp = (...items: (string | number)[]) => encodeListpack(items.map((i) => Buffer.from(String(i))))
  const key = Buffer.alloc(16)

  it('a master field count beyond the listpack fails at once instead of looping over it', () => {
    expect(() => decodeNode(key, lp(1, 0, 2 ** 40, 'f', 0))).toThrow('Stream listpack integrity check failed')
  })

  it('an entry field count beyond the listpack fails at once', () => {
    // One master field f, then an entry without the same-fields flag claiming 2^40 fields.
    expect(() => decodeNode(key, lp(1, 0, 1, 'f', 0, 0, 0, 0, 2 ** 40, 'f', 'v', 3))).toThrow('Stream listpack integrity check failed')
  })
})
