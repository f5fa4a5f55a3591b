// Sentinel processes for tests: startSentinel({engine, config}) writes <dir>/sentinel.conf (port, bind, dir
// and logfile first, then the given lines) and runs the bundled rtopo-sentinel or the real redis-sentinel on
// a free loopback port (ports.ts), resolving once PING answers. Like nodes.ts, every process is registered so
// that stopAllSentinels() and a process 'exit' hook leave nothing running; sentinelScope() ties servers and
// sentinels of one test to its onTestFinished. Also: a sentinel's INFO/SENTINEL replies as records, and a
// start that is expected to fail (fatal config error: exit code and stderr).

import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa, type ResultPromise} from 'execa'
import {Redis, type RedisOptions} from 'ioredis'
import {bundledMissing, bundledServerBin, projectRoot, removeDir, startServer, type Engine, type NodeHandle, type StartOptions} from './nodes.js'
import {freePort} from './ports.js'
import {RawClient} from './raw-client.js'
import {realRedis} from './real-redis.js'

export const bundledSentinelBin = join(projectRoot, 'bin', 'rtopo-sentinel.js')

export interface SentinelOptions {
  engine: Engine
  /** Lines after the generated `port`/`bind`/`dir`/`logfile` ones, e.g. `sentinel monitor mymaster 127.0.0.1 7000 2`. */
  config?: string
  /** Reuse a directory and its sentinel.conf as it is (restarts); `config` is then ignored. */
  dir?: string
  port?: number
  /** requirepass of the sentinel itself (for the readiness PING and clients). */
  password?: string
  /** Bundled engine only: start as `rtopo-server sentinel.conf --sentinel` instead of rtopo-sentinel. */
  viaServer?: boolean
}

export interface SentinelHandle {
  readonly engine: Engine
  readonly port: number
  readonly dir: string
  readonly configPath: string
  readonly pid: number
  /** An ioredis client to the sentinel (plain connection, not Sentinel mode), closed by stop()/kill(). */
  client(options?: RedisOptions): Redis
  raw(): Promise<RawClient>
  /** SENTINEL <args…> through this handle's own client. */
  sentinel(...args: (string | number)[]): Promise<unknown>
  /** The current content of sentinel.conf. */
  readConfig(): string
  stop(): Promise<void>
  kill(): Promise<void>
  logTail(lines?: number): string
  readonly exited: Promise<unknown>
}

const running = new Set<{process: ResultPromise; handle: SentinelHandle}>()

process.on('exit', () => {
  for (const {process: child} of running) child.kill('SIGKILL')
})

/** The command line for a sentinel of `engine` with config file `configPath`. */
export function sentinelCommand(engine: Engine, configPath: string, viaServer = false): [string, string[]] {
  if (engine === 'bundled') {
    if (bundledMissing) throw new Error(bundledMissing)
    return viaServer ? [process.execPath, [bundledServerBin, configPath, '--sentinel']] : [process.execPath, [bundledSentinelBin, configPath]]
  }
  if (!realRedis) throw new Error('redis-sentinel not installed')
  return [realRedis.sentinel, [configPath]]
}

