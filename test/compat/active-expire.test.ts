// Active expiry against Redis 7.0: keys that expire while nobody reads them are deleted by the cron, also when
// many long-lived volatile keys were set before them (the cycle samples at random, not from the start).
// No durations are measured: a server that never reclaims them fails by the wait's timeout.

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {waitFor} from '../helpers/wait-for.js'

const skipReason = realRedisMissing ?? bundledMissing

describe.skipIf(!!skipReason)(`active expiry matches Redis 7.0${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let pair: DifferentialPair

  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(async () => {
    await pair?.stop()
  })

  const fill = async (node: NodeHandle): Promise<void> => {
    const c = node.client()
    try {
      await c.config('RESETSTAT')
      const batch = c.pipeline()
      for (let i = 0; i < 200; i++) batch.set(`long:${i}`, 'v', 'EX', '3600')
      for (let i = 0; i < 2000; i++) batch.set(`short:${i}`, 'v', 'PX', '50')
      await batch.exec()
      await waitFor(() => c.dbsize(), (n) => n === 200, {what: `:${node.port} to expire the short-lived keys by itself`, timeoutMs: 20_000, intervalMs: 200})
      const info = await c.info('stats')
      expect(Number(/expired_keys:(\d+)/.exec(info)?.[1])).toBe(2000)
    } finally {
      c.disconnect()
    }
  }

  it('short-lived keys set after long-lived ones are reclaimed without being read', async () => {
    await pair.reset()
    await Promise.all([fill(pair.real), fill(pair.ours)])
  }, 60_000)
})
