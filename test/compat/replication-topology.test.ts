// Replication topologies mixing real Redis 7.0 and the bundled server: chains (the middle node proxies the
// exact stream, so all share one replid and offset) and promotion (REPLICAOF NO ONE shifts the replication
// ids; the old master then follows the promoted node with a partial resync, in both directions).

import {afterAll, describe, it} from 'vitest'
import {bundledMissing, stopAllNodes, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {
  admin,
  countLog,
  fullLog,
  nodeScope,
  replInfo,
  replicaOf,
  waitForDigestsEqual,
  waitForLinkUp,
  waitForLog,
  waitForOffsetsEqual,
  writeWorkload,
} from '../helpers/replication.js'

const skip = realRedisMissing ?? bundledMissing
// A master's PING (every repl-ping-replica-period) landing between the last offset check and a promotion
// would move the old master past the promoted node's second_repl_offset and force a full resync; these
// tests run well within a minute, so pings are spaced out of their way.
const base = ['--save', '', '--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0', '--repl-ping-replica-period', '60']
const replicaArgs = (master: NodeHandle): string[] => [...base, '--replicaof', '127.0.0.1', String(master.port)]

describe.skipIf(!!skip)(`replication topologies with real Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(stopAllNodes)

  for (const [top, middle] of [['redis', 'bundled'], ['bundled', 'redis']] as const) {
    it.concurrent(`chain ${top} → ${middle} → ${top}: the data reaches the end, one replid and offset`, async ({expect, onTestFinished}) => {
      const start = nodeScope(onTestFinished)
      const master = await start({engine: top, args: base})
      const m = master.client()
      await writeWorkload(m, 'before')
      const mid = await start({engine: middle, args: replicaArgs(master)})
      await waitForLinkUp(mid)
      // The stream's current db is 7 when the end of the chain attaches, and the next write in db 7 comes
      // without a SELECT: the end learns the db from the middle node's snapshot (repl-stream-db).
      const db7 = master.client({db: 7})
      await db7.set('in-db7', 'first')
      await waitForOffsetsEqual([master, mid])
      const end = await start({engine: top, args: replicaArgs(mid)})
      await waitForLinkUp(end)
      await db7.set('in-db7-after', 'second')
      await writeWorkload(m, 'after')
      await db7.set('in-db7-last', 'third')

      const offset = await waitForOffsetsEqual([master, mid, end])
      await waitForDigestsEqual([master, mid, end])
      const infos = await Promise.all([master, mid, end].map(replInfo))
      expect(new Set(infos.map((i) => i.master_replid)).size).toBe(1)
      expect(infos[1]).toMatchObject({role: 'slave', master_port: String(master.port), connected_slaves: '1'})
      expect(infos[1]?.slave0).toMatch(`ip=127.0.0.1,port=${end.port},state=online`)
      expect(infos[2]).toMatchObject({role: 'slave', master_port: String(mid.port)})
      expect(await admin(end).call('ROLE')).toEqual(['slave', '127.0.0.1', mid.port, 'connected', expect.any(Number)])
      expect(await end.client({db: 7}).mget('in-db7', 'in-db7-after', 'in-db7-last')).toEqual(['first', 'second', 'third'])

      // Promote the middle: it drops its sub-replica, which comes back with PSYNC <old id> and gets
      // +CONTINUE <new id>, taking the old id as its replid2.
      const history = infos[0]?.master_replid as string
      expect(await replicaOf(mid, 'NO ONE')).toBe('OK')
      const promoted = await replInfo(mid)
      // (A PING from the top may have arrived after `offset` was read: the shift is at the offset reached.)
      expect(promoted).toMatchObject({role: 'master', master_replid2: history, second_repl_offset: String(Number(promoted.master_repl_offset) + 1)})
      expect(Number(promoted.master_repl_offset)).toBeGreaterThanOrEqual(offset)
      await waitForLog(mid, new RegExp(`Partial resynchronization request from 127\\.0\\.0\\.1:${end.port} accepted\\. Sending \\d+ bytes of backlog starting from offset \\d+\\.`))
      await waitForLog(end, `Master replication ID changed to ${promoted.master_replid}`)
      await admin(mid).set('promoted', 'mid')
      await waitForOffsetsEqual([mid, end])
      await waitForDigestsEqual([mid, end])
      expect(await replInfo(end)).toMatchObject({master_link_status: 'up', master_replid: promoted.master_replid, master_replid2: history, second_repl_offset: promoted.second_repl_offset})
      expect(countLog(end, /Full resync from master/)).toBe(1)
    })
  }

  for (const [master_, promoted_] of [['redis', 'bundled'], ['bundled', 'redis']] as const) {
    it.concurrent(`promotion: ${promoted_} replica of ${master_} becomes master, the old master partially resyncs with it`, async ({expect, onTestFinished}) => {
      const start = nodeScope(onTestFinished)
      const oldMaster = await start({engine: master_, args: base})
      await writeWorkload(oldMaster.client(), 'before')
      const promoted = await start({engine: promoted_, args: replicaArgs(oldMaster)})
      await waitForLinkUp(promoted)
      await writeWorkload(oldMaster.client(), 'during')
      const offset = await waitForOffsetsEqual([oldMaster, promoted])
      await waitForDigestsEqual([oldMaster, promoted])
      const history = (await replInfo(oldMaster)).master_replid as string

      expect(await replicaOf(promoted, 'NO ONE')).toBe('OK')
      const shifted = await replInfo(promoted)
      // The old id stays valid up to the offset reached: `offset` unless a PING arrived since it was read.
      const reached = Number(shifted.master_repl_offset)
      expect(reached === offset || reached === offset + 14, `offset ${reached} after ${offset}`).toBe(true)
      expect(shifted).toMatchObject({
        role: 'master',
        master_replid2: history,
        second_repl_offset: String(reached + 1),
        repl_backlog_active: '1',
      })
      expect(shifted.master_replid).not.toBe(history)
      expect(shifted.master_replid).toMatch(/^[0-9a-f]{40}$/)
      expect(shifted).not.toHaveProperty('master_link_status')
      expect(await admin(promoted).call('ROLE')).toEqual(['master', reached, []])
      await waitForLog(promoted, `Setting secondary replication ID to ${history}, valid up to offset: ${reached + 1}. New replication ID is ${shifted.master_replid}`)
      // Writable now.
      await admin(promoted).set('promoted:write', 'yes')

      expect(await replicaOf(oldMaster, promoted)).toBe('OK')
      await waitForLinkUp(oldMaster)
      await waitForLog(oldMaster, 'MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.')
      await waitForLog(promoted, new RegExp(`Partial resynchronization request from 127\\.0\\.0\\.1:${oldMaster.port} accepted\\. Sending \\d+ bytes of backlog starting from offset \\d+\\.`))
      expect(fullLog(oldMaster)).not.toContain('Full resync from master')
      expect(countLog(promoted, /Starting BGSAVE for SYNC/)).toBe(0)

      await writeWorkload(admin(promoted), 'after')
      await waitForOffsetsEqual([promoted, oldMaster])
      await waitForDigestsEqual([promoted, oldMaster])
      const [p, o] = await Promise.all([replInfo(promoted), replInfo(oldMaster)])
      // The old master took the promoted node's history; the old id stays valid up to the shift.
      expect(o).toMatchObject({role: 'slave', master_port: String(promoted.port), master_replid: p.master_replid, master_replid2: history, second_repl_offset: p.second_repl_offset})
      expect(p.slave0).toMatch(`ip=127.0.0.1,port=${oldMaster.port},state=online`)
      expect(await oldMaster.client().get('promoted:write')).toBe('yes')
    })
  }
})
