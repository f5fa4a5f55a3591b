// The RESP fuzzer's runner: sends generated inputs (resp-inputs.ts) to one node from several connections
// at once while
// - a watchdog connection PINGs the node and must get an answer within watchdogTimeoutMs throughout (a hang
//   is recorded with the inputs in flight at the time). A late answer is a hang only when the node had that
//   much CPU time meanwhile: on a machine busy with other work a node can be starved of CPU without being
//   stuck, and such late answers are counted apart (starvedPings),
// - the node's process must stay alive (a crash ends the run) and its log must hold no 'Internal error
//   running' line (a handler that threw),
// - its RSS is sampled (maximum and the trend are reported),
// - a slowloris connection sends a command one byte per interval and must get its reply,
// and, for raw inputs whose replies are deterministic, the same bytes (same writes, same half-close) go to
// real Redis and the transcripts (bytes answered, whether the server closed) must be equal.

import {connect, type Socket} from 'node:net'
import {readFileSync} from 'node:fs'
import {encodeCommand} from '../../src/resp/encoder.js'
import {ReplyParser, type RespValue} from '../../src/resp/reply-parser.js'
import {commandModels, dumpSamples, generateInput, type CommandModel, type FuzzInput, type Target} from './resp-inputs.js'

export interface FuzzNode {
  port: number
  pid: number
  /** The node's whole log so far (for 'Internal error running' lines and stack traces). */
  readLog(): string
}

export interface FuzzRunOptions {
  target: Target
  node: FuzzNode
  seed: number
  inputs: number
  /** First input index (to resume or replay a range). */
  startIndex?: number
  concurrency?: number
  /** Real Redis (or redis-sentinel) for the comparable raw inputs. */
  oracle?: {port: number}
  /** Share of the comparable raw inputs also sent to the oracle. */
  oracleShare?: number
  /** Share of raw inputs among all inputs. */
  rawShare?: number
  watchdogTimeoutMs?: number
  /** Connection stall (no marker reply) after which a worker gives up its connection. */
  stallMs?: number
  /** FLUSHALL / SCRIPT FLUSH / FUNCTION FLUSH (or SENTINEL REMOVE) every this many inputs. */
  maintenanceEvery?: number
  slowlorisIntervalMs?: number
  onProgress?: (report: FuzzReport) => void
  progressEvery?: number
}

export interface Hang {
  atInput: number
  reason: string
  inFlight: string[]
}

export interface Mismatch {
  index: number
  label: string
  bytes: string
  ours: string
  redis: string
}

export interface FuzzReport {
  target: Target
  seed: number
  inputsSent: number
  rawInputs: number
  compared: number
  crashes: string[]
  hangs: Hang[]
  internalErrors: string[]
  mismatches: Mismatch[]
  distinctErrors: Map<string, number>
  stalls: number
  /** Late watchdog answers while the node got less CPU time than the timeout (the machine was busy, the node was not stuck). */
  starvedPings: number
  /** Comparisons left out because a server reset the connection (its replies may have been discarded). */
  resetsNotCompared: number
  closedByServer: number
  slowlorisReplies: number
  startRssMb: number
  maxRssMb: number
  finalRssMb: number
  elapsedMs: number
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
const tick = () => new Promise<void>((r) => setImmediate(r))

export function readRssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb === undefined ? 0 : Number(kb) / 1024
  } catch {
    return 0
  }
}

/** User + system CPU time of a process, in ms (utime and stime of /proc/PID/stat, in 10 ms clock ticks). */
export function readCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return 0
  }
}

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** An error reply's text with quoted parts and numbers folded, so that distinct kinds of error are counted. */
export const errorKind = (text: string): string =>
  text.replace(/'[^']*'/g, "'…'").replace(/\d+/g, 'N').replace(/\s+/g, ' ').slice(0, 90)

function collectErrors(bytes: Buffer, into: Map<string, number>): void {
  const parser = new ReplyParser()
  parser.feed(bytes)
  const visit = (v: RespValue, depth: number): void => {
    if (v.type === 'error') into.set(errorKind(v.value), (into.get(errorKind(v.value)) ?? 0) + 1)
    else if (depth < 3 && (v.type === 'array' || v.type === 'push' || v.type === 'set') && v.value) for (const e of v.value) visit(e, depth + 1)
  }
  for (let i = 0; i < 10_000; i++) {
    let next
    try {
      next = parser.next()
    } catch {
      return
    }
    if (next === undefined) return
    visit(next.value, 0)
  }
}

