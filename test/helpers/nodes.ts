// One factory for server processes in tests: startServer({engine}) runs the bundled rtopo-server or the real
// redis-server on a free loopback port, resolves once PING answers, and registers the process so that
// stopAllNodes() (afterAll) and a process 'exit' hook leave nothing running, even when a test fails.

import {mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa, type ResultPromise} from 'execa'
import {Redis, type RedisOptions} from 'ioredis'
import {freePort} from './ports.js'
import {RawClient} from './raw-client.js'
import {realRedis} from './real-redis.js'

export type Engine = 'bundled' | 'redis'

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const bundledServerBin = join(projectRoot, 'bin', 'rtopo-server.js')

/** Why bundled-engine tests cannot run (no build), or undefined. */
export const bundledMissing: string | undefined = existsSync(join(projectRoot, 'dist', 'server', 'main.js'))
  ? undefined
  : 'dist/server/main.js missing (run npm run build)'

export interface StartOptions {
  engine: Engine
  /** Extra command-line directives, e.g. ['--save', '', '--requirepass', 'pw']. */
  args?: string[]
  /** Config file content written to <dir>/redis.conf and passed first. */
  config?: string
  /** Reuse a data directory (restarts). */
  dir?: string
  port?: number
  /** Password for the readiness PING. */
  password?: string
}

export interface NodeHandle {
  readonly engine: Engine
  readonly port: number
  readonly dir: string
  readonly pid: number
  /** An ioredis client, closed automatically by stop(). */
  client(options?: RedisOptions): Redis
  raw(): Promise<RawClient>
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
  stop(): Promise<void>
  /** SIGKILL. */
  kill(): Promise<void>
  logTail(lines?: number): string
  readonly exited: Promise<unknown>
}

const running = new Set<{process: ResultPromise; handle: NodeHandle}>()

process.on('exit', () => {
  for (const {process: child} of running) child.kill('SIGKILL')
})

export async function startServer(options: StartOptions): Promise<NodeHandle> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), `rtopo-${options.engine}-`))
  const port = options.port ?? (await freePort())
  const logfile = join(dir, 'server.log')
  const argv: string[] = []
  if (options.config !== undefined) {
    const confPath = join(dir, 'redis.conf')
    writeFileSync(confPath, options.config)
    argv.push(confPath)
  }
  argv.push('--port', String(port), '--dir', dir, '--logfile', logfile, '--bind', '127.0.0.1', ...(options.args ?? []))
  if (options.engine === 'bundled' && bundledMissing) throw new Error(bundledMissing)
  if (options.engine === 'redis' && !realRedis) throw new Error('redis-server not installed')
  const [file, args] = options.engine === 'bundled'
    ? [process.execPath, [bundledServerBin, ...argv]]
    : [realRedis!.server, argv]
  const child = execa(file, args, {reject: false, cleanup: true, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', forceKillAfterDelay: 5000})
  const clients: Redis[] = []
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const logTail = (lines = 20): string => {
    const log = existsSync(logfile) ? readFileSync(logfile, 'utf8') : ''
    return `${log}${output}`.split('\n').slice(-lines).join('\n')
  }
  const entry = {process: child, handle: undefined as unknown as NodeHandle}
  const stopWith = async (signal: 'SIGTERM' | 'SIGKILL') => {
    for (const c of clients.splice(0)) c.disconnect()
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    await child
    running.delete(entry)
  }
  const handle: NodeHandle = {
    engine: options.engine,
    port,
    dir,
    pid: child.pid ?? -1,
    client: (extra = {}) => {
      const c = new Redis({port, host: '127.0.0.1', password: options.password, lazyConnect: false, maxRetriesPerRequest: 20, retryStrategy: (n) => (n > 40 ? null : 50), ...extra})
      c.on('error', () => {})
      clients.push(c)
      return c
    },
    raw: () => RawClient.connect(port),
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    logTail,
    exited: child,
  }
  entry.handle = handle
  running.add(entry)
  await waitUntilReady(handle, child, options.password, logTail)
  return handle
}

async function waitUntilReady(handle: NodeHandle, child: ResultPromise, password: string | undefined, logTail: () => string): Promise<void> {
  const deadline = Date.now() + 15_000
  let lastError = ''
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${handle.engine} server on port ${handle.port} exited at start-up:\n${logTail()}`)
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
      throw new Error(`${handle.engine} server on port ${handle.port} did not answer PING (${lastError}):\n${logTail()}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Stops every process this test file started (use in afterAll / afterEach). */
export async function stopAllNodes(): Promise<void> {
  await Promise.all([...running].map(({handle}) => handle.kill()))
}

/** Removes a node's temp dir after it stopped. */
export function removeDir(dir: string): void {
  rmSync(dir, {recursive: true, force: true})
}