export async function startSentinel(options: SentinelOptions): Promise<SentinelHandle> {
  const reuse = options.dir !== undefined
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), `rtopo-sentinel-${options.engine}-`))
  const configPath = join(dir, 'sentinel.conf')
  const logfile = join(dir, 'sentinel.log')
  let port = options.port
  if (reuse) {
    port ??= Number(/^port (\d+)$/m.exec(readFileSync(configPath, 'utf8'))?.[1])
  } else {
    port ??= await freePort()
    writeFileSync(configPath, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nlogfile ${logfile}\n${options.config ?? ''}`)
  }
  const [file, args] = sentinelCommand(options.engine, configPath, options.viaServer)
  const child = execa(file, args, {reject: false, cleanup: true, cwd: dir, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', forceKillAfterDelay: 5000})
  const clients: Redis[] = []
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const logTail = (lines = 30): string => {
    const log = existsSync(logfile) ? readFileSync(logfile, 'utf8') : ''
    return `${log}${output}`.split('\n').slice(-lines).join('\n')
  }
  const entry = {process: child, handle: undefined as unknown as SentinelHandle}
  const stopWith = async (signal: 'SIGTERM' | 'SIGKILL') => {
    for (const c of clients.splice(0)) c.disconnect()
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    await child
    running.delete(entry)
  }
  let own: Redis | undefined
  const client = (extra: RedisOptions = {}): Redis => {
    const c = new Redis({port, host: '127.0.0.1', password: options.password, maxRetriesPerRequest: 5, retryStrategy: (n) => (n > 40 ? null : 50), ...extra})
    c.on('error', () => {})
    clients.push(c)
    return c
  }
  const handle: SentinelHandle = {
    engine: options.engine,
    port: port as number,
    dir,
    configPath,
    pid: child.pid ?? -1,
    client,
    raw: () => RawClient.connect(port as number),
    sentinel: (...a) => (own ??= client()).call('SENTINEL', ...a.map(String)),
    readConfig: () => readFileSync(configPath, 'utf8'),
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    logTail,
    exited: child,
  }
  entry.handle = handle
  running.add(entry)
  await waitUntilReady(handle, child, options.password)
  return handle
}

async function waitUntilReady(handle: SentinelHandle, child: ResultPromise, password: string | undefined): Promise<void> {
  const deadline = Date.now() + 15_000
  let lastError = ''
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${handle.engine} sentinel on port ${handle.port} exited at start-up:\n${handle.logTail()}`)
    }
    try {
      const raw = await RawClient.connect(handle.port)
      try {
        if (password) await raw.command('AUTH', password)
        const reply = (await raw.command('PING')).toString()
        if (reply === '+PONG\r\n') return
        lastError = reply
      } finally {
        raw.close()
      }
    } catch (cause) {
      lastError = (cause as Error).message
    }
    if (Date.now() > deadline) {
      await handle.kill()
      throw new Error(`${handle.engine} sentinel on port ${handle.port} did not answer PING (${lastError}):\n${handle.logTail()}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Stops every sentinel this test file started. */
export async function stopAllSentinels(): Promise<void> {
  await Promise.all([...running].map(({handle}) => handle.kill()))
}

export interface FailedStart {
  exitCode: number
  stderr: string
  stdout: string
}

/** Runs a sentinel with `config` as its whole file, expecting it to exit at start-up (killed after 10 s if not). */
export async function startSentinelExpectingExit(engine: Engine, config: string): Promise<FailedStart & {configPath: string}> {
  const dir = mkdtempSync(join(tmpdir(), `rtopo-sentinel-bad-${engine}-`))
  const configPath = join(dir, 'sentinel.conf')
  writeFileSync(configPath, config)
  const [file, args] = sentinelCommand(engine, configPath)
  try {
    const result = await execa(file, args, {reject: false, cwd: dir, stdin: 'ignore', timeout: 10_000})
    return {exitCode: result.exitCode ?? -1, stderr: String(result.stderr), stdout: String(result.stdout), configPath}
  } finally {
    removeDir(dir)
  }
}

export interface Scope {
  server(options: StartOptions): Promise<NodeHandle>
  sentinel(options: SentinelOptions): Promise<SentinelHandle>
}

/** Servers and sentinels killed (and their temp dirs removed) when the test finishes, pass or fail. */
export function sentinelScope(onFinished: (fn: () => Promise<void>) => void): Scope {
  const nodes: NodeHandle[] = []
  const sentinels: SentinelHandle[] = []
  onFinished(async () => {
    await Promise.all([...sentinels.map((s) => s.kill()), ...nodes.map((n) => n.kill())])
    for (const dir of new Set([...nodes.map((n) => n.dir), ...sentinels.map((s) => s.dir)])) removeDir(dir)
  })
  return {
    server: async (options) => {
      const node = await startServer(options)
      nodes.push(node)
      return node
    },
    sentinel: async (options) => {
      const s = await startSentinel(options)
      sentinels.push(s)
      return s
    },
  }
}

/** An alternating [field, value, …] array (RESP2 map) as a record. */
export function pairs(reply: unknown): Record<string, string> {
  const list = reply as unknown[]
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = String(list[i + 1])
  return out
}

/** SENTINEL MASTER <name> as a record. */
export async function masterState(s: SentinelHandle, name = 'mymaster'): Promise<Record<string, string>> {
  return pairs(await s.sentinel('MASTER', name))
}

/** SENTINEL GET-MASTER-ADDR-BY-NAME as "ip:port" (or null). */
export async function masterAddr(s: SentinelHandle, name = 'mymaster'): Promise<string | null> {
  const reply = (await s.sentinel('GET-MASTER-ADDR-BY-NAME', name)) as [string, string] | null
  return reply === null ? null : `${reply[0]}:${reply[1]}`
}

/** The `monitor` block for a master on the loopback. */
export function monitorLines(masterPort: number, {quorum = 2, downAfter = 1000, failoverTimeout = 10000, name = 'mymaster', authPass}: {quorum?: number; downAfter?: number; failoverTimeout?: number; name?: string; authPass?: string} = {}): string {
  return [
    `sentinel monitor ${name} 127.0.0.1 ${masterPort} ${quorum}`,
    `sentinel down-after-milliseconds ${name} ${downAfter}`,
    `sentinel failover-timeout ${name} ${failoverTimeout}`,
    ...(authPass !== undefined ? [`sentinel auth-pass ${name} ${authPass}`] : []),
    '',
  ].join('\n')
}

export const sentinelName = (s: SentinelHandle): string => `${s.engine} sentinel :${s.port}`