/** HELLO's reply carries the connection's id, which differs between servers: it is blanked before comparing. */
const withoutClientIds = (text: string): string => text.replace(/\$2\r\nid\r\n:\d+\r\n/g, '$$2\r\nid\r\n:ID\r\n')

interface Transcript {
  bytes: Buffer
  closedByServer: boolean
  /**
   * The server reset the connection: it closed with bytes of ours still unread (Redis stops reading at a
   * protocol error), and a reset can discard the replies our side had not read yet, so the bytes are not
   * comparable.
   */
  reset: boolean
}

/** Writes `chunks` on a fresh connection, half-closes after them when `fin`, and collects everything until the server closes (or `quietMs` pass without a byte when not `fin`). */
async function rawExchange(port: number, input: FuzzInput, quietMs: number): Promise<Transcript> {
  const socket = connect({port, host: '127.0.0.1'})
  socket.setNoDelay(true)
  const received: Buffer[] = []
  let size = 0
  let closed = false
  let reset = false
  let lastActivity = Date.now()
  socket.on('data', (d: Buffer) => {
    if (size < 1 << 20) received.push(d)
    size += d.length
    lastActivity = Date.now()
  })
  const done = new Promise<void>((resolve) => socket.on('close', () => ((closed = true), resolve())))
  socket.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'ECONNRESET' || e.code === 'EPIPE') reset = true
  })
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve)
    socket.once('error', resolve)
  })
  let from = 0
  for (const cut of [...input.splits, input.bytes.length]) {
    if (socket.destroyed) break
    socket.write(input.bytes.subarray(from, cut))
    from = cut
    await tick()
  }
  if (input.fin && !socket.destroyed) socket.end()
  lastActivity = Date.now()
  const deadline = Date.now() + (input.fin ? 5000 : 3000)
  while (!closed && Date.now() < deadline && (input.fin || Date.now() - lastActivity < quietMs)) {
    await Promise.race([done, sleep(input.fin ? 100 : 20)])
  }
  socket.destroy()
  return {bytes: Buffer.concat(received), closedByServer: closed, reset}
}

/** A long-lived connection of a worker: requests, then a marker PING whose reply ends the input. */
class WorkerConnection {
  readonly socket: Socket
  closed = false
  used = 0
  private received: Buffer[] = []
  private size = 0
  private tail = ''
  private marker = ''
  private found = false
  private wake: (() => void) | undefined

  constructor(port: number) {
    this.socket = connect({port, host: '127.0.0.1'})
    this.socket.setNoDelay(true)
    this.socket.on('data', (d: Buffer) => {
      if (this.size < 1 << 20) this.received.push(d)
      this.size += d.length
      const text = this.tail + d.toString('latin1')
      if (this.marker !== '' && text.includes(this.marker)) this.found = true
      this.tail = text.slice(-64)
      if (this.found) this.wake?.()
    })
    this.socket.on('close', () => {
      this.closed = true
      this.wake?.()
    })
    this.socket.on('error', () => {})
  }

  /** Sends the input and its marker; 'done', 'closed' or 'stalled', with what was received. */
  async exchange(input: FuzzInput, stallMs: number): Promise<{outcome: 'done' | 'closed' | 'stalled'; bytes: Buffer}> {
    this.used++
    this.received = []
    this.size = 0
    this.tail = ''
    this.found = false
    this.marker = `fzmark:${input.index}:`
    const bytes = Buffer.concat([input.bytes, encodeCommand([Buffer.from('PING'), Buffer.from(this.marker)])])
    let from = 0
    for (const cut of [...input.splits, bytes.length]) {
      if (this.closed) break
      this.socket.write(bytes.subarray(from, cut))
      from = cut
      if (cut < bytes.length) await tick()
    }
    const deadline = Date.now() + stallMs
    while (!this.found && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.wake = resolve
        setTimeout(resolve, Math.max(1, deadline - Date.now()))
      })
      this.wake = undefined
    }
    const outcome = this.found ? 'done' : this.closed ? 'closed' : 'stalled'
    return {outcome, bytes: Buffer.concat(this.received)}
  }

  destroy(): void {
    this.socket.destroy()
  }
}

