// Values and argument lists far larger than a JavaScript call can spread (hundreds of thousands of parts)
// survive SAVE, a reload of the file and a full sync to a replica, on both engines alike.

import {afterEach, describe, expect, it} from 'vitest'
import {bundledMissing, removeDir, startServer, stopAllNodes, type Engine, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {waitFor} from '../helpers/wait-for.js'

const engines: {engine: Engine; skip: string | undefined}[] = [
  {engine: 'bundled', skip: bundledMissing},
  {engine: 'redis', skip: realRedisMissing},
]

const started: NodeHandle[] = []
afterEach(async () => {
  await stopAllNodes()
  for (const node of started.splice(0)) removeDir(node.dir)
})

for (const {engine, skip} of engines) {
  describe.skipIf(!!skip)(`${engine}: very large values${skip ? ` (skipped: ${skip})` : ''}`, () => {
    it('a 300k-member set, a 300k-field hash, a 150k-field stream entry and a 200k-key BITOP save, reload and sync', async () => {
      const args = ['--save', '', '--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0']
      const master = await startServer({engine, args})
      started.push(master)
      const c = master.client()
      const n = 300_000
      await c.call('SADD', ['s', ...Array.from({length: n}, (_, i) => `m${i}`)])
      await c.call('HSET', ['h', ...Array.from({length: n}, (_, i) => [`f${i}`, 'v']).flat()])
      await c.call('XADD', ['x', '*', ...Array.from({length: n / 2}, (_, i) => [`f${i}`, 'v']).flat()])
      await c.call('SETBIT', 'b1', '7', '1')
      expect(await c.call('BITOP', ['OR', 'dst', ...Array.from({length: 200_000}, (_, i) => `b${i}`)])).toBe(1)
      expect(await c.save()).toBe('OK')
      expect(await c.call('DEBUG', 'RELOAD')).toBe('OK')
      expect([await c.scard('s'), await c.hlen('h'), await c.xlen('x'), await c.getbit('dst', 7)]).toEqual([n, n, 1, 1])
      const replica = await startServer({engine, args})
      started.push(replica)
      const r = replica.client()
      await r.replicaof('127.0.0.1', String(master.port))
      await waitFor(() => r.info('replication'), (i) => i.includes('master_link_status:up'), {what: 'the full sync', timeoutMs: 60_000})
      expect([await r.scard('s'), await r.hlen('h'), await r.xlen('x'), await r.getbit('dst', 7)]).toEqual([n, n, 1, 1])
      c.disconnect()
      r.disconnect()
    }, 120_000)
  })
}
