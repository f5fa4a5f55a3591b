// A realistic AuditReport for the report tests: an 8 s run of 4 ioredis clients at 1,000 ops/s (half SET, half
// GET) on `mymaster`, whose master (master-1 :6379) is SIGKILLed at 2.0 s with down-after-milliseconds 1000.
// The sentinel events are Redis 7.0's own sequence and relative timings (../shared/docs/samples/failover-events.txt,
// moved to these ports); writes stall from the kill until the client reaches the new master (replica-1 :6380)
// 2.3 s later, and the last three writes acknowledged by the old master before the kill never reached a replica.
// Samples are generated from a seeded PRNG and the buckets, counts and latency stats computed from them, so the
// numbers agree with each other as the workload's own would.

import type {AuditReport, LatencyStats, SeriesBucket, TimelineEvent} from '../../src/lab/types.js'

const KILL_MS = 2000
const RESUME_MS = 4300
const RECOVERED_MS = 5600
const DURATION_MS = 8000
const BUCKET_MS = 100
const WRITE_EVERY_MS = 2
const OP_TIMEOUT_MS = 1000
const LOST_SENT = [1994, 1996, 1998]
const LEADER = 'f07908c27a7a8ceeb3eb7af2c18cb6bec6df8012'

const OLD = '127.0.0.1 6379'
const NEW = '127.0.0.1 6380'
const R1 = 'slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379'
const R2 = 'slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6379'

/** [ms after the kill, sentinel, channel, message], from the Redis 7.0 sample. */
const SEQUENCE: Array<[number, number, string, string]> = [
  [1068, 26379, '+sdown', `master mymaster ${OLD}`],
  [1136, 26381, '+sdown', `master mymaster ${OLD}`],
  [1157, 26380, '+sdown', `master mymaster ${OLD}`],
  [1216, 26381, '+odown', `master mymaster ${OLD} #quorum 2/2`],
  [1216, 26381, '+new-epoch', '1'],
  [1216, 26381, '+try-failover', `master mymaster ${OLD}`],
  [1216, 26381, '+vote-for-leader', `${LEADER} 1`],
  [1216, 26379, '+new-epoch', '1'],
  [1216, 26379, '+vote-for-leader', `${LEADER} 1`],
  [1219, 26380, '+new-epoch', '1'],
  [1219, 26380, '+vote-for-leader', `${LEADER} 1`],
  [1250, 26380, '+odown', `master mymaster ${OLD} #quorum 3/2`],
  [1287, 26381, '+elected-leader', `master mymaster ${OLD}`],
  [1291, 26381, '+failover-state-select-slave', `master mymaster ${OLD}`],
  [1355, 26381, '+selected-slave', R1],
  [1355, 26381, '+failover-state-send-slaveof-noone', R1],
  [1414, 26381, '+failover-state-wait-promotion', R1],
  [1886, 26380, '-role-change', `${R1} new reported role is master`],
  [1898, 26381, '-role-change', `${R1} new reported role is master`],
  [1898, 26381, '+promoted-slave', R1],
  [1898, 26381, '+failover-state-reconf-slaves', `master mymaster ${OLD}`],
  [1943, 26381, '+slave-reconf-sent', R2],
  [1954, 26379, '+config-update-from', `sentinel ${LEADER} 127.0.0.1 26381 @ mymaster ${OLD}`],
  [1954, 26379, '+switch-master', `mymaster ${OLD} ${NEW}`],
  [1954, 26379, '+slave', `slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster ${NEW}`],
  [1954, 26379, '+slave', `slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster ${NEW}`],
  [1955, 26380, '+config-update-from', `sentinel ${LEADER} 127.0.0.1 26381 @ mymaster ${OLD}`],
  [1955, 26380, '+switch-master', `mymaster ${OLD} ${NEW}`],
  [1955, 26380, '+slave', `slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster ${NEW}`],
  [1955, 26380, '+slave', `slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster ${NEW}`],
  [2357, 26381, '-odown', `master mymaster ${OLD}`],
  [2953, 26379, '+sdown', `slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster ${NEW}`],
  [2974, 26380, '+sdown', `slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster ${NEW}`],
  [2995, 26381, '+slave-reconf-inprog', R2],
  [2995, 26381, '+slave-reconf-done', R2],
  [3105, 26381, '+failover-end', `master mymaster ${OLD}`],
  [3105, 26381, '+switch-master', `mymaster ${OLD} ${NEW}`],
  [3105, 26381, '+slave', `slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster ${NEW}`],
  [3105, 26381, '+slave', `slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster ${NEW}`],
  [4133, 26381, '+sdown', `slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster ${NEW}`],
]