/** A simple request/reply client for the watchdog and the maintenance commands. */
class SimpleClient {
  private parser = new ReplyParser()
  private waiters: ((v: RespValue | undefined) => void)[] = []
  closed = false

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.parser.feed(d)
      for (;;) {
        const next = this.parser.next()
        if (next === undefined) break
        this.waiters.shift()?.(next.value)
      }
    })
    socket.on('close', () => {
      this.closed = true
      for (const w of this.waiters.splice(0)) w(undefined)
    })
    socket.on('error', () => {})
  }

  static open(port: number, timeoutMs = 1000): Promise<SimpleClient | undefined> {
    return new Promise((resolve) => {
      const socket = connect({port, host: '127.0.0.1'})
      const timer = setTimeout(() => (socket.destroy(), resolve(undefined)), timeoutMs)
      socket.once('connect', () => (clearTimeout(timer), resolve(new SimpleClient(socket))))
      socket.once('error', () => (clearTimeout(timer), resolve(undefined)))
    })
  }

  /** The reply, undefined if the connection closed, or 'timeout'. */
  call(args: string[], timeoutMs = 5000): Promise<RespValue | undefined | 'timeout'> {
    const reply = this.nextReply(timeoutMs)
    if (!this.closed) this.socket.write(encodeCommand(args.map((a) => Buffer.from(a, 'latin1'))))
    return reply
  }

  /** The next reply (to bytes the caller writes itself). */
  nextReply(timeoutMs: number): Promise<RespValue | undefined | 'timeout'> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(undefined)
      const timer = setTimeout(() => resolve('timeout'), timeoutMs)
      this.waiters.push((v) => (clearTimeout(timer), resolve(v)))
    })
  }

  close(): void {
    this.socket.destroy()
  }
}

const toNested = (v: RespValue): unknown => {
  switch (v.type) {
    case 'array':
    case 'set':
    case 'push':
      return v.value?.map(toNested) ?? null
    case 'map':
      return v.value.flatMap(([k, x]) => [toNested(k), toNested(x)])
    case 'bulk':
      return v.value === null ? null : v.value.toString('latin1')
    case 'int':
      return Number(v.value)
    case 'simple':
    case 'error':
    case 'double':
    case 'bignum':
      return v.value
    default:
      return null
  }
}

/** The target's commands (COMMAND, and COMMAND DOCS where it answers it). */
export async function loadCommandModels(port: number): Promise<CommandModel[]> {
  const client = await SimpleClient.open(port)
  if (!client) throw new Error(`cannot connect to port ${port}`)
  try {
    const info = await client.call(['COMMAND'])
    const docs = await client.call(['COMMAND', 'DOCS'])
    if (info === undefined || info === 'timeout' || info.type !== 'array') throw new Error('COMMAND did not answer an array')
    const docsNested = docs !== undefined && docs !== 'timeout' && docs.type === 'array' ? (toNested(docs) as never) : undefined
    return commandModels(toNested(info) as never, docsNested)
  } finally {
    client.close()
  }
}

