// The application side of a workload: one connection through a Sentinel-aware client library, as an
// application would open it (ioredis Sentinel mode, or node-redis createSentinel). A driver writes a key
// (SET, then WAIT when asked) and reads one, from the master or from the replicas; nothing else.

import {Redis} from 'ioredis'
import {createSentinel} from 'redis'
import type {ClientLibrary, ReadFrom} from './types.js'

export interface DriverOptions {
  library: ClientLibrary
  group: string
  sentinels: readonly number[]
  password?: string
  readFrom: ReadFrom
  waitReplicas: number
  waitTimeoutMs: number
  opTimeoutMs: number
}

export interface WriteOutcome {
  replicasAcked?: number
  /** The server that answered, when the library tells. */
  port?: number
}

export interface Driver {
  connect(): Promise<void>
  write(key: string, value: string): Promise<WriteOutcome>
  read(key: string): Promise<string | null>
  close(): Promise<void>
}

export const openDriver = (o: DriverOptions): Driver => (o.library === 'node-redis' ? new NodeRedisDriver(o) : new IoredisDriver(o))

/** WAIT's reply reached the number of replicas asked for, or the write does not count as acknowledged. */
function checkWait(o: DriverOptions, reached: number): void {
  if (reached < o.waitReplicas) throw new Error(`WAIT ${o.waitReplicas} ${o.waitTimeoutMs}: only ${reached} replica(s) acknowledged`)
}

class IoredisDriver implements Driver {
  private readonly master: Redis
  private readonly replica: Redis | undefined

  constructor(private readonly o: DriverOptions) {
    const common = {
      sentinels: o.sentinels.map((port) => ({host: '127.0.0.1', port})), name: o.group, password: o.password,
      lazyConnect: true, commandTimeout: o.opTimeoutMs, connectTimeout: Math.max(500, o.opTimeoutMs),
      // Follow a failover as soon as the sentinels announce it, and reconnect when a demoted master answers READONLY.
      failoverDetector: true, reconnectOnError: (err: Error) => err.message.startsWith('READONLY'),
      retryStrategy: (times: number) => Math.min(times * 50, 500), sentinelRetryStrategy: (times: number) => Math.min(times * 100, 1000),
      maxRetriesPerRequest: 1,
    }
    this.master = new Redis(common)
    this.master.on('error', () => {})
    this.replica = o.readFrom === 'replicas' ? new Redis({...common, role: 'slave'}) : undefined
    this.replica?.on('error', () => {})
  }

  async connect(): Promise<void> {
    await this.master.connect()
    await this.replica?.connect()
  }

  async write(key: string, value: string): Promise<WriteOutcome> {
    await this.master.set(key, value)
    const port = this.master.stream?.remotePort
    if (this.o.waitReplicas <= 0) return {port}
    const reached = Number(await this.master.call('WAIT', String(this.o.waitReplicas), String(this.o.waitTimeoutMs)))
    checkWait(this.o, reached)
    return {replicasAcked: reached, port}
  }

  async read(key: string): Promise<string | null> {
    return (this.replica ?? this.master).get(key)
  }

  async close(): Promise<void> {
    this.master.disconnect()
    this.replica?.disconnect()
  }
}

class NodeRedisDriver implements Driver {
  private readonly sentinel

  constructor(private readonly o: DriverOptions) {
    this.sentinel = createSentinel({
      name: o.group,
      sentinelRootNodes: o.sentinels.map((port) => ({host: '127.0.0.1', port})),
      nodeClientOptions: {password: o.password, socket: {connectTimeout: Math.max(500, o.opTimeoutMs)}},
      masterPoolSize: 1,
      // With replicas in the pool, node-redis sends read-only commands (GET) to them.
      replicaPoolSize: o.readFrom === 'replicas' ? 1 : 0,
      scanInterval: 1000,
    })
    this.sentinel.on('error', () => {})
  }

  async connect(): Promise<void> {
    await this.sentinel.connect()
  }

  async write(key: string, value: string): Promise<WriteOutcome> {
    // The pool holds one master connection, so the WAIT runs on the connection that sent the SET (a lease,
    // sentinel.use(), would do the same but costs tens of ms per call in node-redis 5.9).
    await this.sentinel.set(key, value)
    const reached = this.o.waitReplicas <= 0 ? undefined : Number(await this.sentinel.sendCommand(false, ['WAIT', String(this.o.waitReplicas), String(this.o.waitTimeoutMs)]))
    const port = this.sentinel.getMasterNode()?.port
    if (reached === undefined) return {port}
    checkWait(this.o, reached)
    return {replicasAcked: reached, port}
  }

  async read(key: string): Promise<string | null> {
    const value = await this.sentinel.get(key)
    return value === null ? null : String(value)
  }

  async close(): Promise<void> {
    try {
      await this.sentinel.destroy()
    } catch {
      // Already closed, or never connected.
    }
  }
}
