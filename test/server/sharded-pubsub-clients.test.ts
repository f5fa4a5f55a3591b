// Sharded pub/sub through real client libraries, unchanged: ioredis (RESP2) `ssubscribe` / `spublish` and
// node-redis 5 (RESP3) `sSubscribe` / `sPublish`, on rtopo-server and, for comparison, on real Redis.

import {createClient} from 'redis'
import {afterAll, describe, expect, it} from 'vitest'
import {bundledMissing, startServer, stopAllNodes, type Engine} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const engines: {engine: Engine; skip: string | undefined}[] = [
  {engine: 'bundled', skip: bundledMissing},
  {engine: 'redis', skip: realRedisMissing},
]

describe('sharded pub/sub through client libraries', () => {
  afterAll(stopAllNodes)

  for (const {engine, skip} of engines) {
    it.skipIf(!!skip)(`ioredis ssubscribe/spublish on ${engine}${skip ? ` (skipped: ${skip})` : ''}`, async () => {
      const node = await startServer({engine, args: ['--save', '']})
      const subscriber = node.client()
      const publisher = node.client()
      expect(await subscriber.ssubscribe('orders', 'refunds')).toBe(2)
      const received = new Promise<[string, string]>((resolve) => subscriber.on('smessage', (channel: string, message: string) => resolve([channel, message])))
      expect(await publisher.spublish('refunds', 'r-1')).toBe(1)
      expect(await received).toEqual(['refunds', 'r-1'])
      expect(await publisher.call('PUBSUB', 'SHARDNUMSUB', 'orders', 'none')).toEqual(['orders', 1, 'none', 0])
      expect(await subscriber.sunsubscribe('orders', 'refunds')).toBe(0)
      // Out of pub/sub mode again: ordinary commands work on the same connection.
      expect(await subscriber.set('k', 'v')).toBe('OK')
    })

    it.skipIf(!!skip)(`node-redis RESP3 sSubscribe/sPublish on ${engine}${skip ? ` (skipped: ${skip})` : ''}`, async () => {
      const node = await startServer({engine, args: ['--save', '']})
      const client = createClient({socket: {port: node.port, host: '127.0.0.1'}, RESP: 3})
      const subscriber = client.duplicate()
      client.on('error', () => {})
      subscriber.on('error', () => {})
      await client.connect()
      await subscriber.connect()
      try {
        let resolve: (m: [string, string]) => void = () => {}
        const received = new Promise<[string, string]>((r) => (resolve = r))
        await subscriber.sSubscribe('orders', (message, channel) => resolve([channel, message]))
        // RESP3: the subscribed connection runs other commands too.
        expect(await subscriber.ping()).toBe('PONG')
        expect(await client.sPublish('orders', 'o-1')).toBe(1)
        expect(await received).toEqual(['orders', 'o-1'])
        expect(await client.pubSubShardChannels()).toEqual(['orders'])
        await subscriber.sUnsubscribe('orders')
        expect(await client.pubSubShardChannels()).toEqual([])
      } finally {
        subscriber.destroy()
        client.destroy()
      }
    })
  }
})
