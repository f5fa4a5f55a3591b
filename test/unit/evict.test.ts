// The keyspace's incremental memory accounting and the evictor's choices, in process with a manual clock:
// the running byte count equals a from-scratch recount after every kind of change, and each policy evicts
// what Redis's would (oldest access, lowest counter, soonest expiry, volatile keys only, nothing under
// noeviction).

import {describe, expect, it} from 'vitest'
import {Evictor, type EvictionHost, type MaxmemoryPolicy} from '../../src/server/evict.js'
import {Deque} from '../../src/server/keyspace/deque.js'
import {Keyspace} from '../../src/server/keyspace/keyspace.js'
import {dictTableSize, entrySize, jemallocSize} from '../../src/server/keyspace/memory.js'
import {stringValue} from '../../src/server/keyspace/string-value.js'
import type {Database} from '../../src/server/keyspace/database.js'

function keyspaceWithClock(): {ks: Keyspace; clock: {now: number}} {
  const clock = {now: 1_700_000_000_000}
  const ks = new Keyspace(4, {nowMs: () => clock.now}, {
    keyExpired: () => {},
    keyModified: () => {},
    isReplica: () => false,
    isMasterCalling: () => false,
  })
  return {ks, clock}
}

/** The bytes of a db recounted from scratch. */
function recount(db: Database): number {
  let bytes = dictTableSize(db.size) + dictTableSize(db.volatileKeys.size)
  for (const [key, entry] of db.entries) bytes += entrySize(key.length, entry.value, entry.expiresAt !== undefined)
  return bytes
}

const str = (s: string) => stringValue(Buffer.from(s))

function evictor(ks: Keyspace, clock: {now: number}, policy: MaxmemoryPolicy, limit: () => number, baseBytes = 0): {ev: Evictor; evicted: string[]} {
  const evicted: string[] = []
  const host: EvictionHost = {
    keyspace: ks,
    maxmemory: limit,
    policy: () => policy,
    samples: () => 5,
    tenacity: () => 100,
    lazy: () => false,
    usedMemory: () => baseBytes + ks.databases.reduce((n, db) => n + db.memoryBytes, 0),
    isSafe: () => true,
    nowMs: () => clock.now,
    evicted: (_db, key) => evicted.push(key),
  }
  return {ev: new Evictor(host, ks.access), evicted}
}

describe('memory accounting', () => {
  it('jemalloc size classes', () => {
    expect([1, 8, 9, 17, 100, 128, 129, 160, 161, 257, 512, 513].map(jemallocSize)).toEqual([8, 8, 16, 32, 112, 128, 160, 160, 192, 320, 512, 640])
  })

  it('keeps the running count equal to a recount through sets, in-place changes, expiries, deletes and SWAPDB', () => {
    const {ks, clock} = keyspaceWithClock()
    const db = ks.db(0)
    for (let i = 0; i < 500; i++) db.set(`k${i}`, str('x'.repeat(i % 90)), i % 3 === 0 ? {expiresAt: clock.now + 1000 * i + 1000} : {})
    expect(db.memoryBytes).toBe(recount(db))
    const list = new Deque<Buffer>()
    db.set('list', {type: 'list', value: list})
    for (let i = 0; i < 1000; i++) {
      list.push(Buffer.from(`item-${i}`))
      db.modified('list')
    }
    db.setExpiry('k1', clock.now + 5000)
    db.setExpiry('k3', undefined)
    for (let i = 0; i < 500; i += 7) db.delete(`k${i}`)
    db.deleteIfEmpty('list')
    // A collection's figure comes from a cached sample: within a few percent of a fresh one.
    const listBytes = db.keyBytes('list')
    expect(Math.abs(listBytes - entrySize(4, {type: 'list', value: new Deque(list.toArray())}, false))).toBeLessThan(listBytes * 0.05)
    db.delete('list')
    expect(db.memoryBytes).toBe(recount(db))
    ks.swap(0, 1)
    expect(ks.db(0).memoryBytes).toBe(0)
    expect(ks.db(1).memoryBytes).toBe(recount(ks.db(1)))
    ks.flushAll()
    expect(ks.db(1).memoryBytes).toBe(0)
  })

  it('a 100-byte string key costs about what Redis 7.0 allocates (≈190 bytes)', () => {
    const size = entrySize('key:1234'.length, str('0'.repeat(100)), false)
    expect(size).toBeGreaterThan(150)
    expect(size).toBeLessThan(220)
  })
})

