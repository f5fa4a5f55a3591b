// Replication test helpers: INFO replication as a record, waits for link / offsets / digests to settle,
// log-line waits, and byte-level ends of a replication link: a hand-driven replica (WireConnection.connect;
// the payload `$<len>\r\n<RDB>` has no CRLF after it, so RawClient's reply parser cannot read it) and a
// hand-driven master (FakeMaster) that a server under test connects to.

import {connect, createServer, type Server, type Socket} from 'node:net'
import type {Redis} from 'ioredis'
import {encodeCommand} from '../../src/resp/encoder.js'
import {removeDir, startServer, type NodeHandle, type StartOptions} from './nodes.js'
import {waitFor} from './wait-for.js'

export type Info = Record<string, string>

/** `key:value` lines of an INFO reply (section headers and blank lines skipped). */
export function parseInfo(text: string): Info {
  const info: Info = {}
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue
    const at = line.indexOf(':')
    if (at > 0) info[line.slice(0, at)] = line.slice(at + 1)
  }
  return info
}

const adminClients = new WeakMap<NodeHandle, Redis>()

/** One ioredis client per node for polling (closed by the node's stop()/kill()). */
export function admin(node: NodeHandle): Redis {
  let client = adminClients.get(node)
  if (client === undefined) {
    client = node.client({maxRetriesPerRequest: 1, retryStrategy: (n) => (n > 200 ? null : 50)})
    adminClients.set(node, client)
  }
  return client
}

export async function replInfo(node: NodeHandle): Promise<Info> {
  return parseInfo(await admin(node).info('replication'))
}

/** REPLICAOF <master>; resolves with the reply. */
export async function replicaOf(node: NodeHandle, master: NodeHandle | 'NO ONE'): Promise<string> {
  const args = master === 'NO ONE' ? ['NO', 'ONE'] : ['127.0.0.1', String(master.port)]
  return String(await admin(node).call('REPLICAOF', ...args))
}

const name = (node: NodeHandle): string => `${node.engine} :${node.port}`

/** Waits for `master_link_status:up` (and no sync in progress); returns INFO replication. */
export async function waitForLinkUp(node: NodeHandle, timeoutMs = 20_000): Promise<Info> {
  return waitFor(() => replInfo(node), (i) => i.master_link_status === 'up' && i.master_sync_in_progress === '0', {
    what: `${name(node)} master_link_status:up`,
    timeoutMs,
  })
}

export async function waitForLinkDown(node: NodeHandle, timeoutMs = 10_000): Promise<Info> {
  return waitFor(() => replInfo(node), (i) => i.master_link_status === 'down', {what: `${name(node)} master_link_status:down`, timeoutMs})
}

/**
 * Waits until every node reports the same master_repl_offset and every replica among them has the link
 * up with slave_repl_offset and slave_read_repl_offset equal to it (an idle, caught-up chain). Returns
 * the offset. Masters PING their replicas every 10 s, so a later read may already show a larger one.
 */
export async function waitForOffsetsEqual(nodes: readonly NodeHandle[], timeoutMs = 20_000): Promise<number> {
  const infos = await waitFor(
    () => Promise.all(nodes.map(replInfo)),
    (all) => {
      const offset = all[0]?.master_repl_offset
      return all.every((i) =>
        i.master_repl_offset === offset &&
        (i.role === 'master' || (i.master_link_status === 'up' && i.slave_repl_offset === offset && i.slave_read_repl_offset === offset)))
    },
    {what: `equal replication offsets on ${nodes.map(name).join(', ')}`, timeoutMs},
  )
  return Number(infos[0]?.master_repl_offset)
}

/** DEBUG DIGEST of each node (needs --enable-debug-command yes on real Redis). */
export async function digests(nodes: readonly NodeHandle[]): Promise<string[]> {
  return Promise.all(nodes.map(async (n) => String(await admin(n).call('DEBUG', 'DIGEST'))))
}

/** Waits until all nodes hold the same dataset (DEBUG DIGEST); returns the digest. */
export async function waitForDigestsEqual(nodes: readonly NodeHandle[], timeoutMs = 20_000): Promise<string> {
  const all = await waitFor(() => digests(nodes), (d) => d.every((x) => x === d[0]), {
    what: `equal DEBUG DIGEST on ${nodes.map(name).join(', ')}`,
    timeoutMs,
  })
  return all[0] as string
}

/** The whole log of a node (the log file plus anything written to stdout/stderr). */
export function fullLog(node: NodeHandle): string {
  return node.logTail(1_000_000)
}

/** Waits for a log line matching `pattern`; returns the matching text. */
export async function waitForLog(node: NodeHandle, pattern: RegExp | string, timeoutMs = 20_000): Promise<string> {
  const found = await waitFor(
    () => {
      const log = fullLog(node)
      if (typeof pattern === 'string') return log.includes(pattern) ? pattern : undefined
      return pattern.exec(log)?.[0]
    },
    (match) => match !== undefined,
    {what: `${name(node)} log line ${String(pattern)}`, timeoutMs, intervalMs: 100},
  )
  return found as string
}