/** DUMP payloads of every type and encoding, made on the target itself (the RESTORE mutations start from them). */
export async function takeDumpSamples(port: number): Promise<void> {
  if (dumpSamples.length > 0) return
  const client = await SimpleClient.open(port)
  if (!client) return
  const setup = [
    ['SET', 'fzd:s', 'hello'], ['SET', 'fzd:i', '12345'], ['SET', 'fzd:l', 'x'.repeat(200)],
    ['RPUSH', 'fzd:list', 'a', 'b', '1'], ['RPUSH', 'fzd:biglist', ...Array.from({length: 200}, (_, i) => `e${i}`)],
    ['SADD', 'fzd:iset', '1', '2', '3'], ['SADD', 'fzd:set', 'a', 'b'], ['SADD', 'fzd:bigset', ...Array.from({length: 200}, (_, i) => `m${i}`)],
    ['HSET', 'fzd:h', 'f', 'v', 'g', '2'], ['HSET', 'fzd:bigh', ...Array.from({length: 400}, (_, i) => `f${i}`)],
    ['ZADD', 'fzd:z', '1', 'a', '2.5', 'b'], ['ZADD', 'fzd:bigz', ...Array.from({length: 300}, (_, i) => [String(i), `z${i}`]).flat()],
    ['XADD', 'fzd:x', '1-1', 'f', 'v'], ['XGROUP', 'CREATE', 'fzd:x', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'fzd:x', '>'],
  ]
  for (const cmd of setup) await client.call(cmd)
  for (const key of ['fzd:s', 'fzd:i', 'fzd:l', 'fzd:list', 'fzd:biglist', 'fzd:iset', 'fzd:set', 'fzd:bigset', 'fzd:h', 'fzd:bigh', 'fzd:z', 'fzd:bigz', 'fzd:x']) {
    const reply = await client.call(['DUMP', key])
    if (reply !== undefined && reply !== 'timeout' && reply.type === 'bulk' && reply.value) dumpSamples.push(reply.value)
  }
  client.close()
}

