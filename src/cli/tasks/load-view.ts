// The live view of a running workload (a line per second: throughput, errors, p99 of the last second; on a
// terminal the line is rewritten in place) and the compact summary of its audit.

import {writeFileSync} from 'node:fs'
import type {AuditReport, LatencyStats} from '../../lab/types.js'
import type {Workload, WorkloadSnapshot} from '../../lab/workload.js'
import {writeReport} from '../../lab/report/index.js'

export interface LoadViewHost {
  log(line: string): void
  json: boolean
}

export const snapshotLine = (s: WorkloadSnapshot): string =>
  `${(s.elapsedMs / 1000).toFixed(1).padStart(6)} s  writes ${String(s.writesPerSec).padStart(5)}/s  reads ${String(s.readsPerSec).padStart(5)}/s  ` +
  `errors ${String(s.errorsPerSec).padStart(4)}/s  p99 ${s.p99Ms.toFixed(1).padStart(7)} ms  acked ${s.acknowledged}${s.lastError ? `  (${s.lastError.slice(0, 60)})` : ''}`

/** Prints a snapshot every second until `until` settles; returns a function that stops it early. */
export function showLive(host: LoadViewHost, workload: Workload): () => void {
  if (host.json) return () => {}
  const tty = process.stdout.isTTY === true
  let wrote = false
  const timer = setInterval(() => {
    const line = snapshotLine(workload.snapshot())
    if (tty) {
      process.stdout.write(`\r\x1b[K${line}`)
      wrote = true
    } else {
      host.log(line)
    }
  }, 1000)
  return () => {
    clearInterval(timer)
    if (wrote) process.stdout.write('\n')
  }
}

const ms = (n: number): string => (n >= 100 ? `${Math.round(n)} ms` : `${n.toFixed(1)} ms`)
const stats = (l: LatencyStats): string => `p50 ${ms(l.p50Ms)} · p99 ${ms(l.p99Ms)} · max ${ms(l.maxMs)} (${l.count})`

export function auditSummary(r: AuditReport): string[] {
  const w = r.writes
  const lines = [
    `audit of ${(r.durationMs / 1000).toFixed(1)} s, ${r.options.clients} ${r.options.client} client(s), keys ${r.keyPrefix ?? ''}*`,
    `  writes       ${w.attempted} sent · ${w.acknowledged} acknowledged · ${w.failed} failed · ${w.inFlight} in flight · ${w.lost} LOST`,
  ]
  if (r.reads.attempted > 0) lines.push(`  reads        ${r.reads.attempted} sent · ${r.reads.ok} ok · ${r.reads.failed} failed · ${r.reads.stale} stale (from ${r.options.readFrom})`)
  lines.push(r.unavailable
    ? `  unavailable  ${ms(r.unavailable.durationMs)} (writes stopped at ${ms(r.unavailable.fromMs)}, back at ${ms(r.unavailable.toMs)})`
    : '  unavailable  never (no write failed or stalled)')
  lines.push(`  latency      ${stats(r.latency.overall)}`)
  for (const phase of ['before', 'during', 'after'] as const) {
    const l = r.latency[phase]
    if (l) lines.push(`    ${phase.padEnd(10)} ${stats(l)}`)
  }
  if (r.fault) lines.push(`  fault        ${r.fault.kind} ${r.fault.node} (port ${r.fault.port}) at ${ms(r.fault.atMs)}${r.fault.recoveredMs === undefined ? '' : `, healed at ${ms(r.fault.recoveredMs)}`}`)
  if (r.clientFollowedMs !== undefined) lines.push(`  followed     the client wrote to the new master ${ms(r.clientFollowedMs)} after the fault`)
  else if (r.fault) lines.push('  followed     no acknowledged write after the fault')
  const rb = r.readBack
  if (rb?.error) lines.push(`  read back    FAILED: ${rb.error}`)
  else if (rb) lines.push(`  read back    ${rb.checked} acknowledged writes from ${rb.from ? `${rb.from.id} (port ${rb.from.port})` : 'the master'}: ${rb.missing} missing, ${rb.different} different`)
  for (const lost of r.lostWrites.slice(0, 5)) lines.push(`    lost ${lost.key} (sent at ${ms(lost.sentMs)}, acknowledged at ${ms(lost.ackMs)})`)
  if (r.lostWrites.length > 5) lines.push(`    … and ${w.lost - 5} more (--json lists them)`)
  return lines
}

/** --samples FILE: every sample as one JSON document. */
export function writeSamples(path: string, workload: Workload): void {
  const {writes, reads} = workload.samples()
  writeFileSync(path, `${JSON.stringify({startedAt: workload.startedAt, keyPrefix: workload.keyPrefix, writes, reads})}\n`)
}

/** --report DIR: the HTML timeline and the JSON it was drawn from; returns the page's path. */
export async function saveReport(dir: string, report: AuditReport): Promise<string> {
  return writeReport(dir, report)
}
