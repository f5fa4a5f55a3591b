// A workload: N application connections through Sentinel-aware clients writing unique keys (and reading keys
// acknowledged earlier) at a rate, each operation recorded with its send and reply time on one clock (ms
// since the start). A fault is marked on that clock, sentinel events are placed on it, and stop() ends the
// clients, reads every acknowledged write back from the master the sentinels name, and computes the audit.

import {performance} from 'node:perf_hooks'
import {randomRunId} from '../common/run-id.js'
import {FailoverWatch, type SeenEvent} from '../topology/failover-watch.js'
import {connect, currentMaster} from '../topology/inspect.js'
import type {TopologyPlan} from '../topology/plan.js'
import {computeAudit, DEFAULT_STALL_MS, latencyStats} from './audit.js'
import {openDriver, type Driver} from './drivers.js'
import type {AuditReport, FaultMark, ReadSample, TimelineEvent, WorkloadOptions, WriteSample} from './types.js'

export const DEFAULT_WORKLOAD: Omit<WorkloadOptions, 'group'> = {
  clients: 4, rate: 200, mix: {set: 1, get: 0}, readFrom: 'master', client: 'ioredis', waitReplicas: 0, waitTimeoutMs: 1000, opTimeoutMs: 1000,
}

/** What the live view shows: the last second. */
export interface WorkloadSnapshot {
  elapsedMs: number
  writesPerSec: number
  readsPerSec: number
  errorsPerSec: number
  /** p99 latency of the operations completed in the last second, ms. */
  p99Ms: number
  acknowledged: number
  failed: number
  lastError?: string
}

export interface WorkloadHooks {
  /** Subscribe to the sentinels' events from the start (default true when the plan has sentinels). */
  watchSentinels?: boolean
}

export interface Workload {
  readonly startedAt: number
  readonly keyPrefix: string
  readonly options: WorkloadOptions
  /** Resolves when durationMs has passed (never without one); the clients keep running until stop(). */
  readonly finished: Promise<void>
  /** ms since the start. */
  now(): number
  snapshot(): WorkloadSnapshot
  markFault(fault: Omit<FaultMark, 'atMs'> & {atMs?: number}): FaultMark
  markRecovered(atMs?: number): void
  /** Places a FailoverWatch's events (or any with their arrival time) on the workload's clock. */
  attachEvents(source: {events(): readonly SeenEvent[]}): void
  /** Resolves true once `count` writes are acknowledged and at least minMs have passed. */
  waitForSteadyState(count: number, minMs: number, timeoutMs: number): Promise<boolean>
  /** Resolves true once a write sent after the fault is acknowledged (by `port` when given and known). */
  waitUntilFollowed(port: number | undefined, timeoutMs: number): Promise<boolean>
  samples(): {writes: readonly WriteSample[]; reads: readonly ReadSample[]}
  stop(): Promise<AuditReport>
}

