#!/usr/bin/env node
// npm run bench: redis-benchmark against rtopo-server and, when installed, real redis-server on the same
// machine in the same run. Prints requests/s per command and the ratio ours/real, unpipelined and at -P 16,
// and the idle RSS of both. Never part of npm test.

import {execFileSync, spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, connect} from 'node:net'
import {cpus, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const TESTS = 'set,get,incr,lpush,hset'
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200000)
const CLIENTS = 50

const which = (name) => {
  try {
    return execFileSync('which', [name], {encoding: 'utf8'}).trim()
  } catch {
    return undefined
  }
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const {port} = s.address()
      s.close(() => resolve(port))
    })
  })

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

function benchmark(port, pipeline) {
  const out = execFileSync('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-t', TESTS, '-n', String(REQUESTS), '-c', String(CLIENTS), '-P', String(pipeline), '--csv'], {encoding: 'utf8'})
  const result = {}
  for (const line of out.trim().split('\n').slice(1)) {
    const [test, rps] = line.split(',').map((c) => c.replace(/"/g, ''))
    result[test.split(' ')[0]] = Number(rps)
  }
  return result
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
  for (const pipeline of [1, 16]) {
    const results = nodes.map((n) => benchmark(n.port, pipeline))
    for (const test of Object.keys(results[0])) {
      const ours = results[0][test]
      const real = results[1]?.[test]
      rows.push({test, pipeline, ours, real, ratio: real ? ours / real : undefined})
    }
  }
  console.log(`\nredis-benchmark -t ${TESTS} -n ${REQUESTS} -c ${CLIENTS}; ${cpus().length} cores; node ${process.version}`)
  console.log('| command | -P | rtopo-server req/s | redis-server req/s | ratio |')
  console.log('|---|---|---|---|---|')
  for (const r of rows) {
    console.log(`| ${r.test} | ${r.pipeline} | ${Math.round(r.ours)} | ${r.real ? Math.round(r.real) : '-'} | ${r.ratio ? r.ratio.toFixed(2) : '-'} |`)
  }
  console.log(`\nidle RSS: ${idle.join(', ')}; after the run: ${nodes.map((n) => `${n.name} ${rssMb(n.child.pid).toFixed(1)} MB`).join(', ')}`)
} finally {
  nodes.forEach(stop)
}