/** mulberry32: a small seeded PRNG, so the fixture is the same on every run. */
const prng = (seed: number): (() => number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

interface Op {
  sentMs: number
  doneMs: number
  ok: boolean
}

const round2 = (n: number): number => Math.round(n * 100) / 100

/** Latency of a healthy operation: mostly under 1.5 ms, with a rare GC-like spike. */
const healthyLatency = (rand: () => number): number => {
  const base = 0.35 + rand() ** 3 * 1.4
  return round2(rand() < 0.004 ? base + 4 + rand() * 9 : base)
}

/** One operation every `every` ms starting at `offset`: failed when sent while the master is gone. */
const operations = (rand: () => number, offset: number, every: number): Op[] => {
  const ops: Op[] = []
  for (let sent = offset; sent < DURATION_MS; sent += every) {
    if (sent >= KILL_MS && sent < RESUME_MS) {
      ops.push({sentMs: sent, doneMs: sent + OP_TIMEOUT_MS, ok: false})
      continue
    }
    // The first writes on the new master pay for the reconnection and the flushed offline queue.
    const reconnect = sent >= RESUME_MS && sent < RESUME_MS + 60 ? 12 + (60 - (sent - RESUME_MS)) * 0.9 * rand() : 0
    ops.push({sentMs: sent, doneMs: round2(sent + healthyLatency(rand) + reconnect), ok: true})
  }
  return ops
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0

const statsOf = (ops: readonly Op[]): LatencyStats | undefined => {
  if (ops.length === 0) return undefined
  const lat = ops.map((o) => round2(o.doneMs - o.sentMs)).sort((a, b) => a - b)
  return {count: lat.length, p50Ms: percentile(lat, 0.5), p99Ms: percentile(lat, 0.99), maxMs: lat.at(-1) ?? 0}
}

/** The report of a `rtopo kill master --load` run, as the workload's audit would produce it. */
export function killMasterReport(): AuditReport {
  const rand = prng(20260124)
  const writes = operations(rand, 0, WRITE_EVERY_MS)
  const reads = operations(rand, 1, WRITE_EVERY_MS)
  const acked = writes.filter((w) => w.ok)
  const series: SeriesBucket[] = []
  for (let t = 0; t < DURATION_MS; t += BUCKET_MS) {
    const done = (o: Op): boolean => o.doneMs >= t && o.doneMs < t + BUCKET_MS
    const okHere = acked.filter(done)
    const s = statsOf(okHere)
    series.push({tMs: t, writesOk: okHere.length, writesFailed: writes.filter((w) => !w.ok && done(w)).length,
      reads: reads.filter((r) => r.ok && done(r)).length, staleReads: 0, p99Ms: s?.p99Ms ?? 0, maxMs: s?.maxMs ?? 0})
  }
  const firstAfter = acked.find((w) => w.sentMs >= RESUME_MS)
  const events: TimelineEvent[] = SEQUENCE.map(([dt, sentinel, event, message]) => ({event, message, atMs: KILL_MS + dt, sentinel}))
  const lostWrites = LOST_SENT.map((sentMs) => {
    const w = writes.find((o) => o.sentMs === sentMs)
    return {key: `rtopo:lab:w:${sentMs / WRITE_EVERY_MS}`, sentMs, ackMs: w?.doneMs ?? sentMs}
  })
  return {
    startedAt: Date.UTC(2026, 0, 24, 9, 30, 0),
    durationMs: DURATION_MS,
    options: {group: 'mymaster', clients: 4, rate: 1000, mix: {set: 1, get: 1}, durationMs: DURATION_MS, readFrom: 'master',
      client: 'ioredis', waitReplicas: 0, waitTimeoutMs: 0, opTimeoutMs: OP_TIMEOUT_MS},
    bucketMs: BUCKET_MS,
    writes: {attempted: writes.length, acknowledged: acked.length, failed: writes.length - acked.length, lost: lostWrites.length, inFlight: 0},
    reads: {attempted: reads.length, ok: reads.filter((r) => r.ok).length, failed: reads.filter((r) => !r.ok).length, stale: 0},
    unavailable: {fromMs: KILL_MS, toMs: RESUME_MS, durationMs: RESUME_MS - KILL_MS},
    latency: {
      overall: statsOf(acked) ?? {count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0},
      before: statsOf(acked.filter((w) => w.sentMs < KILL_MS)),
      during: statsOf(acked.filter((w) => w.sentMs >= KILL_MS && w.sentMs < RECOVERED_MS)),
      after: statsOf(acked.filter((w) => w.sentMs >= RECOVERED_MS)),
    },
    fault: {kind: 'kill', node: 'master-1', port: 6379, atMs: KILL_MS, recoveredMs: RECOVERED_MS},
    oldMaster: {id: 'master-1', port: 6379},
    newMaster: {id: 'replica-1', port: 6380},
    clientFollowedMs: firstAfter ? Math.round(firstAfter.doneMs - KILL_MS) : undefined,
    events,
    series,
    lostWrites,
    keyPrefix: 'rtopo:lab:w:',
    stallMs: 500,
    readBack: {from: {id: 'replica-1', port: 6380}, checked: acked.length, missing: lostWrites.length, different: 0},
  }
}
