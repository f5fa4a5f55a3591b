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
import {waitFor} from './wait-for.js'

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
  /**
   * SENTINEL DEBUG tilt-period for this sentinel (default TEST_TILT_PERIOD_MS); false keeps Redis's 30 s. A
   * starved test machine can stall a sentinel past the 2 s tilt trigger; it must not then sit out 30 s.
   */
  tiltPeriodMs?: number | false
}

/** The tilt period test sentinels run with: a TILT on a busy machine ends within seconds, not 30 s. */
export const TEST_TILT_PERIOD_MS = 3000

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
  // Not in sentinel.conf (SENTINEL DEBUG is not persisted), so a restart gets it again from here.
  const tiltPeriod = options.tiltPeriodMs ?? TEST_TILT_PERIOD_MS
  if (tiltPeriod !== false) await handle.sentinel('DEBUG', 'tilt-period', tiltPeriod)
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

// ---- topologies for failover tests ---------------------------------------------------------------------

export interface SentinelEvent {
  sentinel: SentinelHandle
  channel: string
  message: string
}

/** Records every event `s` publishes (PSUBSCRIBE *) into `events`. */
export async function recordEvents(s: SentinelHandle, events: SentinelEvent[]): Promise<void> {
  const subscriber = s.client({maxRetriesPerRequest: 1})
  subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => events.push({sentinel: s, channel, message}))
  await subscriber.psubscribe('*')
}

export interface SentinelSpec {
  engine: Engine
  quorum?: number
  downAfter?: number
}

export interface Topology {
  master: NodeHandle
  replicas: NodeHandle[]
  sentinels: SentinelHandle[]
  events: SentinelEvent[]
  /** The arguments every server was started with (for restarts). */
  serverArgs: string[]
  password: string | undefined
}

export interface TopologyOptions {
  replicas?: number
  /** requirepass and masterauth on the servers, auth-pass on the sentinels. */
  password?: string
  /** requirepass on the sentinels (they then AUTH to each other with it). */
  sentinelPassword?: string
  failoverTimeout?: number
}

/**
 * A bundled master with bundled replicas (all online), then one sentinel per spec monitoring it as
 * `mymaster` (default quorum 2, down-after 1000, failover-timeout 10000); resolves once every sentinel
 * knows every replica and every other sentinel.
 */
export async function startTopology(scope: Scope, specs: SentinelSpec[], options: TopologyOptions = {}): Promise<Topology> {
  const {replicas: count = 2, password, sentinelPassword, failoverTimeout = 10000} = options
  const serverArgs = ['--save', '', ...(password !== undefined ? ['--requirepass', password, '--masterauth', password] : [])]
  const master = await scope.server({engine: 'bundled', args: serverArgs, password})
  const replicas = await Promise.all(Array.from({length: count}, () =>
    scope.server({engine: 'bundled', args: [...serverArgs, '--replicaof', '127.0.0.1', String(master.port)], password})))
  await waitFor(() => master.client().info('replication'), (info) => replicas.every((r) => info.includes(`port=${r.port},state=online`)), {
    what: `${count} replicas online`,
    timeoutMs: 20_000,
  })
  const sentinels = await Promise.all(specs.map((spec) => scope.sentinel({
    engine: spec.engine,
    password: sentinelPassword,
    config: monitorLines(master.port, {quorum: spec.quorum ?? 2, downAfter: spec.downAfter ?? 1000, failoverTimeout, authPass: password}) +
      (sentinelPassword !== undefined ? `requirepass ${sentinelPassword}\n` : ''),
  })))
  const events: SentinelEvent[] = []
  await Promise.all(sentinels.map((s) => recordEvents(s, events)))
  // Known, and linked: a peer found by a hello is `disconnected` until its link is up; a replica can be
  // promoted once an INFO from it arrived (master-link-status ok).
  await Promise.all(sentinels.map((s) => waitFor(async () => {
    const [m, r, p] = await Promise.all([masterState(s), s.sentinel('REPLICAS', 'mymaster'), s.sentinel('SENTINELS', 'mymaster')])
    return [m.flags, ...(r as unknown[][]).map((x) => `${pairs(x).flags}:${pairs(x)['master-link-status']}`), ...(p as unknown[][]).map((x) => pairs(x).flags)]
  }, (flags) => flags.join(' ') === ['master', ...Array(count).fill('slave:ok'), ...Array(specs.length - 1).fill('sentinel')].join(' '), {
    what: `${sentinelName(s)} linked to the master, ${count} replicas and ${specs.length - 1} sentinels`,
    timeoutMs: 20_000,
  })))
  return {master, replicas, sentinels, events, serverArgs, password}
}

