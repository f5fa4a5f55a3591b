// A real client-side cache: node-redis 5 with RESP3 and `clientSideCache` turns CLIENT TRACKING on, serves
// repeated reads from memory and drops an entry when the server's `invalidate` push arrives after another
// client's write (or a flush). Run on rtopo-server and, for comparison, on real Redis.

import {BasicClientSideCache, createClient} from 'redis'
import {afterAll, describe, expect, it} from 'vitest'
import {bundledMissing, startServer, stopAllNodes, type Engine} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {waitFor} from '../helpers/wait-for.js'

const engines: {engine: Engine; skip: string | undefined}[] = [
  {engine: 'bundled', skip: bundledMissing},
  {engine: 'redis', skip: realRedisMissing},
]

describe('node-redis client-side caching', () => {
  afterAll(stopAllNodes)

  for (const {engine, skip} of engines) {
    it.skipIf(!!skip)(`entries are invalidated by other clients' writes on ${engine}${skip ? ` (skipped: ${skip})` : ''}`, async () => {
      const node = await startServer({engine, args: ['--save', '']})
      const cache = new BasicClientSideCache({ttl: 0, maxEntries: 0})
      const invalidated: (string | null)[] = []
      cache.on('invalidate', (key: Buffer | string | null) => invalidated.push(key === null ? null : key.toString()))
      const cached = createClient({socket: {port: node.port, host: '127.0.0.1'}, RESP: 3, clientSideCache: cache})
      const writer = createClient({socket: {port: node.port, host: '127.0.0.1'}})
      cached.on('error', () => {})
      writer.on('error', () => {})
      await cached.connect()
      await writer.connect()
      try {
        await writer.set('price', '10')
        expect(await cached.get('price')).toBe('10')
        expect(await cached.get('price')).toBe('10')
        expect(cache.stats().hitCount).toBe(1)
        expect(cache.size()).toBe(1)
        // The server knows the reader tracks one key.
        const clientsInfo = await writer.info('clients')
        expect(clientsInfo).toMatch(/tracking_clients:1\r\n/)

        await writer.set('price', '12')
        await waitFor(() => [...invalidated], (seen) => seen.includes('price'), {what: 'the invalidation of price'})
        expect(cache.size()).toBe(0)
        expect(await cached.get('price')).toBe('12')
        expect(cache.stats().missCount).toBe(2)

        await cached.hGetAll('h')
        await writer.flushAll()
        await waitFor(() => [...invalidated], (seen) => seen.includes(null), {what: 'the flush invalidation (a null key)'})
        expect(cache.size()).toBe(0)
        expect(await cached.get('price')).toBeNull()
      } finally {
        cached.destroy()
        writer.destroy()
      }
    })
  }
})