const round = (ms: number): number => Math.round(ms * 100) / 100
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Rejects after ms; the operation itself goes on (its late outcome is ignored), as when an application gives up. */
function withTimeout<T>(op: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout: no reply within ${ms} ms`)), ms)
  })
  op.catch(() => {})
  return Promise.race([op, timeout]).finally(() => clearTimeout(timer))
}

export async function startWorkload(plan: TopologyPlan, options: WorkloadOptions, hooks: WorkloadHooks = {}): Promise<Workload> {
  const sentinels = plan.nodes.filter((n) => n.kind === 'sentinel').map((n) => n.port)
  if (sentinels.length === 0) throw new Error('a workload connects through the sentinels, and this topology has none')
  if (!plan.groups.some((g) => g.name === options.group)) throw new Error(`no group '${options.group}' in this topology (${plan.groups.map((g) => g.name).join(', ')})`)
  const opts: WorkloadOptions = {...options, keyPrefix: options.keyPrefix ?? `rtopo:load:${randomRunId().slice(0, 12)}:`, stallMs: options.stallMs ?? DEFAULT_STALL_MS}
  const old = await currentMaster(plan, opts.group)
  const drivers: Driver[] = Array.from({length: opts.clients}, () => openDriver({
    library: opts.client, group: opts.group, sentinels, password: plan.password, readFrom: opts.readFrom,
    waitReplicas: opts.waitReplicas, waitTimeoutMs: opts.waitTimeoutMs, opTimeoutMs: opts.opTimeoutMs,
  }))
  try {
    await Promise.all(drivers.map((d) => withTimeout(d.connect(), 10_000)))
  } catch (cause) {
    await Promise.all(drivers.map((d) => d.close()))
    throw new Error(`the ${opts.client} clients could not connect through the sentinels: ${(cause as Error).message}`)
  }
  const watch = hooks.watchSentinels === false ? undefined : new FailoverWatch(plan, opts.group)
  if (watch) await watch.start()
  return new RunningWorkload(plan, opts, drivers, watch, old && {id: old.id, port: old.port})
}

class RunningWorkload implements Workload {
  readonly startedAt = Date.now()
  readonly keyPrefix: string
  readonly finished: Promise<void>
  private readonly t0 = performance.now()
  private readonly writes: WriteSample[] = []
  private readonly reads: ReadSample[] = []
  /** Recently acknowledged keys and their values, for reads. */
  private readonly ackedRing: {key: string; value: string}[] = []
  private readonly sources: {events(): readonly SeenEvent[]}[] = []
  private readonly recent: {doneMs: number; latency: number; ok: boolean; read: boolean}[] = []
  private readonly loops: Promise<void>[]
  private running = true
  private acked = 0
  private failed = 0
  private lastError: string | undefined
  private fault: FaultMark | undefined
  private stopped: Promise<AuditReport> | undefined

  constructor(
    private readonly plan: TopologyPlan,
    readonly options: WorkloadOptions,
    private readonly drivers: Driver[],
    private readonly watch: FailoverWatch | undefined,
    private readonly oldMaster: {id: string; port: number} | undefined,
  ) {
    this.keyPrefix = options.keyPrefix as string
    if (watch) this.sources.push(watch)
    this.finished = options.durationMs === undefined ? new Promise(() => {}) : sleep(options.durationMs)
    this.loops = drivers.map((d, i) => this.loop(d, i))
  }

  now(): number {
    return round(performance.now() - this.t0)
  }

  private intervalMs(): number {
    return this.options.rate === 'max' ? 0 : (1000 * this.options.clients) / this.options.rate
  }

  private async loop(driver: Driver, index: number): Promise<void> {
    const interval = this.intervalMs()
    let next = (interval * index) / this.options.clients
    const {set, get} = this.options.mix
    for (let k = 0; this.running; k++) {
      if (this.options.durationMs !== undefined && this.now() >= this.options.durationMs) break
      if (interval > 0) {
        const wait = next - this.now()
        if (wait > 0) await sleep(wait)
        if (!this.running) break
        // No burst to catch up after a stall: the next slot is counted from now.
        next = Math.max(next + interval, this.now())
      }
      const isWrite = set + get === 0 || Math.floor(((k + 1) * set) / (set + get)) > Math.floor((k * set) / (set + get)) || this.ackedRing.length === 0
      if (isWrite) await this.write(driver, `${this.keyPrefix}${index}:${k}`)
      else await this.read(driver)
    }
  }

  private async write(driver: Driver, key: string): Promise<void> {
    const sentMs = this.now()
    const sample: WriteSample = {key, sentMs, ok: false, value: `${key}@${sentMs}`}
    this.writes.push(sample)
    try {
      const outcome = await withTimeout(driver.write(key, sample.value as string), this.options.opTimeoutMs + (this.options.waitReplicas > 0 ? this.options.waitTimeoutMs : 0))
      sample.doneMs = this.now()
      sample.ok = true
      if (outcome.replicasAcked !== undefined) sample.replicasAcked = outcome.replicasAcked
      if (outcome.port !== undefined) sample.port = outcome.port
      this.acked++
      this.ackedRing.push({key, value: sample.value as string})
      if (this.ackedRing.length > 1000) this.ackedRing.shift()
    } catch (cause) {
      sample.doneMs = this.now()
      sample.error = (cause as Error).message
      this.failed++
      this.lastError = sample.error
    }
    this.recent.push({doneMs: sample.doneMs, latency: sample.doneMs - sentMs, ok: sample.ok, read: false})
    // A failing client does not spin: an application backs off a little before trying again.
    if (!sample.ok) await sleep(Math.min(50, this.options.opTimeoutMs))
  }

  private async read(driver: Driver): Promise<void> {
    const target = this.ackedRing[Math.floor(Math.random() * this.ackedRing.length)] as {key: string; value: string}
    const sentMs = this.now()
    const sample: ReadSample = {key: target.key, sentMs, ok: false, stale: false}
    this.reads.push(sample)
    try {
      const value = await withTimeout(driver.read(target.key), this.options.opTimeoutMs)
      sample.doneMs = this.now()
      sample.ok = true
      sample.stale = value !== target.value
    } catch (cause) {
      sample.doneMs = this.now()
      sample.error = (cause as Error).message
      this.lastError = sample.error
    }
    this.recent.push({doneMs: sample.doneMs, latency: sample.doneMs - sentMs, ok: sample.ok, read: true})
    if (!sample.ok) await sleep(Math.min(50, this.options.opTimeoutMs))
  }

  snapshot(): WorkloadSnapshot {
    const now = this.now()
    while (this.recent.length > 0 && (this.recent[0] as {doneMs: number}).doneMs < now - 1000) this.recent.shift()
    const span = Math.min(1000, Math.max(1, now)) / 1000
    const okWrites = this.recent.filter((r) => r.ok && !r.read).length
    const okReads = this.recent.filter((r) => r.ok && r.read).length
    const errors = this.recent.filter((r) => !r.ok).length
    return {
      elapsedMs: now, writesPerSec: Math.round(okWrites / span), readsPerSec: Math.round(okReads / span), errorsPerSec: Math.round(errors / span),
      p99Ms: round(latencyStats(this.recent.filter((r) => r.ok).map((r) => r.latency)).p99Ms), acknowledged: this.acked, failed: this.failed,
      ...(this.lastError === undefined || errors === 0 ? {} : {lastError: this.lastError}),
    }
  }

  markFault(fault: Omit<FaultMark, 'atMs'> & {atMs?: number}): FaultMark {
    this.fault = {...fault, atMs: fault.atMs ?? this.now()}
    return this.fault
  }

  markRecovered(atMs?: number): void {
    if (this.fault) this.fault.recoveredMs = atMs ?? this.now()
  }

  attachEvents(source: {events(): readonly SeenEvent[]}): void {
    if (!this.sources.includes(source)) this.sources.push(source)
  }

  async waitForSteadyState(count: number, minMs: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (this.acked < count || this.now() < minMs) {
      if (Date.now() > deadline) return false
      await sleep(20)
    }
    return true
  }

  async waitUntilFollowed(port: number | undefined, timeoutMs: number): Promise<boolean> {
    const since = this.fault?.atMs ?? 0
    const deadline = Date.now() + timeoutMs
    let from = 0
    for (;;) {
      for (; from < this.writes.length; from++) {
        const w = this.writes[from] as WriteSample
        if (w.sentMs < since) continue
        if (w.doneMs === undefined) break
        if (w.ok && (port === undefined || w.port === undefined || w.port === port)) return true
      }
      if (Date.now() > deadline) return false
      await sleep(20)
    }
  }

  samples(): {writes: readonly WriteSample[]; reads: readonly ReadSample[]} {
    return {writes: this.writes, reads: this.reads}
  }

  stop(): Promise<AuditReport> {
    this.stopped ??= this.finish()
    return this.stopped
  }

  private async finish(): Promise<AuditReport> {
    this.running = false
    // Operations in flight get their own timeout to end; what is still unanswered after it stays in flight.
    const grace = this.options.opTimeoutMs + this.options.waitTimeoutMs + 1000
    await Promise.race([Promise.all(this.loops), sleep(grace)])
    const durationMs = this.now()
    await Promise.all(this.drivers.map((d) => d.close().catch(() => {})))
    const events = this.timeline()
    this.watch?.stop()
    const master = await currentMaster(this.plan, this.options.group)
    const newMaster = master && {id: master.id, port: master.port}
    const keys = [...new Set(this.writes.filter((w) => w.ok).map((w) => w.key))]
    let readBack: Map<string, string | null> | undefined
    let readBackError: string | undefined
    if (!master) readBackError = `no master of ${this.options.group} could be found to read the writes back from`
    else {
      try {
        readBack = await readBackKeys(master.port, this.plan.password, keys)
      } catch (cause) {
        readBackError = `reading the writes back from ${master.id} (port ${master.port}) failed: ${(cause as Error).message}`
      }
    }
    return computeAudit({
      startedAt: this.startedAt, durationMs, options: this.options, writes: this.writes, reads: this.reads, readBack, readBackError,
      ...(newMaster ? {readBackFrom: newMaster, newMaster} : {}), ...(this.oldMaster ? {oldMaster: this.oldMaster} : {}),
      ...(this.fault ? {fault: this.fault} : {}), events,
    })
  }

  /**
   * Every attached source's events, once each, on the workload's clock. Two watches on the same sentinels
   * (the workload's own and the fault command's) each see every event, a millisecond or so apart: an event
   * another source already gave within SAME_EVENT_MS is the same event, while one source repeating an
   * event (a second failure) keeps both.
   */
  private timeline(): TimelineEvent[] {
    const all = this.sources.flatMap((source, index) => source.events().map((e) => ({e, index})))
    all.sort((a, b) => a.e.at - b.e.at)
    const kept: {e: SeenEvent; index: number}[] = []
    for (const candidate of all) {
      const {e, index} = candidate
      const duplicate = kept.some((k) => k.index !== index && k.e.event === e.event && k.e.sentinel === e.sentinel && k.e.message === e.message && Math.abs(k.e.at - e.at) <= SAME_EVENT_MS)
      if (!duplicate) kept.push(candidate)
    }
    return kept.map(({e}) => ({event: e.event, message: e.message, atMs: round(e.at - this.startedAt), sentinel: e.sentinel}))
  }
}

/** How far apart two sources may see one sentinel event. */
const SAME_EVENT_MS = 250

/** MGET of every key in batches, on a direct connection to the master. */
export async function readBackKeys(port: number, password: string | undefined, keys: readonly string[]): Promise<Map<string, string | null>> {
  const client = connect(port, password, 2000, 30_000)
  const values = new Map<string, string | null>()
  try {
    await client.connect()
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000)
      const got = await client.mget(...batch)
      batch.forEach((k, j) => values.set(k, got[j] ?? null))
    }
  } finally {
    client.disconnect()
  }
  return values
}
