// The failure lab's workload and audit end to end, as a scenario the cli-load-*.test.ts files run per engine:
// `rtopo load --duration` on its own, bad flags, `kill master --load --wait-replicas 1` losing nothing, and a
// run that loses writes on purpose. Every number of the audit is checked against the test's own count: the
// samples file (--samples) lists what the clients saw, and the test reads every acknowledged key back itself.

import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Redis} from 'ioredis'
import {execa} from 'execa'
import {CliSandbox} from '../helpers/cli.js'
import {projectRoot} from '../helpers/nodes.js'
import {freePortRange} from '../helpers/ports.js'
import {waitFor} from '../helpers/wait-for.js'
import type {LoadResult} from '../../src/cli/commands/load.js'
import type {KillResult} from '../../src/cli/commands/kill.js'
import type {PauseResult} from '../../src/cli/commands/pause.js'
import type {FailoverResult} from '../../src/cli/commands/failover.js'
import type {VerifyReport} from '../../src/topology/verify.js'
import type {AuditReport, ReadSample, WriteSample} from '../../src/lab/types.js'

interface Samples {
  startedAt: number
  keyPrefix: string
  writes: WriteSample[]
  reads: ReadSample[]
}

/** A long-running CLI command (CliSandbox.spawn gives up after 60 s; a failover retried by the sentinels can take longer). */
const spawnCli = (sandbox: CliSandbox, ...args: string[]) =>
  execa(process.execPath, [join(projectRoot, 'bin', 'run.js'), ...args, '--dir', sandbox.dir], {
    reject: false, cwd: sandbox.dir, env: {NO_COLOR: '1', OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}, timeout: 220_000,
  })

const client = (port: number): Redis => new Redis({port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null})

async function withClient<T>(port: number, fn: (c: Redis) => Promise<T>): Promise<T> {
  const c = client(port)
  c.on('error', () => {})
  await c.connect()
  try {
    return await fn(c)
  } finally {
    c.disconnect()
  }
}

/** Each server's replication view and the sentinel's, for a failure message that explains itself. */
const topologyReport = async (servers: readonly number[], sentinel: number): Promise<string> => {
  const lines: string[] = []
  for (const p of servers) {
    lines.push(`server ${p}: ${await withClient(p, async (c) => (await c.info('replication')).split('\r\n').filter((l) => /^(role|master_port|master_link_status|connected_slaves|slave\d|master_repl_offset):/.test(l)).join(' ')).catch((e: Error) => e.message)}`)
  }
  lines.push(`sentinel ${sentinel}: ${await withClient(sentinel, async (c) => JSON.stringify(await c.call('SENTINEL', 'MASTERS'))).catch((e: Error) => e.message)}`)
  return lines.join('\n')
}

/** Every key under a prefix, by SCAN. */
const keysUnder = (port: number, prefix: string): Promise<Set<string>> => withClient(port, async (c) => {
  const keys = new Set<string>()
  let cursor = '0'
  do {
    const [next, batch] = await c.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    for (const k of batch) keys.add(k)
  } while (cursor !== '0')
  return keys
})

/** The test's own read-back: acknowledged writes whose value the server does not hold. */
const missingOn = (port: number, writes: readonly WriteSample[]): Promise<string[]> => withClient(port, async (c) => {
  const acked = writes.filter((w) => w.ok)
  const missing: string[] = []
  for (let i = 0; i < acked.length; i += 500) {
    const batch = acked.slice(i, i + 500)
    const values = await c.mget(...batch.map((w) => w.key))
    batch.forEach((w, j) => {
      if (values[j] !== w.value) missing.push(w.key)
    })
  }
  return missing
})

const nearestRank = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0 ? 0 : (sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] as number)
}

