// Redlock v5 (its acquire/extend/release Lua scripts through ioredis, EVALSHA falling back to EVAL) against three
// independent servers of each engine: acquire, extend, release, two lockers contending, a multi-resource lock
// that fails as a whole, a lock that expired taken by another, and a quorum with one server gone.

import Redlock, {ExecutionError, type Lock} from 'redlock'
import type {Redis} from 'ioredis'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {bundledMissing, removeDir, startServer, type Engine, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {waitFor} from '../helpers/wait-for.js'

const ENGINES: [Engine, string | undefined][] = [['bundled', bundledMissing], ['redis', realRedisMissing]]

for (const [engine, missing] of ENGINES) {
  describe.skipIf(!!missing)(`redlock on three ${engine} servers${missing ? ` (skipped: ${missing})` : ''}`, () => {
    let nodes: NodeHandle[] = []
    let clients: Redis[] = []
    let redlock: Redlock

    beforeAll(async () => {
      nodes = await Promise.all([0, 1, 2].map(() => startServer({engine, args: ['--save', '']})))
      clients = nodes.map((n) => n.client())
      redlock = new Redlock(clients, {retryCount: 0})
    })
    afterAll(async () => {
      for (const n of nodes) {
        await n.kill()
        removeDir(n.dir)
      }
    })

    const values = (key: string): Promise<(string | null)[]> => Promise.all(clients.map((c) => c.get(key)))
    const ttls = (key: string): Promise<number[]> => Promise.all(clients.map((c) => c.pttl(key)))
    /** Redlock resolves once a quorum (2 of 3) voted; the last server's answer may still be on its way. */
    const everywhere = (key: string, value: string | null, servers = clients.length): Promise<unknown> =>
      waitFor(() => Promise.all(clients.slice(0, servers).map((c) => c.get(key))), (v) => v.every((x) => x === value), {what: `${key} = ${String(value)} on all ${servers} servers`})

    it('acquires on every server, extends, and releases', async () => {
      const lock = await redlock.acquire(['orders:1'], 2_000)
      expect(lock.resources).toEqual(['orders:1'])
      await everywhere('orders:1', lock.value)
      for (const ttl of await ttls('orders:1')) expect(ttl).toBeGreaterThan(0)
      const extended = await lock.extend(60_000)
      expect(extended.value).toBe(lock.value)
      await waitFor(() => ttls('orders:1'), (t) => t.every((x) => x > 2_000), {what: 'the extended expiry on all 3 servers'})
      await extended.release()
      await everywhere('orders:1', null)
    })

    it('a second locker is refused while the lock is held and gets it after the release', async () => {
      const first = await redlock.acquire(['contended'], 30_000)
      await expect(redlock.acquire(['contended'], 30_000)).rejects.toBeInstanceOf(ExecutionError)
      const patient = new Redlock(clients, {retryCount: 400, retryDelay: 25, retryJitter: 5})
      const refusals: Error[] = []
      patient.on('error', (error: Error) => refusals.push(error))
      const pending = patient.acquire(['contended'], 30_000)
      await waitFor(() => refusals.length, (n) => n >= 3, {what: 'the waiting locker refused by the servers at least once (a vote against per server)'})
      expect(refusals[0]?.name).toBe('ResourceLockedError')
      await first.release()
      const second = await pending
      expect(second.value).not.toBe(first.value)
      await everywhere('contended', second.value)
      await second.release()
    })

    it('a multi-resource lock fails as a whole when one resource is held', async () => {
      const held = await redlock.acquire(['res:b'], 30_000)
      await expect(redlock.acquire(['res:a', 'res:b', 'res:c'], 30_000)).rejects.toBeInstanceOf(ExecutionError)
      // The acquire script checks every key before writing any: nothing was set for a or c.
      expect(await values('res:a')).toEqual([null, null, null])
      expect(await values('res:c')).toEqual([null, null, null])
      await held.release()
      await everywhere('res:b', null)
      const all = await redlock.acquire(['res:a', 'res:b', 'res:c'], 30_000)
      for (const key of ['res:a', 'res:b', 'res:c']) await everywhere(key, all.value)
      await all.release()
    })

    it('a lock that expired can be taken by another; the old holder can neither release nor extend it', async () => {
      const short: Lock = await redlock.acquire(['expiring'], 300)
      await waitFor(() => ttls('expiring'), (t) => t.every((x) => x === -2), {what: 'the 300 ms lock to expire on every server'})
      const other = await redlock.acquire(['expiring'], 30_000)
      await everywhere('expiring', other.value)
      await expect(redlock.release(short, {retryCount: 0})).rejects.toBeInstanceOf(ExecutionError)
      expect(await values('expiring')).toEqual([other.value, other.value, other.value])
      await expect(short.extend(30_000)).rejects.toThrow()
      await other.release()
    })

    it('keeps a quorum with one server of three gone', async () => {
      await (nodes[2] as NodeHandle).kill()
      const quorum = new Redlock(clients, {retryCount: 0})
      quorum.on('error', () => {})
      const lock = await quorum.acquire(['quorum'], 30_000)
      expect((await Promise.all(clients.slice(0, 2).map((c) => c.get('quorum'))))).toEqual([lock.value, lock.value])
      await lock.release()
      await everywhere('quorum', null, 2)
    })
  })
}
