// The audit of a workload run, as pure functions of its samples and the read-back: counts, the longest
// unavailability window, latency percentiles overall and around the fault, how long the client took to
// follow the new master, lost writes and the time series. No I/O here, so every number can be checked.

import type {
  AuditReport, FaultMark, LatencyStats, ReadBack, ReadSample, SeriesBucket, TimelineEvent, WorkloadOptions, WriteSample,
} from './types.js'

export const DEFAULT_BUCKET_MS = 100
export const DEFAULT_STALL_MS = 500
const MAX_LOST_LISTED = 10_000

/** Nearest-rank percentile of an ascending array (p in 0..1); 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)))
  return sorted[rank - 1] as number
}

export function latencyStats(latencies: readonly number[]): LatencyStats {
  const sorted = [...latencies].sort((a, b) => a - b)
  return {count: sorted.length, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: sorted.at(-1) ?? 0}
}

/** Latency of an acknowledged write. */
const latencyOf = (w: WriteSample): number => (w.doneMs as number) - w.sentMs
const acked = (w: WriteSample): boolean => w.ok && w.doneMs !== undefined

/** A write that failed, or stayed unanswered for longer than stallMs (measured up to endMs when still in flight). */
export const isBadWrite = (w: WriteSample, stallMs: number, endMs: number): boolean =>
  !w.ok ? w.doneMs !== undefined || endMs - w.sentMs > stallMs : (w.doneMs as number) - w.sentMs > stallMs

/**
 * Windows from a failed or stalled write to the first acknowledgement (in time) of a write sent after it; a
 * window still open at endMs ends there. Returns the longest (the first of equals), or null.
 */
export function unavailability(writes: readonly WriteSample[], stallMs: number, endMs: number): AuditReport['unavailable'] {
  const bySent = [...writes].sort((a, b) => a.sentMs - b.sentMs)
  // earliestAck[i]: the earliest acknowledgement among the writes sent at index i or later.
  const earliestAck = new Array<number>(bySent.length + 1).fill(Number.POSITIVE_INFINITY)
  for (let i = bySent.length - 1; i >= 0; i--) {
    const w = bySent[i] as WriteSample
    earliestAck[i] = Math.min(earliestAck[i + 1] as number, acked(w) ? (w.doneMs as number) : Number.POSITIVE_INFINITY)
  }
  let longest: AuditReport['unavailable'] = null
  let i = 0
  while (i < bySent.length) {
    const bad = bySent[i] as WriteSample
    if (!isBadWrite(bad, stallMs, endMs)) {
      i++
      continue
    }
    let j = i + 1
    while (j < bySent.length && (bySent[j] as WriteSample).sentMs <= bad.sentMs) j++
    const ack = earliestAck[j] as number
    const end = Math.max(Number.isFinite(ack) ? ack : endMs, bad.sentMs)
    const window = {fromMs: bad.sentMs, toMs: end, durationMs: round2(end - bad.sentMs)}
    if (!longest || window.durationMs > longest.durationMs) longest = window
    // Writes sent before the window closed belong to it (their failures are part of it).
    while (j < bySent.length && (bySent[j] as WriteSample).sentMs < end) j++
    i = j
  }
  return longest
}

const round2 = (ms: number): number => Math.round(ms * 100) / 100

/** The first acknowledged write after the fault, on the new master when the samples name the server. */
export function clientFollowed(writes: readonly WriteSample[], fault: FaultMark | undefined, newMasterPort: number | undefined): number | undefined {
  if (!fault) return undefined
  let first: number | undefined
  for (const w of writes) {
    if (!acked(w) || w.sentMs < fault.atMs) continue
    if (newMasterPort !== undefined && w.port !== undefined && w.port !== newMasterPort) continue
    const done = w.doneMs as number
    if (first === undefined || done < first) first = done
  }
  return first === undefined ? undefined : first - fault.atMs
}

/** Buckets of bucketMs, by completion time; in-flight writes are in none. */
export function series(writes: readonly WriteSample[], reads: readonly ReadSample[], bucketMs: number, durationMs: number): SeriesBucket[] {
  const count = Math.max(1, Math.ceil(durationMs / bucketMs))
  const buckets: SeriesBucket[] = Array.from({length: count}, (_, i) => ({tMs: i * bucketMs, writesOk: 0, writesFailed: 0, reads: 0, staleReads: 0, p99Ms: 0, maxMs: 0}))
  const latencies: number[][] = buckets.map(() => [])
  const at = (ms: number): number => Math.min(count - 1, Math.max(0, Math.floor(ms / bucketMs)))
  for (const w of writes) {
    if (w.doneMs === undefined) continue
    const i = at(w.doneMs)
    const b = buckets[i] as SeriesBucket
    if (w.ok) {
      b.writesOk++
      ;(latencies[i] as number[]).push(latencyOf(w))
    } else {
      b.writesFailed++
    }
  }
  for (const r of reads) {
    if (r.doneMs === undefined) continue
    const b = buckets[at(r.doneMs)] as SeriesBucket
    b.reads++
    if (r.stale) b.staleReads++
  }
  buckets.forEach((b, i) => {
    const stats = latencyStats(latencies[i] as number[])
    b.p99Ms = stats.p99Ms
    b.maxMs = stats.maxMs
  })
  return buckets
}