export async function runRespFuzz(options: FuzzRunOptions): Promise<FuzzReport> {
  const {target, node, seed} = options
  const concurrency = options.concurrency ?? 16
  const watchdogTimeoutMs = options.watchdogTimeoutMs ?? 1000
  const stallMs = options.stallMs ?? 1500
  const maintenanceEvery = options.maintenanceEvery ?? 1000
  const startIndex = options.startIndex ?? 0
  const endIndex = startIndex + options.inputs
  const started = Date.now()
  const commands = await loadCommandModels(node.port)
  if (target === 'server' && dumpSamples.length === 0) await takeDumpSamples(node.port)
  const report: FuzzReport = {
    target, seed, inputsSent: 0, rawInputs: 0, compared: 0, crashes: [], hangs: [], starvedPings: 0, internalErrors: [], mismatches: [],
    distinctErrors: new Map(), stalls: 0, resetsNotCompared: 0, closedByServer: 0, slowlorisReplies: 0,
    startRssMb: readRssMb(node.pid), maxRssMb: 0, finalRssMb: 0, elapsedMs: 0,
  }
  report.maxRssMb = report.startRssMb
  const inFlight = new Map<number, string>()
  const describeInFlight = () => [...inFlight].map(([i, label]) => `#${i} ${label}`)
  let next = startIndex
  let stopped = false
  const stop = (why: string) => {
    if (!stopped) report.crashes.push(why)
    stopped = true
  }

  // --- process, memory and log watch
  const logBaseline = node.readLog().length
  const checkLog = () => {
    const log = node.readLog().slice(logBaseline)
    const lines = log.split('\n').filter((l) => /Internal error running|Uncaught|UnhandledPromiseRejection|^\s+at .*\(.*\.js:\d+:\d+\)$/.test(l))
    report.internalErrors = [...new Set(lines.filter((l) => !/^\s+at /.test(l)))].slice(0, 50)
    if (report.internalErrors.length === 0 && lines.length > 0) report.internalErrors = lines.slice(0, 10)
  }
  const monitor = setInterval(() => {
    if (!isAlive(node.pid)) stop(`process ${node.pid} exited; inputs in flight: ${describeInFlight().join('; ')}`)
    const rss = readRssMb(node.pid)
    if (rss > report.maxRssMb) report.maxRssMb = rss
  }, 200)

  // --- watchdog
  let watchdogRunning = true
  const admin = await SimpleClient.open(node.port)
  const watchdog = (async () => {
    let client = await SimpleClient.open(node.port)
    while (watchdogRunning && !stopped) {
      if (client === undefined || client.closed) {
        client = await SimpleClient.open(node.port, watchdogTimeoutMs)
        if (client === undefined) {
          report.hangs.push({atInput: next, reason: `watchdog could not connect within ${watchdogTimeoutMs} ms`, inFlight: describeInFlight()})
          if (!isAlive(node.pid)) stop('process exited')
          await sleep(200)
          continue
        }
      }
      const inFlightAtSend = describeInFlight()
      const sent = Date.now()
      const cpuAtSend = readCpuMs(node.pid)
      let reply = await client.call(['PING'], watchdogTimeoutMs)
      if (reply === 'timeout') {
        const hang: Hang = {atInput: next, reason: `PING not answered within ${watchdogTimeoutMs} ms`, inFlight: [...new Set([...inFlightAtSend, ...describeInFlight()])]}
        // Wait for the late answer to tell how long the node was unresponsive, and how much CPU it had meanwhile.
        const late = await Promise.race([client.call(['PING'], 30_000), sleep(30_000).then(() => 'timeout' as const)])
        const waitedMs = Date.now() - sent
        const cpuMs = readCpuMs(node.pid) - cpuAtSend
        const starved = late !== 'timeout' && waitedMs < 5 * watchdogTimeoutMs && cpuMs < watchdogTimeoutMs
        if (starved) report.starvedPings++
        else {
          hang.reason += late === 'timeout' ? '; still no answer after 30 s' : `; answered after ${waitedMs} ms, ${cpuMs} ms of CPU meanwhile`
          report.hangs.push(hang)
        }
        if (late === 'timeout') stop(`node unresponsive for 30 s; inputs in flight: ${hang.inFlight.join('; ')}`)
        reply = undefined
      }
      if (reply !== undefined && reply.type === 'error' && reply.value.startsWith('BUSY')) {
        await admin?.call(['SCRIPT', 'KILL'], 2000)
        await admin?.call(['FUNCTION', 'KILL'], 2000)
      }
      await sleep(50)
    }
    client?.close()
  })()

  // --- slowloris: one byte per interval, on one connection, for the whole run
  let slowlorisRunning = true
  const slowloris = (async () => {
    const interval = options.slowlorisIntervalMs ?? 10
    while (slowlorisRunning && !stopped) {
      const bytes = encodeCommand([Buffer.from('SET'), Buffer.from('fz:slowloris'), Buffer.from('v'.repeat(40))])
      const c = await SimpleClient.open(node.port)
      if (!c) break
      const pending = c.nextReply(60_000)
      for (let i = 0; i < bytes.length && slowlorisRunning && !c.closed; i++) {
        c.socket.write(bytes.subarray(i, i + 1))
        await sleep(interval)
      }
      if (!slowlorisRunning) {
        // Stopped half-way through the command: no reply to wait for.
        c.close()
        break
      }
      const reply = await pending
      if (reply !== undefined && reply !== 'timeout' && reply.type === 'simple') report.slowlorisReplies++
      c.close()
    }
  })()

  // --- maintenance
  const maintain = async () => {
    if (!admin || admin.closed) return
    if (target === 'server') {
      for (const cmd of [['FLUSHALL'], ['SCRIPT', 'FLUSH'], ['FUNCTION', 'FLUSH']]) await admin.call(cmd, 5000)
    } else {
      const masters = await admin.call(['SENTINEL', 'MASTERS'], 5000)
      if (masters !== undefined && masters !== 'timeout' && masters.type === 'array') {
        for (const m of masters.value ?? []) {
          const flat = toNested(m) as unknown[]
          const at = flat.indexOf('name')
          if (at >= 0) await admin.call(['SENTINEL', 'REMOVE', String(flat[at + 1])], 5000)
        }
      }
    }
  }

  // --- workers
  const progressEvery = options.progressEvery ?? 10_000
  let sinceMaintenance = 0
  let maintenance: Promise<void> | undefined
  const worker = async () => {
    let conn: WorkerConnection | undefined
    while (!stopped) {
      if (maintenance) await maintenance
      const index = next++
      if (index >= endIndex) break
      const input = generateInput(seed, index, commands, target, options.rawShare)
      inFlight.set(index, input.label)
      try {
        if (input.kind === 'raw') {
          report.rawInputs++
          const ours = await rawExchange(node.port, input, 150)
          collectErrors(ours.bytes, report.distinctErrors)
          if (ours.closedByServer) report.closedByServer++
          if (options.oracle && input.comparable && input.fin && Math.abs(Math.sin(index)) < (options.oracleShare ?? 1)) {
            const theirs = await rawExchange(options.oracle.port, input, 150)
            if (ours.reset || theirs.reset) {
              report.resetsNotCompared++
            } else {
              report.compared++
              const a = JSON.stringify(withoutClientIds(ours.bytes.toString('latin1'))) + (ours.closedByServer ? ' [closed]' : ' [open]')
              const b = JSON.stringify(withoutClientIds(theirs.bytes.toString('latin1'))) + (theirs.closedByServer ? ' [closed]' : ' [open]')
              if (a !== b && report.mismatches.length < 200) {
                report.mismatches.push({index, label: input.label, bytes: JSON.stringify(input.bytes.toString('latin1').slice(0, 300)), ours: a.slice(0, 400), redis: b.slice(0, 400)})
              }
            }
          }
        } else {
          if (conn === undefined || conn.closed || conn.used >= 64) {
            conn?.destroy()
            conn = new WorkerConnection(node.port)
          }
          const result = await conn.exchange(input, stallMs)
          collectErrors(result.bytes, report.distinctErrors)
          if (result.outcome === 'stalled') {
            report.stalls++
            conn.destroy()
            conn = undefined
          } else if (result.outcome === 'closed') {
            report.closedByServer++
          }
        }
      } finally {
        inFlight.delete(index)
      }
      report.inputsSent++
      if (report.inputsSent % progressEvery === 0) {
        report.elapsedMs = Date.now() - started
        report.finalRssMb = readRssMb(node.pid)
        options.onProgress?.(report)
      }
      if (++sinceMaintenance >= maintenanceEvery && maintenance === undefined) {
        sinceMaintenance = 0
        maintenance = maintain().finally(() => (maintenance = undefined))
      }
    }
    conn?.destroy()
  }
  await Promise.all(Array.from({length: concurrency}, worker))
  slowlorisRunning = false
  watchdogRunning = false
  await Promise.all([watchdog, slowloris])
  clearInterval(monitor)
  if (!isAlive(node.pid)) stop('process exited')
  await maintain()
  admin?.close()
  checkLog()
  // Server's own answers about internal errors, whatever its log says.
  for (const kind of report.distinctErrors.keys()) if (/internal error/i.test(kind)) report.internalErrors.push(`reply: ${kind}`)
  report.finalRssMb = readRssMb(node.pid)
  report.elapsedMs = Date.now() - started
  return report
}

