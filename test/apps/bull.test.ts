// Bull 4 queues on each engine. Bull runs nearly everything through Lua scripts (addJob, moveToActive,
// moveToFinished, retryJob, updateDelaySet, pause…) that use cmsgpack, cjson and bit: jobs are added and
// processed, a delayed job waits in the delayed set until it is due, failing jobs are retried with backoff and
// end completed or failed, priorities order a paused queue once resumed, and getJobCounts agrees throughout.

import Queue from 'bull'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {bundledMissing, removeDir, startServer, type Engine, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {waitFor} from '../helpers/wait-for.js'

const ENGINES: [Engine, string | undefined][] = [['bundled', bundledMissing], ['redis', realRedisMissing]]

for (const [engine, missing] of ENGINES) {
  describe.skipIf(!!missing)(`Bull queues on ${engine}${missing ? ` (skipped: ${missing})` : ''}`, () => {
    let node: NodeHandle
    const queues: Queue.Queue[] = []

    beforeAll(async () => {
      node = await startServer({engine, args: ['--save', '']})
    })
    afterAll(async () => {
      await Promise.all(queues.map((q) => q.close().catch(() => undefined)))
      await node?.kill()
      if (node) removeDir(node.dir)
    })

    const queue = (name: string): Queue.Queue => {
      const q = new Queue(name, {redis: {port: node.port, host: '127.0.0.1'}})
      q.on('error', () => {})
      queues.push(q)
      return q
    }
    const countsAre = (q: Queue.Queue, expected: Partial<Queue.JobCounts>, what: string) =>
      waitFor(() => q.getJobCounts(), (c) => Object.entries(expected).every(([k, v]) => c[k as keyof Queue.JobCounts] === v), {what, timeoutMs: 15_000})

    it('processes added jobs and keeps their results', async () => {
      const q = queue('basic')
      void q.process(async (job: Queue.Job<{n: number}>) => ({doubled: job.data.n * 2}))
      const jobs = await Promise.all([1, 2, 3].map((n) => q.add({n})))
      expect(await Promise.all(jobs.map((j) => j.finished()))).toEqual([{doubled: 2}, {doubled: 4}, {doubled: 6}])
      await countsAre(q, {completed: 3, active: 0, waiting: 0, failed: 0, delayed: 0}, 'three completed jobs')
      const stored = await q.getJob(jobs[1]?.id as Queue.JobId)
      expect(await stored?.getState()).toBe('completed')
      expect(stored?.returnvalue).toEqual({doubled: 4})
      expect(stored?.data).toEqual({n: 2})
    })

    it('a delayed job waits in the delayed set and runs once due', async () => {
      const q = queue('delayed')
      void q.process(async (job: Queue.Job<{tag: string}>) => `done ${job.data.tag}`)
      const job = await q.add({tag: 'later'}, {delay: 800})
      expect(await job.getState()).toBe('delayed')
      expect((await q.getJobCounts()).delayed).toBe(1)
      expect(await job.finished()).toBe('done later')
      await countsAre(q, {completed: 1, delayed: 0}, 'the delayed job completed')
    })

    it('retries failing jobs with backoff; they end completed or failed as their attempts allow', async () => {
      const q = queue('retries')
      void q.process(async (job: Queue.Job<{failTimes: number}>) => {
        if (job.attemptsMade < job.data.failTimes) throw new Error(`attempt ${job.attemptsMade + 1} failed`)
        return `ok after ${job.attemptsMade} failures`
      })
      const flaky = await q.add({failTimes: 2}, {attempts: 3, backoff: {type: 'fixed', delay: 100}})
      const doomed = await q.add({failTimes: 5}, {attempts: 2, backoff: {type: 'exponential', delay: 50}})
      expect(await flaky.finished()).toBe('ok after 2 failures')
      await expect(doomed.finished()).rejects.toThrow('attempt 2 failed')
      const [f, d] = await Promise.all([q.getJob(flaky.id), q.getJob(doomed.id)])
      expect(await f?.getState()).toBe('completed')
      expect(f?.attemptsMade).toBe(2)
      expect(f?.stacktrace).toHaveLength(2)
      expect(await d?.getState()).toBe('failed')
      expect(d?.attemptsMade).toBe(2)
      expect(d?.failedReason).toBe('attempt 2 failed')
      await countsAre(q, {completed: 1, failed: 1, active: 0, waiting: 0, delayed: 0}, 'one completed and one failed job')
      // A failed job can be retried by hand; with no failures left to make it completes.
      await d?.update({failTimes: 0})
      await d?.retry()
      await countsAre(q, {completed: 2, failed: 0}, 'the retried job completed')
    })

    it('a paused queue holds its jobs; once resumed they run by priority', async () => {
      const q = queue('priorities')
      await q.pause()
      const order: string[] = []
      void q.process(1, async (job: Queue.Job<{name: string}>) => {
        order.push(job.data.name)
      })
      await q.add({name: 'low'}, {priority: 10})
      await q.add({name: 'high'}, {priority: 1})
      await q.add({name: 'middle'}, {priority: 5})
      expect(await q.isPaused()).toBe(true)
      // A paused queue keeps new jobs in its paused list; none is taken.
      expect(await q.getPausedCount()).toBe(3)
      expect(await q.getActiveCount()).toBe(0)
      await q.resume()
      await countsAre(q, {completed: 3, waiting: 0, active: 0}, 'three prioritised jobs completed')
      expect(order).toEqual(['high', 'middle', 'low'])
    })

    it('removes jobs and empties the queue', async () => {
      const q = queue('cleanup')
      await q.pause()
      const jobs = await Promise.all(['a', 'b', 'c'].map((name) => q.add({name})))
      await jobs[0]?.remove()
      expect(await q.getPausedCount()).toBe(2)
      expect(await q.getJob(jobs[0]?.id as Queue.JobId)).toBeNull()
      await q.empty()
      expect(await q.getPausedCount()).toBe(0)
      expect(await q.getJob(jobs[1]?.id as Queue.JobId)).toBeNull()
    })
  })
}
