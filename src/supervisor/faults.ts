// Faults that need no proxy: a node's process paused with SIGSTOP and continued with SIGCONT. What is active
// is recorded in <state dir>/faults.json; a pause with a duration gets a small detached timer process
// (resume-timer.js) that continues the node when it is due, even when no rtopo command runs then. Every
// signal goes through the same /proc ownership check as kill (readPid), and the timer's own pid is signalled
// only when /proc shows it is our timer for this state dir.

import {spawn} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {writeFileAtomic} from '../common/atomic-write.js'
import type {PlannedNode, TopologyPlan} from '../topology/plan.js'
import {isAlive, isPaused, readPid} from './process.js'

export const FAULTS_FILE = 'faults.json'
const TIMER_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'resume-timer.js')

export interface PauseFault {
  kind: 'pause'
  node: string
  port: number
  pid: number
  pausedAt: number
  /** When a --for pause ends (epoch ms). */
  resumeAt?: number
  /** The detached timer that resumes it. */
  timerPid?: number
}

export class FaultError extends Error {
  override readonly name = 'FaultError'
}

export const faultsPath = (stateDir: string): string => join(stateDir, FAULTS_FILE)

export function readFaults(stateDir: string): PauseFault[] {
  const path = faultsPath(stateDir)
  if (!existsSync(path)) return []
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as {faults?: PauseFault[]}
    return Array.isArray(parsed.faults) ? parsed.faults : []
  } catch {
    return []
  }
}

export function writeFaults(stateDir: string, faults: readonly PauseFault[]): void {
  if (!existsSync(stateDir)) return
  writeFileAtomic(faultsPath(stateDir), `${JSON.stringify({version: 1, faults}, null, 2)}\n`)
}

/** The pid of a node that is running (ours, per /proc), or a FaultError saying why not. */
function ownPid(node: PlannedNode): number {
  const state = readPid(node)
  if (state.state !== 'running') throw new FaultError(`${node.id} (port ${node.port}) is not running`)
  return state.pid
}

/** True when pid is the resume timer of this state dir (its command line names the script and the dir). */
export function isOurTimer(pid: number, stateDir: string): boolean {
  if (!isAlive(pid)) return false
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    return args.includes(TIMER_SCRIPT) && args.includes(stateDir)
  } catch {
    return false
  }
}

function killTimer(fault: PauseFault, stateDir: string): void {
  if (fault.timerPid !== undefined && isOurTimer(fault.timerPid, stateDir)) {
    try {
      process.kill(fault.timerPid, 'SIGTERM')
    } catch {
      // It just exited.
    }
  }
}

/** SIGSTOP a node; with forMs, a detached timer continues it when due. Returns the fault recorded. */
export function pauseNode(plan: TopologyPlan, node: PlannedNode, forMs?: number): PauseFault {
  const pid = ownPid(node)
  if (isPaused(pid)) throw new FaultError(`${node.id} (port ${node.port}) is already paused`)
  const now = Date.now()
  const fault: PauseFault = {kind: 'pause', node: node.id, port: node.port, pid, pausedAt: now}
  if (forMs !== undefined) fault.resumeAt = now + forMs
  process.kill(pid, 'SIGSTOP')
  if (fault.resumeAt !== undefined) {
    const timer = spawn(process.execPath, [TIMER_SCRIPT, plan.stateDir, node.id, String(pid), String(fault.resumeAt)], {
      detached: true, stdio: 'ignore', cwd: plan.stateDir,
    })
    timer.unref()
    fault.timerPid = timer.pid
  }
  writeFaults(plan.stateDir, [...readFaults(plan.stateDir).filter((f) => f.node !== node.id), fault])
  return fault
}

/** SIGCONT a paused node and drop its record (and timer). */
export function resumeNode(plan: TopologyPlan, node: PlannedNode): {pid: number; pausedMs: number} {
  const pid = ownPid(node)
  if (!isPaused(pid)) throw new FaultError(`${node.id} (port ${node.port}) is not paused`)
  const fault = readFaults(plan.stateDir).find((f) => f.node === node.id)
  process.kill(pid, 'SIGCONT')
  clearFault(plan, node)
  return {pid, pausedMs: fault ? Date.now() - fault.pausedAt : 0}
}

/** Forgets a node's fault: its timer is ended and its record removed (stop, down, resume). */
export function clearFault(plan: TopologyPlan, node: PlannedNode): void {
  const faults = readFaults(plan.stateDir)
  const mine = faults.filter((f) => f.node === node.id)
  if (mine.length === 0) return
  for (const fault of mine) killTimer(fault, plan.stateDir)
  writeFaults(plan.stateDir, faults.filter((f) => f.node !== node.id))
}

/** Ends every resume timer of the topology and removes the record (down). */
export function clearAllFaults(plan: TopologyPlan): number {
  const faults = readFaults(plan.stateDir)
  for (const fault of faults) killTimer(fault, plan.stateDir)
  if (faults.length > 0) writeFaults(plan.stateDir, [])
  return faults.filter((f) => f.timerPid !== undefined).length
}

export interface ActiveFault extends PauseFault {
  /** ms until the timer resumes it. */
  remainingMs?: number
  /** A --for pause whose timer is gone: nothing will resume it by itself. */
  timerMissing?: boolean
}

/**
 * The faults in effect now: every planned node whose process is stopped (state T), with its record when there
 * is one. Records of nodes that are no longer paused are dropped.
 */
export function activeFaults(plan: TopologyPlan): ActiveFault[] {
  const records = readFaults(plan.stateDir)
  const now = Date.now()
  const active: ActiveFault[] = []
  for (const node of plan.nodes) {
    const state = readPid(node)
    if (state.state !== 'running' || !isPaused(state.pid)) continue
    const record = records.find((f) => f.node === node.id && f.pid === state.pid)
    const fault: ActiveFault = record ? {...record} : {kind: 'pause', node: node.id, port: node.port, pid: state.pid, pausedAt: Number.NaN}
    if (fault.resumeAt !== undefined) {
      fault.remainingMs = Math.max(0, fault.resumeAt - now)
      if (fault.timerPid === undefined || !isOurTimer(fault.timerPid, plan.stateDir)) fault.timerMissing = true
    }
    active.push(fault)
  }
  const kept = records.filter((r) => active.some((a) => a.node === r.node && a.pid === r.pid))
  if (kept.length !== records.length) writeFaults(plan.stateDir, kept)
  return active
}

/** Resume timers of this state dir still running, found through /proc (down checks none is left). */
export function liveTimers(stateDir: string): number[] {
  try {
    return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => isOurTimer(pid, stateDir))
  } catch {
    return []
  }
}

/** Waits (up to timeoutMs) until no resume timer of this state dir runs; returns those still running. */
export async function waitForTimersGone(stateDir: string, timeoutMs = 3000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const left = liveTimers(stateDir)
    if (left.length === 0 || Date.now() > deadline) return left
    await new Promise((r) => setTimeout(r, 50))
  }
}