/** Waits until every sentinel gives the same master address, other than `from`; returns that node. */
export async function waitForSwitch(t: Topology, from: NodeHandle, timeoutMs = 30_000): Promise<NodeHandle> {
  const addresses = await waitFor(() => Promise.all(t.sentinels.map((s) => masterAddr(s))), (all) =>
    all[0] !== `127.0.0.1:${from.port}` && all[0] !== null && all.every((a) => a === all[0]), {
    what: `all sentinels agree on a new master instead of :${from.port}`,
    timeoutMs,
  })
  const port = Number(addresses[0]?.split(':')[1])
  const node = t.replicas.find((r) => r.port === port)
  if (node === undefined) throw new Error(`sentinels switched to ${addresses[0]}, which is none of the replicas`)
  return node
}

/** The events of one type with the sentinel that published each. */
export function eventsOf(t: Topology, channel: string): {sentinel: SentinelHandle; message: string}[] {
  return t.events.filter((e) => e.channel === channel).map(({sentinel, message}) => ({sentinel, message}))
}

// ---- failover scenarios (shared by the mixed-engine test files) ------------------------------------------

const replication = async (node: NodeHandle, password: string | undefined): Promise<Record<string, string>> => {
  const text = String(await node.client({password, maxRetriesPerRequest: 1}).info('replication'))
  return Object.fromEntries(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]))
}

/** Waits until `node` replicates from `master` with the link up. */
export async function waitForFollower(node: NodeHandle, master: NodeHandle, password: string | undefined, timeoutMs = 30_000): Promise<void> {
  await waitFor(() => replication(node, password), (i) => i.role === 'slave' && i.master_port === String(master.port) && i.master_link_status === 'up', {
    what: `:${node.port} replica of :${master.port} with the link up`,
    timeoutMs,
  })
}

export async function waitForRoleMaster(node: NodeHandle, password: string | undefined, timeoutMs = 20_000): Promise<void> {
  await waitFor(() => replication(node, password), (i) => i.role === 'master', {what: `:${node.port} role:master`, timeoutMs})
}

export interface FailoverOutcome {
  promoted: NodeHandle
  leader: SentinelHandle
  epoch: number
}

/**
 * kill -9 the master and wait for the failover to complete: all sentinels agree on the promoted replica, it
 * reports role:master, the other replicas follow it, each sentinel published +switch-master, exactly one
 * sentinel (the leader) published +elected-leader and +promoted-slave for the final epoch and at least one
 * other sentinel voted for it, and every sentinel ends at that config epoch.
 */
