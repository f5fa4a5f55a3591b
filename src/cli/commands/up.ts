import {mkdirSync, writeFileSync} from 'node:fs'
import {Flags} from '@oclif/core'
import {Listr} from 'listr2'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag} from '../flags.js'
import {engineFor, engineForNode} from '../../supervisor/engine.js'
import {freeBaseFrom, isPortFree, portOwner} from '../../supervisor/ports.js'
import {launchProxy, stopProxy} from '../../supervisor/lab-proxy.js'
import {clearStalePidfiles, launchNode, NodeStartError, readPid, stopNode} from '../../supervisor/process.js'
import {IniError, readIniDefaults} from '../../topology/ini-defaults.js'
import {engineOf, planTopology, PlanError, type EngineName, type PlannedNode, type TopologyPlan} from '../../topology/plan.js'
import {listenPort} from '../../topology/lab-plan.js'
import {renderNodeConfig} from '../../topology/render.js'
import {applyFastProfile, FAST_DOWN_AFTER_MS, FAST_FAILOVER_TIMEOUT_MS, FAST_SENTINEL_DEBUG} from '../../topology/fast-profile.js'
import {BUILTIN_TEMPLATES, TemplateError} from '../../topology/templates.js'
import {readState, writeState} from '../../topology/state-file.js'
import {masterTakesWrites, replicaLinked, sentinelReady, waitUntil} from '../../topology/health.js'

export interface UpResult {
  status: 'started' | 'already-running'
  engine: EngineName
  stateDir: string
  elapsedMs: number
  nodes: {id: string; kind: string; port: number}[]
}

export default class Up extends RtopoCommand {
  static override summary = 'Start a topology of masters, replicas and sentinels'
  static override description = `Renders a config file per node from the templates, starts every node in the background, wires replication and waits until every replica is linked, every master counts enough good replicas to take writes under --min-replicas-to-write, and every sentinel sees all replicas and all other sentinels. Defaults can come from rtopo.ini in the current folder; flags win.

Without --fast every node keeps Redis 7.0's own timings, so failovers take what they take in production. --fast is for test suites: down-after ${FAST_DOWN_AFTER_MS} ms and failover-timeout ${FAST_FAILOVER_TIMEOUT_MS} ms unless given, SENTINEL DEBUG ${Object.entries(FAST_SENTINEL_DEBUG).map(([k, v]) => `${k} ${v}`).join(', ')} on every sentinel as it starts, and repl-diskless-sync-delay 0 on every server (a rejoining replica syncs at once). A failover then takes about a second; Redis still polls the replicas once a second while a failover runs, which no setting changes. Production timings differ: measure those without --fast.`
  static override examples = [
    '<%= config.bin %> up --masters 1 --replicas 2 --sentinels 3',
    '<%= config.bin %> up --replicas 2 --chain --engine redis',
    '<%= config.bin %> up --sentinels 3 --down-after 1000 --password secret',
    '<%= config.bin %> up --fast --port 7000 --sentinel-port 27000',
  ]

