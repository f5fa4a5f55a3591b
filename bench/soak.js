#!/usr/bin/env node
// npm run soak [-- --cycles N] [--seed S] [--engine bundled|redis] [--min-replicas-to-write 1] …: a chaos soak.
// Never part of npm test.
//
// It brings up 1 master + 2 replicas + 3 sentinels (`rtopo up`, --down-after 1000 --failover-timeout 10000, on
// free test ports from 17600 up, in its own temp --dir) and then, N times (default 100), on a schedule drawn
// from a seeded PRNG (the seed is printed, so a run can be replayed):
//   1. starts an audited writer through the sentinels (startWorkload of dist/lab/workload.js, as `rtopo load`);
//   2. reads every sentinel's config-epoch (SENTINEL MASTER) and picks a random node, sentinels included;
//   3. SIGKILLs it (`rtopo kill --no-wait`) or SIGSTOPs it (`rtopo pause --no-wait`), holds 0.5–5 s, then
//      `rtopo start` or `rtopo resume` it;
//   4. waits for `rtopo verify --json` to pass (60 s per cycle) while the writer, once it has written through
//      the healed topology, is stopped: verify compares DEBUG DIGESTs, which a running writer keeps changing.
//      The convergence time runs from the restart/resume to verify passing (both CLI runs included);
//   5. reads the config-epochs again: more than one increase for one fault, or any increase when the node hit
//      was not the master, is a spurious failover; then reads every write acknowledged so far back from the
//      master, so a loss is pinned to the cycle whose fault caused it.
// A cycle that does not converge is counted and repaired (`rtopo start all`, SIGCONT of every paused node,
// verify again) and the soak goes on. At the end it prints the tables and writes bench/results/soak-*.json.
// Whatever happens (an error, Ctrl-C, SIGTERM) the topology is torn down (`rtopo down`), the state folder is
// removed, and any process whose command line names that folder is killed by its pid: none is left behind.
// Exit status: 0, or 1 when a cycle did not converge, a failover was spurious, or setup failed.

