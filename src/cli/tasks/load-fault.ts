// `--load` of the fault commands: a workload runs before, during and after the fault. It starts and reaches a
// steady state before the fault is injected, the fault is marked on its clock, and after the failover it
// keeps running until the application has written to the new master again (or a timeout), plus a short
// tail for the after-fault latency; then it stops and is audited.

import {RtopoError} from '../errors.js'
import {workloadGroup, workloadOptions, type WorkloadFlagValues} from '../load-flags.js'
import {startWorkload, type Workload} from '../../lab/workload.js'
import type {AuditReport, FaultMark} from '../../lab/types.js'
import type {TopologyPlan} from '../../topology/plan.js'
import type {FailoverOutcome} from './failover-tasks.js'
import {auditSummary, saveReport, showLive, writeSamples} from './load-view.js'

export interface FaultLoadHost {
  log(line: string): void
  json: boolean
}

export interface FaultLoad {
  workload: Workload
}

/** Starts the workload and waits for a steady state: at least 1 s and 20 acknowledged writes. */
export async function startFaultLoad(host: FaultLoadHost, plan: TopologyPlan, flags: WorkloadFlagValues, group: string | undefined): Promise<FaultLoad> {
  const options = workloadOptions(plan, flags, workloadGroup(plan, group))
  let workload: Workload
  try {
    workload = await startWorkload(plan, options)
  } catch (cause) {
    throw new RtopoError(`--load: ${(cause as Error).message}`, ['rtopo status', 'rtopo verify'])
  }
  if (!host.json) host.log(`load: ${options.clients} ${options.client} client(s), rate ${options.rate}, keys ${workload.keyPrefix}*; waiting for a steady state`)
  const stopLive = showLive(host, workload)
  if (!(await workload.waitForSteadyState(20, 1000, 20_000))) {
    stopLive()
    const audit = await workload.stop()
    throw new RtopoError(`--load: the workload got only ${audit.writes.acknowledged} acknowledged write(s) in 20 s, so no fault was injected`, ['rtopo verify', 'rtopo load --duration 5   # see what the clients get'], 1, {details: {audit}})
  }
  stopLive()
  return {workload}
}

export function markFault(load: FaultLoad | undefined, fault: Omit<FaultMark, 'atMs'>): void {
  load?.workload.markFault(fault)
}

export interface FinishOptions {
  /** The new master, when a failover was followed: the workload runs until it acknowledged a write there. */
  newMasterPort?: number
  followTimeoutMs: number
  /** How long to keep writing after the client followed, for the after-fault latency. */
  afterMs: number
  samples?: string
  report?: string
  /** The fault's view ended: the topology was checked healthy (markRecovered). */
  recovered: boolean
}

/** Keeps the workload running until the client followed, stops and audits it, prints the summary. */
export async function finishFaultLoad(host: FaultLoadHost, load: FaultLoad, o: FinishOptions): Promise<{audit: AuditReport; reportPath?: string}> {
  const {workload} = load
  if (o.recovered) workload.markRecovered()
  const stopLive = showLive(host, workload)
  const followed = await workload.waitUntilFollowed(o.newMasterPort, o.followTimeoutMs)
  if (!host.json) host.log(followed ? 'load: the clients write again' : `load: no acknowledged write after the fault within ${o.followTimeoutMs} ms`)
  if (followed && o.afterMs > 0) await new Promise((r) => setTimeout(r, o.afterMs))
  stopLive()
  const audit = await workload.stop()
  if (o.samples) writeSamples(o.samples, workload)
  const reportPath = o.report ? await saveReport(o.report, audit) : undefined
  if (!host.json) {
    for (const line of auditSummary(audit)) host.log(line)
    if (reportPath) host.log(`report: ${reportPath}`)
  }
  return {audit, ...(reportPath ? {reportPath} : {})}
}

/** Ends a workload after the fault's view failed, so no client is left running; the audit goes with the error. */
export async function abortFaultLoad(load: FaultLoad | undefined, error: unknown): Promise<never> {
  if (!load) throw error
  const audit = await load.workload.stop().catch(() => undefined)
  if (error instanceof RtopoError && audit) throw new RtopoError(error.message, error.suggestions, error.exitCode, {cause: error, details: {...error.details, audit}})
  throw error
}

/** The --load flags a fault command parses (faultLoadFlags). */
export interface FaultLoadFlagValues extends WorkloadFlagValues {
  load: boolean
  'load-after': number
  'load-timeout': number
  samples?: string
  report?: string
}

/** What --load adds to a fault command's result. */
export interface FaultLoadResult {
  /** The audit of the workload that ran around the fault. */
  audit?: AuditReport
  reportPath?: string
}

/**
 * Runs a fault command's `inject` with the workload around it when --load is given: the workload reaches a
 * steady state first, runs until the clients follow the failover the fault caused, and is audited; a failed
 * fault still stops it. Without --load, `inject` runs alone.
 */
export async function runFaultWithLoad<R extends {failover?: FailoverOutcome}>(host: FaultLoadHost, plan: TopologyPlan, flags: FaultLoadFlagValues, group: string | undefined, inject: (load: FaultLoad | undefined) => Promise<R>): Promise<R & FaultLoadResult> {
  const load = flags.load ? await startFaultLoad(host, plan, flags, group) : undefined
  try {
    const result = await inject(load)
    if (!load) return result
    const finished = await finishFaultLoad(host, load, {
      newMasterPort: result.failover?.newMaster?.port, followTimeoutMs: flags['load-timeout'], afterMs: flags['load-after'],
      samples: flags.samples, report: flags.report, recovered: result.failover !== undefined,
    })
    return {...result, ...finished}
  } catch (error) {
    return abortFaultLoad(load, error)
  }
}
