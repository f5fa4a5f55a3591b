// SENTINEL SIMULATE-FAILURE on both engines: with crash-after-election a forced failover makes the sentinel
// exit with code 99 right after +elected-leader (nothing promoted); with crash-after-promotion it exits
// after +promoted-slave (the replica is already a master).

import {describe, it} from 'vitest'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {sentinelScope, startTopology, waitForRoleMaster} from '../helpers/sentinels.js'

const skip = realRedisMissing ?? bundledMissing

describe.skipIf(!!skip)(`SENTINEL SIMULATE-FAILURE${skip ? ` (skipped: ${skip})` : ''}`, () => {
  for (const engine of ['bundled', 'redis'] as const) {
    for (const flag of ['crash-after-election', 'crash-after-promotion'] as const) {
      it.concurrent(`${engine}: ${flag} ends the process with exit code 99`, async ({expect, onTestFinished}) => {
        const scope = sentinelScope(onTestFinished)
        const t = await startTopology(scope, [{engine}], {replicas: 1})
        const [s] = t.sentinels as [typeof t.sentinels[0]]
        const [replica] = t.replicas as [typeof t.replicas[0]]
        expect(await s.sentinel('SIMULATE-FAILURE', flag)).toBe('OK')
        // redis-sentinel can run its timer, elect itself and exit in the same event-loop turn as the command,
        // before the OK is written: then the reply is lost with the connection.
        const reply = await s.sentinel('FAILOVER', 'mymaster').catch((error: Error) => error)
        if (reply !== 'OK') expect(String(reply)).toMatch(/max retries|Connection is closed|ECONNRESET|EPIPE/i)
        const result = (await s.exited) as {exitCode?: number}
        expect(result.exitCode).toBe(99)
        const log = s.logTail(1000)
        expect(log).toContain('Sentinel CRASH because of SENTINEL simulate-failure')
        expect(log).toMatch(flag === 'crash-after-election' ? /\+elected-leader master mymaster .*\n.*Sentinel CRASH/ : /\+promoted-slave slave .*\n.*Sentinel CRASH/)
        if (flag === 'crash-after-promotion') await waitForRoleMaster(replica, undefined)
        else expect(String(await replica.client().info('replication'))).toContain('role:slave')
      }, 30_000)
    }
  }
})