export function formatReport(r: FuzzReport, topErrors = 40): string {
  const lines = [
    `target ${r.target}, seed ${r.seed}: ${r.inputsSent} inputs (${r.rawInputs} raw, ${r.compared} compared with real Redis) in ${(r.elapsedMs / 1000).toFixed(1)} s`,
    `crashes: ${r.crashes.length}${r.crashes.length ? `\n  ${r.crashes.join('\n  ')}` : ''}`,
    `hangs: ${r.hangs.length}${r.hangs.map((h) => `\n  at input ${h.atInput}: ${h.reason}; in flight: ${h.inFlight.slice(0, 20).join(' ; ')}`).join('')}`,
    `internal errors: ${r.internalErrors.length}${r.internalErrors.length ? `\n  ${r.internalErrors.slice(0, 20).join('\n  ')}` : ''}`,
    `mismatches with real Redis: ${r.mismatches.length}${r.mismatches.slice(0, 20).map((m) => `\n  #${m.index} ${m.bytes}\n    ours:  ${m.ours}\n    redis: ${m.redis}`).join('')}`,
    `RSS: start ${r.startRssMb.toFixed(0)} MB, max ${r.maxRssMb.toFixed(0)} MB, final ${r.finalRssMb.toFixed(0)} MB`,
    `comparisons left out after a connection reset: ${r.resetsNotCompared}`,
    `connections closed by the server: ${r.closedByServer}, stalled connections given up: ${r.stalls}, slowloris replies: ${r.slowlorisReplies}`,
    `late watchdog answers while the node had less CPU time than the watchdog timeout (a busy machine, not a hang): ${r.starvedPings}`,
    `distinct error replies: ${r.distinctErrors.size}`,
    ...[...r.distinctErrors].sort((a, b) => b[1] - a[1]).slice(0, topErrors).map(([k, n]) => `  ${String(n).padStart(7)}  ${k}`),
  ]
  return lines.join('\n')
}
