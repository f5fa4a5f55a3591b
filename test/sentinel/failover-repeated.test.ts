// Two failovers in a row decided by bundled sentinels: the master is killed, a replica promoted; then the
// promoted replica is killed at once and the last replica takes over. Redis resets a master's failover
// start time when it switches to the new address, so nothing holds the second failover back (without the
// reset every sentinel would wait 2 × failover-timeout = 20 s from the first one).

import {describe, expect, it} from 'vitest'
import {bundledMissing} from '../helpers/nodes.js'
import {killMasterAndFailover, masterState, sentinelScope, startTopology} from '../helpers/sentinels.js'
import {waitFor} from '../helpers/wait-for.js'

describe.skipIf(!!bundledMissing)(`repeated failovers${bundledMissing ? ` (skipped: ${bundledMissing})` : ''}`, () => {
  it('3 bundled sentinels: the promoted replica dies right after the failover, the last replica is promoted', async ({onTestFinished}) => {
    const scope = sentinelScope(onTestFinished)
    const t = await startTopology(scope, [{engine: 'bundled'}, {engine: 'bundled'}, {engine: 'bundled'}])
    const first = await killMasterAndFailover(t)
    expect(first.epoch).toBe(1)
    const last = t.replicas.find((r) => r !== first.promoted)!
    // Each sentinel must know the last replica as a linked replica of the new master before the next kill.
    await Promise.all(t.sentinels.map((s) => waitFor(() => masterState(s), (m) => m.port === String(first.promoted.port) && m.flags === 'master', {what: 'new master linked'})))
    const second = await killMasterAndFailover({...t, master: first.promoted, replicas: [last]}, 15_000)
    expect(second.promoted).toBe(last)
    expect(second.epoch).toBeGreaterThan(first.epoch)
    expect(await last.client().get('before-failover')).toBe('kept')
  }, 60_000)
})