  static override flags = {
    dir: dirFlag,
    masters: Flags.integer({description: 'number of masters (each one a group) [default: 1]', min: 1}),
    replicas: Flags.integer({description: 'replicas per master [default: 2]', min: 0}),
    sentinels: Flags.integer({description: 'number of sentinels, each watching every group [default: 3]', min: 0}),
    port: Flags.integer({description: 'first server port; servers count up from it [default: 6379]', min: 1, max: 65535}),
    'sentinel-port': Flags.integer({description: 'first sentinel port [default: 26379]', min: 1, max: 65535}),
    quorum: Flags.integer({description: 'sentinels that must agree the master is down [default: a majority]', min: 1}),
    'down-after': Flags.integer({description: 'sentinel down-after-milliseconds [default: 5000]', min: 1}),
    'failover-timeout': Flags.integer({description: 'sentinel failover-timeout in ms [default: 60000]', min: 1}),
    'parallel-syncs': Flags.integer({description: 'sentinel parallel-syncs [default: 1]', min: 1}),
    'min-replicas-to-write': Flags.integer({description: 'min-replicas-to-write of every server: a master refuses writes (NOREPLICAS) with fewer replicas lagging at most --min-replicas-max-lag [default: 0, off]', min: 0}),
    'min-replicas-max-lag': Flags.integer({description: 'min-replicas-max-lag of every server, in seconds [default: 10]', min: 0}),
    password: Flags.string({description: 'one password for requirepass, masterauth and sentinel auth-pass'}),
    engine: Flags.string({description: 'bundled (rtopo-server) or redis (redis-server from PATH) [default: bundled]', options: ['bundled', 'redis']}),
    'sentinel-engine': Flags.string({description: 'engine of the sentinels when it differs from --engine, e.g. redis sentinels watching bundled servers', options: ['bundled', 'redis']}),
    'redis-bin': Flags.string({description: 'folder holding redis-server and redis-sentinel (engine redis)'}),
    chain: Flags.boolean({description: 'wire replicas as a chain: master <- replica-1 <- replica-2'}),
    name: Flags.string({description: 'sentinel master name [default: mymaster]'}),
    templates: Flags.string({description: 'folder with your own redis.conf and sentinel.conf templates'}),
    lab: Flags.boolean({description: 'run behind the failure lab\'s proxy, so that partition and latency can cut or slow single links (each node also gets its own 127.0.0.N source address and listens on its port + --lab-offset)'}),
    fast: Flags.boolean({description: `test-suite timings: failovers in about a second instead of Redis's production timings (see the description)`}),
    'lab-offset': Flags.integer({description: 'with --lab: each node\'s own port is its port plus this [default: 1000]', min: 1, max: 60000}),
  }

  async run(): Promise<UpResult> {
    const {flags} = await this.parse(Up)
    const started = Date.now()
    const existing = readStateSafely(flags.dir)
    if (existing) for (const note of clearStalePidfiles(existing.nodes)) this.log(note)
    if (existing && existing.nodes.some((n) => readPid(n).state === 'running')) {
      this.log(`A topology is already running in ${existing.stateDir}; nothing changed. See rtopo status, or rtopo down first.`)
      return summary(existing, 'already-running', started)
    }
    const plan = this.makePlan(flags)
    for (const kind of new Set(plan.nodes.map((n) => n.kind))) {
      const engineName = engineOf(plan, kind)
      const reason = engineFor(engineName, flags['redis-bin']).unavailable(kind)
      if (reason) throw new RtopoError(`cannot start ${kind}s on the ${engineName} engine: ${reason}`, engineName === 'bundled' ? ['npm run build', 'rtopo up --engine redis …'] : [])
    }
    await this.checkPorts(plan)
    this.renderFiles(plan, flags.templates ?? BUILTIN_TEMPLATES)
    writeState(plan)
    const launched: PlannedNode[] = []
    const launches: Promise<unknown>[] = []
    try {
      await new Listr(upTasks(plan, flags['redis-bin'], launched, launches), {...this.listrOptions(), exitOnError: true}).run()
    } catch (cause) {
      // Nodes of a stage start side by side: let the other launches of the failed stage finish, so that
      // every process this run started is stopped again.
      await Promise.allSettled(launches)
      for (const node of launched.reverse()) await stopNode(node, 3000)
      await stopProxy(plan)
      const tail = cause instanceof NodeStartError ? `\n--- log tail ---\n${cause.logTail}` : ''
      throw new RtopoError(`up failed: ${(cause as Error).message}${tail}`, ['rtopo logs <node> to read a node log', 'every node started by this run was stopped again'])
    }
    const result = summary(plan, 'started', started)
    this.printSummary(plan, result.elapsedMs)
    return result
  }

