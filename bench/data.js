// Data at scale, per engine (rtopo-server, redis-server when installed), each on a free port with --save '' and
// DEBUG enabled: used_memory and RSS after DEBUG POPULATE of BENCH_DATA_KEYS (default 1000000) keys and after a list,
// hash, set and sorted set of as many elements (pipelined 1000-element commands), each in a fresh process; SAVE and BGSAVE
// wall time, with p99/max of a concurrent redis-benchmark ping and the longest gap of a 1 ms PING poller during
// BGSAVE; start-up from spawn to the first PONG with the saved keys and with an empty dir; full sync of the keys to
// a new replica, disk and diskless, with the same latency measures on the master. Run by bench/run.js; alone:
// node bench/data.js (after npm run build). Writes the rows to bench/results/data-<date>.json.

import {execFileSync, spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {cpus, loadavg, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {freePort, which} from './util.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const N = Math.max(1000, Number(process.env.BENCH_DATA_KEYS ?? 1000000))
const BATCH = 1000
const TIMEOUT = 180_000
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// Everything started here, killed and removed in cleanup() (finally, SIGINT/SIGTERM, exit).
const live = new Set()
const dirs = new Set()
const track = (child) => {
  live.add(child)
  child.on('exit', () => live.delete(child))
  return child
}
const tempDir = (name) => {
  const d = mkdtempSync(join(tmpdir(), `rtopo-bench-data-${name}-`))
  dirs.add(d)
  return d
}
function cleanup() {
  for (const c of live) try { c.kill('SIGKILL') } catch {}
  live.clear()
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
  dirs.clear()
}

/** A tiny RESP client: encode() writes arrays of bulk strings, replies are parsed in order. */
class RespError extends Error {}
const encode = (args) => {
  let s = `*${args.length}\r\n`
  for (const a of args) {
    const v = String(a)
    s += `$${Buffer.byteLength(v)}\r\n${v}\r\n`
  }
  return s
}
function parse(buf, pos) {
  const end = buf.indexOf('\r\n', pos, 'latin1')
  if (end < 0) return undefined
  const type = buf[pos]
  const line = buf.toString('latin1', pos + 1, end)
  if (type === 0x2b) return [line, end + 2]
  if (type === 0x2d) return [new RespError(line), end + 2]
  if (type === 0x3a) return [Number(line), end + 2]
  if (type === 0x24) {
    const len = Number(line)
    if (len < 0) return [null, end + 2]
    if (buf.length < end + 2 + len + 2) return undefined
    return [buf.toString('utf8', end + 2, end + 2 + len), end + 4 + len]
  }
  if (type === 0x2a) {
    const n = Number(line)
    const out = []
    let p = end + 2
    for (let i = 0; i < n; i++) {
      const r = parse(buf, p)
      if (!r) return undefined
      out.push(r[0])
      p = r[1]
    }
    return [n < 0 ? null : out, p]
  }
  throw new Error(`bad RESP type ${String.fromCharCode(type)}`)
}
class Conn {
  static open(port) {
    return new Promise((resolve, reject) => {
      const socket = connect({port, host: '127.0.0.1'}, () => resolve(new Conn(socket)))
      socket.once('error', reject)
    })
  }
  constructor(socket) {
    this.socket = socket
    this.pending = []
    this.buf = Buffer.alloc(0)
    socket.on('data', (d) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d
      let pos = 0
      for (;;) {
        const r = this.buf.length > pos ? parse(this.buf, pos) : undefined
        if (!r) break
        pos = r[1]
        this.pending.shift()?.resolve(r[0])
      }
      this.buf = this.buf.subarray(pos)
    })
    const fail = (e) => { for (const p of this.pending.splice(0)) p.reject(e ?? new Error('connection closed')) }
    socket.on('error', fail)
    socket.on('close', () => fail())
  }
  /** Writes the commands (backpressure respected) and resolves to their replies; rejects on an error reply. */
  async many(commands) {
    const replies = []
    for (const c of commands) {
      replies.push(new Promise((resolve, reject) => this.pending.push({resolve, reject})))
      if (!this.socket.write(encode(c))) await new Promise((r) => this.socket.once('drain', r))
    }
    const out = await Promise.all(replies)
    const error = out.find((r) => r instanceof RespError)
    if (error) throw new Error(`${commands[0][0]}: ${error.message}`)
    return out
  }
  async call(...args) {
    return (await this.many([args]))[0]
  }
  async info(section) {
    return Object.fromEntries((await this.call('INFO', section)).split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]))
  }
  close() {
    this.socket.destroy()
  }
}

