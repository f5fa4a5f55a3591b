// The failure lab's data: what a workload is asked to do, and the audit it ends with. `rtopo load`, the
// `--load` flag of the fault commands, the HTML timeline (`lab/report/`) and scenario assertions
// (`scenario/`) all speak this one shape; `--json` prints it as is. Times are ms since the workload started
// (`startedAt`, epoch ms), so client samples, the fault and the sentinel events share one clock.

export type ClientLibrary = 'ioredis' | 'node-redis'
export type ReadFrom = 'master' | 'replicas'

export interface WorkloadOptions {
  /** The sentinel-monitored group the application connects to. */
  group: string
  /** Concurrent application connections, each a Sentinel-aware client. */
  clients: number
  /** Operations per second over all clients, or as fast as replies come back. */
  rate: number | 'max'
  /** Relative weights of writes (SET of a unique key) and reads (GET of a key written earlier). */
  mix: {set: number; get: number}
  /** Ends the workload by itself; undefined runs until stopped. */
  durationMs?: number
  /** Where reads go: the master, or the replicas (ioredis role:'slave', node-redis replica client). */
  readFrom: ReadFrom
  client: ClientLibrary
  /** WAIT numreplicas after each write (0 = no WAIT); a write counts as acknowledged only if WAIT reached it. */
  waitReplicas: number
  /** WAIT's timeout in ms. */
  waitTimeoutMs: number
  /** A write with no reply within this many ms counts as failed (the client gives up, as an application would). */
  opTimeoutMs: number
  /** Prefix of every key the run writes (default `rtopo:load:<run id>:`), so the read-back is exact. */
  keyPrefix?: string
  /** A write unanswered for longer than this opens an unavailability window (default 500 ms). */
  stallMs?: number
}

/** One write, as the application saw it. */
export interface WriteSample {
  key: string
  /** Sent, in ms since the start. */
  sentMs: number
  /** Reply received (success or error), in ms since the start; undefined while in flight at stop. */
  doneMs?: number
  ok: boolean
  /** The error text when !ok (e.g. READONLY, a connection error, a timeout). */
  error?: string
  /** For WAIT writes: how many replicas WAIT reported. */
  replicasAcked?: number
  /** The value written (unique per write); the read-back compares against it. */
  value?: string
  /** Port of the server that answered, when the client library tells. */
  port?: number
}

/** One read of a key the workload wrote earlier and had acknowledged. */
export interface ReadSample {
  key: string
  sentMs: number
  doneMs?: number
  ok: boolean
  error?: string
  /** The value returned is not the acknowledged one (missing, or older). */
  stale: boolean
}

export interface LatencyStats {
  count: number
  p50Ms: number
  p99Ms: number
  maxMs: number
}

/** A fault injected while the workload ran. */
export interface FaultMark {
  kind: 'kill' | 'pause' | 'partition' | 'latency' | 'failover'
  /** The node it hit (node id) and its port. */
  node: string
  port: number
  /** When it was injected, and when the topology was verified healthy again (ms since the start). */
  atMs: number
  recoveredMs?: number
}

/** A sentinel event on the workload's clock. */
export interface TimelineEvent {
  event: string
  message: string
  atMs: number
  /** Port of the sentinel that published it. */
  sentinel: number
}

/** One bucket of the time series the chart draws. */
export interface SeriesBucket {
  /** Start of the bucket, ms since the start. */
  tMs: number
  writesOk: number
  writesFailed: number
  reads: number
  staleReads: number
  /** Latency of the writes completed in the bucket; 0 when none. */
  p99Ms: number
  maxMs: number
}

export interface AuditReport {
  /** Epoch ms at which the workload started; every other time is relative to it. */
  startedAt: number
  durationMs: number
  options: WorkloadOptions
  bucketMs: number
  writes: {
    attempted: number
    acknowledged: number
    failed: number
    /** Acknowledged, but missing from (or different on) the master read back after the run. */
    lost: number
    /** Sent but unanswered when the workload stopped. */
    inFlight: number
  }
  reads: {attempted: number; ok: number; failed: number; stale: number}
  /**
   * From the first write that failed or stalled (unanswered for longer than the stall threshold) to the first
   * acknowledged write sent after it; null when writes never stopped. With several windows, the longest.
   */
  unavailable: {fromMs: number; toMs: number; durationMs: number} | null
  latency: {overall: LatencyStats; before?: LatencyStats; during?: LatencyStats; after?: LatencyStats}
  fault?: FaultMark
  /** The master the workload started on, and the one its acknowledged writes were read back from. */
  oldMaster?: {id: string; port: number}
  newMaster?: {id: string; port: number}
  /** From the fault to the first acknowledged write on the new master (ms); undefined without a fault. */
  clientFollowedMs?: number
  events: TimelineEvent[]
  series: SeriesBucket[]
  /** Lost writes (all of them up to 10,000): the key and when it was sent and acknowledged. */
  lostWrites: Array<{key: string; sentMs: number; ackMs: number}>
  /** The prefix of every key the run wrote. */
  keyPrefix?: string
  /** The stall threshold the unavailability window was computed with. */
  stallMs?: number
  /** How the acknowledged writes were read back after the run (from the master the sentinels name). */
  readBack?: ReadBack
}

/** The read-back of every acknowledged write, as the audit saw it. */
export interface ReadBack {
  from?: {id: string; port: number}
  /** Acknowledged writes looked up. */
  checked: number
  /** Not found on the master. */
  missing: number
  /** Found with another value. */
  different: number
  /** Why the read-back could not be made (then `lost` is 0 and means nothing). */
  error?: string
}