  private makePlan(flags: Awaited<ReturnType<Up['parse']>>['flags'] & Record<string, unknown>): TopologyPlan {
    let ini
    try {
      ini = readIniDefaults()
    } catch (cause) {
      if (cause instanceof IniError) throw new RtopoError(cause.message, ['fix or remove rtopo.ini (rtopo init writes a commented one)'])
      throw cause
    }
    const pick = <T>(flag: T | undefined, fromIni: T | undefined, fallback: T): T => flag ?? fromIni ?? fallback
    const fast = flags.fast || (ini.fast ?? false)
    try {
      return planTopology({
        masters: pick(flags.masters, ini.masters, 1),
        replicas: pick(flags.replicas, ini.replicas, 2),
        sentinels: pick(flags.sentinels, ini.sentinels, 3),
        port: pick(flags.port, ini.port, 6379),
        sentinelPort: pick(flags['sentinel-port'], ini['sentinel-port'], 26379),
        quorum: flags.quorum ?? ini.quorum,
        downAfterMs: pick(flags['down-after'], ini['down-after'], fast ? FAST_DOWN_AFTER_MS : 5000),
        failoverTimeoutMs: pick(flags['failover-timeout'], ini['failover-timeout'], fast ? FAST_FAILOVER_TIMEOUT_MS : 60000),
        parallelSyncs: pick(flags['parallel-syncs'], ini['parallel-syncs'], 1),
        password: flags.password ?? ini.password,
        engine: pick(flags.engine as EngineName | undefined, ini.engine, 'bundled'),
        sentinelEngine: (flags['sentinel-engine'] as EngineName | undefined) ?? ini['sentinel-engine'],
        chain: flags.chain || (ini.chain ?? false),
        name: pick(flags.name, ini.name, 'mymaster'),
        stateDir: flags.dir,
        labOffset: flags.lab ? flags['lab-offset'] ?? 1000 : undefined,
        minReplicasToWrite: flags['min-replicas-to-write'] ?? ini['min-replicas-to-write'],
        minReplicasMaxLag: flags['min-replicas-max-lag'] ?? ini['min-replicas-max-lag'],
        fast,
      })
    } catch (cause) {
      if (cause instanceof PlanError) throw new RtopoError(cause.message, ['rtopo up --help'])
      throw cause
    }
  }

  private async checkPorts(plan: TopologyPlan): Promise<void> {
    for (const node of plan.nodes) {
      for (const [port, what] of [[node.port, node.id], ...(plan.lab ? [[listenPort(plan.lab, node), `${node.id}'s own port under --lab`]] : [])] as [number, string][]) {
        if (!(await isPortFree(port))) {
          const owner = portOwner(port)
          throw new RtopoError(`port ${port} (${what}) is already in use${owner ? ` by ${owner}` : ''}; nothing was started`, await this.portSuggestion(plan))
        }
      }
    }
  }

  /** Other base ports, free now and valid, for every server and every sentinel of the plan. */
  private async portSuggestion(plan: TopologyPlan): Promise<string[]> {
    const servers = plan.nodes.filter((n) => n.kind === 'server')
    const sentinels = plan.nodes.filter((n) => n.kind === 'sentinel')
    const taken = new Set(plan.nodes.map((n) => n.port))
    const serverBase = await freeBaseFrom(Math.min(...servers.map((n) => n.port)) + 100, servers.length, taken)
    if (serverBase === undefined) return []
    const serverPorts = new Set(Array.from({length: servers.length}, (_, i) => serverBase + i))
    const sentinelBase = sentinels.length === 0 ? undefined : await freeBaseFrom(Math.min(...sentinels.map((n) => n.port)) + 100, sentinels.length, new Set([...taken, ...serverPorts]))
    if (sentinels.length > 0 && sentinelBase === undefined) return []
    return [`pick other ports: rtopo up --port ${serverBase}${sentinelBase === undefined ? '' : ` --sentinel-port ${sentinelBase}`}`]
  }

  private renderFiles(plan: TopologyPlan, templatesDir: string): void {
    for (const node of plan.nodes) {
      mkdirSync(node.dir, {recursive: true})
      try {
        writeFileSync(node.conf, `${renderNodeConfig(plan, node, templatesDir)}\n`)
      } catch (cause) {
        if (cause instanceof TemplateError) throw new RtopoError(cause.message, ['check the placeholders of your --templates files'])
        throw cause
      }
    }
  }

