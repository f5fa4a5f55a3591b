// Applications through Sentinel across a failover, on a bundled topology the CLI builds (1 master, 2 replicas,
// 3 sentinels, master name mymaster): redlock, Bull and BullMQ connect with ioredis in Sentinel mode, take a
// lock and process jobs, `rtopo kill master` runs the failover, and they keep working on the promoted replica —
// the lock (replicated before the kill) is still held, new locks are granted, new jobs run, and BullMQ's
// QueueEvents goes on reading the replicated events stream (XREAD BLOCK) on the new master. Scripts are cached per
// server and never replicated: a SCRIPT LOAD on the old master leaves the new master answering NOSCRIPT to a raw
// EVALSHA, while ioredis's defineCommand falls back to EVAL by itself.

import {createHash} from 'node:crypto'
import Queue from 'bull'
import {Queue as MQQueue, QueueEvents, Worker} from 'bullmq'
import {Redis} from 'ioredis'
import Redlock, {ExecutionError, type Lock} from 'redlock'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {CliSandbox} from '../helpers/cli.js'
import {bundledMissing} from '../helpers/nodes.js'
import {freePortRange} from '../helpers/ports.js'
import {waitFor} from '../helpers/wait-for.js'
import type {KillResult} from '../../src/cli/commands/kill.js'
import type {TopologyStatus} from '../../src/topology/inspect-all.js'

const MASTER_NAME = 'mymaster'
const CACHED = "return 'cached on the old master'"
const CACHED_SHA = createHash('sha1').update(CACHED).digest('hex')

interface IncrTwice extends Redis {
  incrTwice(key: string): Promise<number>
}

