// Failover timings of whole topologies, through the CLI as a user runs it: `rtopo up` 1 master + 2 replicas +
// 3 sentinels, `rtopo kill master` (→ +sdown, +odown, +switch-master as the sentinels publish them, and the
// first SET the new master accepts, polled every 10 ms), then `rtopo start` of the old master (→ from its first PONG
// to its link being up). Per engine (bundled, redis when installed) at Redis's default timings (down-after 5000) and with
// --fast, median of BENCH_FAILOVER_ROUNDS (default 1). Run by bench/run.js; alone: node bench/failover.js
// (after npm run build). Writes the rows to bench/results/failover-<date>.json.

import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {connect, createServer} from 'node:net'
import {cpus, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const ROUNDS = Math.max(1, Number(process.env.BENCH_FAILOVER_ROUNDS ?? 1))

const which = (name) => new Promise((resolve) => execFile('which', [name], (error, out) => resolve(error ? undefined : out.trim())))

/** A base port with `count` free ports above it, away from 6379/26379. */
async function freeBase(count, from) {
  const free = (port) => new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
  for (let base = from; base < from + 5000; base += 10) {
    let ok = true
    for (let i = 0; i < count && ok; i++) ok = await free(base + i)
    if (ok) return base
  }
  throw new Error(`no ${count} free ports from ${from}`)
}

/** Runs the CLI with --json; resolves to the parsed result and the wall time. */
function rtopo(dir, ...args) {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(root, 'bin', 'run.js'), ...args, '--dir', dir, '--json'], {cwd: dir, env: {...process.env, NO_COLOR: '1', OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}, maxBuffer: 64 << 20, timeout: 300_000}, (error, stdout, stderr) => {
      if (error) return reject(new Error(`rtopo ${args.join(' ')}: ${stderr || error.message}`))
      resolve({result: JSON.parse(stdout), wallMs: performance.now() - started})
    })
  })
}

/** One command over a raw connection; resolves to the first reply line, or undefined when the node is unreachable. */
const ask = (port, line) => new Promise((resolve) => {
  const socket = connect({port, host: '127.0.0.1'}, () => socket.write(`${line}\r\n`))
  let text = ''
  const done = (value) => {
    socket.destroy()
    resolve(value)
  }
  socket.setTimeout(500, () => done(undefined))
  socket.on('data', (d) => {
    text += d.toString('latin1')
    if (!text.startsWith('$') && text.includes('\r\n')) return done(text.split('\r\n')[0])
    const m = /^\$(\d+)\r\n/.exec(text)
    if (m && text.length >= m[0].length + Number(m[1]) + 2) done(text.slice(m[0].length, m[0].length + Number(m[1])))
  })
  socket.on('error', () => done(undefined))
})

/** Resolves to ms from `t0` until `check` is true (polled every 10 ms), or undefined after timeoutMs. */
async function until(t0, timeoutMs, check) {
  while (performance.now() - t0 < timeoutMs) {
    if (await check()) return performance.now() - t0
    await new Promise((r) => setTimeout(r, 10))
  }
  return undefined
}

async function runOnce(engine, fast) {
  const dir = mkdtempSync(join(tmpdir(), 'rtopo-bench-failover-'))
  const port = await freeBase(3, 17100)
  const sentinelPort = await freeBase(3, 27100)
  const args = ['--replicas', '2', '--sentinels', '3', '--port', String(port), '--sentinel-port', String(sentinelPort), ...(engine === 'redis' ? ['--engine', 'redis'] : []), ...(fast ? ['--fast'] : [])]
  try {
    const up = await rtopo(dir, 'up', ...args)
    const replicas = [port + 1, port + 2]
    const t0 = performance.now()
    const writable = until(t0, 120_000, async () => {
      for (const p of replicas) if ((await ask(p, 'SET rtopo:bench:failover 1')) === '+OK') return true
      return false
    })
    const kill = await rtopo(dir, 'kill', 'master')
    const at = (name) => kill.result.failover?.events.find((e) => e.event === name)?.elapsedMs
    const newMasterWritableMs = await writable
    // From the old master's first PONG (its process is up) to its link to the new master being up.
    const t1 = performance.now()
    const linked = (async () => {
      const answered = await until(t1, 120_000, async () => (await ask(port, 'PING')) === '+PONG')
      const up = await until(t1, 120_000, async () => /master_link_status:up/.test((await ask(port, 'INFO replication')) ?? ''))
      return answered === undefined || up === undefined ? undefined : up - answered
    })()
    await rtopo(dir, 'start', 'master-1')
    const rejoinMs = await linked
    return {upWallMs: up.wallMs, upReportedMs: up.result.elapsedMs, sdownMs: at('+sdown'), odownMs: at('+odown'), switchMasterMs: at('+switch-master'), newMasterWritableMs, rejoinMs}
  } finally {
    await rtopo(dir, 'down', '--purge').catch(() => undefined)
    rmSync(dir, {recursive: true, force: true})
  }
}

const median = (values) => {
  const v = values.filter((x) => x !== undefined).sort((a, b) => a - b)
  if (v.length === 0) return undefined
  const mid = v.length >> 1
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2
}

const FIELDS = [['upWallMs', 'up (wall)'], ['sdownMs', '+sdown'], ['odownMs', '+odown'], ['switchMasterMs', '+switch-master'], ['newMasterWritableMs', 'new master writable'], ['rejoinMs', 'old master up → linked']]

export async function benchFailover() {
  const engines = ['bundled', ...((await which('redis-server')) && (await which('redis-sentinel')) ? ['redis'] : [])]
  if (engines.length === 1) console.log('\nredis-server/redis-sentinel not installed: failover timings of the bundled engine alone')
  const rows = []
  for (const fast of [false, true]) {
    const runs = Object.fromEntries(engines.map((e) => [e, []]))
    // Alternate the engines round by round, so both see the same machine load.
    for (let round = 0; round < ROUNDS; round++) for (const engine of engines) runs[engine].push(await runOnce(engine, fast))
    for (const [key, label] of FIELDS) {
      const cells = Object.fromEntries(engines.map((e) => [e, median(runs[e].map((r) => r[key]))]))
      rows.push({profile: fast ? 'fast' : 'default', measure: label, ...cells, ratio: cells.redis ? cells.bundled / cells.redis : undefined})
    }
  }
  const ms = (v) => (v === undefined ? '-' : `${Math.round(v)}`)
  console.log(`\nfailover timings, ms (1 master + 2 replicas + 3 sentinels; kill master; start the old master); ${cpus().length} cores; median of ${ROUNDS} round(s); default: down-after 5000, --fast: ${'see rtopo up --help'}`)
  console.log('| profile | measure | bundled | redis | bundled / redis |')
  console.log('|---|---|---|---|---|')
  for (const r of rows) console.log(`| ${r.profile} | ${r.measure} | ${ms(r.bundled)} | ${ms(r.redis)} | ${r.ratio === undefined ? '-' : r.ratio.toFixed(2)} |`)
  const out = join(root, 'bench', 'results')
  mkdirSync(out, {recursive: true})
  const file = join(out, `failover-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, `${JSON.stringify({cores: cpus().length, node: process.version, rounds: ROUNDS, rows}, null, 2)}\n`)
  console.log(`results: ${file}`)
  return rows
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchFailover()