export interface AuditInput {
  startedAt: number
  durationMs: number
  options: WorkloadOptions
  writes: readonly WriteSample[]
  reads: readonly ReadSample[]
  /** The value the master holds now for each acknowledged key (null: missing); undefined when it could not be read. */
  readBack?: ReadonlyMap<string, string | null>
  readBackFrom?: {id: string; port: number}
  readBackError?: string
  fault?: FaultMark
  events?: readonly TimelineEvent[]
  oldMaster?: {id: string; port: number}
  newMaster?: {id: string; port: number}
  bucketMs?: number
}

/** Latency of the acknowledged writes sent before, during and after the fault. */
function phases(ok: readonly WriteSample[], fault: FaultMark | undefined, healedMs: number | undefined): AuditReport['latency'] {
  const latency: AuditReport['latency'] = {overall: latencyStats(ok.map(latencyOf))}
  if (!fault) return latency
  const end = healedMs ?? Number.POSITIVE_INFINITY
  const pick = (f: (w: WriteSample) => boolean): LatencyStats | undefined => {
    const l = ok.filter(f).map(latencyOf)
    return l.length === 0 ? undefined : latencyStats(l)
  }
  const before = pick((w) => w.sentMs < fault.atMs)
  const during = pick((w) => w.sentMs >= fault.atMs && w.sentMs < end)
  const after = pick((w) => w.sentMs >= end)
  return {...latency, ...(before ? {before} : {}), ...(during ? {during} : {}), ...(after ? {after} : {})}
}

export function computeAudit(input: AuditInput): AuditReport {
  const stallMs = input.options.stallMs ?? DEFAULT_STALL_MS
  const bucketMs = input.bucketMs ?? DEFAULT_BUCKET_MS
  const ok = input.writes.filter(acked)
  const lostWrites: AuditReport['lostWrites'] = []
  const readBack: ReadBack = {checked: 0, missing: 0, different: 0, ...(input.readBackFrom ? {from: input.readBackFrom} : {}), ...(input.readBackError ? {error: input.readBackError} : {})}
  let lost = 0
  if (input.readBack) {
    for (const w of ok) {
      readBack.checked++
      const found = input.readBack.get(w.key)
      if (found === w.value) continue
      if (found === null || found === undefined) readBack.missing++
      else readBack.different++
      lost++
      if (lostWrites.length < MAX_LOST_LISTED) lostWrites.push({key: w.key, sentMs: w.sentMs, ackMs: w.doneMs as number})
    }
  }
  const clientFollowedMs = clientFollowed(input.writes, input.fault, input.newMaster?.port)
  const healedMs = input.fault?.recoveredMs ?? (clientFollowedMs === undefined || !input.fault ? undefined : input.fault.atMs + clientFollowedMs)
  const reads = input.reads
  return {
    startedAt: input.startedAt,
    durationMs: input.durationMs,
    options: input.options,
    bucketMs,
    writes: {
      attempted: input.writes.length,
      acknowledged: ok.length,
      failed: input.writes.filter((w) => !w.ok && w.doneMs !== undefined).length,
      lost,
      inFlight: input.writes.filter((w) => w.doneMs === undefined).length,
    },
    reads: {
      attempted: reads.length,
      ok: reads.filter((r) => r.ok && r.doneMs !== undefined).length,
      failed: reads.filter((r) => !r.ok && r.doneMs !== undefined).length,
      stale: reads.filter((r) => r.ok && r.stale).length,
    },
    unavailable: unavailability(input.writes, stallMs, input.durationMs),
    latency: phases(ok, input.fault, healedMs),
    ...(input.fault ? {fault: input.fault} : {}),
    ...(input.oldMaster ? {oldMaster: input.oldMaster} : {}),
    ...(input.newMaster ? {newMaster: input.newMaster} : {}),
    ...(clientFollowedMs === undefined ? {} : {clientFollowedMs}),
    events: [...(input.events ?? [])].sort((a, b) => a.atMs - b.atMs),
    series: series(input.writes, reads, bucketMs, input.durationMs),
    lostWrites,
    keyPrefix: input.options.keyPrefix,
    stallMs,
    readBack,
  }
}