/** ms from t0 until a fresh connection's PING answers +PONG (refused and -LOADING are retried every 5 ms). */
async function untilPong(port, t0, child) {
  while (performance.now() - t0 < TIMEOUT) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode})`)
    const reply = await new Promise((resolve) => {
      const s = connect({port, host: '127.0.0.1'}, () => s.write('PING\r\n'))
      s.on('data', (d) => { s.destroy(); resolve(d.toString('latin1')) })
      s.on('error', () => resolve(undefined))
      s.on('close', () => resolve(undefined))
    })
    if (reply?.startsWith('+PONG')) return performance.now() - t0
    await sleep(5)
  }
  throw new Error(`no PONG on port ${port}`)
}

async function start(engine, dir) {
  const port = await freePort()
  const t0 = performance.now()
  const child = track(spawn(engine.file, [...engine.args, '--port', String(port), '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes', '--dir', dir], {stdio: 'ignore'}))
  const readyMs = await untilPong(port, t0, child)
  const conn = await Conn.open(port)
  return {port, child, conn, readyMs}
}

async function stop(node, shutdown = false) {
  const exited = node.child.exitCode !== null ? Promise.resolve() : new Promise((r) => node.child.once('exit', r))
  if (shutdown) node.conn.call('SHUTDOWN', 'NOSAVE').catch(() => undefined)
  else node.child.kill('SIGKILL')
  await Promise.race([exited, sleep(10_000)])
  node.child.kill('SIGKILL')
  node.conn.close()
}

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
const usedMb = async (conn) => Number((await conn.info('memory')).used_memory) / (1 << 20)

/** Builds one key of N elements with BATCH-element commands pipelined over one connection. */
async function build(conn, type) {
  const commands = []
  for (let from = 0; from < N; from += BATCH) {
    const args = {list: ['RPUSH', 'bench:list'], hash: ['HSET', 'bench:hash'], set: ['SADD', 'bench:set'], zset: ['ZADD', 'bench:zset']}[type].slice()
    for (let i = from; i < Math.min(N, from + BATCH); i++) {
      if (type === 'list') args.push(`v:${i}`)
      else if (type === 'hash') args.push(`f:${i}`, `v:${i}`)
      else if (type === 'set') args.push(`m:${i}`)
      else args.push(i, `m:${i}`)
    }
    commands.push(args)
  }
  await conn.many(commands)
  const size = await conn.call({list: 'LLEN', hash: 'HLEN', set: 'SCARD', zset: 'ZCARD'}[type], `bench:${type}`)
  if (size !== N) throw new Error(`${type}: ${size} elements, expected ${N}`)
}

/** redis-benchmark ping runs, repeated until stop() is called (at least one); worst p99/max of all its lines. */
function pingLoad(port) {
  let stopped = false
  const runs = []
  const one = () => new Promise((resolve) => {
    const child = track(spawn('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-t', 'ping', '-n', '100000', '-c', '10', '--csv'], {stdio: ['ignore', 'pipe', 'ignore']}))
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.on('close', () => resolve(out))
  })
  const done = (async () => {
    do runs.push(await one()); while (!stopped)
  })()
  return async () => {
    stopped = true
    await done
    let p99, max
    for (const out of runs) {
      const lines = out.trim().split('\n').map((l) => l.split(',').map((c) => c.replace(/"/g, '')))
      const header = lines[0] ?? []
      for (const cells of lines.slice(1)) {
        const col = (name) => Number(cells[header.indexOf(name)])
        if (header.includes('p99_latency_ms')) p99 = Math.max(p99 ?? 0, col('p99_latency_ms'))
        if (header.includes('max_latency_ms')) max = Math.max(max ?? 0, col('max_latency_ms'))
      }
    }
    return {p99, max, runs: runs.length}
  }
}

/** A PING every 1 ms on its own connection; stop() resolves to the longest gap between replies. */
function poller(port) {
  let stopped = false
  let maxGap = 0
  const done = (async () => {
    const c = await Conn.open(port)
    let last = performance.now()
    while (!stopped) {
      await c.call('PING')
      const now = performance.now()
      maxGap = Math.max(maxGap, now - last)
      last = now
      await sleep(1)
    }
    c.close()
  })()
  return async () => {
    stopped = true
    await done
    return maxGap
  }
}

/** Runs `op` with the ping load started 200 ms before it and the poller alongside; returns ms of op and the latencies. */
async function underLoad(port, op) {
  const load = pingLoad(port)
  await sleep(200)
  const poll = poller(port)
  const t0 = performance.now()
  await op()
  const ms = performance.now() - t0
  const gap = await poll()
  const {p99, max, runs} = await load()
  return {ms, p99, max, gap, benchmarkRuns: runs}
}

async function until(check, what) {
  const t0 = performance.now()
  while (performance.now() - t0 < TIMEOUT) {
    if (await check()) return
    await sleep(10)
  }
  throw new Error(`timed out: ${what}`)
}

async function memory(engine) {
  // Each row in a fresh process: a process's RSS need not fall after FLUSHALL (V8 keeps the pages it grew), so
  // rows measured one after another in one process would carry the earlier rows in them.
  const out = {}
  for (const type of ['strings', 'list', 'hash', 'set', 'zset']) {
    const node = await start(engine, tempDir(engine.name))
    try {
      await sleep(200)
      const idle = rssMb(node.child.pid)
      out.idleRssMb ??= idle
      if (type === 'strings') await node.conn.call('DEBUG', 'POPULATE', N)
      else await build(node.conn, type)
      const used = await usedMb(node.conn)
      const rss = rssMb(node.child.pid)
      out[type] = {usedMemoryMb: used, rssMb: rss, rssGrowthMb: rss - idle}
    } finally {
      await stop(node)
    }
  }
  return out
}

async function persistenceAndSync(engine) {
  const dir = tempDir(engine.name)
  const out = {}
  let node = await start(engine, dir)
  try {
    await node.conn.call('DEBUG', 'POPULATE', N)
    let t0 = performance.now()
    await node.conn.call('SAVE')
    out.saveMs = performance.now() - t0
    const bg = await underLoad(node.port, async () => {
      await node.conn.call('BGSAVE')
      await until(async () => (await node.conn.info('persistence')).rdb_bgsave_in_progress === '0', 'BGSAVE')
    })
    if ((await node.conn.info('persistence')).rdb_last_bgsave_status !== 'ok') throw new Error('BGSAVE failed')
    out.bgsave = bg
    await stop(node, true)
    const empty = await start(engine, tempDir(`${engine.name}-empty`))
    out.startEmptyMs = empty.readyMs
    await stop(empty)
    node = await start(engine, dir)
    out.startLoadedMs = node.readyMs
    const keys = await node.conn.call('DBSIZE')
    if (keys !== N) throw new Error(`loaded ${keys} keys, expected ${N}`)
    out.sync = {}
    for (const diskless of [false, true]) {
      await node.conn.call('CONFIG', 'SET', 'repl-diskless-sync', diskless ? 'yes' : 'no')
      await node.conn.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '0')
      const replica = await start(engine, tempDir(`${engine.name}-replica`))
      try {
        out.sync[diskless ? 'diskless' : 'disk'] = await underLoad(node.port, async () => {
          await replica.conn.call('REPLICAOF', '127.0.0.1', node.port)
          await until(async () => {
            const r = await replica.conn.info('replication')
            return r.master_link_status === 'up' && r.master_sync_in_progress === '0'
          }, 'full sync')
        })
        const got = await replica.conn.call('DBSIZE')
        if (got !== N) throw new Error(`replica has ${got} keys, expected ${N}`)
      } finally {
        await stop(replica)
      }
    }
    return out
  } finally {
    await stop(node)
  }
}

const label = (n) => (n % 1e6 === 0 ? `${n / 1e6}M` : n % 1000 === 0 ? `${n / 1000}k` : String(n))

export async function benchData() {
  if (!which('redis-benchmark')) throw new Error('redis-benchmark not found: apt-get install redis-tools')
  const engines = [{name: 'rtopo-server', file: process.execPath, args: [join(root, 'bin', 'rtopo-server.js')]}]
  const real = which('redis-server')
  if (real) engines.push({name: 'redis-server', file: real, args: []})
  else console.log('\nredis-server not installed: data at scale of rtopo-server alone')
  const onSignal = () => {
    cleanup()
    process.exit(130)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  process.on('exit', cleanup)
  const results = {}
  const started = performance.now()
  try {
    for (const e of engines) results[e.name] = {memory: await memory(e)}
    for (const e of engines) Object.assign(results[e.name], await persistenceAndSync(e))
  } finally {
    cleanup()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.off('exit', cleanup)
  }
  const [ours, redis] = engines.map((e) => results[e.name])
  const K = label(N)
  const row = (measure, get) => {
    const a = get(ours)
    const b = redis ? get(redis) : undefined
    return {measure, 'rtopo-server': a, 'redis-server': b, ratio: a !== undefined && b ? a / b : undefined}
  }
  const memRows = [row('idle RSS MB', (r) => r.memory.idleRssMb)]
  for (const [key, name] of [['strings', `${K} strings (DEBUG POPULATE)`], ['list', `list of ${K} (RPUSH)`], ['hash', `hash of ${K} (HSET)`], ['set', `set of ${K} (SADD)`], ['zset', `sorted set of ${K} (ZADD)`]]) {
    memRows.push(row(`${name}: used_memory MB`, (r) => r.memory[key].usedMemoryMb), row(`${name}: RSS MB`, (r) => r.memory[key].rssMb), row(`${name}: RSS growth MB`, (r) => r.memory[key].rssGrowthMb))
  }
  const persistRows = [
    row('SAVE ms', (r) => r.saveMs), row('BGSAVE ms (until rdb_bgsave_in_progress:0)', (r) => r.bgsave.ms),
    row('ping p99 ms during BGSAVE', (r) => r.bgsave.p99), row('ping max ms during BGSAVE', (r) => r.bgsave.max), row('longest 1 ms PING poller gap during BGSAVE, ms', (r) => r.bgsave.gap),
    row('start-up, empty dir (spawn → PONG) ms', (r) => r.startEmptyMs), row(`start-up with ${K} keys (spawn → PONG) ms`, (r) => r.startLoadedMs),
    row('load (difference) ms', (r) => r.startLoadedMs - r.startEmptyMs),
  ]
  const syncRows = []
  for (const mode of ['disk', 'diskless']) {
    syncRows.push(row(`${mode}: REPLICAOF → link up, ms`, (r) => r.sync[mode].ms), row(`${mode}: master ping p99 ms`, (r) => r.sync[mode].p99), row(`${mode}: master ping max ms`, (r) => r.sync[mode].max), row(`${mode}: longest master PING poller gap, ms`, (r) => r.sync[mode].gap))
  }
  const fmt = (v) => (v === undefined || Number.isNaN(v) ? '-' : Math.abs(v) >= 100 ? String(Math.round(v)) : v.toFixed(Math.abs(v) >= 10 ? 1 : 2))
  const table = (title, rows) => {
    console.log(`\n${title}`)
    console.log('| measure | rtopo-server | redis-server | ratio (ours/redis) |')
    console.log('|---|---|---|---|')
    for (const r of rows) console.log(`| ${r.measure} | ${fmt(r['rtopo-server'])} | ${fmt(r['redis-server'])} | ${r.ratio === undefined ? '-' : r.ratio.toFixed(2)} |`)
  }
  const context = `${cpus().length} cores; node ${process.version}; load average ${loadavg()[0].toFixed(2)}`
  table(`data at scale: memory, ${K} keys / elements, pipelined ${BATCH}-element commands, each row in a fresh process; RSS growth over the idle RSS; ${context}`, memRows)
  table(`persistence, ${K} DEBUG POPULATE keys; concurrent redis-benchmark -t ping -n 100000 -c 10 (repeated until the save ends), worst of its lines; ${context}`, persistRows)
  table(`full sync of ${K} keys to a new replica (repl-diskless-sync no / yes, delay 0); the same ping load on the master; ${context}`, syncRows)
  console.log(`data section: ${((performance.now() - started) / 1000).toFixed(0)} s`)
  const dir = join(root, 'bench', 'results')
  mkdirSync(dir, {recursive: true})
  const file = join(dir, `data-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, `${JSON.stringify({cores: cpus().length, node: process.version, loadavg: loadavg(), keys: N, results, memory: memRows, persistence: persistRows, sync: syncRows}, null, 2)}\n`)
  console.log(`results: ${file}`)
  return results
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchData()
