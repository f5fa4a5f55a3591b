// The short RESP fuzz pass of npm test (the long one is `npm run fuzz`): about 10,000 seeded inputs (test/fuzz)
// against a bundled server and a bundled sentinel, with real Redis / redis-sentinel as the oracle for the raw
// inputs whose replies are deterministic. It fails on a crash, a hang (the watchdog PING unanswered for 1 s),
// an internal error in the log or a reply, memory that keeps growing, or a reply that differs from Redis's;
// the failure message holds the seed and the command that replays the run. RTOPO_FUZZ_SEED picks another seed.
// A last test checks the watchdog itself: a node busy in a script is a hang, a node starved of CPU (stopped
// by SIGSTOP, as a loaded machine can starve it) is not.

import {Redis} from 'ioredis'
import {afterAll, describe, expect, it} from 'vitest'
import {bundledMissing, startServer, stopAllNodes} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {stopAllSentinels} from '../helpers/sentinels.js'
import {formatReport, runRespFuzz, type FuzzReport} from '../fuzz/resp-fuzzer.js'
import type {Target} from '../fuzz/resp-inputs.js'
import {startTarget} from '../fuzz/targets.js'

const SEED = process.env.RTOPO_FUZZ_SEED !== undefined ? Number(process.env.RTOPO_FUZZ_SEED) : 20_260_701
const INPUTS: Record<Target, number> = {server: 8000, sentinel: 2000}
/** The node's RSS may rise while the run keeps data and scripts around (flushed every 1000 inputs), not without bound. */
const MAX_RSS_MB = 512
const MAX_RSS_GROWTH_MB = 300

const oracleNote = realRedisMissing ? ` (no oracle comparison: ${realRedisMissing})` : ''
const title = (what: string): string => `${what}${bundledMissing ? ` (skipped: ${bundledMissing})` : oracleNote}`

function problems(report: FuzzReport): string[] {
  const found: string[] = []
  if (report.crashes.length > 0) found.push(`${report.crashes.length} crash(es)`)
  if (report.hangs.length > 0) found.push(`${report.hangs.length} hang(s)`)
  if (report.internalErrors.length > 0) found.push(`${report.internalErrors.length} internal error(s)`)
  if (report.mismatches.length > 0) found.push(`${report.mismatches.length} mismatch(es) with real Redis`)
  if (report.maxRssMb > MAX_RSS_MB) found.push(`RSS reached ${report.maxRssMb.toFixed(0)} MB (limit ${MAX_RSS_MB})`)
  if (report.finalRssMb - report.startRssMb > MAX_RSS_GROWTH_MB) found.push(`RSS grew by ${(report.finalRssMb - report.startRssMb).toFixed(0)} MB`)
  if (report.inputsSent < INPUTS[report.target]) found.push(`only ${report.inputsSent} of ${INPUTS[report.target]} inputs sent`)
  return found
}

describe.skipIf(!!bundledMissing)(title('short RESP fuzz pass'), () => {
  afterAll(async () => {
    await stopAllNodes()
    await stopAllSentinels()
  })

  it.each(['server', 'sentinel'] as const)('bundled %s: seeded inputs without a crash, hang, internal error, growing memory or mismatch', async (target) => {
    const ours = await startTarget(target, 'bundled')
    const oracle = realRedisMissing ? undefined : await startTarget(target, 'redis')
    try {
      const report = await runRespFuzz({
        target, node: ours.node, seed: SEED, inputs: INPUTS[target], concurrency: 16,
        oracle: oracle ? {port: oracle.node.port} : undefined, oracleShare: 0.3,
      })
      console.log(formatReport(report).split('\n')[0])
      const found = problems(report)
      const replay = `npm run fuzz -- --target ${target} --seed ${SEED} --inputs ${INPUTS[target]}`
      expect(found, `seed ${SEED}: ${found.join(', ')}\nreplay with: ${replay}\n${formatReport(report, 10)}\nlog tail of the bundled ${target}:\n${ours.handle.logTail(30)}`).toEqual([])
      expect(report.compared > 0 || oracle === undefined, `seed ${SEED}: no input was compared with real Redis`).toBe(true)
    } finally {
      await ours.handle.stop()
      await oracle?.handle.stop()
    }
  }, 120_000)

  it('the watchdog reports a node stuck in a script as a hang, and a node starved of CPU as a late answer only', async () => {
    // Redis's busy-reply-threshold (5 s), not the fuzz target's 200 ms: the script below must block everyone.
    const handle = await startServer({engine: 'bundled', args: ['--save', '', '--enable-debug-command', 'yes']})
    const ours = {handle, node: {port: handle.port, pid: handle.pid, readLog: () => ''}}
    const side = new Redis({port: ours.node.port, host: '127.0.0.1', lazyConnect: true})
    side.on('error', () => {})
    try {
      await side.connect()
      const run = (onStart: () => Promise<void>) => {
        const report = runRespFuzz({target: 'server', node: ours.node, seed: SEED, inputs: 400, concurrency: 4})
        return Promise.all([report, onStart()]).then(([r]) => r)
      }
      // 3 s in one script (a second of CPU even on a machine that gives it a third of a core): PING waits behind it.
      const busy = "local t0 = redis.call('TIME') local start = t0[1] * 1000000 + t0[2] while true do local t = redis.call('TIME') if t[1] * 1000000 + t[2] - start > 3000000 then break end end return 1"
      const stuck = await run(async () => {
        await new Promise((r) => setTimeout(r, 300))
        expect(await side.eval(busy, 0)).toBe(1)
      })
      expect(stuck.hangs.length, formatReport(stuck, 5)).toBeGreaterThan(0)
      expect(stuck.hangs[0]?.reason).toMatch(/answered after \d+ ms, \d+ ms of CPU meanwhile/)
      // 1.5 s without any CPU: late, not stuck.
      const starved = await run(async () => {
        await new Promise((r) => setTimeout(r, 300))
        process.kill(ours.node.pid, 'SIGSTOP')
        await new Promise((r) => setTimeout(r, 1500))
        process.kill(ours.node.pid, 'SIGCONT')
      })
      expect(starved.hangs, formatReport(starved, 5)).toEqual([])
      expect(starved.starvedPings).toBeGreaterThan(0)
    } finally {
      side.disconnect()
      try {
        process.kill(ours.node.pid, 'SIGCONT')
      } catch {
        // already gone
      }
      await ours.handle.stop()
    }
  }, 120_000)
})
