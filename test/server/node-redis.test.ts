// node-redis (the `redis` package) against rtopo-server, in RESP2 and RESP3, unchanged.

import {createClient} from 'redis'
import {afterAll, describe, expect, it} from 'vitest'
import {bundledMissing, startServer, stopAllNodes} from '../helpers/nodes.js'

describe.skipIf(!!bundledMissing)(`node-redis against rtopo-server${bundledMissing ? ` (skipped: ${bundledMissing})` : ''}`, () => {
  afterAll(stopAllNodes)

  for (const RESP of [2, 3] as const) {
    it(`works in RESP${RESP}: strings, hashes, lists, transactions, pub/sub`, async () => {
      const node = await startServer({engine: 'bundled', args: ['--save', '', '--requirepass', 'pw'], password: 'pw'})
      const client = createClient({socket: {port: node.port, host: '127.0.0.1'}, password: 'pw', RESP})
      const subscriber = client.duplicate()
      client.on('error', () => {})
      subscriber.on('error', () => {})
      await client.connect()
      await subscriber.connect()
      try {
        expect(await client.set('k', 'v', {EX: 100})).toBe('OK')
        expect(await client.get('k')).toBe('v')
        await client.hSet('h', {a: '1', b: '2'})
        expect(await client.hGetAll('h')).toEqual({a: '1', b: '2'})
        await client.rPush('l', ['x', 'y'])
        expect(await client.lRange('l', 0, -1)).toEqual(['x', 'y'])
        expect(await client.multi().incr('n').incr('n').exec()).toEqual([1, 2])
        const received = new Promise<string>((resolve) => void subscriber.subscribe('news', (message) => resolve(message)))
        await new Promise((r) => setTimeout(r, 50))
        await client.publish('news', 'hello')
        expect(await received).toBe('hello')
      } finally {
        await subscriber.quit()
        await client.quit()
      }
    })
  }
})