import {execFile} from 'node:child_process'
import {randomInt} from 'node:crypto'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {cpus, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const BIN = join(root, 'bin', 'run.js')

const USAGE = `npm run soak -- [options]
  --cycles N                 faults to inject (default 100)
  --seed S                   PRNG seed of the fault schedule (default: random, printed)
  --engine bundled|redis     engine of every node (default bundled)
  --min-replicas-to-write N  passed to rtopo up (and --min-replicas-max-lag S)
  --faults kill,pause        fault kinds to draw from (default both)
  --hold-min MS --hold-max MS  how long a fault is held (default 500–5000)
  --converge-timeout MS      per cycle, from restart/resume to verify passing (default 60000)
  --down-after MS --failover-timeout MS  sentinel timings (default 1000 and 10000)
  --rate R --clients N --wait-replicas N --client ioredis|node-redis  the writer (default 200/s, 4, 0, ioredis)
  --port P                   search free ports from P (default 17600)`

let args
try {
  args = parseArgs({
    options: {
      cycles: {type: 'string', default: '100'},
      seed: {type: 'string'},
      engine: {type: 'string', default: 'bundled'},
      'min-replicas-to-write': {type: 'string'},
      'min-replicas-max-lag': {type: 'string'},
      faults: {type: 'string', default: 'kill,pause'},
      'hold-min': {type: 'string', default: '500'},
      'hold-max': {type: 'string', default: '5000'},
      'converge-timeout': {type: 'string', default: '60000'},
      'down-after': {type: 'string', default: '1000'},
      'failover-timeout': {type: 'string', default: '10000'},
      rate: {type: 'string', default: '200'},
      clients: {type: 'string', default: '4'},
      'wait-replicas': {type: 'string', default: '0'},
      client: {type: 'string', default: 'ioredis'},
      port: {type: 'string', default: '17600'},
      help: {type: 'boolean', short: 'h'},
    },
  }).values
} catch (cause) {
  console.error(`${cause.message}\n\n${USAGE}`)
  process.exit(2)
}
if (args.help) {
  console.log(USAGE)
  process.exit(0)
}

function int(name, min, max = Number.MAX_SAFE_INTEGER) {
  const text = args[name]
  const value = Number(text)
  if (!/^\d+$/.test(String(text)) || value < min || value > max) {
    console.error(`--${name} must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}; got '${text}'`)
    process.exit(2)
  }
  return value
}

const CONFIG = {
  cycles: int('cycles', 1),
  seed: args.seed === undefined ? randomInt(2 ** 32) : int('seed', 0, 2 ** 32 - 1),
  engine: args.engine,
  minReplicasToWrite: args['min-replicas-to-write'] === undefined ? undefined : int('min-replicas-to-write', 0, 2),
  minReplicasMaxLag: args['min-replicas-max-lag'] === undefined ? undefined : int('min-replicas-max-lag', 0),
  faults: args.faults.split(',').map((f) => f.trim()).filter(Boolean),
  holdMinMs: int('hold-min', 0),
  holdMaxMs: int('hold-max', 0),
  convergeTimeoutMs: int('converge-timeout', 1000),
  downAfterMs: int('down-after', 1),
  failoverTimeoutMs: int('failover-timeout', 1),
  rate: int('rate', 1),
  clients: int('clients', 1, 1000),
  waitReplicas: int('wait-replicas', 0, 2),
  client: args.client,
  portFrom: int('port', 1024, 60000),
}
if (!['bundled', 'redis'].includes(CONFIG.engine)) {
  console.error(`--engine must be bundled or redis; got '${CONFIG.engine}'`)
  process.exit(2)
}
if (!['ioredis', 'node-redis'].includes(CONFIG.client)) {
  console.error(`--client must be ioredis or node-redis; got '${CONFIG.client}'`)
  process.exit(2)
}
if (CONFIG.faults.length === 0 || CONFIG.faults.some((f) => f !== 'kill' && f !== 'pause')) {
  console.error(`--faults takes kill and/or pause, comma-separated; got '${args.faults}'`)
  process.exit(2)
}
if (CONFIG.holdMaxMs < CONFIG.holdMinMs) {
  console.error('--hold-max must be at least --hold-min')
  process.exit(2)
}

// What the soak needs from the build; `npm run soak` builds first.
let lib
try {
  lib = {
    ...(await import('../dist/lab/workload.js')),
    ...(await import('../dist/topology/state-file.js')),
    ...(await import('../dist/topology/inspect.js')),
  }
} catch (cause) {
  console.error(`cannot load rtopo's build (${cause.message}): run npm run build first, or use npm run soak`)
  process.exit(2)
}

// ---------------------------------------------------------------- helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const now = () => performance.now()

/** mulberry32: a small seeded PRNG, enough to replay a fault schedule. */
function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Nearest-rank percentile of the defined values; undefined when there are none. */
function percentile(values, p) {
  const v = values.filter((x) => x !== undefined).sort((a, b) => a - b)
  if (v.length === 0) return undefined
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]
}

const ms = (v) => (v === undefined ? '-' : `${Math.round(v)} ms`)

/** Rejects after ms; the operation goes on by itself. */
function withTimeout(promise, ms, what) {
  let timer
  return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms) })]).finally(() => clearTimeout(timer))
}

// Ports: reserved with the lock files of test/helpers/ports.ts (os.tmpdir()/rtopo-test-ports/<port>, holding
// the owner's pid), so a test suite running meanwhile never takes ours, and checked by binding them.
const lockDir = join(tmpdir(), 'rtopo-test-ports')
const lockedPorts = []

const alive = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function lockPort(port) {
  const path = join(lockDir, String(port))
  try {
    writeFileSync(path, String(process.pid), {flag: 'wx'})
    lockedPorts.push(port)
    return true
  } catch {
    let owner = 0
    try {
      owner = Number(readFileSync(path, 'utf8'))
    } catch {
      // Removed meanwhile: try once more below.
    }
    if (owner && alive(owner)) return false
    rmSync(path, {force: true})
    try {
      writeFileSync(path, String(process.pid), {flag: 'wx'})
      lockedPorts.push(port)
      return true
    } catch {
      return false
    }
  }
}

function releasePorts() {
  for (const port of lockedPorts.splice(0)) {
    const path = join(lockDir, String(port))
    try {
      if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, {force: true})
    } catch {
      // Already gone.
    }
  }
}

const canBind = (port) => new Promise((resolve) => {
  const s = createServer()
  s.once('error', () => resolve(false))
  s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
})

