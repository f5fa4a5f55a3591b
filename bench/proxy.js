// The cost of the failure lab's proxy (up --lab): redis-benchmark straight to a server and through
// rtopo-proxy with no rule in force, on the same server, alternating, median of BENCH_ROUNDS. Prints
// requests/s and p50/p99 latency for each path. Run by bench/run.js after its table; alone: node bench/proxy.js
// (after npm run build).

import {execFileSync, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {freePort, which} from './util.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200000)
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3))
const CLIENTS = 50

const ping = (port) => new Promise((resolve) => {
  const socket = connect({port, host: '127.0.0.1'}, () => socket.write('PING\r\n'))
  socket.on('data', (d) => {
    socket.destroy()
    resolve(d.toString().startsWith('+PONG'))
  })
  socket.on('error', () => resolve(false))
})

const waitFor = async (check, what) => {
  for (let i = 0; i < 200; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${what} did not come up`)
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** requests/s, p50 and p99 in ms from redis-benchmark --csv (Redis 7 prints the latency columns). */
function benchmark(port, test, pipeline) {
  const out = execFileSync('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-n', String(REQUESTS), '-c', String(CLIENTS), '-P', String(pipeline), '--csv', '-t', test], {encoding: 'utf8'})
  const header = out.trim().split('\n')[0].split(',').map((c) => c.replace(/"/g, ''))
  const cells = out.trim().split('\n')[1].split(',').map((c) => c.replace(/"/g, ''))
  const col = (name) => Number(cells[header.indexOf(name)])
  return {rps: col('rps'), p50: col('p50_latency_ms'), p99: col('p99_latency_ms')}
}

export async function benchProxy() {
  if (!which('redis-benchmark')) throw new Error('redis-benchmark not found: apt-get install redis-tools')
  if (!existsSync(join(root, 'dist', 'proxy', 'main.js'))) throw new Error('not built: npm run build')
  const real = which('redis-server')
  const [file, args, name] = real ? [real, [], 'redis-server'] : [process.execPath, [join(root, 'bin', 'rtopo-server.js')], 'rtopo-server']
  const dir = mkdtempSync(join(tmpdir(), 'rtopo-bench-proxy-'))
  const own = await freePort()
  const front = await freePort()
  const server = spawn(file, [...args, '--port', String(own), '--save', '', '--dir', dir, '--appendonly', 'no'], {stdio: 'ignore'})
  const config = {
    control: join(dir, 'control.sock'), rulesFile: join(dir, 'rules.json'), pidfile: join(dir, 'proxy.pid'), logfile: join(dir, 'proxy.log'),
    links: [{node: 'server', listen: front, upstream: own}], sources: {},
  }
  writeFileSync(join(dir, 'proxy.json'), JSON.stringify(config))
  const proxy = spawn(process.execPath, [join(root, 'bin', 'rtopo-proxy.js'), join(dir, 'proxy.json')], {stdio: 'ignore'})
  try {
    await waitFor(() => ping(own), name)
    await waitFor(() => ping(front), 'rtopo-proxy')
    const rows = []
    for (const pipeline of [1, 16]) {
      for (const test of ['set', 'get']) {
        const direct = []
        const proxied = []
        for (let round = 0; round < ROUNDS; round++) {
          direct.push(benchmark(own, test, pipeline))
          proxied.push(benchmark(front, test, pipeline))
        }
        const m = (runs, key) => median(runs.map((r) => r[key]))
        rows.push({test, pipeline, direct: {rps: m(direct, 'rps'), p50: m(direct, 'p50'), p99: m(direct, 'p99')}, proxied: {rps: m(proxied, 'rps'), p50: m(proxied, 'p50'), p99: m(proxied, 'p99')}})
      }
    }
    console.log(`\nthe lab proxy (up --lab), no rule in force: ${name} straight and through rtopo-proxy; -n ${REQUESTS} -c ${CLIENTS}; median of ${ROUNDS} alternating run(s)`)
    console.log('| command | -P | direct req/s | proxied req/s | ratio | direct p50/p99 ms | proxied p50/p99 ms |')
    console.log('|---|---|---|---|---|---|---|')
    for (const r of rows) {
      console.log(`| ${r.test.toUpperCase()} | ${r.pipeline} | ${Math.round(r.direct.rps)} | ${Math.round(r.proxied.rps)} | ${(r.proxied.rps / r.direct.rps).toFixed(2)} | ${r.direct.p50}/${r.direct.p99} | ${r.proxied.p50}/${r.proxied.p99} |`)
    }
  } finally {
    proxy.kill('SIGTERM')
    server.kill('SIGKILL')
    rmSync(dir, {recursive: true, force: true})
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchProxy()
