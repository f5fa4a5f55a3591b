// The network faults of `up --lab` end to end on a 1+2+3 topology, as a scenario the cli-lab-*.test.ts files
// run per setup: the proxy in front of every node, latency that shows in replication, a replica cut from its
// master that resyncs partially after heal, the classic split brain (a master cut off from sentinels and
// replicas keeps taking writes from clients, which the failover then throws away; the test counts them), a
// partition that expires, a dead proxy that is reported and restarted with its rules, and the error paths.

import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Redis} from 'ioredis'
import {CliSandbox} from '../helpers/cli.js'
import {freePortRange} from '../helpers/ports.js'
import {waitFor} from '../helpers/wait-for.js'
import type {TopologyStatus} from '../../src/topology/inspect-all.js'
import type {VerifyReport} from '../../src/topology/verify.js'
import type {PartitionResult} from '../../src/cli/commands/partition.js'
import type {HealResult} from '../../src/cli/commands/heal.js'
import type {LatencyResult} from '../../src/cli/commands/latency.js'
import type {Rule} from '../../src/proxy/rules.js'
import type {AuditReport, WriteSample} from '../../src/lab/types.js'

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** MGET of any number of keys, in slices (a spread of a long writer's keys would overflow the call stack). */
async function mgetAll(c: Redis, keys: readonly string[]): Promise<(string | null)[]> {
  const values: (string | null)[] = []
  for (let i = 0; i < keys.length; i += 1000) values.push(...(await c.mget(keys.slice(i, i + 1000))))
  return values
}

const infoField = (info: string, field: string): string | undefined => new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim()

/** Writes straight to one server (as a client that was given its address), recording each acknowledged SET. */
class DirectWriter {
  readonly acked: {key: string; sentAt: number}[] = []
  private running = true
  private readonly done: Promise<void>
  private readonly client: Redis

  constructor(port: number) {
    this.client = new Redis({host: '127.0.0.1', port, maxRetriesPerRequest: 0, commandTimeout: 2000})
    this.client.on('error', () => {})
    this.done = this.loop()
  }

  private async loop(): Promise<void> {
    for (let i = 0; this.running; i++) {
      const key = `split:${i}`
      const sentAt = Date.now()
      try {
        await this.client.set(key, String(i))
        this.acked.push({key, sentAt})
      } catch {
        await new Promise((r) => setTimeout(r, 20))
      }
      await new Promise((r) => setTimeout(r, 5))
    }
  }

  async stop(): Promise<void> {
    this.running = false
    await this.done
    this.client.disconnect()
  }
}

export function describeLab([label, engineArgs, skipReason]: readonly [string, readonly string[], string | undefined]): void {
  describe.skipIf(skipReason !== undefined)(`network faults (up --lab) on ${label}${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
    const sandbox = new CliSandbox()
    let port = 0
    let sentinelPort = 0
    const client = (p: number) => new Redis({port: p, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, commandTimeout: 3000})
    const withClient = async <T>(p: number, fn: (c: Redis) => Promise<T>): Promise<T> => {
      const c = client(p)
      await c.connect()
      try {
        return await fn(c)
      } finally {
        c.disconnect()
      }
    }
    const verifyOk = async () => {
      const report = await sandbox.json<VerifyReport>('verify', '--timeout', '60000')
      expect(report.ok).toBe(true)
      return report
    }

    beforeAll(async () => {
      // Public ports, then each node's own port at +6 (--lab-offset): one free range of 12.
      port = await freePortRange(12)
      sentinelPort = port + 3
      const up = await sandbox.run('up', ...engineArgs, '--lab', '--lab-offset', '6', '--port', String(port), '--sentinel-port', String(sentinelPort),
        '--down-after', '1000', '--failover-timeout', '10000')
      expect(up.exitCode, up.stderr + up.stdout).toBe(0)
    }, 120_000)
    afterAll(() => sandbox.cleanup(), 60_000)

    it('puts a supervised proxy in front of every node; nodes announce its ports and status and verify see it', async () => {
      const status = await sandbox.json<TopologyStatus>('status')
      expect(status.healthy, status.verdict).toBe(true)
      expect(status.proxy?.process).toBe('running')
      expect(isAlive(status.proxy?.pid as number)).toBe(true)
      // Each node itself listens on its own port; the master lists its replicas at their public (proxy) ports.
      expect(await withClient(port + 6, (c) => c.ping())).toBe('PONG')
      const info = await withClient(port, (c) => c.info('replication'))
      expect(info).toContain(`port=${port + 1},`)
      expect(info).toContain(`port=${port + 2},`)
      const sentinels = await withClient(sentinelPort, (c) => c.call('SENTINEL', 'SENTINELS', 'mymaster') as Promise<string[][]>)
      expect(sentinels.map((s) => Number(s[s.indexOf('port') + 1])).sort()).toEqual([sentinelPort + 1, sentinelPort + 2])
      await withClient(port, (c) => c.set('lab:before', '1'))
      await verifyOk()
    }, 90_000)

    it('latency between the master and a replica delays what that replica receives', async () => {
      const latency = await sandbox.json<LatencyResult>('latency', 'replica-1', '200', '--from', 'master')
      expect(latency.rule).toMatchObject({kind: 'latency', nodes: ['replica-1'], from: ['master-1'], delayMs: 200})
      const faults = await sandbox.json<{network: Rule[]}>('faults')
      expect(faults.network.map((r) => r.kind)).toEqual(['latency'])
      const delays: number[] = []
      const replica = client(port + 1)
      const master = client(port)
      await Promise.all([replica.connect(), master.connect()])
      try {
        for (let i = 0; i < 3; i++) {
          // Timed from before the write is sent: the master passes it to the proxy no earlier than that, and its
          // reply to us may come later than the bytes it sent toward the replica.
          const sent = Date.now()
          await master.set(`lab:lat:${i}`, String(i))
          await waitFor(() => replica.get(`lab:lat:${i}`), (v) => v === String(i), {timeoutMs: 10_000, intervalMs: 5, what: `lab:lat:${i} on replica-1`})
          delays.push(Date.now() - sent)
        }
      } finally {
        replica.disconnect()
        master.disconnect()
      }
      // The replication stream to replica-1 waits 200 ms in the proxy: no write can show there sooner.
      expect(Math.min(...delays), `delays ${delays.join(', ')} ms`).toBeGreaterThanOrEqual(195)
      const healed = await sandbox.json<HealResult>('heal', 'replica-1')
      expect(healed.healed).toHaveLength(1)
      await verifyOk()
    }, 90_000)

    it('a replica cut from its master loses its link; after heal it resyncs partially', async () => {
      const stats = async () => withClient(port, (c) => c.info('stats'))
      const before = await stats()
      const cut = await sandbox.json<PartitionResult>('partition', 'replica-2', '--from', 'master')
      expect(cut.failover).toBeUndefined()
      await waitFor(async () => (await sandbox.json<TopologyStatus>('status')).nodes.find((n) => n.id === 'replica-2')?.link, (l) => l === 'down', {
        timeoutMs: 30_000, what: 'replica-2 master_link_status:down',
      })
      await withClient(port, (c) => c.set('lab:during-cut', '1'))
      await sandbox.json<HealResult>('heal')
      await waitFor(async () => (await sandbox.json<TopologyStatus>('status')).nodes.find((n) => n.id === 'replica-2')?.link, (l) => l === 'up', {
        timeoutMs: 60_000, what: 'replica-2 master_link_status:up',
      })
      const after = await stats()
      expect(Number(infoField(after, 'sync_partial_ok'))).toBeGreaterThan(Number(infoField(before, 'sync_partial_ok')))
      expect(infoField(after, 'sync_full')).toBe(infoField(before, 'sync_full'))
      expect(await withClient(port + 2, (c) => c.get('lab:during-cut'))).toBe('1')
      await verifyOk()
    }, 120_000)

    it('split brain: a master cut off from sentinels and replicas takes client writes that the failover throws away', async () => {
      const writer = new DirectWriter(port)
      let result: PartitionResult
      try {
        await waitFor(() => writer.acked.length, (n) => n > 50, {timeoutMs: 30_000, what: 'the writer to get going'})
        result = await sandbox.json<PartitionResult>('partition', 'master', '--from', 'sentinels,replicas')
        const ackedAtFailover = writer.acked.length
        // The old master still answers the clients, which are not cut off from it.
        await waitFor(() => writer.acked.length, (n) => n > ackedAtFailover + 50, {timeoutMs: 30_000, what: 'the old master to keep acknowledging writes'})
      } finally {
        await writer.stop()
      }
      expect(result.rule.nodes).toEqual(['master-1'])
      expect(result.failover?.newMaster?.id).toMatch(/^replica-/)
      const during = await sandbox.run('verify', '--timeout', '500', '--json')
      expect(during.exitCode).toBe(1)
      expect((JSON.parse(during.stdout) as VerifyReport).problems.map((p) => p.message).join('\n')).toContain('a network fault is in force')

      const newMasterPort = result.failover?.newMaster?.port as number
      const healed = await sandbox.json<HealResult>('heal')
      expect(healed.healed.map((r) => r.kind)).toEqual(['cut'])
      const report = await verifyOk()
      expect(report.groups[0]?.master?.port).toBe(newMasterPort)
      // Our own count: every write sent after the cut went to a master nobody replicated from.
      const cutAt = result.rule.createdAt
      const afterCut = writer.acked.filter((w) => w.sentAt > cutAt)
      expect(afterCut.length).toBeGreaterThan(50)
      const values = await withClient(newMasterPort, (c) => mgetAll(c, writer.acked.map((w) => w.key)))
      const lost = writer.acked.filter((_, i) => values[i] === null)
      expect(lost.length).toBeGreaterThanOrEqual(afterCut.length)
      expect(lost.filter((w) => w.sentAt > cutAt)).toEqual(afterCut)
      // The old master, now a replica, dropped them too (it resynced from the new master).
      const onOld = await withClient(port, (c) => mgetAll(c, afterCut.map((w) => w.key)))
      expect(onOld.every((v) => v === null)).toBe(true)
      expect(await withClient(port, (c) => c.get('lab:before'))).toBe('1')
    }, 180_000)

    it('partition --for --load: the audit counts the writes the cut-off master acknowledged, exactly those missing on the new master', async () => {
      const samples = join(sandbox.dir, 'partition.samples.json')
      const result = await sandbox.json<PartitionResult>('partition', 'master', '--from', 'sentinels,replicas', '--for', '6000', '--load', '--samples', samples)
      const audit = result.audit as AuditReport
      const newMaster = result.failover?.newMaster?.port as number
      expect(audit.fault).toMatchObject({kind: 'partition', node: result.rule.nodes[0]})
      expect(audit.readBack?.from?.port).toBe(newMaster)
      const acked = (JSON.parse(readFileSync(samples, 'utf8')) as {writes: WriteSample[]}).writes.filter((w) => w.ok)
      const values = await withClient(newMaster, (c) => mgetAll(c, acked.map((w) => w.key)))
      const missing = acked.filter((w, i) => values[i] !== w.value).map((w) => w.key).sort()
      expect(missing.length, 'the cut-off master acknowledged writes that the new master never got').toBeGreaterThan(0)
      expect(audit.writes.lost).toBe(missing.length)
      expect(audit.lostWrites.map((l) => l.key).sort()).toEqual(missing)
      expect(audit.events.map((e) => e.event)).toContain('+switch-master')
      await verifyOk()
    }, 180_000)

    it('a partition given --for heals by itself; faults shows it until then', async () => {
      const cut = await sandbox.json<PartitionResult>('partition', 'sentinel-3', '--for', '6000')
      expect(cut.rule.until).toBeGreaterThan(Date.now() - 1000)
      const faults = await sandbox.json<{network: Rule[]}>('faults')
      expect(faults.network).toHaveLength(1)
      expect(faults.network[0]?.nodes).toEqual(['sentinel-3'])
      await waitFor(async () => (await sandbox.json<{network: Rule[]}>('faults')).network.length, (n) => n === 0, {timeoutMs: 30_000, what: 'the partition to expire'})
      await verifyOk()
    }, 90_000)

    it('bad input gets a clear error and changes nothing', async () => {
      const nothing = await sandbox.run('heal')
      expect(nothing.exitCode).not.toBe(0)
      expect(nothing.stderr).toContain('nothing is cut or slowed')
      const noNumber = await sandbox.run('latency', 'replica-1', 'slow')
      expect(noNumber.exitCode).not.toBe(0)
      expect(noNumber.stderr).toContain('the last argument must be the delay in ms')
      const unknown = await sandbox.run('partition', 'replica-9')
      expect(unknown.exitCode).not.toBe(0)
      expect(unknown.stderr).toContain("unknown node 'replica-9'")
      const empty = await sandbox.run('partition', 'sentinels', '--from', 'sentinel-1')
      expect(empty.exitCode).not.toBe(0)
      expect(empty.stderr).toContain('nothing is left on the other side')
      const badMode = await sandbox.run('partition', 'replica-1', '--mode', 'drop')
      expect(badMode.exitCode).not.toBe(0)
      expect((await sandbox.json<{network: Rule[]}>('faults')).network).toEqual([])

      const plain = new CliSandbox()
      try {
        const p = await freePortRange(1)
        const up = await plain.run('up', ...engineArgs, '--replicas', '0', '--sentinels', '0', '--port', String(p))
        expect(up.exitCode, up.stderr).toBe(0)
        const noLab = await plain.run('partition', 'master-1')
        expect(noLab.exitCode).not.toBe(0)
        expect(noLab.stderr).toContain('started without --lab')
        expect(noLab.stderr).toContain('rtopo up --lab')
      } finally {
        await plain.cleanup()
      }
    }, 90_000)

    it('a dead proxy is reported, never passed off as healthy; start proxy brings it back with its rules', async () => {
      await sandbox.json<LatencyResult>('latency', 'sentinel-1', '20', '--from', 'sentinel-2')
      const pid = (await sandbox.json<TopologyStatus>('status')).proxy?.pid as number
      process.kill(pid, 'SIGKILL')
      await waitFor(() => isAlive(pid), (alive) => !alive, {what: 'the proxy to die'})
      const status = await sandbox.json<TopologyStatus>('status')
      expect(status.proxy?.process).toBe('stopped')
      expect(status.healthy).toBe(false)
      const verify = await sandbox.run('verify', '--timeout', '300', '--json')
      expect(verify.exitCode).toBe(1)
      expect(verify.stdout).toContain('the lab proxy is not running')
      const faults = await sandbox.run('faults')
      expect(faults.exitCode).not.toBe(0)
      expect(faults.stderr).toContain('rtopo start proxy')

      const start = await sandbox.run('start', 'proxy')
      expect(start.exitCode, start.stderr).toBe(0)
      const back = await sandbox.json<{network: Rule[]}>('faults')
      expect(back.network.map((r) => [r.kind, r.nodes, r.from])).toEqual([['latency', ['sentinel-1'], ['sentinel-2']]])
      await sandbox.json<HealResult>('heal')
      await verifyOk()
    }, 120_000)

    it('down stops the nodes and the proxy and leaves no process', async () => {
      const status = await sandbox.json<TopologyStatus>('status')
      const pids = [...status.nodes.map((n) => n.pid as number), status.proxy?.pid as number]
      expect(pids.every((p) => p > 0 && isAlive(p))).toBe(true)
      const down = await sandbox.run('down')
      expect(down.exitCode, down.stderr).toBe(0)
      expect(down.stdout).toContain('lab proxy stopped')
      await waitFor(() => pids.filter(isAlive), (alive) => alive.length === 0, {what: 'every node and the proxy to exit'})
    }, 60_000)
  })
}