/** The audit's counts and latencies against the samples, counted here independently. */
function expectCountsMatch(audit: AuditReport, s: Samples): void {
  const ok = s.writes.filter((w) => w.ok && w.doneMs !== undefined)
  expect(audit.writes.attempted).toBe(s.writes.length)
  expect(audit.writes.acknowledged).toBe(ok.length)
  expect(audit.writes.failed).toBe(s.writes.filter((w) => !w.ok && w.doneMs !== undefined).length)
  expect(audit.writes.inFlight).toBe(s.writes.filter((w) => w.doneMs === undefined).length)
  expect(audit.writes.attempted).toBe(audit.writes.acknowledged + audit.writes.failed + audit.writes.inFlight)
  expect(audit.reads.attempted).toBe(s.reads.length)
  expect(audit.reads.stale).toBe(s.reads.filter((r) => r.ok && r.stale).length)
  const latencies = ok.map((w) => (w.doneMs as number) - w.sentMs)
  expect(audit.latency.overall.count).toBe(ok.length)
  expect(audit.latency.overall.maxMs).toBe(Math.max(...latencies))
  expect(audit.latency.overall.p99Ms).toBe(nearestRank(latencies, 0.99))
  expect(audit.latency.overall.p50Ms).toBe(nearestRank(latencies, 0.5))
  expect(audit.series.reduce((n, b) => n + b.writesOk, 0)).toBe(ok.length)
  expect(audit.series.reduce((n, b) => n + b.writesFailed, 0)).toBe(audit.writes.failed)
  expect(audit.keyPrefix).toBe(s.keyPrefix)
  expect(new Set(s.writes.map((w) => w.key)).size).toBe(s.writes.length)
  for (const w of s.writes) expect(w.key.startsWith(s.keyPrefix)).toBe(true)
}