/** A base port with `count` free consecutive ports, locked for this run; never 6379/26379. */
async function reservePorts(count, from) {
  mkdirSync(lockDir, {recursive: true})
  for (let base = from; base + count < 32768; base += 10) {
    const ports = Array.from({length: count}, (_, i) => base + i)
    if (ports.some((p) => p === 6379 || p === 26379)) continue
    const mine = []
    let ok = true
    for (const port of ports) {
      if (!(await canBind(port)) || !lockPort(port)) {
        ok = false
        break
      }
      mine.push(port)
    }
    if (ok) return base
    for (const port of mine) {
      rmSync(join(lockDir, String(port)), {force: true})
      lockedPorts.splice(lockedPorts.indexOf(port), 1)
    }
  }
  throw new Error(`no ${count} free consecutive ports from ${from}`)
}

// ---------------------------------------------------------------- the CLI, as a child process

let dir
let aborting
const children = new Set()

/** Runs `rtopo ARGS --dir DIR --json`; resolves (never rejects) to its exit, parsed JSON and wall time. Once the soak is aborting only the teardown (force) runs commands. */
function rtopo(cliArgs, timeoutMs = 300_000, force = false) {
  const started = now()
  if (aborting && !force) return Promise.resolve({ok: false, code: -1, error: `aborted (${aborting})`, ms: 0})
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...cliArgs, '--dir', dir, '--json'], {
      cwd: dir, env: {...process.env, NO_COLOR: '1', OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}, maxBuffer: 64 << 20, timeout: timeoutMs, killSignal: 'SIGKILL',
    }, (error, stdout, stderr) => {
      children.delete(child)
      let json
      try {
        json = JSON.parse(stdout)
      } catch {
        // Not JSON (a crash): the stderr tells.
      }
      const message = json?.error?.message ?? (error ? (stderr.trim() || error.message).split('\n').slice(0, 6).join('\n') : undefined)
      resolve({ok: !error, code: error ? (error.code ?? -1) : 0, json, error: message, ms: now() - started})
    })
    children.add(child)
  })
}

// ---------------------------------------------------------------- observing the topology

let plan
let group

/** Every sentinel's view of the master (SENTINEL MASTER): config-epoch, master port, flags; and current-epoch from its config file. */
async function sentinelState() {
  const sentinels = plan.nodes.filter((n) => n.kind === 'sentinel')
  const views = await Promise.all(sentinels.map(async (s) => {
    const view = await lib.withNode(s.port, undefined, async (c) => {
      const f = lib.fieldsOf(await c.call('SENTINEL', 'MASTER', group))
      return {configEpoch: Number(f['config-epoch'] ?? 0), masterPort: Number(f.port), flags: f.flags ?? ''}
    }).catch(() => undefined)
    let currentEpoch
    try {
      const m = /^sentinel current-epoch (\d+)/m.exec(readFileSync(s.conf, 'utf8'))
      if (m) currentEpoch = Number(m[1])
    } catch {
      // Not written yet.
    }
    return {id: s.id, ...(view ?? {error: 'no answer'}), currentEpoch}
  }))
  const epochs = views.map((v) => v.configEpoch).filter((e) => e !== undefined)
  const current = views.map((v) => v.currentEpoch).filter((e) => e !== undefined)
  return {
    configEpoch: epochs.length ? Math.max(...epochs) : undefined,
    currentEpoch: current.length ? Math.max(...current) : undefined,
    sentinels: views,
  }
}