describe.skipIf(!!bundledMissing)(`redlock, Bull and BullMQ through Sentinel across a failover${bundledMissing ? ` (skipped: ${bundledMissing})` : ''}`, () => {
  const sandbox = new CliSandbox()
  const clients: Redis[] = []
  const queues: Queue.Queue[] = []
  let port = 0
  let sentinelPort = 0
  let app: IncrTwice
  let redlock: Redlock
  let queue: Queue.Queue
  let heldLock: Lock
  let oldMasterPort = 0
  const processed: number[] = []
  let mqQueue: MQQueue
  let mqWorker: Worker<{n: number}, number>
  let mqEvents: QueueEvents
  const mqCompleted: string[] = []

  /** Sentinel-mode options, valid for our ioredis and for the ioredis 5 that Bull brings. */
  const sentinelOptions = () => ({
    sentinels: [0, 1, 2].map((i) => ({host: '127.0.0.1', port: sentinelPort + i})),
    name: MASTER_NAME,
    maxRetriesPerRequest: null,
    sentinelRetryStrategy: (times: number) => (times > 200 ? null : 100),
  })
  const direct = (p: number): Redis => {
    const c = new Redis({port: p, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 2, retryStrategy: () => null})
    c.on('error', () => {})
    clients.push(c)
    return c
  }

  beforeAll(async () => {
    port = await freePortRange(3)
    sentinelPort = await freePortRange(3)
  })
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)))
    for (const c of [mqWorker, mqEvents, mqQueue]) await c?.close().catch(() => undefined)
    for (const c of clients) c.disconnect()
    await sandbox.run('down', '--purge')
    await sandbox.cleanup()
  }, 90_000)

  it('brings up the topology and connects the applications through the sentinels', async () => {
    const up = await sandbox.run('up', '--engine', 'bundled', '--port', String(port), '--sentinel-port', String(sentinelPort), '--down-after', '1000', '--failover-timeout', '10000')
    expect(up.exitCode, up.stderr).toBe(0)
    const status = await sandbox.json<TopologyStatus>('status')
    expect(status.healthy).toBe(true)
    oldMasterPort = status.nodes.find((n) => n.role === 'master')?.port as number
    expect(oldMasterPort).toBe(port)
    const sentinel = direct(sentinelPort)
    expect(await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)).toEqual(['127.0.0.1', String(port)])

    app = new Redis(sentinelOptions()) as IncrTwice
    app.on('error', () => {})
    clients.push(app)
    app.defineCommand('incrTwice', {numberOfKeys: 1, lua: "redis.call('incr', KEYS[1]); return redis.call('incr', KEYS[1])"})
    expect(await app.call('ROLE').then((r) => (r as unknown[])[0])).toBe('master')
    expect(await app.incrTwice('counter')).toBe(2)

    redlock = new Redlock([app], {retryCount: 0})
    redlock.on('error', () => {})
    queue = new Queue('failover-jobs', {redis: sentinelOptions()})
    queue.on('error', () => {})
    queues.push(queue)
    void queue.process(async (job: Queue.Job<{n: number}>) => {
      processed.push(job.data.n)
      return job.data.n * 10
    })

    mqQueue = new MQQueue('mq-failover', {connection: sentinelOptions()})
    mqQueue.on('error', () => {})
    mqWorker = new Worker<{n: number}, number>('mq-failover', async (job) => job.data.n * 100, {connection: sentinelOptions()})
    mqWorker.on('error', () => {})
    mqEvents = new QueueEvents('mq-failover', {connection: sentinelOptions()})
    mqEvents.on('error', () => {})
    mqEvents.on('completed', ({jobId}) => mqCompleted.push(jobId))
    await mqEvents.waitUntilReady()
  }, 120_000)

  it('before the failover: a lock is held, jobs run, a script is loaded on the master only', async () => {
    heldLock = await redlock.acquire(['report-lock'], 120_000)
    await expect(redlock.acquire(['report-lock'], 120_000)).rejects.toBeInstanceOf(ExecutionError)
    const jobs = await Promise.all([1, 2, 3].map((n) => queue.add({n})))
    expect(await Promise.all(jobs.map((j) => j.finished()))).toEqual([10, 20, 30])
    const mqJobs = await Promise.all([1, 2, 3].map((n) => mqQueue.add('times100', {n})))
    expect(await Promise.all(mqJobs.map((j) => j.waitUntilFinished(mqEvents, 20_000)))).toEqual([100, 200, 300])

    const oldMaster = direct(oldMasterPort)
    expect(await oldMaster.call('SCRIPT', 'LOAD', CACHED)).toBe(CACHED_SHA)
    expect(await oldMaster.call('EVALSHA', CACHED_SHA, '0')).toBe('cached on the old master')
    // Both replicas acknowledged every write (the lock included) before the master goes.
    expect(await oldMaster.call('WAIT', '2', '10000')).toBe(2)
    for (const p of [port + 1, port + 2]) expect(await direct(p).call('SCRIPT', 'EXISTS', CACHED_SHA)).toEqual([0])
  }, 60_000)

  it('kill master: the sentinels promote a replica and the applications follow it', async () => {
    const result = await sandbox.json<KillResult>('kill', 'master')
    expect(result.killed.port).toBe(oldMasterPort)
    const newMaster = result.failover?.newMaster
    expect([port + 1, port + 2]).toContain(newMaster?.port)
    const newPort = newMaster?.port as number
    await waitFor(async () => {
      const info = String(await app.info('server'))
      return /tcp_port:(\d+)/.exec(info)?.[1]
    }, (p) => p === String(newPort), {what: `the Sentinel-mode client to reconnect to the new master :${newPort}`, timeoutMs: 30_000})

    // The lock taken before the kill is still held on the new master and can be released by its holder.
    await expect(redlock.acquire(['report-lock'], 60_000)).rejects.toBeInstanceOf(ExecutionError)
    const fresh = await waitFor(() => redlock.acquire(['after-failover'], 60_000), () => true, {what: 'a new lock granted by the new master', timeoutMs: 30_000})
    expect(await direct(newPort).get('after-failover')).toBe(fresh.value)
    await heldLock.release()
    await fresh.release()
    const again = await redlock.acquire(['report-lock'], 60_000)
    await again.release()

    // New jobs are processed through the new master; the old ones stay completed.
    const jobs = await Promise.all([4, 5, 6].map((n) => queue.add({n})))
    expect(await Promise.all(jobs.map((j) => j.finished()))).toEqual([40, 50, 60])
    await waitFor(() => queue.getJobCounts(), (c) => c.completed === 6 && c.active === 0 && c.waiting === 0, {what: 'six completed jobs on the new master', timeoutMs: 30_000})
    expect([...processed].sort()).toEqual([1, 2, 3, 4, 5, 6])

    // BullMQ: its worker and QueueEvents reconnect through the sentinels; new jobs run on the new master, and the
    // events stream (replicated with explicit IDs) goes on from where QueueEvents was.
    const mqJobs = await Promise.all([4, 5, 6].map((n) => mqQueue.add('times100', {n})))
    expect(await Promise.all(mqJobs.map((j) => j.waitUntilFinished(mqEvents, 30_000)))).toEqual([400, 500, 600])
    await waitFor(() => mqQueue.getJobCounts('completed', 'active', 'wait'), (c) => c.completed === 6 && c.active === 0 && c.wait === 0, {what: 'six completed BullMQ jobs on the new master', timeoutMs: 30_000})
    await waitFor(() => mqCompleted.length, (n) => n >= 6, {what: 'a completed event for each BullMQ job'})
    expect(new Set(mqCompleted).size).toBe(6)

    // The script cache did not move: a raw EVALSHA gets NOSCRIPT, defineCommand falls back to EVAL.
    await expect(direct(newPort).call('EVALSHA', CACHED_SHA, '0')).rejects.toThrow('NOSCRIPT No matching script. Please use EVAL.')
    expect(await app.incrTwice('counter')).toBe(4)
  }, 150_000)
})