/** Number of log lines matching `pattern`. */
export function countLog(node: NodeHandle, pattern: RegExp): number {
  return fullLog(node).split('\n').filter((line) => pattern.test(line)).length
}

/**
 * One end of a replication link driven by hand: sends commands or raw bytes, and reads the peer's bytes
 * exactly as they arrive (lines for handshake replies, byte counts for the payload and the stream).
 */
export class WireConnection {
  private data = Buffer.alloc(0)
  private closed = false
  private waiters: (() => void)[] = []

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.data = Buffer.concat([this.data, chunk])
      this.wake()
    })
    socket.on('close', () => {
      this.closed = true
      this.wake()
    })
    socket.on('error', () => {})
  }

  /** A replica's side: connects to a master. */
  static connect(port: number): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({port, host: '127.0.0.1'}, () => resolve(new WireConnection(socket)))
      socket.once('error', reject)
    })
  }

  static wrap(socket: Socket): WireConnection {
    return new WireConnection(socket)
  }

  /** Sends a command as a multibulk. */
  send(...args: string[]): void {
    this.socket.write(encodeCommand(args))
  }

  /** Sends raw bytes. */
  write(bytes: string | Buffer): void {
    this.socket.write(bytes)
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Bytes received and not yet taken. */
  get buffered(): number {
    return this.data.length
  }

  /** Waits until at least `count` unread bytes arrived. */
  async waitBytes(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (this.data.length < count) {
      if (this.closed) throw new Error(`connection closed with ${this.data.length} of ${count} bytes`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`only ${this.data.length} of ${count} bytes within ${timeoutMs} ms: ${JSON.stringify(this.data.toString('latin1'))}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Takes exactly `count` bytes. */
  async take(count: number, timeoutMs?: number): Promise<Buffer> {
    await this.waitBytes(count, timeoutMs)
    const out = this.data.subarray(0, count)
    this.data = this.data.subarray(count)
    return Buffer.from(out)
  }

  /** Takes one line including its CRLF (or bare LF). */
  async line(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const end = this.data.indexOf(0x0a)
      if (end >= 0) return (await this.take(end + 1)).toString('latin1')
      await this.waitBytes(this.data.length + 1, Math.max(1, deadline - Date.now()))
    }
  }

  /** The next line that is not a keepalive newline (a master sends `\n` while it prepares a snapshot). */
  async reply(timeoutMs = 10_000): Promise<string> {
    for (;;) {
      const line = await this.line(timeoutMs)
      if (line !== '\n' && line !== '\r\n') return line
    }
  }

  /** The snapshot after +FULLRESYNC in the `$<len>` form: the RDB bytes (nothing follows them but the stream). */
  async payload(timeoutMs = 10_000): Promise<Buffer> {
    const header = await this.reply(timeoutMs)
    const length = /^\$(\d+)\r\n$/.exec(header)
    if (length === null) throw new Error(`expected $<length>, got ${JSON.stringify(header)}`)
    return this.take(Number(length[1]), timeoutMs)
  }

  /** Takes one multibulk command (as a master streams them) and returns its bytes as latin1 text. */
  async command(timeoutMs = 10_000): Promise<string> {
    const head = await this.line(timeoutMs)
    const count = /^\*(\d+)\r\n$/.exec(head)
    if (count === null) throw new Error(`expected a multibulk, got ${JSON.stringify(head)}`)
    let text = head
    for (let i = 0; i < Number(count[1]); i++) {
      const bulk = await this.line(timeoutMs)
      const length = /^\$(\d+)\r\n$/.exec(bulk)
      if (length === null) throw new Error(`expected a bulk length, got ${JSON.stringify(bulk)}`)
      text += bulk + (await this.take(Number(length[1]) + 2, timeoutMs)).toString('latin1')
    }
    return text
  }

  /** The next streamed command that is not the master's periodic `ping`. */
  async commandSkippingPings(timeoutMs = 10_000): Promise<string> {
    for (;;) {
      const command = await this.command(timeoutMs)
      if (command !== '*1\r\n$4\r\nping\r\n') return command
    }
  }

  /** Takes everything received so far. */
  takeAll(): Buffer {
    const out = this.data
    this.data = Buffer.alloc(0)
    return out
  }

  close(): void {
    this.socket.destroy()
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }
}

/**
 * Per-test node bookkeeping for concurrent tests: start() is startServer() whose processes are killed and
 * whose directories are removed when the test ends, pass or fail (register with the test's onTestFinished).
 */
export function nodeScope(onFinished: (fn: () => Promise<void>) => void): (options: StartOptions) => Promise<NodeHandle> {
  const started: NodeHandle[] = []
  onFinished(async () => {
    await Promise.all(started.map((n) => n.kill()))
    for (const dir of new Set(started.map((n) => n.dir))) removeDir(dir)
  })
  return async (options) => {
    const node = await startServer(options)
    started.push(node)
    return node
  }
}

/**
 * Writes of every kind a replication stream carries: several types, SELECT across dbs, relative expiries
 * (propagated as absolute PXAT / PEXPIREAT), MULTI/EXEC, deletions and PUBLISH. Keys are prefixed with `tag` so workloads can be layered.
 */
export async function writeWorkload(client: Redis, tag: string): Promise<void> {
  await client.set(`${tag}:str`, 'hello')
  await client.set(`${tag}:ex`, 'v', 'EX', 1000)
  await client.set(`${tag}:px`, 'v', 'PX', 500_000)
  await client.expire(`${tag}:str`, 5000)
  await client.incr(`${tag}:n`)
  await client.incrby(`${tag}:n`, 41)
  await client.rpush(`${tag}:list`, 'a', 'b', 'c', '1', '2')
  await client.lpop(`${tag}:list`)
  await client.hset(`${tag}:hash`, 'f', 'v', 'g', '12')
  await client.zadd(`${tag}:zset`, 1, 'a', 2.5, 'b', -3, 'c')
  await client.sadd(`${tag}:set`, '1', '2', 'x')
  await client.sadd(`${tag}:intset`, '1', '2', '300000')
  await client.multi().set(`${tag}:m1`, '1').incr(`${tag}:m2`).lpush(`${tag}:m3`, 'x').expire(`${tag}:m1`, 900).exec()
  await client.set(`${tag}:del`, 'x')
  await client.del(`${tag}:del`)
  await client.select(3)
  await client.set(`${tag}:db3`, 'three')
  await client.hset(`${tag}:db3hash`, 'a', '1')
  await client.expire(`${tag}:db3hash`, 1234)
  await client.select(5)
  await client.set(`${tag}:db5`, 'five', 'EX', 3000)
  await client.multi().incr(`${tag}:db5n`).incr(`${tag}:db5n`).exec()
  await client.select(0)
  await client.append(`${tag}:str`, ' world')
  await client.publish(`${tag}:chan`, 'published')
}

/** Waits until a master's ROLE lists exactly `replicaPorts`, each acknowledged at the master's own offset. */
export async function waitForMasterRole(master: NodeHandle, replicaPorts: readonly number[], timeoutMs = 20_000): Promise<unknown[]> {
  return waitFor(
    async () => (await admin(master).call('ROLE')) as unknown[],
    (role) => {
      const [kind, offset, replicas] = role as [string, number, string[][]]
      return kind === 'master' && replicas.length === replicaPorts.length &&
        replicas.every((r) => r.length === 3 && r[0] === '127.0.0.1' && replicaPorts.includes(Number(r[1])) && r[2] === String(offset))
    },
    {what: `${name(master)} ROLE listing ${replicaPorts.join(', ')} acknowledged at its offset`, timeoutMs},
  )
}

/** A master played by the test: a listener whose accepted connections are handed out in order. */
export class FakeMaster {
  private readonly accepted: WireConnection[] = []
  private waiters: (() => void)[] = []
  private readonly connections: WireConnection[] = []

  private constructor(private readonly server: Server, readonly port: number) {
    server.on('connection', (socket: Socket) => {
      const connection = WireConnection.wrap(socket)
      this.connections.push(connection)
      this.accepted.push(connection)
      const waiters = this.waiters
      this.waiters = []
      for (const w of waiters) w()
    })
  }

  static listen(): Promise<FakeMaster> {
    return new Promise((resolve, reject) => {
      const server = createServer()
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        const address = server.address()
        if (typeof address !== 'object' || address === null) reject(new Error('no address'))
        else resolve(new FakeMaster(server, address.port))
      })
    })
  }

  /** The next connection a replica opened. */
  async accept(timeoutMs = 10_000): Promise<WireConnection> {
    const deadline = Date.now() + timeoutMs
    while (this.accepted.length === 0) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no replica connected to the fake master within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    return this.accepted.shift() as WireConnection
  }

  close(): void {
    for (const c of this.connections) c.close()
    this.server.close()
  }
}

/**
 * A hand-driven SYNC replica of `node`: `stream()` gives everything propagated since it attached, without
 * the master's PINGs, for byte-level comparisons of what replicas receive.
 */
export async function attachSyncReplica(node: NodeHandle): Promise<{stream: () => Promise<string>; close: () => void}> {
  const replica = await WireConnection.connect(node.port)
  replica.send('SYNC')
  await replica.payload()
  const from = Number((await replInfo(node)).repl_backlog_first_byte_offset) - 1
  return {
    stream: async () => {
      const offset = Number((await replInfo(node)).master_repl_offset)
      return (await replica.take(offset - from)).toString('latin1').split('*1\r\n$4\r\nPING\r\n').join('')
    },
    close: () => replica.close(),
  }
}
