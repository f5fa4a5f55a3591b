// The fields an `assert` can read: the audit of the last `load stop` (src/lab/types.ts AuditReport) and what
// the last kill / pause / failover / wait-for step found out. An unknown name is refused when the file is
// parsed; a known field whose source has not run yet fails the assert with the step that would provide it.

import type {AuditReport} from '../lab/types.js'
import type {Value} from './expr.js'

/** What earlier steps of the run found out. */
export interface Facts {
  report?: AuditReport
  /** The master a kill / pause / failover step replaced, and the node that took over. */
  oldMaster?: string
  newMaster?: string
  /** The last kill / pause / failover step's failover: how long until +switch-master, and its events. */
  failoverMs?: number
  failoverEvents?: number
  killed?: string
  paused?: string
}

export class MissingValue extends Error {
  override readonly name = 'MissingValue'
}

interface FieldSpec {
  description: string
  get(facts: Facts): Value | undefined
  /** The step that provides it, for the message when it has no value yet. */
  from: string
}

const fromReport = (description: string, get: (r: AuditReport) => Value | undefined): FieldSpec => ({
  description, from: "'load stop' (the audit of a workload started by 'load start')", get: (f) => (f.report ? get(f.report) ?? null : undefined),
})

export const FIELDS: Record<string, FieldSpec> = {
  lost_writes: fromReport('acknowledged writes missing from (or different on) the master read back after the run', (r) => r.writes.lost),
  attempted_writes: fromReport('writes sent', (r) => r.writes.attempted),
  acknowledged_writes: fromReport('writes acknowledged (with wait-replicas: acknowledged by WAIT too)', (r) => r.writes.acknowledged),
  failed_writes: fromReport('writes that got an error or timed out', (r) => r.writes.failed),
  in_flight_writes: fromReport('writes still unanswered when the workload stopped', (r) => r.writes.inFlight),
  attempted_reads: fromReport('reads sent', (r) => r.reads.attempted),
  failed_reads: fromReport('reads that got an error or timed out', (r) => r.reads.failed),
  stale_reads: fromReport('reads that returned a missing or older value', (r) => r.reads.stale),
  unavailable_ms: fromReport('the longest window without acknowledged writes (0 when writes never stopped)', (r) => r.unavailable?.durationMs ?? 0),
  client_followed_ms: fromReport('from the fault to the first acknowledged write on the new master (null without a fault)', (r) => r.clientFollowedMs ?? null),
  p50_ms: fromReport('median write latency over the whole run', (r) => r.latency.overall.p50Ms),
  p99_ms: fromReport('99th percentile write latency over the whole run', (r) => r.latency.overall.p99Ms),
  max_latency_ms: fromReport('slowest write of the run', (r) => r.latency.overall.maxMs),
  load_duration_ms: fromReport('how long the workload ran', (r) => r.durationMs),
  old_master: {
    description: 'node id of the master before the last failover (kill / pause of the master, failover), else the workload\'s first master',
    from: "a 'kill' / 'pause' of the master, a 'failover', or 'load stop'",
    get: (f) => f.oldMaster ?? f.report?.oldMaster?.id,
  },
  new_master: {
    description: 'node id of the master after it (a wait-for +switch-master sets it too), else the master the workload read back from',
    from: "a 'kill' / 'pause' of the master that waited for the failover, a 'failover', 'wait-for: +switch-master', or 'load stop'",
    get: (f) => f.newMaster ?? f.report?.newMaster?.id,
  },
  failover_ms: {
    description: 'from the fault to +switch-master, as the last kill / pause / failover step followed it',
    from: "a 'kill' / 'pause' of the master or a 'failover' that followed the failover",
    get: (f) => f.failoverMs,
  },
  failover_events: {description: 'how many sentinel events the last followed failover showed', from: "a 'kill' / 'pause' / 'failover' that followed the failover", get: (f) => f.failoverEvents},
  killed: {description: 'node id the last kill step signalled', from: "a 'kill' step", get: (f) => f.killed},
  paused: {description: 'node id the last pause step stopped', from: "a 'pause' step", get: (f) => f.paused},
}

/** The value of a field; MissingValue when no step has provided it yet. */
export function lookupField(facts: Facts, name: string): Value {
  const spec = FIELDS[name]
  if (!spec) throw new MissingValue(`unknown field '${name}'`)
  const value = spec.get(facts)
  if (value === undefined) throw new MissingValue(`${name} has no value yet: it comes from ${spec.from}, and no such step ran before this assert`)
  return value
}

/** The closest known field name, for "did you mean". */
export function closestField(name: string): string | undefined {
  let best: {name: string; d: number} | undefined
  for (const candidate of Object.keys(FIELDS)) {
    const d = distance(name, candidate)
    if (!best || d < best.d) best = {name: candidate, d}
  }
  return best && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined
}

export function distance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = current
    }
  }
  return row[b.length] as number
}
