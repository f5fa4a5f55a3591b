// The fault commands end to end on a 1+2+3 topology, as a scenario the cli-faults-*.test.ts files run per
// setup: verify (passing, and failing on a paused node, two masters and diverging data), pause/resume with a
// failover, a pause that expires, planned switchovers through the sentinels and through FAILOVER under a
// running writer that must lose nothing, the error paths, and down with a paused node.

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Redis} from 'ioredis'
import {CliSandbox} from '../helpers/cli.js'
import {freePortRange} from '../helpers/ports.js'
import {waitFor} from '../helpers/wait-for.js'
import type {TopologyStatus} from '../../src/topology/inspect-all.js'
import type {VerifyReport} from '../../src/topology/verify.js'
import type {PauseResult} from '../../src/cli/commands/pause.js'
import type {FailoverResult} from '../../src/cli/commands/failover.js'
import type {ActiveFault} from '../../src/supervisor/faults.js'

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A writer through ioredis's Sentinel mode: every acknowledged SET is recorded, errors are counted. */
class AuditedWriter {
  readonly acked: string[] = []
  errors = 0
  private running = true
  private readonly done: Promise<void>
  private readonly client: Redis

  constructor(sentinelPorts: number[]) {
    this.client = new Redis({
      sentinels: sentinelPorts.map((port) => ({host: '127.0.0.1', port})), name: 'mymaster',
      // A demoted master answers READONLY: reconnect, which asks the sentinels again.
      reconnectOnError: (err) => err.message.startsWith('READONLY'), maxRetriesPerRequest: 1,
    })
    this.client.on('error', () => {})
    this.done = this.loop()
  }