  private printSummary(plan: TopologyPlan, elapsedMs: number): void {
    this.log(`\nTopology up in ${(elapsedMs / 1000).toFixed(1)} s on the ${plan.engine} engine${plan.fast ? ' with the --fast timings (not production\'s)' : ''} (state in ${plan.stateDir}).`)
    const auth = plan.password ? ` -a ${plan.password}` : ''
    for (const node of plan.nodes) this.log(`  ${node.id.padEnd(14)} 127.0.0.1:${node.port}${node.replicaOf ? `  (replica of ${node.replicaOf})` : ''}`)
    const master = plan.nodes[0] as PlannedNode
    this.log(`\nConnect:  redis-cli -p ${master.port}${auth}`)
    const sentinel = plan.nodes.find((n) => n.kind === 'sentinel')
    if (sentinel) this.log(`Sentinel: redis-cli -p ${sentinel.port} SENTINEL GET-MASTER-ADDR-BY-NAME ${plan.groups[0]?.name}`)
    this.log('Next:     rtopo status · rtopo kill master · rtopo down')
  }
}

function readStateSafely(dir: string): TopologyPlan | undefined {
  try {
    return readState(dir)
  } catch {
    return undefined
  }
}

function summary(plan: TopologyPlan, status: UpResult['status'], started: number): UpResult {
  return {
    status, engine: plan.engine, stateDir: plan.stateDir, elapsedMs: Date.now() - started,
    nodes: plan.nodes.map((n) => ({id: n.id, kind: n.kind, port: n.port})),
  }
}

/** The stages of up; within a stage (masters, replicas, sentinels) the nodes start side by side. */
function upTasks(plan: TopologyPlan, redisBin: string | undefined, launched: PlannedNode[], launches: Promise<unknown>[]) {
  const servers = plan.nodes.filter((n) => n.kind === 'server')
  const masters = servers.filter((n) => n.replicaOf === undefined)
  const replicas = servers.filter((n) => n.replicaOf !== undefined)
  const sentinels = plan.nodes.filter((n) => n.kind === 'sentinel')
  const start = (node: PlannedNode) => ({
    title: `start ${node.id} on port ${node.port}`,
    task: async (_: unknown, task: {output: string}) => {
      const launch = launchNode(engineForNode(plan, node, redisBin), node, node.kind === 'server' ? plan.password : undefined)
      launches.push(launch)
      const pid = await launch
      launched.push(node)
      await applyFastProfile(plan, node)
      task.output = `pid ${pid}`
    },
  })
  return [
    ...(plan.lab ? [{
      title: 'start the lab proxy',
      task: async (_: unknown, task: {title: string}) => {
        const pid = await launchProxy(plan)
        task.title = `lab proxy on ports ${Math.min(...plan.nodes.map((n) => n.port))}…${Math.max(...plan.nodes.map((n) => n.port))} (pid ${pid})`
      },
    }] : []),
    {title: 'start masters', task: (_: unknown, task: {newListr: (t: unknown[], o?: unknown) => unknown}) => task.newListr(masters.map(start), {concurrent: true})},
    ...(replicas.length === 0 ? [] : [
      {title: 'start replicas', task: (_: unknown, task: {newListr: (t: unknown[], o?: unknown) => unknown}) => task.newListr(replicas.map(start), {concurrent: true})},
      {title: 'wait for every replica link to be up', task: () => Promise.all(replicas.map((r) => waitUntil(() => replicaLinked(plan, r), 30_000, `${r.id} master_link_status:up`)))},
      ...(plan.minReplicasToWrite ? [{title: `wait until every master counts ${plan.minReplicasToWrite} good replica(s)`, task: () => Promise.all(masters.map((m) => waitUntil(() => masterTakesWrites(plan, m), 30_000, `${m.id} min_slaves_good_slaves:${plan.minReplicasToWrite}`)))}] : []),
    ]),
    ...(sentinels.length === 0 ? [] : [
      {title: 'start sentinels', task: (_: unknown, task: {newListr: (t: unknown[], o?: unknown) => unknown}) => task.newListr(sentinels.map(start), {concurrent: true})},
      {title: 'wait until every sentinel sees all replicas and sentinels', task: () => Promise.all(sentinels.map((s) => waitUntil(() => sentinelReady(plan, s), 60_000, `${s.id} to discover the topology`)))},
    ]),
  ] as never
}