export async function killMasterAndFailover(t: Topology, timeoutMs = 30_000): Promise<FailoverOutcome> {
  const old = t.master
  // Only the events of this failover count.
  const since = t.events.length
  const recent = (channel: string) => t.events.slice(since).filter((e) => e.channel === channel)
  await t.master.client({password: t.password}).set('before-failover', 'kept')
  for (const r of t.replicas) {
    await waitFor(() => r.client({password: t.password, maxRetriesPerRequest: 1}).get('before-failover'), (v) => v === 'kept', {what: `the write replicated to :${r.port}`})
  }
  await old.kill()
  const promoted = await waitForSwitch(t, old, timeoutMs)
  await waitForRoleMaster(promoted, t.password)
  for (const r of t.replicas) if (r !== promoted) await waitForFollower(r, promoted, t.password)
  const switchText = `mymaster 127.0.0.1 ${old.port} 127.0.0.1 ${promoted.port}`
  await waitFor(() => recent('+switch-master'), (list) => t.sentinels.every((s) => list.some((e) => e.sentinel === s && e.message === switchText)), {
    what: `+switch-master ${switchText} from every sentinel`,
  })
  const promotedEvents = recent('+promoted-slave')
  if (promotedEvents.length !== 1) throw new Error(`expected one +promoted-slave, got ${JSON.stringify(promotedEvents.map((e) => [sentinelName(e.sentinel), e.message]))}`)
  const leader = (promotedEvents[0] as {sentinel: SentinelHandle}).sentinel
  if (!recent('+elected-leader').some((e) => e.sentinel === leader)) throw new Error(`${sentinelName(leader)} promoted without +elected-leader`)
  const epochs = await waitFor(() => Promise.all(t.sentinels.map(async (s) => Number((await masterState(s))['config-epoch']))), (all) => all.every((e) => e === all[0] && e > 0), {
    what: 'every sentinel at the same config epoch > 0',
  })
  const epoch = epochs[0] as number
  const leaderId = String(await leader.sentinel('MYID'))
  const votes = recent('+vote-for-leader').filter((e) => e.sentinel !== leader && e.message === `${leaderId} ${epoch}`)
  if (votes.length === 0) throw new Error(`no other sentinel voted for the leader ${sentinelName(leader)} in epoch ${epoch}`)
  expectValue(await promoted.client({password: t.password}).get('before-failover'), 'kept', 'data on the promoted replica')
  return {promoted, leader, epoch}
}

/** Restarts the killed master (same port, dir and arguments, so as a master) and waits for a sentinel to demote it. */
export async function restartOldMasterAndWaitForDemotion(scope: Scope, t: Topology, old: NodeHandle, promoted: NodeHandle): Promise<NodeHandle> {
  const back = await scope.server({engine: 'bundled', port: old.port, dir: old.dir, args: t.serverArgs, password: t.password})
  await waitForFollower(back, promoted, t.password, 45_000)
  const text = `slave 127.0.0.1:${old.port} 127.0.0.1 ${old.port} @ mymaster 127.0.0.1 ${promoted.port}`
  await waitFor(() => eventsOf(t, '+convert-to-slave'), (list) => list.some((e) => e.message === text), {what: `+convert-to-slave ${text}`})
  // Every sentinel lists it as a reachable replica again (which master it follows shows in their next INFO,
  // up to 10 s later on the sentinels that did not convert it).
  await Promise.all(t.sentinels.map((s) => waitFor(() => s.sentinel('REPLICAS', 'mymaster'), (list) => {
    const entry = (list as unknown[][]).map(pairs).find((r) => r.port === String(old.port))
    return entry?.flags === 'slave'
  }, {what: `${sentinelName(s)} sees :${old.port} as a reachable replica`, timeoutMs: 30_000})))
  return back
}

const expectValue = (actual: unknown, wanted: unknown, what: string): void => {
  if (actual !== wanted) throw new Error(`${what}: expected ${JSON.stringify(wanted)}, got ${JSON.stringify(actual)}`)
}

/**
 * Sentinel specs that leave exactly one possible leader: `leader` (quorum 2) reaches ODOWN as soon as one
 * other sentinel says the master is down; the second sentinel needs all three (quorum 3) and the third never
 * sees the master down within the test (down-after 60 s), so neither of them ever starts a failover — but
 * both vote for the leader.
 */
export function specsWithLeader(leader: Engine, others: [Engine, Engine]): SentinelSpec[] {
  return [{engine: leader, quorum: 2}, {engine: others[0], quorum: 3}, {engine: others[1], downAfter: 60_000}]
}

/**
 * The `sentinel …` lines of a sentinel's config file that should be the same on every sentinel of a set:
 * without its myid and leader-epoch (who voted when differs), each known-sentinel line reduced to `PEER`;
 * sorted.
 */
export function sharedStateLines(s: SentinelHandle): string[] {
  return s.readConfig().split('\n')
    .filter((l) => l.startsWith('sentinel ') && !l.startsWith('sentinel myid ') && !l.startsWith('sentinel leader-epoch '))
    .map((l) => (l.startsWith('sentinel known-sentinel ') ? 'sentinel known-sentinel PEER' : l))
    .sort()
}