  private async loop(): Promise<void> {
    for (let i = 0; this.running; i++) {
      const key = `audit:${i}`
      try {
        await this.client.set(key, String(i))
        this.acked.push(key)
      } catch {
        this.errors++
        await new Promise((r) => setTimeout(r, 20))
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false
    await this.done
    this.client.disconnect()
  }
}

export function describeFaults([label, engineArgs, skipReason]: readonly [string, readonly string[], string | undefined]): void {
  describe.skipIf(skipReason !== undefined)(`fault commands on ${label}${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
    const sandbox = new CliSandbox()
    let port = 0
    let sentinelPort = 0
    const client = (p: number) => new Redis({port: p, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0})
    const verify = (timeoutMs: number) => sandbox.run('verify', '--timeout', String(timeoutMs), '--json')
    const masterPort = async () => (await sandbox.json<VerifyReport>('verify', '--timeout', '60000')).groups[0]?.master?.port as number

    beforeAll(async () => {
      port = await freePortRange(3)
      sentinelPort = await freePortRange(3)
      const up = await sandbox.run('up', ...engineArgs, '--port', String(port), '--sentinel-port', String(sentinelPort), '--down-after', '1000', '--failover-timeout', '10000')
      expect(up.exitCode, up.stderr).toBe(0)
    }, 120_000)
    afterAll(() => sandbox.cleanup(), 60_000)

    it('verify passes on a healthy topology and names master, epoch, offset and digest', async () => {
      const c = client(port)
      await c.connect()
      await c.set('verified', '1')
      c.disconnect()
      const report = await sandbox.json<VerifyReport>('verify')
      expect(report.ok).toBe(true)
      expect(report.groups[0]).toMatchObject({name: 'mymaster', master: {id: 'master-1', port}, sentinels: 3})
      expect(report.groups[0]?.replicas.map((r) => r.id).sort()).toEqual(['replica-1', 'replica-2'])
      expect(report.groups[0]?.digest).toMatch(/^[0-9a-f]{40}$/)
      expect(report.groups[0]?.digest).not.toBe('0'.repeat(40))
    }, 60_000)

    it('verify fails on a paused replica, pausing twice is refused, and resume heals it', async () => {
      const pause = await sandbox.json<PauseResult>('pause', 'replica-2')
      expect(pause.paused.id).toBe('replica-2')
      const again = await sandbox.run('pause', 'replica-2')
      expect(again.exitCode).not.toBe(0)
      expect(again.stderr).toContain('replica-2 (port')
      expect(again.stderr).toContain('is already paused')
      const status = await sandbox.json<TopologyStatus>('status')
      expect(status.nodes.find((n) => n.id === 'replica-2')?.process).toBe('paused')
      const failed = await verify(300)
      expect(failed.exitCode).toBe(1)
      const report = JSON.parse(failed.stdout) as VerifyReport
      expect(report.ok).toBe(false)
      expect(report.problems.map((p) => p.message).join('\n')).toContain('replica-2 is paused')
      const resume = await sandbox.run('resume', 'replica-2')
      expect(resume.exitCode, resume.stderr).toBe(0)
      const notPaused = await sandbox.run('resume', 'replica-2')
      expect(notPaused.exitCode).not.toBe(0)
      expect(notPaused.stderr).toContain('is not paused')
      expect((await verify(30_000)).exitCode).toBe(0)
    }, 90_000)

    it('verify fails on two masters and on diverging data, and waits for the sentinels to repair them', async () => {
      const r2 = client(port + 2)
      await r2.connect()
      try {
        await r2.call('REPLICAOF', 'NO', 'ONE')
        const twoMasters = await verify(300)
        expect(twoMasters.exitCode).toBe(1)
        expect(twoMasters.stdout).toContain('2 servers are masters')
        // The sentinels turn the stray master back into a replica (+convert-to-slave) within seconds.
        expect((await verify(60_000)).exitCode).toBe(0)
        await r2.call('CONFIG', 'SET', 'replica-read-only', 'no')
        await r2.set('only-on-replica-2', 'x')
        const diverged = await verify(300)
        expect(diverged.exitCode).toBe(1)
        expect(diverged.stdout).toContain('replica-2 holds other data')
        await r2.del('only-on-replica-2')
        await r2.call('CONFIG', 'SET', 'replica-read-only', 'yes')
        expect((await verify(10_000)).exitCode).toBe(0)
      } finally {
        r2.disconnect()
      }
    }, 120_000)

    it('pausing the master follows the failover; resume demotes the old master and verify passes', async () => {
      const result = await sandbox.json<PauseResult>('pause', 'master')
      expect(result.paused.id).toBe('master-1')
      const events = result.failover?.events.map((e) => e.event) ?? []
      for (const e of ['+sdown', '+odown', '+selected-slave', '+switch-master']) expect(events).toContain(e)
      expect(['replica-1', 'replica-2']).toContain(result.failover?.newMaster?.id)
      const resume = await sandbox.run('resume', 'master-1')
      expect(resume.exitCode, resume.stderr).toBe(0)
      expect(resume.stdout).toContain('master-1 is now role:slave')
      const report = await sandbox.json<VerifyReport>('verify', '--timeout', '60000')
      expect(report.groups[0]?.master?.id).toBe(result.failover?.newMaster?.id)
      expect(report.groups[0]?.epoch).toBeGreaterThanOrEqual(1)
    }, 180_000)

    it('a pause --for ends by itself, and faults shows it until then', async () => {
      const pause = await sandbox.json<PauseResult>('pause', 'sentinel-3', '--for', '6000')
      expect(pause.paused.resumeAt).toBeGreaterThan(Date.now() - 1000)
      const faults = await sandbox.json<{faults: ActiveFault[]}>('faults')
      expect(faults.faults).toHaveLength(1)
      expect(faults.faults[0]).toMatchObject({node: 'sentinel-3', kind: 'pause'})
      expect(faults.faults[0]?.remainingMs).toBeGreaterThan(0)
      await waitFor(() => sandbox.json<{faults: ActiveFault[]}>('faults'), (f) => f.faults.length === 0, {timeoutMs: 20_000, what: 'the pause of sentinel-3 to expire'})
      expect((await verify(30_000)).exitCode).toBe(0)
    }, 60_000)

    it('failover --to switches over through the sentinels to the chosen replica', async () => {
      const before = await masterPort()
      const target = [port, port + 1, port + 2].find((p) => p !== before) as number
      const result = await sandbox.json<FailoverResult>('failover', '--to', String(target))
      expect(result.mode).toBe('sentinel')
      expect(result.newMaster?.port).toBe(target)
      expect(result.failover?.events.map((e) => e.event)).toContain('+switch-master')
      const report = await sandbox.json<VerifyReport>('verify', '--timeout', '60000')
      expect(report.groups[0]?.master?.port).toBe(target)
    }, 150_000)

    it('failover --coordinated loses no acknowledged write under a running writer', async () => {
      const before = await masterPort()
      const writer = new AuditedWriter([sentinelPort, sentinelPort + 1, sentinelPort + 2])
      let result: FailoverResult
      try {
        await waitFor(() => writer.acked.length, (n) => n > 200, {timeoutMs: 30_000, what: 'the writer to get going'})
        result = await sandbox.json<FailoverResult>('failover', '--coordinated')
        const ackedAtSwitch = writer.acked.length
        await waitFor(() => writer.acked.length, (n) => n > ackedAtSwitch + 200, {timeoutMs: 60_000, what: 'the writer to follow the new master'})
      } finally {
        await writer.stop()
      }
      expect(result.mode).toBe('coordinated')
      expect(result.states?.at(-1)).toBe('no-failover')
      expect(result.newMaster?.port).not.toBe(before)
      await sandbox.json<VerifyReport>('verify', '--timeout', '60000')
      const c = client(result.newMaster?.port as number)
      await c.connect()
      try {
        // In slices: a fast writer acknowledges more keys than one call can spread as arguments.
        const values: (string | null)[] = []
        for (let i = 0; i < writer.acked.length; i += 1000) values.push(...(await c.mget(writer.acked.slice(i, i + 1000))))
        const lost = writer.acked.filter((_, i) => values[i] === null)
        expect(lost, `${lost.length} of ${writer.acked.length} acknowledged writes lost`).toEqual([])
      } finally {
        c.disconnect()
      }
    }, 180_000)

    it('kill of the master with two of the three sentinels leaves no quorum: no failover; started again, the same master serves', async () => {
      const before = await masterPort()
      const masterId = before === port ? 'master-1' : before === port + 1 ? 'replica-1' : 'replica-2'
      const epochBefore = (await sandbox.json<VerifyReport>('verify')).groups[0]?.epoch
      const kill = await sandbox.run('kill', 'master,sentinel-1,sentinel-2')
      expect(kill.exitCode, kill.stderr).toBe(0)
      expect(kill.stdout).toContain('1 of 3 sentinels are left and a failover needs 2')
      expect(kill.stdout.match(/sent SIGKILL to /g)).toHaveLength(3)
      // Well past down-after (1000 ms): the last sentinel sees the master down and cannot fail it over alone.
      await new Promise((r) => setTimeout(r, 3000))
      const last = client(sentinelPort + 2)
      await last.connect()
      try {
        expect(await last.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')).toEqual(['127.0.0.1', String(before)])
        const fields = (await last.call('SENTINEL', 'MASTER', 'mymaster')) as string[]
        expect(fields[fields.indexOf('flags') + 1]).toContain('s_down')
      } finally {
        last.disconnect()
      }
      // The master first, so that the sentinels come back to a live master.
      expect((await sandbox.run('start', masterId)).exitCode).toBe(0)
      expect((await sandbox.run('start', 'all')).exitCode).toBe(0)
      const report = await sandbox.json<VerifyReport>('verify', '--timeout', '60000')
      expect(report.groups[0]?.master?.port).toBe(before)
      expect(report.groups[0]?.epoch).toBe(epochBefore)
    }, 120_000)

    it('pause replicas --for pauses both replicas at once; they continue by themselves', async () => {
      const master = await masterPort()
      const result = await sandbox.json<PauseResult>('pause', 'replicas', '--for', '6000')
      expect(result.pausedNodes?.map((p) => p.port).sort()).toEqual([port, port + 1, port + 2].filter((p) => p !== master).sort())
      expect(result.failover).toBeUndefined()
      const faults = await sandbox.json<{faults: ActiveFault[]}>('faults')
      expect(faults.faults.map((f) => f.node).sort()).toEqual(result.pausedNodes?.map((p) => p.id).sort())
      await waitFor(() => sandbox.json<{faults: ActiveFault[]}>('faults'), (f) => f.faults.length === 0, {timeoutMs: 30_000, what: 'both pauses to end by themselves'})
      expect((await verify(60_000)).exitCode).toBe(0)
    }, 60_000)

    it('gives clear errors for bad fault input', async () => {
      const unknown = await sandbox.run('pause', 'nonsense')
      expect(unknown.exitCode).not.toBe(0)
      expect(unknown.stderr).toContain("unknown node 'nonsense'")
      const forceAlone = await sandbox.run('failover', '--coordinated', '--force')
      expect(forceAlone.exitCode).not.toBe(0)
      expect(forceAlone.stderr).toContain('--force needs --to')
      const master = await masterPort()
      const toMaster = await sandbox.run('failover', '--to', String(master))
      expect(toMaster.exitCode).not.toBe(0)
      expect(toMaster.stderr).toContain('is already the master')
      const noNumber = await sandbox.run('pause', 'replica-1', '--for', 'soon')
      expect(noNumber.exitCode).not.toBe(0)
      expect(noNumber.stderr).toContain('Expected an integer')
    }, 60_000)

    it('down resumes and stops a paused node and leaves no process behind', async () => {
      const pause = await sandbox.json<PauseResult>('pause', 'replica-1', '--for', '600000')
      const status = await sandbox.json<TopologyStatus>('status')
      const pids = status.nodes.map((n) => n.pid).filter((p): p is number => p !== undefined)
      expect(pids).toContain(pause.paused.pid)
      const down = await sandbox.run('down')
      expect(down.exitCode, down.stderr).toBe(0)
      await waitFor(() => pids.filter(isAlive), (alive) => alive.length === 0, {timeoutMs: 20_000, what: 'every node to exit'})
      const faults = await sandbox.json<{faults: ActiveFault[]}>('faults')
      expect(faults.faults).toEqual([])
    }, 60_000)
  })
}
