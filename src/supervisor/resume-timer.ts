// The detached timer of `rtopo pause --for MS`: node resume-timer.js <state dir> <node id> <pid> <resume at ms>.
// At the due time it continues the node (SIGCONT) if that pid is still the node's own process and still
// paused, and removes the pause from faults.json. It exits early, doing nothing, when its record is gone
// (rtopo resume, stop or down ended it), the node's process is gone, or the state dir was purged; so it never
// outlives the pause it serves.

import {existsSync} from 'node:fs'
import {readState} from '../topology/state-file.js'
import {readFaults, writeFaults} from './faults.js'
import {isPaused, readPid} from './process.js'

const [stateDir = '', nodeId = '', pidText = '', resumeAtText = ''] = process.argv.slice(2)
const pid = Number(pidText)
const resumeAt = Number(resumeAtText)

const myRecord = () => readFaults(stateDir).find((f) => f.node === nodeId && f.pid === pid && f.timerPid === process.pid)

/** The node's process, when it is still ours and the same pid. */
function ourNode(): boolean {
  try {
    const plan = readState(stateDir)
    const node = plan?.nodes.find((n) => n.id === nodeId)
    if (!node) return false
    const state = readPid(node)
    return state.state === 'running' && state.pid === pid
  } catch {
    return false
  }
}

function finish(): void {
  if (ourNode() && isPaused(pid) && myRecord()) process.kill(pid, 'SIGCONT')
  if (existsSync(stateDir)) writeFaults(stateDir, readFaults(stateDir).filter((f) => !(f.node === nodeId && f.timerPid === process.pid)))
  process.exit(0)
}

if (!existsSync(stateDir) || !Number.isInteger(pid) || !Number.isFinite(resumeAt)) process.exit(2)
process.on('SIGTERM', () => process.exit(0))
// The record is written right after this process is spawned: allow it a moment before looking for it.
const startedAt = Date.now()
const watch = setInterval(() => {
  if (Date.now() >= resumeAt) return finish()
  const settled = Date.now() - startedAt > 2000
  if (!existsSync(stateDir) || !ourNode() || (settled && myRecord() === undefined)) process.exit(0)
}, 100)
void watch
