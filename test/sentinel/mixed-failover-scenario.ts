// A failover decided by a mixed set of three sentinels watching bundled servers (one master, two replicas;
// quorum 2, down-after 1000, failover-timeout 10000): discovery, kill -9 of the master, agreement on the
// promoted replica, the other replica following it, and the old master demoted when it comes back. Then the
// leader forced to each engine in turn. failover-two-*.test.ts run it for two mixes, side by side.

import {describe, it} from 'vitest'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {
  killMasterAndFailover,
  restartOldMasterAndWaitForDemotion,
  sentinelName,
  sentinelScope,
  sharedStateLines,
  specsWithLeader,
  startTopology,
} from '../helpers/sentinels.js'
import {waitFor} from '../helpers/wait-for.js'

type Engine = 'bundled' | 'redis'

export interface MixedFailoverSetup {
  /** "2 bundled + 1 real" */
  readonly label: string
  readonly engines: readonly [Engine, Engine, Engine]
  /** Leader engine, then the two others: the first cannot reach quorum alone, the second never sees the master down. */
  readonly leaderCases: readonly (readonly [Engine, readonly [Engine, Engine]])[]
}

const skip = realRedisMissing ?? bundledMissing

export function describeMixedFailover({label, engines, leaderCases}: MixedFailoverSetup): void {
  describe.skipIf(!!skip)(`failover with ${label} sentinels${skip ? ` (skipped: ${skip})` : ''}`, () => {
    // Independent topologies: the tests run side by side.
    it.concurrent('all discover each other; kill -9 the master: one new master for all, the old one rejoins as a replica', async ({expect, onTestFinished}) => {
      const scope = sentinelScope(onTestFinished)
      const t = await startTopology(scope, engines.map((engine) => ({engine})))
      for (const s of t.sentinels) {
        expect(await s.sentinel('SENTINELS', 'mymaster'), sentinelName(s)).toHaveLength(2)
        expect(await s.sentinel('REPLICAS', 'mymaster'), sentinelName(s)).toHaveLength(2)
        expect(await s.sentinel('CKQUORUM', 'mymaster'), sentinelName(s)).toBe('OK 3 usable Sentinels. Quorum and failover authorization can be reached')
      }
      const old = t.master
      const {promoted, leader, epoch} = await killMasterAndFailover(t)
      console.info(`${label}: ${sentinelName(leader)} led the failover in epoch ${epoch}`)
      expect(epoch).toBeGreaterThanOrEqual(1)
      // Every sentinel saved the same state: the new master, epochs, the other replica and the old master.
      const others = t.replicas.filter((r) => r !== promoted).map((r) => r.port)
      const expected = [
        `sentinel config-epoch mymaster ${epoch}`, `sentinel current-epoch ${epoch}`, 'sentinel down-after-milliseconds mymaster 1000',
        'sentinel failover-timeout mymaster 10000', ...[...others, old.port].map((p) => `sentinel known-replica mymaster 127.0.0.1 ${p}`),
        'sentinel known-sentinel PEER', 'sentinel known-sentinel PEER', `sentinel monitor mymaster 127.0.0.1 ${promoted.port} 2`,
      ].sort()
      for (const s of t.sentinels) {
        await waitFor(() => sharedStateLines(s), (lines) => JSON.stringify(lines) === JSON.stringify(expected), {what: `${sentinelName(s)} saved the state after the failover`})
      }
      await promoted.client().set('after-failover', 'ok')
      const back = await restartOldMasterAndWaitForDemotion(scope, t, old, promoted)
      await expect.poll(() => back.client().get('after-failover'), {timeout: 10_000}).toBe('ok')
    }, 90_000)

    for (const [leaderEngine, others] of leaderCases) {
      it.concurrent(`the ${leaderEngine} sentinel leads when it is the only one able to start a failover`, async ({expect, onTestFinished}) => {
        const scope = sentinelScope(onTestFinished)
        const t = await startTopology(scope, specsWithLeader(leaderEngine, [others[0], others[1]]))
        const {leader, epoch} = await killMasterAndFailover(t)
        expect(leader).toBe(t.sentinels[0])
        expect(epoch).toBe(1)
      }, 60_000)
    }
  })
}
