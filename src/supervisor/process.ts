// One node process: launch detached (it outlives the CLI), wait for PING, stop with SHUTDOWN → SIGTERM →
// SIGKILL. A pid from a pidfile is signalled only when /proc shows it is our node (its command line names
// the node's config file), so a reused pid is never hit.

import {closeSync, existsSync, openSync, readFileSync, readlinkSync, rmSync} from 'node:fs'
import {execa} from 'execa'
import type {Engine} from './engine.js'
import type {PlannedNode} from '../topology/plan.js'
import {pingNode} from '../topology/inspect.js'

export class NodeStartError extends Error {
  override readonly name = 'NodeStartError'
  constructor(message: string, readonly logTail: string) {
    super(message)
  }
}

/** True while pid runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch (cause) {
    return (cause as NodeJS.ErrnoException).code === 'EPERM'
  }
  return !isZombie(pid)
}

/** True when pid runs the node of this config file (checked through /proc/<pid>/cmdline). */
export function isOurProcess(pid: number, node: Pick<PlannedNode, 'conf' | 'dir'>): boolean {
  if (!isAlive(pid)) return false
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg === node.conf)) return true
    // Redis may retitle itself (proc-title); it still runs in the node's own directory.
    return readlinkSync(`/proc/${pid}/cwd`) === node.dir
  } catch {
    return false
  }
}

export type PidState = {state: 'running'; pid: number} | {state: 'stopped'} | {state: 'stale'; pid: number} | {state: 'foreign'; pid: number}

/** Reads a node's pidfile and says what it means. */
export function readPid(node: PlannedNode): PidState {
  if (!existsSync(node.pidfile)) return {state: 'stopped'}
  const pid = Number(readFileSync(node.pidfile, 'utf8').trim())
  if (!Number.isInteger(pid) || pid <= 0) return {state: 'stale', pid: 0}
  if (isOurProcess(pid, node)) return {state: 'running', pid}
  return isAlive(pid) ? {state: 'foreign', pid} : {state: 'stale', pid}
}

/**
 * Removes pidfiles left by nodes that died (or whose pid now belongs to another program) and says which,
 * e.g. "pid 123 in master-1.pid is not running; removed".
 */
export function clearStalePidfiles(nodes: readonly PlannedNode[]): string[] {
  const notes: string[] = []
  for (const node of nodes) {
    const state = readPid(node)
    if (state.state !== 'stale' && state.state !== 'foreign') continue
    rmSync(node.pidfile, {force: true})
    const why = state.state === 'stale' ? 'is not running' : 'belongs to another program'
    notes.push(`pid ${state.pid} in ${node.pidfile} ${why}; removed`)
  }
  return notes
}

/** Is the process paused (SIGSTOP)? */
export function isPaused(pid: number): boolean {
  try {
    return /^State:\s+T/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
  } catch {
    return false
  }
}

export function logTail(node: PlannedNode, lines = 20): string {
  if (!existsSync(node.logfile)) return '(no log yet)'
  return readFileSync(node.logfile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
}

/** Starts a node detached and resolves with its pid once it answers PING. */
export async function launchNode(engine: Engine, node: PlannedNode, password: string | undefined, timeoutMs = 15_000): Promise<number> {
  const pidState = readPid(node)
  if (pidState.state === 'stale' || pidState.state === 'foreign') rmSync(node.pidfile, {force: true})
  const {file, args} = engine.command(node.kind, node.conf)
  const out = openSync(node.logfile.replace(/\.log$/, '.out'), 'a')
  const child = execa(file, args, {
    cwd: node.dir, detached: true, cleanup: false, reject: false, stdin: 'ignore',
    stdout: out as unknown as 1, stderr: out as unknown as 2,
  })
  child.unref()
  child.catch(() => {})
  closeSync(out)
  const pid = child.pid
  if (pid === undefined) throw new NodeStartError(`${node.id} (port ${node.port}) could not be started: ${file} ${args.join(' ')}`, '')
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (!isAlive(pid) || child.exitCode !== null) {
      const outFile = node.logfile.replace(/\.log$/, '.out')
      const extra = existsSync(outFile) ? readFileSync(outFile, 'utf8').trim().split('\n').slice(-10).join('\n') : ''
      throw new NodeStartError(`${node.id} (port ${node.port}) exited during start-up: ${file} ${args.join(' ')}`, `${logTail(node)}\n${extra}`.trim())
    }
    if (await pingNode(node.port, password)) return pid
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL')
      throw new NodeStartError(`${node.id} (port ${node.port}) did not answer PING within ${timeoutMs} ms`, logTail(node))
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Sends a signal to a node only if it is ours. Returns the pid signalled, or undefined. */
export function signalNode(node: PlannedNode, signal: NodeJS.Signals): number | undefined {
  const state = readPid(node)
  if (state.state !== 'running') return undefined
  process.kill(state.pid, signal)
  return state.pid
}

/** Waits for a pid to exit; false on timeout. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 50))
  }
  return true
}

function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
  } catch {
    return false
  }
}

/** Graceful stop: SIGTERM (the node saves and exits like on SHUTDOWN), then SIGKILL after the deadline. */
export async function stopNode(node: PlannedNode, deadlineMs = 10_000): Promise<'stopped' | 'killed' | 'not-running'> {
  const state = readPid(node)
  if (state.state !== 'running') {
    if (state.state === 'stale') rmSync(node.pidfile, {force: true})
    return 'not-running'
  }
  if (isPaused(state.pid)) process.kill(state.pid, 'SIGCONT')
  process.kill(state.pid, 'SIGTERM')
  if (await waitForExit(state.pid, deadlineMs)) {
    rmSync(node.pidfile, {force: true})
    return 'stopped'
  }
  process.kill(state.pid, 'SIGKILL')
  await waitForExit(state.pid, 5000)
  rmSync(node.pidfile, {force: true})
  return 'killed'
}
