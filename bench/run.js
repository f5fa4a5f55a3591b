#!/usr/bin/env node
// npm run bench: redis-benchmark against rtopo-server and, when installed, real redis-server on the same
// machine in the same run. Prints requests/s per command and the ratio ours/real, unpipelined and at -P 16,
// the server CPU time per request, and the idle RSS of both. Never part of npm test.
// Each command runs BENCH_ROUNDS times (default 3), alternating between the two servers so both see the
// same machine load, and the medians are shown: on a shared machine single runs swing by ±30%.
// Then bench/proxy.js (the lab proxy's cost), bench/failover.js (failover timings) and bench/data.js (data at
// scale: memory of 1M keys and of 1M-element list/hash/set/zset, SAVE/BGSAVE with ping latency during BGSAVE,
// start-up load, disk and diskless full sync; BENCH_DATA_KEYS shrinks it), each writing JSON to bench/results/.

import {execFileSync, spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {connect} from 'node:net'
import {cpus, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {freePort, which} from './util.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const TESTS = 'set,get,incr,lpush,hset'
/** A small script as applications run them (a rate limiter, a lock), through EVALSHA. */
const SCRIPT = "return redis.call('INCR', KEYS[1])"
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200000)
const CLIENTS = 50
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3))

const ping = (port) =>
  new Promise((resolve) => {
    const socket = connect({port, host: '127.0.0.1'}, () => socket.write('PING\r\n'))
    socket.on('data', (d) => {
      socket.destroy()
      resolve(d.toString().startsWith('+PONG'))
    })
    socket.on('error', () => resolve(false))
  })

async function start(name, file, args) {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), `rtopo-bench-${name}-`))
  const child = spawn(file, [...args, '--port', String(port), '--save', '', '--dir', dir, '--appendonly', 'no'], {stdio: 'ignore'})
  for (let i = 0; i < 200 && !(await ping(port)); i++) await new Promise((r) => setTimeout(r, 50))
  return {name, port, child, dir}
}

function stop(node) {
  node.child.kill('SIGKILL')
  rmSync(node.dir, {recursive: true, force: true})
}

const rssMb = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100

/** User + system CPU time of a process in milliseconds (utime and stime from /proc, in clock ticks). */
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS
}

/** SCRIPT LOAD over a raw connection; resolves to the sha. */
const scriptLoad = (port, script) =>
  new Promise((resolve, reject) => {
    const socket = connect({port, host: '127.0.0.1'}, () =>
      socket.write(`*3\r\n$6\r\nSCRIPT\r\n$4\r\nLOAD\r\n$${Buffer.byteLength(script)}\r\n${script}\r\n`))
    let text = ''
    socket.on('data', (d) => {
      text += d.toString()
      const m = /^\$40\r\n([0-9a-f]{40})\r\n/.exec(text)
      if (m) {
        socket.destroy()
        resolve(m[1])
      } else if (text.startsWith('-')) reject(new Error(text.trim()))
    })
    socket.on('error', reject)
  })

/** One redis-benchmark run of one test (a -t name, or a whole command line): requests/s and the server's CPU µs per request. */
function benchmark(node, test, pipeline) {
  const before = cpuMs(node.child.pid)
  const what = Array.isArray(test) ? ['-r', '1000000', ...test] : ['-t', test]
  const out = execFileSync('redis-benchmark', ['-h', '127.0.0.1', '-p', String(node.port), '-n', String(REQUESTS), '-c', String(CLIENTS), '-P', String(pipeline), '--csv', ...what], {encoding: 'utf8'})
  const cpuUs = ((cpuMs(node.child.pid) - before) * 1000) / REQUESTS
  const line = out.trim().split('\n')[1] ?? ''
  const [name = test, rps] = line.split(',').map((c) => c.replace(/"/g, ''))
  return {name: name.split(' ')[0].toUpperCase(), rps: Number(rps), cpuUs}
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

if (!which('redis-benchmark')) {
  console.error('redis-benchmark not found: apt-get install redis-tools')
  process.exit(1)
}
const nodes = [await start('rtopo-server', process.execPath, [join(root, 'bin', 'rtopo-server.js')])]
const realServer = which('redis-server')
if (realServer) nodes.push(await start('redis-server', realServer, []))
else console.log('redis-server not installed: showing rtopo-server alone')

try {
  const idle = nodes.map((n) => `${n.name} ${rssMb(n.child.pid).toFixed(1)} MB`)
  const rows = []
  const shas = await Promise.all(nodes.map((n) => scriptLoad(n.port, SCRIPT)))
  if (new Set(shas).size !== 1) throw new Error(`SCRIPT LOAD gave different shas: ${shas.join(' ')}`)
  // Streams and HyperLogLog as applications use them: XADD with an auto ID and approximate trimming (as BullMQ
  // writes its events stream) and XRANGE of its first 10 entries, PFADD of random members (__rand_int__ is
  // redis-benchmark's placeholder, random with -r) and PFCOUNT of what they built.
  const tests = [
    ...TESTS.split(','), ['evalsha', shas[0], '1', 'bench:counter'],
    ['xadd', 'bench:stream', 'MAXLEN', '~', '10000', '*', 'field', '__rand_int__'], ['xrange', 'bench:stream', '-', '+', 'COUNT', '10'],
    ['pfadd', 'bench:hll', '__rand_int__'], ['pfcount', 'bench:hll'],
  ]
  for (const pipeline of [1, 16]) {
    for (const test of tests) {
      const runs = nodes.map(() => [])
      for (let round = 0; round < ROUNDS; round++) nodes.forEach((n, i) => runs[i].push(benchmark(n, test, pipeline)))
      const [ours, real] = runs.map((r) => ({rps: median(r.map((x) => x.rps)), cpuUs: median(r.map((x) => x.cpuUs))}))
      rows.push({test: runs[0][0].name, pipeline, ours, real, ratio: real ? ours.rps / real.rps : undefined})
    }
  }
  console.log(`\nredis-benchmark -t ${TESTS}, EVALSHA of "${SCRIPT}", XADD … MAXLEN ~ 10000 *, XRANGE … COUNT 10, PFADD and PFCOUNT; -n ${REQUESTS} -c ${CLIENTS}; ${cpus().length} cores; node ${process.version}; median of ${ROUNDS} alternating run(s)`)
  console.log('| command | -P | rtopo-server req/s | redis-server req/s | ratio | rtopo-server CPU µs/req | redis-server CPU µs/req |')
  console.log('|---|---|---|---|---|---|---|')
  for (const r of rows) {
    console.log(`| ${r.test} | ${r.pipeline} | ${Math.round(r.ours.rps)} | ${r.real ? Math.round(r.real.rps) : '-'} | ${r.ratio ? r.ratio.toFixed(2) : '-'} | ${r.ours.cpuUs.toFixed(2)} | ${r.real ? r.real.cpuUs.toFixed(2) : '-'} |`)
  }
  console.log(`\nidle RSS: ${idle.join(', ')}; after the run: ${nodes.map((n) => `${n.name} ${rssMb(n.child.pid).toFixed(1)} MB`).join(', ')}`)
} finally {
  nodes.forEach(stop)
}

await (await import('./proxy.js')).benchProxy()
await (await import('./failover.js')).benchFailover()
await (await import('./data.js')).benchData()