describe('eviction choices', () => {
  it('allkeys-lru evicts the keys idle the longest', () => {
    const {ks, clock} = keyspaceWithClock()
    const db = ks.db(0)
    for (let i = 0; i < 200; i++) db.set(`k${i}`, str('v'.repeat(50)))
    clock.now += 10_000
    for (let i = 100; i < 200; i++) db.lookup(`k${i}`)
    const target = db.memoryBytes - Math.floor(db.memoryBytes / 4)
    const {ev, evicted} = evictor(ks, clock, 'allkeys-lru', () => target)
    expect(ev.perform()).toBe('ok')
    expect(evicted.length).toBeGreaterThan(30)
    // The pool and 5 samples find idle keys nearly always; read keys are the rare exception.
    expect(evicted.filter((k) => Number(k.slice(1)) >= 100).length).toBeLessThan(evicted.length / 4)
    expect(db.memoryBytes).toBeLessThanOrEqual(target)
  })

  it('allkeys-lfu evicts the least frequently read keys', () => {
    const {ks, clock} = keyspaceWithClock()
    ks.access.lfu = true
    const db = ks.db(0)
    for (let i = 0; i < 200; i++) db.set(`k${i}`, str('v'.repeat(50)))
    for (let i = 100; i < 200; i++) db.lookup(`k${i}`)
    const {ev, evicted} = evictor(ks, clock, 'allkeys-lfu', () => db.memoryBytes - 2000)
    expect(ev.perform()).toBe('ok')
    expect(evicted.length).toBeGreaterThan(5)
    expect(evicted.filter((k) => Number(k.slice(1)) >= 100).length).toBeLessThanOrEqual(evicted.length / 4)
  })

  it('volatile-ttl evicts the soonest expiring; volatile-* never a key without TTL, then fails', () => {
    const {ks, clock} = keyspaceWithClock()
    const db = ks.db(2)
    for (let i = 0; i < 100; i++) db.set(`p${i}`, str('v'.repeat(50)))
    for (let i = 0; i < 100; i++) db.set(`t${i}`, str('v'.repeat(50)), {expiresAt: clock.now + 60_000 + i * 1000})
    // About half of the volatile keys must go.
    let limit = db.memoryBytes - 50 * db.keyBytes('t0')
    const {ev, evicted} = evictor(ks, clock, 'volatile-ttl', () => limit)
    expect(ev.perform()).toBe('ok')
    expect(evicted.length).toBeGreaterThan(40)
    expect(evicted.every((k) => k.startsWith('t'))).toBe(true)
    // Perfectly by TTL the mean index would be 24.5, at random 49.5.
    const mean = evicted.reduce((n, k) => n + Number(k.slice(1)), 0) / evicted.length
    expect(mean).toBeLessThan(38)
    limit = 1
    expect(ev.perform()).toBe('fail')
    expect(db.volatileKeys.size).toBe(0)
    expect(db.size).toBe(100)
  })

  it('noeviction and an empty keyspace fail; under the limit is ok', () => {
    const {ks, clock} = keyspaceWithClock()
    ks.db(0).set('a', str('b'))
    expect(evictor(ks, clock, 'noeviction', () => 1).ev.perform()).toBe('fail')
    expect(evictor(ks, clock, 'allkeys-random', () => 1_000_000).ev.perform()).toBe('ok')
    // Memory that no eviction frees (clients, startup) keeps it over the limit once the only key is gone.
    const random = evictor(ks, clock, 'allkeys-random', () => 1, 1000)
    expect(random.ev.perform()).toBe('fail')
    expect(random.evicted).toEqual(['a'])
    expect(ks.db(0).size).toBe(0)
  })
})