export function describeLoad([label, engineArgs, skipReason]: readonly [string, readonly string[], string | undefined]): void {
  describe.skipIf(skipReason !== undefined)(`workload and loss audit on ${label}${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
    const sandbox = new CliSandbox()
    let port = 0
    let sentinelPort = 0
    const samplesFile = (name: string) => join(sandbox.dir, `${name}.samples.json`)
    const readSamples = (name: string) => JSON.parse(readFileSync(samplesFile(name), 'utf8')) as Samples
    const masterPort = async () => (await sandbox.json<VerifyReport>('verify', '--timeout', '60000')).groups[0]?.master?.port as number
    const sentinelMaster = () => withClient(sentinelPort, async (c) => Number(((await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as string[])[1]))

    beforeAll(async () => {
      port = await freePortRange(3)
      sentinelPort = await freePortRange(3)
      const up = await sandbox.run('up', ...engineArgs, '--port', String(port), '--sentinel-port', String(sentinelPort), '--down-after', '1000', '--failover-timeout', '10000')
      expect(up.exitCode, up.stderr).toBe(0)
    }, 120_000)
    afterAll(() => sandbox.cleanup(), 60_000)

    it('load --duration ends by itself; its counts, latencies and read-back agree with the samples and the master', async () => {
      const prefix = `t:dur:${Date.now()}:`
      const run = await sandbox.run('load', '--duration', '2', '--clients', '2', '--rate', '100', '--mix', '80:20', '--read-from', 'replicas', '--prefix', prefix, '--samples', samplesFile('dur'), '--json')
      expect(run.exitCode, run.stderr).toBe(0)
      const {audit} = JSON.parse(run.stdout) as LoadResult
      const s = readSamples('dur')
      expectCountsMatch(audit, s)
      expect(audit.writes.acknowledged).toBeGreaterThan(20)
      expect(audit.reads.attempted).toBeGreaterThan(0)
      expect(audit.writes.lost).toBe(0)
      expect(audit.fault).toBeUndefined()
      const master = await masterPort()
      expect(audit.readBack).toMatchObject({from: {port: master}, checked: audit.writes.acknowledged, missing: 0, different: 0})
      expect(await missingOn(master, s.writes)).toEqual([])
      // Nothing failed, so the master holds exactly the acknowledged keys.
      if (audit.writes.failed === 0 && audit.writes.inFlight === 0) {
        expect((await keysUnder(master, prefix)).size).toBe(audit.writes.acknowledged)
        expect(audit.unavailable).toBeNull()
      }
    }, 60_000)

    it('load with node-redis, plain output: a line per second and the summary', async () => {
      const prefix = `t:nr:${Date.now()}:`
      const run = await sandbox.run('load', '--duration', '1.5', '--client', 'node-redis', '--clients', '2', '--rate', '100', '--prefix', prefix, '--samples', samplesFile('nr'))
      expect(run.exitCode, run.stderr).toBe(0)
      expect(run.stdout).toMatch(/^ +1\.\d s {2}writes +\d+\/s/m)
      const s = readSamples('nr')
      const acked = s.writes.filter((w) => w.ok).length
      expect(acked).toBeGreaterThan(10)
      expect(run.stdout).toContain(`${s.writes.length} sent · ${acked} acknowledged`)
      expect(run.stdout).toContain('0 LOST')
      expect(await missingOn(await masterPort(), s.writes)).toEqual([])
    }, 60_000)

    it('gives clear errors for bad load flags', async () => {
      const cases: Array<[string[], string]> = [
        [['--rate', 'fast'], "--rate must be a positive number of operations per second, or max; got 'fast'"],
        [['--mix', '1'], "--mix must be set:get weights such as 80:20 (not both 0); got '1'"],
        [['--wait-replicas', '3'], '--wait-replicas 3 can never be reached: mymaster has 2 replica(s)'],
        [['--duration', '0'], "--duration must be a positive number of seconds; got '0'"],
        [['--client', 'jedis'], 'Expected --client=jedis to be one of: ioredis, node-redis'],
        [['--group', 'nope'], "no group 'nope' (groups: mymaster)"],
      ]
      for (const [args, message] of cases) {
        const run = await sandbox.run('load', ...args)
        expect(run.exitCode, args.join(' ')).not.toBe(0)
        expect(run.stderr).toContain(message)
      }
    }, 60_000)

    it('kill master --load --wait-replicas 1: the clients follow the new master and no acknowledged write is lost', async () => {
      const prefix = `t:kill:${Date.now()}:`
      const old = await masterPort()
      const result = await sandbox.json<KillResult>('kill', 'master', '--load', '--wait-replicas', '1', '--prefix', prefix, '--samples', samplesFile('kill'))
      const audit = result.audit as AuditReport
      const s = readSamples('kill')
      expectCountsMatch(audit, s)
      expect(audit.fault).toMatchObject({kind: 'kill', node: result.killed.id, port: old})
      const newMaster = result.failover?.newMaster?.port as number
      expect(newMaster).not.toBe(old)
      expect(audit.oldMaster?.port).toBe(old)
      expect(audit.newMaster?.port).toBe(newMaster)
      // Every acknowledged write waited for a replica, and the test finds each one on the new master.
      for (const w of s.writes.filter((x) => x.ok)) expect(w.replicasAcked).toBeGreaterThanOrEqual(1)
      expect(await missingOn(newMaster, s.writes)).toEqual([])
      expect(audit.writes.lost).toBe(0)
      expect(audit.lostWrites).toEqual([])
      expect(audit.readBack).toMatchObject({from: {port: newMaster}, checked: audit.writes.acknowledged, missing: 0})
      // Writes before the kill went to the old master, the ones after the client followed to the new one.
      const fault = audit.fault as NonNullable<AuditReport['fault']>
      const firstOnNew = s.writes.filter((w) => w.ok && w.sentMs >= fault.atMs && w.port === newMaster).map((w) => w.doneMs as number).sort((a, b) => a - b)[0]
      const seenAfter = s.writes.filter((w) => w.sentMs >= fault.atMs).map((w) => `${w.port ?? '-'}:${w.ok ? 'ok' : w.error}`)
      expect(firstOnNew, `writes after the fault: ${[...new Set(seenAfter)].join(', ')}; ${JSON.stringify(audit.writes)}`).toBeDefined()
      expect(audit.clientFollowedMs).toBe((firstOnNew as number) - fault.atMs)
      expect(s.writes.filter((w) => w.ok && w.sentMs < fault.atMs).every((w) => w.port === old)).toBe(true)
      expect(audit.latency.before?.count).toBe(s.writes.filter((w) => w.ok && w.sentMs < fault.atMs).length)
      // The outage is a window around the fault: writes stopped no earlier than an op timeout before it.
      const window = audit.unavailable as NonNullable<AuditReport['unavailable']>
      expect(window).not.toBeNull()
      expect(window.fromMs).toBeGreaterThanOrEqual(fault.atMs - audit.options.opTimeoutMs - audit.options.waitTimeoutMs)
      // The audit rounds each time to 0.01 ms: the sum may exceed the rounded window end by a rounding step.
      expect(window.toMs).toBeLessThanOrEqual(fault.atMs + (audit.clientFollowedMs as number) + 0.01)
      const switched = audit.events.find((e) => e.event === '+switch-master')
      expect(switched?.atMs).toBeGreaterThan(fault.atMs)
      expect(switched?.message).toContain(String(newMaster))
      // The workload's own watch and the kill's both saw each sentinel's event: the timeline has it once.
      const switches = audit.events.filter((e) => e.event === '+switch-master')
      expect(new Set(switches.map((e) => e.sentinel)).size).toBe(switches.length)
      // The old master comes back as a replica, so the next test has two again.
      const start = await sandbox.run('start', result.killed.id)
      expect(start.exitCode, start.stderr).toBe(0)
      expect((await sandbox.run('verify', '--timeout', '60000')).exitCode).toBe(0)
    }, 180_000)

    it('failover --coordinated --load: writes pause for the handover, the clients follow and nothing acknowledged is lost', async () => {
      const prefix = `t:switch:${Date.now()}:`
      const old = await masterPort()
      const result = await sandbox.json<FailoverResult>('failover', '--coordinated', '--load', '--prefix', prefix, '--samples', samplesFile('switch'))
      const audit = result.audit as AuditReport
      const s = readSamples('switch')
      expectCountsMatch(audit, s)
      expect(audit.fault).toMatchObject({kind: 'failover', node: result.oldMaster.id, port: old})
      const newMaster = result.newMaster?.port as number
      expect(newMaster).not.toBe(old)
      expect(audit.newMaster?.port).toBe(newMaster)
      // FAILOVER waits until the target has every write, so the test finds each acknowledged one there.
      expect(await missingOn(newMaster, s.writes)).toEqual([])
      expect(audit.writes.lost).toBe(0)
      expect(audit.readBack).toMatchObject({from: {port: newMaster}, checked: audit.writes.acknowledged, missing: 0})
      const fault = audit.fault as NonNullable<AuditReport['fault']>
      expect(s.writes.some((w) => w.ok && w.sentMs >= fault.atMs && w.port === newMaster)).toBe(true)
      expect(audit.clientFollowedMs).toBeGreaterThan(0)
      expect(audit.events.map((e) => e.event)).toContain('+switch-master')
      expect((await sandbox.run('verify', '--timeout', '60000')).exitCode).toBe(0)
    }, 180_000)

    it('writes acknowledged by a master cut off from its replicas are reported lost, exactly those the test finds missing', async () => {
      const prefix = `t:lost:${Date.now()}:`
      const old = await sentinelMaster()
      const replicas = [port, port + 1, port + 2].filter((p) => p !== old)
      const load = spawnCli(sandbox, 'load', '--clients', '2', '--rate', '200', '--op-timeout', '5000', '--prefix', prefix, '--samples', samplesFile('lost'), '--json')
      try {
        await waitFor(() => keysUnder(old, prefix), (k) => k.size >= 50, {timeoutMs: 30_000, what: 'the workload to write to the master'})
        // Stop both replicas, then fill their replication links with one big value: the kernel buffers take a
        // few MB, the rest waits in the master's memory, and so does every later write.
        const paused = await Promise.all(replicas.map((r) => sandbox.run('pause', String(r))))
        for (const p of paused) expect(p.exitCode, p.stderr).toBe(0)
        await withClient(old, (c) => c.set('t:filler', Buffer.alloc(48 * 1024 * 1024, 120)))
        const afterFiller = (await keysUnder(old, prefix)).size
        await waitFor(() => keysUnder(old, prefix), (k) => k.size >= afterFiller + 100, {timeoutMs: 30_000, what: 'writes the replicas cannot get'})
        // Freeze the master's dataset (writes wait), note it, and kill the master.
        const onOldMaster = await withClient(old, async (c) => {
          await c.call('CLIENT', 'PAUSE', '60000', 'WRITE')
          return keysUnder(old, prefix)
        })
        const kill = await sandbox.run('kill', String(old), '--no-wait')
        expect(kill.exitCode, kill.stderr).toBe(0)
        const resumed = await Promise.all(replicas.map((r) => sandbox.run('resume', String(r), '--no-wait')))
        for (const r of resumed) expect(r.exitCode, r.stderr).toBe(0)
        const promoted = await waitFor(sentinelMaster, (p) => p !== old, {timeoutMs: 90_000, what: 'the sentinels to promote a replica'})
        const before = (await keysUnder(promoted, prefix)).size
        // The master the sentinels name at each poll: on a starved machine a second failover may follow the first.
        const writesOnCurrentMaster = async () => (await keysUnder(await sentinelMaster(), prefix)).size
        try {
          await waitFor(writesOnCurrentMaster, (n) => n >= before + 50, {timeoutMs: 90_000, intervalMs: 250, what: 'the workload to write to the new master'})
        } catch (cause) {
          load.kill('SIGINT')
          const stopped = await load.catch((e: unknown) => e as {stderr?: unknown})
          throw new Error(`${(cause as Error).message}\n${await topologyReport([port, port + 1, port + 2], sentinelPort)}\nload stderr (end):\n${String(stopped.stderr).slice(-2000)}`)
        }
        load.kill('SIGINT')
        const out = await load
        expect(out.exitCode, String(out.stderr)).toBe(0)
        const {audit} = JSON.parse(String(out.stdout)) as LoadResult
        const newMaster = await sentinelMaster()
        const s = readSamples('lost')
        expectCountsMatch(audit, s)
        expect(audit.readBack?.from?.port).toBe(newMaster)
        // The test's own read-back of every acknowledged write from the new master.
        const missing = await missingOn(newMaster, s.writes)
        expect(missing.length).toBeGreaterThanOrEqual(100)
        expect(audit.writes.lost).toBe(missing.length)
        expect(audit.lostWrites.map((l) => l.key).sort()).toEqual([...missing].sort())
        expect(audit.readBack?.missing).toBe(missing.length)
        // Each lost write was on the old master when it died, and none of them had reached a replica.
        for (const key of missing) expect(onOldMaster.has(key)).toBe(true)
        for (const l of audit.lostWrites) expect(s.writes.find((w) => w.key === l.key)).toMatchObject({ok: true, sentMs: l.sentMs, doneMs: l.ackMs})
      } finally {
        if (load.exitCode === null) load.kill('SIGKILL')
        await load.catch(() => undefined)
      }
    }, 240_000)

    it('pause master --load with node-redis: the audit agrees with the test\'s read-back of the new master', async () => {
      const prefix = `t:pause:${Date.now()}:`
      const result = await sandbox.json<PauseResult>('pause', 'master', '--load', '--client', 'node-redis', '--prefix', prefix, '--samples', samplesFile('pause'))
      const audit = result.audit as AuditReport
      const s = readSamples('pause')
      expectCountsMatch(audit, s)
      expect(audit.fault).toMatchObject({kind: 'pause', node: result.paused.id, port: result.paused.port})
      const newMaster = result.failover?.newMaster?.port as number
      expect(audit.readBack?.from?.port).toBe(newMaster)
      const missing = await missingOn(newMaster, s.writes)
      expect(audit.writes.lost).toBe(missing.length)
      expect(audit.lostWrites.map((l) => l.key).sort()).toEqual(missing.sort())
      expect(audit.clientFollowedMs).toBeGreaterThan(0)
      expect(audit.events.map((e) => e.event)).toContain('+switch-master')
      const resume = await sandbox.run('resume', result.paused.id, '--no-wait')
      expect(resume.exitCode, resume.stderr).toBe(0)
    }, 180_000)
  })
}

/** up --min-replicas-to-write / --min-replicas-max-lag rendered into every server, and enforced by the master. */
export function describeMinReplicas([label, engineArgs, skipReason]: readonly [string, readonly string[], string | undefined]): void {
  describe.skipIf(skipReason !== undefined)(`up --min-replicas-to-write on ${label}${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
    const sandbox = new CliSandbox()
    afterAll(() => sandbox.cleanup(), 60_000)

    it('every server gets the settings; the master refuses writes once its replica is gone', async () => {
      const port = await freePortRange(2)
      const up = await sandbox.run('up', ...engineArgs, '--replicas', '1', '--sentinels', '0', '--port', String(port), '--min-replicas-to-write', '1', '--min-replicas-max-lag', '7')
      expect(up.exitCode, up.stderr).toBe(0)
      for (const p of [port, port + 1]) {
        const config = await withClient(p, async (c) => [await c.config('GET', 'min-replicas-to-write'), await c.config('GET', 'min-replicas-max-lag')])
        expect(config).toEqual([['min-replicas-to-write', '1'], ['min-replicas-max-lag', '7']])
      }
      for (const id of ['master-1', 'replica-1']) expect(readFileSync(join(sandbox.dir, id, 'redis.conf'), 'utf8')).toMatch(/^min-replicas-to-write 1\nmin-replicas-max-lag 7$/m)
      await withClient(port, (c) => c.set('with-a-replica', '1'))
      const kill = await sandbox.run('kill', 'replica-1')
      expect(kill.exitCode, kill.stderr).toBe(0)
      const refused = await waitFor(() => withClient(port, (c) => c.set('without-a-replica', '1').then(() => 'OK', (e: Error) => e.message)), (r) => r !== 'OK', {timeoutMs: 30_000, what: 'the master to refuse writes'})
      expect(refused).toBe('NOREPLICAS Not enough good replicas to write.')
    }, 90_000)
  })
}
