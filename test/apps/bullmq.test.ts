// BullMQ on each engine. BullMQ runs every state change through Lua scripts (addStandardJob, moveToActive,
// moveToFinished, retryJob, promote, updateParentDepsIfNeeded …) that use cmsgpack and cjson, writes every
// event to a stream with XADD … MAXLEN ~ from inside those scripts, and QueueEvents reads that stream with
// XREAD BLOCK. Jobs are processed with their return values, failures are retried with backoff, delayed and
// prioritised jobs run in their order, a flow's parent waits for its children, the rate limiter holds a
// worker back, and QueueEvents sees what happened in order. Real Redis 7.0 runs the same tests.

import {FlowProducer, Queue, QueueEvents, Worker, type Job, type JobType} from 'bullmq'
import {Redis} from 'ioredis'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {bundledMissing, removeDir, startServer, type Engine, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {waitFor} from '../helpers/wait-for.js'

const ENGINES: [Engine, string | undefined][] = [['bundled', bundledMissing], ['redis', realRedisMissing]]

for (const [engine, missing] of ENGINES) {
  describe.skipIf(!!missing)(`BullMQ on ${engine}${missing ? ` (skipped: ${missing})` : ''}`, () => {
    let node: NodeHandle
    const closers: {close(): Promise<unknown>}[] = []
    const connection = () => ({host: '127.0.0.1', port: node.port, maxRetriesPerRequest: null})
    const own = <T extends {close(): Promise<unknown>}>(x: T): T => {
      closers.push(x)
      return x
    }
    const queue = (name: string) => own(new Queue(name, {connection: connection()}))
    const worker = <D, R>(name: string, fn: (job: Job<D, R>) => Promise<R>, opts: Record<string, unknown> = {}) => {
      const w = own(new Worker<D, R>(name, fn, {connection: connection(), ...opts}))
      w.on('error', () => {})
      return w
    }
    const events = async (name: string) => {
      const e = own(new QueueEvents(name, {connection: connection()}))
      await e.waitUntilReady()
      return e
    }
    const countsAre = (q: Queue, expected: Record<string, number>, what: string) =>
      waitFor(() => q.getJobCounts(...(Object.keys(expected) as JobType[])), (c) => Object.entries(expected).every(([k, v]) => c[k] === v), {what, timeoutMs: 20_000})

    beforeAll(async () => {
      node = await startServer({engine, args: ['--save', '']})
    })
    afterAll(async () => {
      for (const c of closers.reverse()) await c.close().catch(() => undefined)
      await node?.kill()
      if (node) removeDir(node.dir)
    })

    it('processes jobs, keeps their return values, and QueueEvents reports each completion', async () => {
      const q = queue('basic')
      const qe = await events('basic')
      const seen: string[] = []
      qe.on('completed', ({jobId}) => seen.push(jobId))
      const jobs = await q.addBulk([1, 2, 3, 4, 5].map((n) => ({name: 'double', data: {n}})))
      worker<{n: number}, {doubled: number}>('basic', async (job) => ({doubled: job.data.n * 2}))
      const results = await Promise.all(jobs.map((j) => j.waitUntilFinished(qe, 20_000)))
      expect(results).toEqual([2, 4, 6, 8, 10].map((doubled) => ({doubled})))
      await countsAre(q, {completed: 5, active: 0, wait: 0, failed: 0}, 'five completed jobs')
      const stored = await q.getJob(jobs[2]?.id as string)
      expect(await stored?.getState()).toBe('completed')
      expect(stored?.returnvalue).toEqual({doubled: 6})
      expect(stored?.data).toEqual({n: 3})
      expect(stored?.finishedOn).toBeGreaterThanOrEqual(stored?.processedOn as number)
      await waitFor(() => seen.length, (n) => n === 5, {what: 'five completed events'})
      expect([...seen].sort()).toEqual(jobs.map((j) => j.id).sort())
    })

    it('retries a failing job with backoff until it completes, and fails one whose attempts run out', async () => {
      const q = queue('retries')
      const qe = await events('retries')
      const failures: string[] = []
      qe.on('failed', ({jobId, failedReason}) => failures.push(`${jobId}:${failedReason}`))
      worker<{failTimes: number}, string>('retries', async (job) => {
        if (job.attemptsMade < job.data.failTimes) throw new Error(`attempt ${job.attemptsMade + 1} failed`)
        return `ok after ${job.attemptsMade} failures`
      })
      const flaky = await q.add('flaky', {failTimes: 2}, {attempts: 3, backoff: {type: 'fixed', delay: 100}})
      const doomed = await q.add('doomed', {failTimes: 5}, {attempts: 2, backoff: {type: 'exponential', delay: 50}})
      expect(await flaky.waitUntilFinished(qe, 20_000)).toBe('ok after 2 failures')
      await expect(doomed.waitUntilFinished(qe, 20_000)).rejects.toThrow('attempt 2 failed')
      const [f, d] = await Promise.all([q.getJob(flaky.id as string), q.getJob(doomed.id as string)])
      expect(await f?.getState()).toBe('completed')
      expect(f?.attemptsMade).toBe(3)
      expect(f?.stacktrace).toHaveLength(2)
      expect(await d?.getState()).toBe('failed')
      expect(d?.failedReason).toBe('attempt 2 failed')
      await waitFor(() => failures, (x) => x.includes(`${doomed.id}:attempt 2 failed`), {what: 'the failed event of the doomed job'})
      // A failed job retried by hand runs again; with nothing left to fail it completes.
      await d?.updateData({failTimes: 0})
      await d?.retry()
      await countsAre(q, {completed: 2, failed: 0}, 'the retried job completed')
    })

    it('a delayed job waits in the delayed set until due; prioritised jobs run in priority order', async () => {
      const q = queue('order')
      const delayed = await q.add('later', {tag: 'later'}, {delay: 700})
      expect(await delayed.getState()).toBe('delayed')
      await q.add('low', {}, {priority: 10})
      await q.add('high', {}, {priority: 1})
      await q.add('middle', {}, {priority: 5})
      expect(await q.getJobCounts('prioritized', 'delayed')).toEqual({prioritized: 3, delayed: 1})
      const order: string[] = []
      worker<unknown, void>('order', async (job) => {
        order.push(job.name)
      }, {concurrency: 1})
      await countsAre(q, {completed: 4, delayed: 0, prioritized: 0}, 'the prioritised and the delayed jobs completed')
      expect(order).toEqual(['high', 'middle', 'low', 'later'])
      const done = await q.getJob(delayed.id as string)
      expect((done?.processedOn as number) - done!.timestamp).toBeGreaterThanOrEqual(700)
    })

    it('a flow\'s parent runs after its children and reads their results', async () => {
      const flows = own(new FlowProducer({connection: connection()}))
      const qe = await events('flow-parent')
      // The flow is added before any worker runs, so the parent is seen waiting for its children.
      const tree = await flows.add({
        name: 'sum', queueName: 'flow-parent',
        children: [1, 2, 3].map((n) => ({name: 'square', queueName: 'flow-children', data: {n}})),
      })
      expect(await tree.job.getState()).toBe('waiting-children')
      worker<{n: number}, number>('flow-children', async (job) => job.data.n * job.data.n)
      let childValues: Record<string, number> = {}
      worker<unknown, number>('flow-parent', async (job) => {
        childValues = await job.getChildrenValues()
        return Object.values(childValues).reduce((a, b) => a + b, 0)
      })
      expect(await tree.job.waitUntilFinished(qe, 30_000)).toBe(14)
      expect(Object.values(childValues).sort()).toEqual([1, 4, 9])
      expect(await tree.job.getDependenciesCount()).toMatchObject({processed: 3, unprocessed: 0})
    })

    it('the rate limiter holds a worker to its rate; the events stream stays trimmed', async () => {
      const q = queue('limited')
      const startedAt: number[] = []
      worker<unknown, void>('limited', async () => {
        startedAt.push(Date.now())
      }, {limiter: {max: 2, duration: 400}})
      await q.addBulk(Array.from({length: 6}, (_, i) => ({name: `j${i}`, data: {}})))
      await countsAre(q, {completed: 6}, 'six rate-limited jobs completed')
      // 6 jobs at 2 per 400 ms: the last one starts at least two windows after the first.
      expect((startedAt[5] as number) - (startedAt[0] as number)).toBeGreaterThanOrEqual(700)
      const client = new Redis({port: node.port, host: '127.0.0.1'})
      try {
        const info = (await client.call('XINFO', 'STREAM', 'bull:limited:events')) as unknown[]
        const length = Number(info[info.indexOf('length') + 1])
        expect(length).toBeGreaterThan(0)
        expect(length).toBeLessThanOrEqual(10_000 + 100)
      } finally {
        client.disconnect()
      }
    })

    it('a job scheduler repeats a job every interval', async () => {
      const q = queue('scheduled')
      const ran: number[] = []
      worker<unknown, void>('scheduled', async () => {
        ran.push(Date.now())
      })
      await q.upsertJobScheduler('tick', {every: 300}, {name: 'tick', data: {}})
      await waitFor(() => ran.length, (n) => n >= 3, {what: 'three runs of the scheduled job', timeoutMs: 15_000})
      expect(await q.getJobSchedulersCount()).toBe(1)
      await q.removeJobScheduler('tick')
      expect(await q.getJobSchedulersCount()).toBe(0)
    })
  })
}