/** Pids of every process whose command line names the state folder: the nodes, resume timers, CLI runs. */
function processesOfDir() {
  if (!dir) return []
  const found = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      let cwd = ''
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`)
      } catch {
        // Another user's process, or gone.
      }
      if (cmdline.includes(dir) || cwd === dir || cwd.startsWith(`${dir}/`)) found.push({pid: Number(entry), cmd: cmdline.split('\0').join(' ').trim()})
    } catch {
      // Exited meanwhile.
    }
  }
  return found
}

const isStopped = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] === 'T'
  } catch {
    return false
  }
}

const pidOf = (node) => {
  try {
    const pid = Number(readFileSync(node.pidfile, 'utf8').trim())
    return pid > 0 && alive(pid) ? pid : undefined
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------- the audit across cycles

/** Every acknowledged write of every cycle: key → {value, cycle}; and the keys found lost so far. */
const acked = new Map()
const lostKeys = new Map()

/** Reads every acknowledged write not yet known lost back from `port`; returns the keys newly lost. */
async function readBack(port) {
  const keys = [...acked.keys()].filter((k) => !lostKeys.has(k))
  const values = await lib.readBackKeys(port, plan.password, keys)
  const newly = []
  for (const key of keys) {
    if (values.get(key) !== acked.get(key).value) newly.push(key)
  }
  return newly
}

// ---------------------------------------------------------------- teardown

const stamp = new Date().toISOString().replace(/[:.]/g, '-')
const resultsDir = join(root, 'bench', 'results')
const logsDir = join(resultsDir, `soak-${CONFIG.engine}-${stamp}-logs`)
const cycles = []
const result = {config: CONFIG, machine: {cores: cpus().length, node: process.version}, startedAt: new Date().toISOString(), cycles}

let writer
let teardownDone
const teardownReport = {}

function teardown(reason) {
  teardownDone ??= (async () => {
    if (reason) aborting ??= reason
    if (writer) {
      const w = writer
      writer = undefined
      await withTimeout(w.stop(), 15_000, 'stopping the writer').catch(() => undefined)
    }
    for (const child of children) child.kill('SIGKILL')
    children.clear()
    if (dir && existsSync(dir)) {
      aborting ??= 'teardown'
      const down = await rtopo(['down'], 120_000, true)
      teardownReport.down = down.ok ? 'ok' : down.error
      keepLogs = anomalies()
      if (keepLogs) copyLogs()
      // Anything still alive that names our folder is ours: SIGCONT (a stopped process) and SIGKILL it by pid.
      const left = processesOfDir()
      for (const p of left) {
        try {
          process.kill(p.pid, 'SIGCONT')
          process.kill(p.pid, 'SIGKILL')
        } catch {
          // Gone already.
        }
      }
      teardownReport.killedAfterDown = left.map((p) => `${p.pid} ${p.cmd}`)
      await sleep(200)
      teardownReport.left = processesOfDir().map((p) => `${p.pid} ${p.cmd}`)
      rmSync(dir, {recursive: true, force: true})
    }
    releasePorts()
  })()
  return teardownDone
}

let keepLogs = false
/** A failed setup, a cycle that did not converge or a spurious failover: the node logs are worth keeping. */
const anomalies = () => result.error !== undefined || cycles.some((c) => !c.aborted && (c.converged === false || c.spurious > 0))
function copyLogs() {
  if (!plan) return
  try {
    mkdirSync(logsDir, {recursive: true})
    for (const node of plan.nodes) {
      if (existsSync(node.logfile)) copyFileSync(node.logfile, join(logsDir, `${node.id}.log`))
      if (node.kind === 'sentinel' && existsSync(node.conf)) copyFileSync(node.conf, join(logsDir, `${node.id}.conf`))
    }
  } catch (cause) {
    teardownReport.logs = `copying the logs failed: ${cause.message}`
  }
}

let interrupted = 0
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    interrupted++
    if (interrupted === 1) console.log(`\n${signal}: stopping the soak and tearing the topology down …`)
    else if (interrupted >= 3) {
      console.log('tearing down still; one more signal leaves processes behind')
      if (interrupted > 3) process.exit(130)
    }
    void teardown(signal)
  })
}
process.on('uncaughtException', (error) => {
  console.error(`uncaught: ${error.stack ?? error.message}`)
  void teardown('uncaught exception').finally(() => process.exit(1))
})
process.on('unhandledRejection', (error) => {
  console.error(`unhandled rejection: ${error?.stack ?? error}`)
  void teardown('unhandled rejection').finally(() => process.exit(1))
})

// ---------------------------------------------------------------- the soak

/** The fault schedule: a pure function of the seed, the cycle count and the options. */
function schedule(nodeCount) {
  const random = prng(CONFIG.seed)
  return Array.from({length: CONFIG.cycles}, () => {
    const kind = CONFIG.faults[Math.floor(random() * CONFIG.faults.length)]
    const nodeIndex = Math.floor(random() * nodeCount)
    const holdMs = Math.round(CONFIG.holdMinMs + random() * (CONFIG.holdMaxMs - CONFIG.holdMinMs))
    return {kind, nodeIndex, holdMs}
  })
}

/** Resolves once the writer has an acknowledged write sent after `sinceMs` (its clock), or false after timeoutMs. */
async function writerFollowed(w, sinceMs, timeoutMs) {
  const deadline = now() + timeoutMs
  let from = 0
  while (now() < deadline) {
    const writes = w.samples().writes
    for (; from < writes.length; from++) {
      const s = writes[from]
      if (s.sentMs < sinceMs) continue
      if (s.doneMs === undefined) break
      if (s.ok) return true
    }
    if (aborting) return false
    await sleep(20)
  }
  return false
}

/** start all, SIGCONT of every paused node, then verify again. */
async function repair() {
  const actions = []
  const start = await rtopo(['start', 'all'])
  actions.push(`start all: ${start.ok ? (start.json?.started ?? []).map((s) => s.id).join(', ') || 'nothing to start' : start.error}`)
  for (const node of plan.nodes) {
    const pid = pidOf(node)
    if (pid !== undefined && isStopped(pid)) {
      const r = await rtopo(['resume', node.id])
      actions.push(`resume ${node.id}: ${r.ok ? 'ok' : r.error}`)
    }
  }
  const started = now()
  const v = await rtopo(['verify', '--timeout', String(CONFIG.convergeTimeoutMs)], CONFIG.convergeTimeoutMs + 60_000)
  return {actions, ok: v.ok, verifyMs: now() - started, verify: v.json, problems: v.ok ? [] : problemsOf(v)}
}

const problemsOf = (v) => v.json?.problems?.map((p) => p.message) ?? [v.error ?? 'verify failed']

async function runCycle(index, step, nodes, baseline) {
  const node = nodes[step.nodeIndex]
  const role = node.kind === 'sentinel' ? 'sentinel' : node.id === baseline.masterId ? 'master' : 'replica'
  const cycle = {cycle: index + 1, kind: step.kind, node: node.id, role, holdMs: step.holdMs, masterBefore: baseline.masterId}
  cycles.push(cycle)

  // The writer: through the sentinels, audited; from a steady state on.
  try {
    writer = await lib.startWorkload(plan, {
      group, clients: CONFIG.clients, rate: CONFIG.rate, mix: {set: 1, get: 0}, readFrom: 'master', client: CONFIG.client,
      waitReplicas: CONFIG.waitReplicas, waitTimeoutMs: 1000, opTimeoutMs: 1000, keyPrefix: `rtopo:soak:${CONFIG.seed}:${index + 1}:`,
    })
    if (aborting) {
      await writer.stop().catch(() => undefined)
      writer = undefined
    } else if (!(await writer.waitForSteadyState(20, 500, 10_000))) cycle.writerNote = 'no steady state within 10 s'
  } catch (cause) {
    cycle.writerError = cause.message
    writer = undefined
  }

  const before = await sentinelState()
  cycle.epochBefore = before.configEpoch
  cycle.currentEpochBefore = before.currentEpoch

  // The fault.
  const fault = await rtopo([step.kind, node.id, '--no-wait'])
  if (!fault.ok) cycle.faultError = fault.error
  writer?.markFault({kind: step.kind, node: node.id, port: node.port})
  await sleep(step.holdMs)

  // Back: restart or SIGCONT. The clock of the convergence starts here.
  const recoverAt = now()
  const recover = await rtopo([step.kind === 'kill' ? 'start' : 'resume', node.id], CONFIG.convergeTimeoutMs + 60_000)
  cycle.recoverCmdMs = Math.round(recover.ms)
  if (!recover.ok) cycle.recoverError = recover.error
  writer?.markRecovered()

  // verify runs while the writer finishes: it passes once the topology is healed and the writes have stopped.
  const verifyTimeout = Math.max(1000, Math.round(CONFIG.convergeTimeoutMs - (now() - recoverAt)))
  const verifying = rtopo(['verify', '--timeout', String(verifyTimeout)], verifyTimeout + 60_000).then((v) => ({...v, at: now()}))
  if (writer) {
    const w = writer
    // A write sent after the node is back, acknowledged: the application got through the healed topology.
    cycle.writerFollowed = await writerFollowed(w, w.now(), 15_000)
    writer = undefined
    try {
      const audit = await withTimeout(w.stop(), 30_000, 'stopping the writer').finally(() => {
        for (const s of w.samples().writes) if (s.ok) acked.set(s.key, {value: s.value, cycle: index + 1})
      })
      cycle.writes = {attempted: audit.writes.attempted, acknowledged: audit.writes.acknowledged, failed: audit.writes.failed, inFlight: audit.writes.inFlight, auditLost: audit.writes.lost}
      cycle.unavailableMs = audit.unavailable?.durationMs ?? 0
      if (audit.readBack?.error) cycle.auditReadBackError = audit.readBack.error
    } catch (cause) {
      cycle.writerError = cause.message
    }
  }
  const v = await verifying
  // Within the budget only: a restart that alone outlasts it (start waits for the rejoin) did not converge in time.
  const tookMs = Math.round(v.at - recoverAt)
  cycle.converged = v.ok && tookMs <= CONFIG.convergeTimeoutMs
  if (cycle.converged) cycle.convergenceMs = tookMs
  else if (v.ok) {
    cycle.lateMs = tookMs
    cycle.problems = [`verify passed only after ${tookMs} ms, past the ${CONFIG.convergeTimeoutMs} ms budget`]
  } else {
    cycle.problems = problemsOf(v)
    cycle.repair = await repair()
  }
  const verified = v.ok ? v.json : cycle.repair?.ok ? cycle.repair.verify : undefined
  const master = verified?.groups?.[0]?.master

  // Failovers: config-epoch increases, against what the fault could justify.
  const after = await sentinelState()
  cycle.epochAfter = after.configEpoch
  cycle.currentEpochAfter = after.currentEpoch
  cycle.masterAfter = master?.id
  const failovers = before.configEpoch === undefined || after.configEpoch === undefined ? 0 : Math.max(0, after.configEpoch - before.configEpoch)
  cycle.failovers = failovers
  cycle.spurious = role === 'master' ? Math.max(0, failovers - 1) : failovers
  cycle.spuriousKind = cycle.spurious === 0 ? undefined : role === 'master' ? 'more than one epoch increase for one fault' : `a failover although the node hit (${node.id}) was not the master`
  if (master && master.id !== baseline.masterId && failovers === 0) cycle.note = `the master changed from ${baseline.masterId} to ${master.id} without a config-epoch increase`

  // Loss: every acknowledged write so far, read back from the verified master.
  if (master) {
    try {
      const newly = await readBack(master.port)
      for (const key of newly) lostKeys.set(key, index + 1)
      cycle.lostNow = newly.length
    } catch (cause) {
      cycle.readBackError = cause.message
    }
  } else cycle.readBackError = 'no verified master to read back from'

  if (aborting) {
    cycle.aborted = aborting
    console.log(`cycle ${index + 1}/${CONFIG.cycles}: ${step.kind} ${node.id} (${role}) interrupted (${aborting})`)
    return baseline
  }
  const epochs = `epoch ${cycle.epochBefore ?? '?'}→${cycle.epochAfter ?? '?'}`
  const outcome = cycle.converged ? `converged in ${ms(cycle.convergenceMs)}` : `NOT converged (${cycle.problems.slice(0, 3).join('; ')})${cycle.repair ? `; repair ${cycle.repair.ok ? 'ok' : 'FAILED'}` : ''}`
  const writes = cycle.writes ? `; ${cycle.writes.acknowledged} writes acked, ${cycle.writes.failed} failed, ${cycle.lostNow ?? '?'} lost` : cycle.writerError ? `; writer: ${cycle.writerError}` : ''
  const errors = [cycle.faultError && `fault: ${cycle.faultError}`, cycle.recoverError && `recover: ${cycle.recoverError}`].filter(Boolean)
  console.log(`cycle ${index + 1}/${CONFIG.cycles}: ${step.kind} ${node.id} (${role}) ${(step.holdMs / 1000).toFixed(1)} s → ${step.kind === 'kill' ? 'start' : 'resume'}; ${outcome}; ${epochs}${cycle.spurious ? ` SPURIOUS ×${cycle.spurious}` : ''}${writes}${errors.length ? `\n    ${errors.join('\n    ')}` : ''}`)
  return {masterId: master?.id ?? baseline.masterId}
}

function tables() {
  const lines = []
  const done = cycles.filter((c) => c.converged !== undefined && !c.aborted)
  const roles = ['master', 'replica', 'sentinel']
  lines.push(`\nchaos soak: ${CONFIG.engine} engine, ${done.length}/${CONFIG.cycles} cycle(s), seed ${CONFIG.seed}; hold ${CONFIG.holdMinMs}–${CONFIG.holdMaxMs} ms; down-after ${CONFIG.downAfterMs}, failover-timeout ${CONFIG.failoverTimeoutMs}${CONFIG.minReplicasToWrite === undefined ? '' : `, min-replicas-to-write ${CONFIG.minReplicasToWrite}`}; writer ${CONFIG.clients} ${CONFIG.client} client(s) at ${CONFIG.rate}/s, wait-replicas ${CONFIG.waitReplicas}; ${cpus().length} cores`)
  lines.push('| fault | node role | injected | converged | convergence p50 | convergence max | failovers | spurious | writes lost |')
  lines.push('|---|---|---|---|---|---|---|---|---|')
  for (const kind of CONFIG.faults) {
    for (const role of roles) {
      const cs = done.filter((c) => c.kind === kind && c.role === role)
      if (cs.length === 0) continue
      const conv = cs.map((c) => c.convergenceMs)
      const lost = [...lostKeys.values()].filter((cycle) => cs.some((c) => c.cycle === cycle)).length
      lines.push(`| ${kind === 'kill' ? 'SIGKILL' : 'SIGSTOP'} | ${role} | ${cs.length} | ${cs.filter((c) => c.converged).length} | ${ms(percentile(conv, 50))} | ${ms(percentile(conv, 100))} | ${cs.reduce((n, c) => n + c.failovers, 0)} | ${cs.reduce((n, c) => n + c.spurious, 0)} | ${lost} |`)
    }
  }
  const conv = done.map((c) => c.convergenceMs)
  const failed = done.filter((c) => !c.converged)
  const spurious = done.filter((c) => c.spurious > 0)
  const notHit = done.filter((c) => c.role !== 'master').reduce((n, c) => n + c.spurious, 0)
  const beyond = done.filter((c) => c.role === 'master').reduce((n, c) => n + c.spurious, 0)
  const sum = (f) => done.reduce((n, c) => n + (c.writes?.[f] ?? 0), 0)
  const byKind = (kind) => roles.map((r) => `${done.filter((c) => c.kind === kind && c.role === r).length} ${r}`).join(', ')
  const elections = done.reduce((n, c) => n + (c.currentEpochAfter !== undefined && c.currentEpochBefore !== undefined ? c.currentEpochAfter - c.currentEpochBefore : 0), 0)
  lines.push('')
  lines.push('| measure | value |')
  lines.push('|---|---|')
  lines.push(`| faults injected | ${done.length}: ${CONFIG.faults.map((k) => `${k === 'kill' ? 'SIGKILL' : 'SIGSTOP'} ${done.filter((c) => c.kind === k).length} (${byKind(k)})`).join('; ')} |`)
  lines.push(`| convergence (restart/resume → verify passes) | p50 ${ms(percentile(conv, 50))}, max ${ms(percentile(conv, 100))} over ${conv.filter((x) => x !== undefined).length} converged cycle(s); a verify of the healthy topology alone takes ${ms(result.verifyFloorMs)} |`)
  lines.push(`| cycles that failed to converge within ${CONFIG.convergeTimeoutMs / 1000} s | ${failed.length}${failed.length ? ` (cycle ${failed.map((c) => `${c.cycle}${c.lateMs !== undefined ? ` late, ${ms(c.lateMs)}` : c.repair?.ok ? ' repaired' : ' unrepaired'}`).join(', ')})` : ''} |`)
  lines.push(`| spurious failovers | ${notHit + beyond}${spurious.length ? ` (cycle ${spurious.map((c) => c.cycle).join(', ')})` : ''}: ${notHit} with the master not the node hit, ${beyond} beyond one per fault |`)
  lines.push(`| failovers (config-epoch increases) | ${done.reduce((n, c) => n + c.failovers, 0)}; sentinel current-epoch rose by ${elections} |`)
  lines.push(`| writes | ${sum('attempted')} sent, ${sum('acknowledged')} acknowledged, ${sum('failed')} failed, ${sum('inFlight')} in flight |`)
  lines.push(`| acknowledged writes lost | ${result.lost ?? lostKeys.size}${result.lostReadBackError ? ` (final read-back failed: ${result.lostReadBackError})` : result.finalMaster ? ` (read back after the last cycle from ${result.finalMaster})` : ' (from the read-backs after each cycle; no final one)'}; the cycle audits counted ${sum('auditLost')} when their writers stopped |`)
  lines.push(`| teardown | ${teardownReport.left === undefined ? 'not run' : teardownReport.left.length === 0 ? `no process left${teardownReport.killedAfterDown?.length ? ` (${teardownReport.killedAfterDown.length} killed after rtopo down)` : ''}` : `LEFT: ${teardownReport.left.join('; ')}`} |`)
  return lines
}

let exitCode = 0
try {
  const base = await reservePorts(6, CONFIG.portFrom)
  dir = mkdtempSync(join(tmpdir(), 'rtopo-soak-'))
  console.log(`chaos soak: ${CONFIG.cycles} cycle(s) on the ${CONFIG.engine} engine, seed ${CONFIG.seed} (replay: npm run soak -- --seed ${CONFIG.seed} --cycles ${CONFIG.cycles} --engine ${CONFIG.engine}${CONFIG.minReplicasToWrite === undefined ? '' : ` --min-replicas-to-write ${CONFIG.minReplicasToWrite}`})`)
  console.log(`state in ${dir}; servers on ${base}–${base + 2}, sentinels on ${base + 3}–${base + 5}`)
  const up = await rtopo([
    'up', '--masters', '1', '--replicas', '2', '--sentinels', '3', '--port', String(base), '--sentinel-port', String(base + 3),
    '--down-after', String(CONFIG.downAfterMs), '--failover-timeout', String(CONFIG.failoverTimeoutMs), '--engine', CONFIG.engine,
    ...(CONFIG.minReplicasToWrite === undefined ? [] : ['--min-replicas-to-write', String(CONFIG.minReplicasToWrite)]),
    ...(CONFIG.minReplicasMaxLag === undefined ? [] : ['--min-replicas-max-lag', String(CONFIG.minReplicasMaxLag)]),
  ])
  if (!up.ok) throw new Error(`rtopo up failed: ${up.error}`)
  plan = lib.readState(dir)
  group = plan.groups[0].name
  result.ports = {servers: base, sentinels: base + 3}
  const first = await rtopo(['verify', '--timeout', '60000'], 120_000)
  if (!first.ok) throw new Error(`the fresh topology does not verify: ${problemsOf(first).join('; ')}`)
  const floor = await rtopo(['verify', '--timeout', '10000'])
  result.verifyFloorMs = Math.round(floor.ms)
  const nodes = plan.nodes
  const steps = schedule(nodes.length)
  let baseline = {masterId: first.json.groups[0].master.id}
  console.log(`up in ${(up.ms / 1000).toFixed(1)} s; ${nodes.map((n) => n.id).join(', ')}; master ${baseline.masterId}; verify alone ${result.verifyFloorMs} ms`)
  let unrepaired = 0
  for (let i = 0; i < steps.length && !aborting; i++) {
    baseline = await runCycle(i, steps[i], nodes, baseline)
    const last = cycles[cycles.length - 1]
    unrepaired = last.aborted || last.converged || last.lateMs !== undefined || last.repair?.ok ? 0 : unrepaired + 1
    if (unrepaired >= 3) {
      console.log('three cycles in a row neither converged nor could be repaired: stopping the soak')
      result.stoppedEarly = 'three unrepaired cycles in a row'
      break
    }
  }
  // Final audit: every acknowledged write of the run, read back from the master the sentinels name now.
  if (!aborting) {
    const master = await lib.currentMaster(plan, group).catch(() => undefined)
    if (master) {
      result.finalMaster = master.id
      try {
        for (const key of await readBack(master.port)) lostKeys.set(key, 'end')
        result.lost = lostKeys.size
      } catch (cause) {
        result.lostReadBackError = cause.message
      }
    } else result.lostReadBackError = 'no master found'
  }
} catch (cause) {
  console.error(`soak failed: ${cause.message}`)
  result.error = cause.message
  exitCode = 1
} finally {
  if (aborting) result.aborted = aborting
  await teardown()
  if (aborting !== 'teardown') result.aborted = aborting
}

result.finishedAt = new Date().toISOString()
result.lost ??= lostKeys.size
result.lostWrites = [...lostKeys.entries()].slice(0, 10_000).map(([key, cycle]) => ({key, writtenInCycle: acked.get(key)?.cycle, foundLostAfterCycle: cycle}))
result.teardown = teardownReport
for (const line of tables()) console.log(line)
mkdirSync(resultsDir, {recursive: true})
const file = join(resultsDir, `soak-${CONFIG.engine}-${stamp}.json`)
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`)
console.log(`\nresults: ${file}${keepLogs && existsSync(logsDir) ? `\nnode logs and sentinel configs: ${logsDir}` : ''}`)
if (cycles.some((c) => !c.aborted && (c.converged === false || c.spurious > 0)) || (teardownReport.left?.length ?? 0) > 0) exitCode = 1
if (result.aborted && exitCode === 0) exitCode = 130
process.exit(exitCode)
