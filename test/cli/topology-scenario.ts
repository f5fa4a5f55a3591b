// The whole CLI on a 1+2+3 topology, as a scenario the cli-topology-*.test.ts files run per setup: up, status --json, kill master with a live failover, start of the old
// master, replicaof, the error paths, and down. Runs on the bundled engine alone, on real Redis alone, and
// mixed (bundled servers watched by real redis-sentinel).

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Redis} from 'ioredis'
import {CliSandbox} from '../helpers/cli.js'
import {freePortRange} from '../helpers/ports.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {bundledMissing} from '../helpers/nodes.js'
import type {TopologyStatus} from '../../src/topology/inspect-all.js'
import type {KillResult} from '../../src/cli/commands/kill.js'

const roleOf = (status: TopologyStatus, id: string) => status.nodes.find((n) => n.id === id)

/** The setups; each runs from its own test file so they run in parallel. */
export const TOPOLOGY_SETUPS = {
  bundled: ['the bundled engine', ['--engine', 'bundled'], bundledMissing],
  redis: ['real Redis', ['--engine', 'redis'], realRedisMissing ?? bundledMissing],
  mixed: ['bundled servers with real sentinels', ['--engine', 'bundled', '--sentinel-engine', 'redis'], realRedisMissing ?? bundledMissing],
} as const satisfies Record<string, readonly [string, readonly string[], string | undefined]>

export function describeTopology([label, engineArgs, skipReason]: readonly [string, readonly string[], string | undefined]): void {
  // When this setup cannot run here, the reason shows in the suite's name.
  describe.skipIf(skipReason !== undefined)(`rtopo on ${label}${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
    const sandbox = new CliSandbox()
    let port = 0
    let sentinelPort = 0

    beforeAll(async () => {
      port = await freePortRange(3)
      sentinelPort = await freePortRange(3)
    })
    afterAll(() => sandbox.cleanup(), 60_000)

    it('brings up 1 master, 2 replicas and 3 sentinels and reports them healthy', async () => {
      const up = await sandbox.run('up', ...engineArgs, '--port', String(port), '--sentinel-port', String(sentinelPort), '--down-after', '1000', '--failover-timeout', '10000')
      expect(up.exitCode, up.stderr).toBe(0)
      expect(up.stdout).toContain('Topology up')
      const status = await sandbox.json<TopologyStatus>('status')
      expect(status.healthy).toBe(true)
      expect(roleOf(status, 'master-1')?.role).toBe('master')
      expect(roleOf(status, 'replica-1')).toMatchObject({role: 'replica', link: 'up', master: `127.0.0.1:${port}`})
      expect(status.nodes.filter((n) => n.kind === 'sentinel').every((s) => s.sentinel?.[0]?.masterPort === port)).toBe(true)
    }, 120_000)

    it('refuses a second up on a running topology and changes nothing', async () => {
      const again = await sandbox.run('up', ...engineArgs, '--port', String(port), '--sentinel-port', String(sentinelPort))
      expect(again.exitCode).toBe(0)
      expect(again.stdout).toContain('already running')
    })

    it('kill master follows the failover and ends with a verified new master', async () => {
      const writer = new Redis({port, host: '127.0.0.1', lazyConnect: true})
      await writer.connect()
      await writer.set('before-failover', 'kept')
      writer.disconnect()
      const result = await sandbox.json<KillResult>('kill', 'master')
      expect(result.killed.id).toBe('master-1')
      const events = result.failover?.events.map((e) => e.event) ?? []
      for (const e of ['+sdown', '+odown', '+elected-leader', '+selected-slave', '+promoted-slave', '+switch-master']) expect(events).toContain(e)
      const newMaster = result.failover?.newMaster
      expect(['replica-1', 'replica-2']).toContain(newMaster?.id)
      const status = await sandbox.json<TopologyStatus>('status')
      expect(roleOf(status, newMaster?.id as string)?.role).toBe('master')
      const client = new Redis({port: newMaster?.port, host: '127.0.0.1', lazyConnect: true})
      await client.connect()
      expect(await client.get('before-failover')).toBe('kept')
      client.disconnect()
    }, 150_000)

    it('start brings the old master back as a replica of the new one', async () => {
      const start = await sandbox.run('start', 'master-1')
      expect(start.exitCode, start.stderr).toBe(0)
      expect(start.stdout).toContain('is now role:slave')
      const status = await sandbox.json<TopologyStatus>('status')
      expect(roleOf(status, 'master-1')).toMatchObject({role: 'replica', link: 'up'})
      expect(status.healthy).toBe(true)
    }, 120_000)

    it('replicaof rewires by hand and REPLICAOF NO ONE promotes', async () => {
      const status = await sandbox.json<TopologyStatus>('status')
      const replica = status.nodes.find((n) => n.role === 'replica') as {id: string}
      const noOne = await sandbox.json<{role: string}>('replicaof', replica.id, 'no-one')
      expect(noOne.role).toBe('master')
    }, 60_000)

    it('gives clear errors for an unknown selector and a busy port', async () => {
      const bad = await sandbox.run('kill', 'nonsense')
      expect(bad.exitCode).not.toBe(0)
      expect(bad.stderr).toContain("unknown node 'nonsense'")
      // all names every node: a one-node command refuses it instead of acting on the first node alone.
      const many = await sandbox.run('logs', 'all')
      expect(many.exitCode).not.toBe(0)
      expect(many.stderr).toContain("logs takes one node; 'all' names 6 (master-1, replica-1, replica-2, sentinel-1, sentinel-2, sentinel-3)")
      expect((await sandbox.json<TopologyStatus>('status')).nodes.map((n) => n.process)).toEqual(Array(6).fill('running'))
      const other = new CliSandbox()
      try {
        const busy = await other.run('up', '--engine', 'redis', '--port', String(port), '--replicas', '0', '--sentinels', '0')
        expect(busy.exitCode).not.toBe(0)
        expect(busy.stderr).toContain(`port ${port} (master-1) is already in use`)
        const suggested = Number(/pick other ports: rtopo up --port (\d+)/.exec(busy.stderr)?.[1])
        expect(suggested, busy.stderr).toBeGreaterThan(1023)
        expect(suggested).toBeLessThan(65536)
        expect(suggested).not.toBe(port)
      } finally {
        await other.cleanup()
      }
    }, 60_000)

    it('down stops everything and --purge removes the state', async () => {
      const down = await sandbox.run('down', '--purge')
      expect(down.exitCode).toBe(0)
      const status = await sandbox.run('status')
      expect(status.exitCode).not.toBe(0)
      expect(status.stderr).toContain('no topology')
    }, 60_000)
  })
}
