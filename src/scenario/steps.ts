// The step table: one entry per step kind, with its options (checked when the file is parsed) and its executor.
// Topology steps run the built CLI (`rtopo <command> … --json --dir <dir>`) and read its JSON result or error;
// wait-for, sleep, load and assert run in the runner's own process.

import {writeReport} from '../lab/report/index.js'
import type {AuditReport, ClientLibrary, FaultMark, ReadFrom, WorkloadOptions} from '../lab/types.js'
import {DEFAULT_WORKLOAD, startWorkload, type Workload} from '../lab/workload.js'
import {readPid} from '../supervisor/process.js'
import {currentMaster, serverStatus} from '../topology/inspect.js'
import type {PlannedNode, TopologyPlan} from '../topology/plan.js'
import {selectNodes} from '../topology/selectors.js'
import {readState} from '../topology/state-file.js'
import type {SentinelEvents} from './events.js'
import {evaluate, ExprError, type Expr} from './expr.js'
import {lookupField, MissingValue, type Facts} from './fields.js'

export type OptionType = 'int' | 'string' | 'bool' | 'node' | 'nodes' | 'rate' | 'mix' | 'expr' | {enum: readonly string[]}

export interface OptionSpec {
  type: OptionType
  description: string
  required?: boolean
  min?: number
  max?: number
  /** A boolean the CLI takes as --no-<name> when false. */
  negatable?: boolean
  /** Not a flag of the CLI command (the runner uses it itself). */
  local?: boolean
}

/** What a step needs from the runner. */
export interface StepContext {
  readonly dir: string
  readonly facts: Facts
  /** Aborted on Ctrl-C / SIGTERM: waits end at once, a running CLI command is stopped. */
  readonly signal: AbortSignal
  /** `rtopo <args> --json --dir <dir>`: the parsed JSON result, or a StepFailure with the CLI's error. */
  cli(args: string[]): Promise<unknown>
  /** The topology recorded in the dir; a StepFailure when there is none. */
  plan(): TopologyPlan
  events(): SentinelEvents | undefined
  workload: Workload | undefined
  /** up is about to start nodes: from now on the run tears the topology down at its end. */
  topologyStarting(): void
  /** up succeeded: start watching the sentinels. */
  topologyUp(): Promise<void>
  /** down succeeded: nothing to tear down any more. */
  topologyDown(): void
  /** A live line under the step. */
  output(line: string): void
}

export interface StepOutcome {
  /** One line for the live view and the report. */
  summary: string
  /** The CLI's JSON result, the audit report … (in --json). */
  data?: unknown
}

/** A step that failed: the message is the testcase's failure message, details its body. */
export class StepFailure extends Error {
  override readonly name = 'StepFailure'
  constructor(message: string, readonly details?: string, readonly data?: unknown) {
    super(message)
  }
}

export interface StepSpec {
  kind: string
  summary: string
  /** The option a scalar value sets (`- kill: master`). */
  positional?: string
  options: Record<string, OptionSpec>
  /** Set for step kinds this version cannot run: the parse error's text. */
  unavailable?: string
  /** A rule over the whole options map; returns the problem. */
  check?(options: Record<string, unknown>): string | undefined
  execute(options: Record<string, unknown>, ctx: StepContext, expr?: Expr): Promise<StepOutcome>
}

/** Checks one option value against its type; returns the value as the executor takes it. */
export function checkOption(name: string, spec: OptionSpec, value: unknown): {value?: unknown; error?: string} {
  const bad = (what: string): {error: string} => ({error: `option '${name}' must be ${what}, got ${JSON.stringify(value)}`})
  const type = spec.type
  if (value === null || value === undefined) return bad('given a value')
  if (typeof type === 'object') return typeof value === 'string' && type.enum.includes(value) ? {value} : bad(`one of ${type.enum.join(', ')}`)
  switch (type) {
    case 'int': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad('a whole number')
      if (spec.min !== undefined && value < spec.min) return bad(`at least ${spec.min}`)
      if (spec.max !== undefined && value > spec.max) return bad(`at most ${spec.max}`)
      return {value}
    }
    case 'bool':
      return typeof value === 'boolean' ? {value} : bad('true or false')
    case 'string':
    case 'expr':
      return typeof value === 'string' && value.trim() !== '' ? {value} : bad('a non-empty string')
    case 'node':
      return (typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isInteger(value)) ? {value: String(value)} : bad('a node (master, replica-N, sentinel-N, a node id or a port)')
    case 'nodes': {
      const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',').map((s) => s.trim()) : [value]
      if (list.length === 0 || !list.every((v) => (typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isInteger(v)))) return bad('a node selector or a list of them')
      return {value: list.map(String)}
    }
    case 'rate':
      if (value === 'max') return {value}
      return typeof value === 'number' && value > 0 ? {value} : bad("a positive number of operations per second, or 'max'")
    case 'mix': {
      if (typeof value === 'object' && !Array.isArray(value)) {
        const {set = 0, get = 0, ...rest} = value as Record<string, unknown>
        if (Object.keys(rest).length > 0 || typeof set !== 'number' || typeof get !== 'number' || set < 0 || get < 0 || set + get <= 0) return bad('{set: N, get: N} weights (not both 0)')
        return {value: {set, get}}
      }
      const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(value.trim()) : null
      if (!match || Number(match[1]) + Number(match[2]) <= 0) return bad("set:get weights such as '80:20' or {set: 80, get: 20}")
      return {value: {set: Number(match[1]), get: Number(match[2])}}
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Topology steps: the CLI.

const group: OptionSpec = {type: 'string', description: 'group (master name) when there are several masters'}
const followWait: OptionSpec = {type: 'bool', negatable: true, description: 'follow the failover (default true)'}
const followTimeout: OptionSpec = {type: 'int', min: 1, description: 'how long to follow it, in ms'}

/** The CLI arguments of a step: positional values first, then the flags in the table's order. */
export function cliArgs(spec: StepSpec, options: Record<string, unknown>, override: Record<string, unknown> = {}): string[] {
  const values = {...options, ...override}
  const args: string[] = []
  const positional = spec.positional && values[spec.positional] !== undefined ? values[spec.positional] : undefined
  if (positional !== undefined) args.push(...(Array.isArray(positional) ? positional.map(String) : [String(positional)]))
  for (const [name, option] of Object.entries(spec.options)) {
    const value = values[name]
    if (name === spec.positional || option.local || value === undefined) continue
    if (option.type === 'bool') {
      if (value === true) args.push(`--${name}`)
      else if (option.negatable) args.push(`--no-${name}`)
    } else if (Array.isArray(value)) {
      for (const v of value) args.push(`--${name}`, String(v))
    } else {
      args.push(`--${name}`, String(value))
    }
  }
  return args
}

interface FailoverOutcome {
  newMaster?: {id: string; port: number}
  events: unknown[]
  elapsedMs: number
}

const groupOf = (plan: TopologyPlan, options: Record<string, unknown>): string =>
  (options.group as string | undefined) ?? (plan.groups[0] as {name: string} | undefined)?.name ?? ''

async function resolveOne(plan: TopologyPlan, selector: string, groupName: string | undefined): Promise<PlannedNode> {
  try {
    return (await selectNodes(plan, selector, groupName))[0] as PlannedNode
  } catch (cause) {
    throw new StepFailure((cause as Error).message)
  }
}

/** Marks a fault on the sentinel watch and on a running workload's clock. */
function markFault(ctx: StepContext, kind: FaultMark['kind'], node: PlannedNode | undefined): void {
  ctx.events()?.markFault()
  if (ctx.workload && node) ctx.workload.markFault({kind, node: node.id, port: node.port})
}

/** What a followed failover tells the asserts, and the live line about it. */
function recordFailover(ctx: StepContext, oldMaster: PlannedNode | undefined, failover: FailoverOutcome | undefined): string {
  if (!failover) return ''
  ctx.facts.oldMaster = oldMaster?.id
  ctx.facts.newMaster = failover.newMaster?.id
  ctx.facts.failoverMs = failover.elapsedMs
  ctx.facts.failoverEvents = failover.events.length
  ctx.workload?.markRecovered()
  return failover.newMaster ? `; ${failover.newMaster.id} (port ${failover.newMaster.port}) became master after ${failover.elapsedMs} ms` : ''
}

const upOptions: Record<string, OptionSpec> = {
  masters: {type: 'int', min: 1, description: 'number of masters (each one a group)'},
  replicas: {type: 'int', min: 0, description: 'replicas per master'},
  sentinels: {type: 'int', min: 0, description: 'number of sentinels'},
  port: {type: 'int', min: 1, max: 65535, description: 'first server port'},
  'sentinel-port': {type: 'int', min: 1, max: 65535, description: 'first sentinel port'},
  quorum: {type: 'int', min: 1, description: 'sentinels that must agree the master is down'},
  'down-after': {type: 'int', min: 1, description: 'sentinel down-after-milliseconds'},
  'failover-timeout': {type: 'int', min: 1, description: 'sentinel failover-timeout in ms'},
  'parallel-syncs': {type: 'int', min: 1, description: 'sentinel parallel-syncs'},
  password: {type: 'string', description: 'requirepass, masterauth and sentinel auth-pass'},
  engine: {type: {enum: ['bundled', 'redis']}, description: 'bundled or redis'},
  'sentinel-engine': {type: {enum: ['bundled', 'redis']}, description: 'engine of the sentinels when it differs'},
  'redis-bin': {type: 'string', description: 'folder holding redis-server and redis-sentinel'},
  chain: {type: 'bool', description: 'wire replicas as a chain'},
  name: {type: 'string', description: 'sentinel master name'},
  templates: {type: 'string', description: 'folder with your own templates'},
  lab: {type: 'bool', description: 'run behind the lab proxy (needed by partition and latency)'},
  'lab-offset': {type: 'int', min: 1, max: 60000, description: "with lab: each node's own port is its port plus this"},
  fast: {type: 'bool', description: "test-suite timings (rtopo up --fast): failovers in about a second, not production's"},
}

interface UpResult {
  status: 'started' | 'already-running'
  engine: string
  elapsedMs: number
  nodes: {id: string; kind: string; port: number}[]
}

const up: StepSpec = {
  kind: 'up',
  summary: 'start a fresh topology (the options are the flags of rtopo up)',
  options: upOptions,
  async execute(options, ctx) {
    let existing: TopologyPlan | undefined
    try {
      existing = readState(ctx.dir)
    } catch (cause) {
      throw new StepFailure(`the state in ${ctx.dir} is broken: ${(cause as Error).message}`, `remove it: rtopo down --purge --dir ${ctx.dir}`)
    }
    if (existing?.nodes.some((n) => readPid(n).state === 'running')) {
      throw new StepFailure(`a topology is already running in ${ctx.dir}; a scenario starts its own`, `stop it first (rtopo down --dir ${ctx.dir}), or run the scenario with another --dir`)
    }
    if (existing) {
      // A stopped topology left by an earlier run: its data files would be loaded again. Start from nothing.
      await ctx.cli(['down', '--purge'])
      ctx.output(`removed the stopped topology left in ${ctx.dir}`)
    }
    ctx.topologyStarting()
    const result = (await ctx.cli(['up', ...cliArgs(up, options)])) as UpResult
    if (result.status !== 'started') throw new StepFailure(`a topology is already running in ${ctx.dir}`, undefined, result)
    await ctx.topologyUp()
    const ports = (kind: string) => result.nodes.filter((n) => n.kind === kind).map((n) => n.port)
    const range = (p: number[]) => (p.length === 0 ? '' : p.length === 1 ? `${p[0]}` : `${Math.min(...p)}–${Math.max(...p)}`)
    const sentinelPorts = ports('sentinel')
    return {summary: `${result.nodes.length} nodes up on the ${result.engine} engine (ports ${range(ports('server'))}${sentinelPorts.length ? `, ${range(sentinelPorts)}` : ''})`, data: result}
  },
}

const down: StepSpec = {
  kind: 'down',
  summary: 'stop every node (the run does it anyway at its end when it started the topology)',
  options: {purge: {type: 'bool', description: 'also remove the state directory'}},
  async execute(options, ctx) {
    const result = (await ctx.cli(['down', ...cliArgs(down, options)])) as {stopped: string[]}
    ctx.topologyDown()
    return {summary: `stopped ${result.stopped.length} node(s)${options.purge ? ', state removed' : ''}`, data: result}
  },
}

/**
 * The body of the node faults (kill, pause): resolve the node, mark the fault, run the CLI command, and when it
 * hit the master record the failover it caused.
 */
async function nodeFault<R extends {failover?: FailoverOutcome}>(spec: StepSpec, kind: 'kill' | 'pause', options: Record<string, unknown>, ctx: StepContext): Promise<{target: PlannedNode; result: R; followed: string}> {
  const plan = ctx.plan()
  const target = await resolveOne(plan, options.node as string, options.group as string | undefined)
  const master = target.kind === 'server' ? await currentMaster(plan, target.group ?? groupOf(plan, options)) : undefined
  markFault(ctx, kind, target)
  const result = (await ctx.cli([kind, ...cliArgs(spec, options, {node: target.id})])) as R
  if (master?.id === target.id) {
    ctx.facts.oldMaster = target.id
    ctx.facts.newMaster = undefined
    ctx.facts.failoverMs = undefined
  }
  return {target, result, followed: recordFailover(ctx, master, result.failover)}
}

interface KillResult {
  killed: {id: string; port: number; pid: number; signal: string}
  failover?: FailoverOutcome
}

const kill: StepSpec = {
  kind: 'kill',
  summary: 'send a signal to a node (SIGKILL by default); killing the master follows the failover',
  positional: 'node',
  options: {
    node: {type: 'node', required: true, description: 'master, replica-N, sentinel-N, a node id or a port'},
    signal: {type: 'string', description: 'signal to send (KILL, TERM …)'},
    wait: followWait,
    timeout: followTimeout,
    group,
  },
  async execute(options, ctx) {
    const {result, followed} = await nodeFault<KillResult>(kill, 'kill', options, ctx)
    ctx.facts.killed = result.killed.id
    return {summary: `${result.killed.signal} to ${result.killed.id} (port ${result.killed.port})${followed}`, data: result}
  },
}

interface PauseResult {
  paused: {id: string; port: number; pid: number}
  failover?: FailoverOutcome
}

const pause: StepSpec = {
  kind: 'pause',
  summary: 'freeze a node (SIGSTOP); pausing the master follows the failover',
  positional: 'node',
  options: {
    node: {type: 'node', required: true, description: 'which node (the selectors of kill)'},
    for: {type: 'int', min: 1, max: 86_400_000, description: 'resume by itself after this many ms'},
    wait: followWait,
    timeout: followTimeout,
    group,
  },
  async execute(options, ctx) {
    const {result, followed} = await nodeFault<PauseResult>(pause, 'pause', options, ctx)
    ctx.facts.paused = result.paused.id
    return {summary: `paused ${result.paused.id} (port ${result.paused.port})${options.for ? ` for ${options.for} ms` : ''}${followed}`, data: result}
  },
}

const resume: StepSpec = {
  kind: 'resume',
  summary: 'continue a paused node (SIGCONT); a replaced old master is followed until it is a replica',
  positional: 'node',
  options: {node: {type: 'node', required: true, description: 'which node'}, wait: {type: 'bool', negatable: true, description: 'wait until a replaced old master rejoins'}, timeout: followTimeout, group},
  async execute(options, ctx) {
    const result = (await ctx.cli(['resume', ...cliArgs(resume, options)])) as {resumed: {id: string; pausedMs: number}; role?: string}
    return {summary: `resumed ${result.resumed.id} after ${result.resumed.pausedMs} ms${result.role ? ` (role ${result.role})` : ''}`, data: result}
  },
}

const start: StepSpec = {
  kind: 'start',
  summary: 'restart stopped nodes; an old master is followed until it is a replica',
  positional: 'node',
  options: {node: {type: 'node', required: true, description: 'node id, port, or all'}, group, 'redis-bin': {type: 'string', description: 'folder holding redis-server (engine redis)'}},
  async execute(options, ctx) {
    const result = (await ctx.cli(['start', ...cliArgs(start, options)])) as {started: {id: string; role?: string}[]}
    return {summary: result.started.length === 0 ? 'already running' : `started ${result.started.map((s) => `${s.id}${s.role ? ` (${s.role})` : ''}`).join(', ')}`, data: result}
  },
}

const stop: StepSpec = {
  kind: 'stop',
  summary: 'stop nodes gracefully (SIGTERM, then SIGKILL after a deadline)',
  positional: 'node',
  options: {node: {type: 'node', required: true, description: 'node selector or all'}, group},
  async execute(options, ctx) {
    const plan = ctx.plan()
    markFault(ctx, 'kill', options.node === 'all' ? undefined : await resolveOne(plan, options.node as string, options.group as string | undefined))
    const result = (await ctx.cli(['stop', ...cliArgs(stop, options)])) as {stopped: string[]}
    return {summary: result.stopped.length === 0 ? 'nothing was running' : `stopped ${result.stopped.join(', ')}`, data: result}
  },
}

interface FailoverResult {
  oldMaster: {id: string; port: number}
  newMaster?: {id: string; port: number}
  mode: string
  failover?: FailoverOutcome
  elapsedMs: number
}

const failover: StepSpec = {
  kind: 'failover',
  summary: 'planned switchover, through the sentinels or coordinated (FAILOVER)',
  positional: 'to',
  options: {
    to: {type: 'node', description: 'the replica to promote'},
    coordinated: {type: 'bool', description: "use the master's FAILOVER command"},
    'sync-timeout': {type: 'int', min: 1, description: 'with coordinated: how long writes stay paused waiting for the target'},
    force: {type: 'bool', description: 'with coordinated: promote even if the target has not caught up'},
    timeout: followTimeout,
    group,
  },
  async execute(options, ctx) {
    const plan = ctx.plan()
    const master = await currentMaster(plan, groupOf(plan, options))
    markFault(ctx, 'failover', master)
    const result = (await ctx.cli(['failover', ...cliArgs(failover, options)])) as FailoverResult
    ctx.facts.oldMaster = result.oldMaster.id
    ctx.facts.newMaster = result.newMaster?.id
    ctx.facts.failoverMs = result.failover?.elapsedMs ?? result.elapsedMs
    ctx.facts.failoverEvents = result.failover?.events.length
    ctx.workload?.markRecovered()
    return {summary: `${result.mode} switchover from ${result.oldMaster.id} to ${result.newMaster?.id ?? '?'} in ${result.elapsedMs} ms`, data: result}
  },
}

const verify: StepSpec = {
  kind: 'verify',
  summary: 'wait until the topology converged (one master, sentinels agree, replicas caught up, same digest)',
  options: {timeout: {type: 'int', min: 0, description: 'how long to wait for convergence, in ms'}},
  async execute(options, ctx) {
    const report = (await ctx.cli(['verify', ...cliArgs(verify, options)])) as {groups: {name: string; master?: {id: string}; replicas: unknown[]}[]}
    return {summary: report.groups.map((g) => `${g.name}: ${g.master?.id} master, ${g.replicas.length} replica(s) caught up`).join('; '), data: report}
  },
}

const from: OptionSpec = {type: 'nodes', description: 'the other side (default: every other node and the clients)'}

const partition: StepSpec = {
  kind: 'partition',
  summary: 'cut the links between some nodes and the rest (needs up with lab: true)',
  positional: 'nodes',
  options: {
    nodes: {type: 'nodes', required: true, description: 'the nodes on one side'},
    from,
    oneway: {type: 'bool', description: 'cut only the connections opened from the from side'},
    mode: {type: {enum: ['cut', 'reset', 'blackhole']}, description: 'how the links are cut'},
    for: {type: 'int', min: 1, max: 86_400_000, description: 'heal by itself after this many ms'},
    wait: followWait,
    timeout: followTimeout,
    group,
  },
  async execute(options, ctx) {
    const plan = ctx.plan()
    const master = await currentMaster(plan, groupOf(plan, options))
    markFault(ctx, 'partition', master)
    const result = (await ctx.cli(['partition', ...cliArgs(partition, options)])) as {failover?: FailoverOutcome}
    const followed = recordFailover(ctx, master, result.failover)
    return {summary: `cut ${(options.nodes as string[]).join(', ')}${options.from ? ` from ${(options.from as string[]).join(', ')}` : ''}${followed}`, data: result}
  },
}

const latency: StepSpec = {
  kind: 'latency',
  summary: 'slow the links between some nodes and the rest (needs up with lab: true)',
  positional: 'nodes',
  options: {
    nodes: {type: 'nodes', required: true, description: 'the nodes on one side'},
    ms: {type: 'int', min: 0, required: true, local: true, description: 'the delay in ms, each way'},
    from,
    jitter: {type: 'int', min: 0, description: 'up to this many ms more, at random'},
    oneway: {type: 'bool', description: 'delay only what the from side sends'},
    for: {type: 'int', min: 1, max: 86_400_000, description: 'end by itself after this many ms'},
    group,
  },
  async execute(options, ctx) {
    const plan = ctx.plan()
    markFault(ctx, 'latency', await currentMaster(plan, groupOf(plan, options)))
    const args = cliArgs(latency, options)
    const nodes = options.nodes as string[]
    const result = await ctx.cli(['latency', ...nodes, String(options.ms), ...args.slice(nodes.length)])
    return {summary: `${options.ms} ms added on ${nodes.join(', ')}`, data: result}
  },
}

const heal: StepSpec = {
  kind: 'heal',
  summary: 'end partitions and added latency (all, or those touching the given nodes)',
  positional: 'nodes',
  options: {nodes: {type: 'nodes', description: 'only the faults touching these nodes'}, wait: {type: 'bool', negatable: true, description: 'wait until a replaced old master rejoins'}, timeout: followTimeout, group},
  async execute(options, ctx) {
    const result = (await ctx.cli(['heal', ...cliArgs(heal, options)])) as {healed: unknown[]}
    return {summary: `healed ${result.healed.length} fault(s)`, data: result}
  },
}

// ---------------------------------------------------------------------------------------------------------
// Steps run in the runner's process.

/** Waits ms; an aborted signal ends the wait with a StepFailure. */
const sleepMs = (ms: number, signal?: AbortSignal): Promise<void> => new Promise((resolve, reject) => {
  if (signal?.aborted) return reject(new StepFailure('interrupted'))
  const timer = setTimeout(() => {
    signal?.removeEventListener('abort', onAbort)
    resolve()
  }, ms)
  const onAbort = (): void => {
    clearTimeout(timer)
    reject(new StepFailure('interrupted'))
  }
  signal?.addEventListener('abort', onAbort, {once: true})
})

async function poll<T>(what: string, timeoutMs: number, signal: AbortSignal, probe: () => Promise<T | undefined>, last: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new StepFailure(`${what} not reached within ${timeoutMs} ms (${last()})`)
    await sleepMs(100, signal)
  }
}

const waitFor: StepSpec = {
  kind: 'wait-for',
  summary: 'wait for a sentinel event (since the last fault step), a role, or a replica link state',
  positional: 'event',
  options: {
    event: {type: 'string', description: 'a sentinel event, e.g. +switch-master or +odown'},
    node: {type: 'node', description: 'with role or link: the node (id or port)'},
    role: {type: {enum: ['master', 'replica']}, description: 'the role the node must report'},
    link: {type: {enum: ['up', 'down']}, description: "the replica's master_link_status"},
    timeout: {type: 'int', min: 1, description: 'how long to wait, in ms (default 30000)'},
    group,
  },
  check(o) {
    const kinds = ['event', 'role', 'link'].filter((k) => o[k] !== undefined)
    if (kinds.length !== 1) return `wait-for takes one of event, role or link (got ${kinds.length === 0 ? 'none' : kinds.join(' and ')}), e.g. - wait-for: +switch-master, or - wait-for: {node: replica-1, role: master}`
    if ((o.role !== undefined || o.link !== undefined) && o.node === undefined) return `wait-for ${o.role !== undefined ? 'role' : 'link'} needs node`
    if (o.event !== undefined && o.node !== undefined) return 'wait-for event takes no node (events come from the sentinels)'
    return undefined
  },
  async execute(options, ctx) {
    const timeoutMs = (options.timeout as number | undefined) ?? 30_000
    if (options.event !== undefined) {
      const events = ctx.events()
      if (!events) throw new StepFailure('wait-for an event needs sentinels, and no topology with sentinels was started by this run')
      let found
      try {
        found = await events.waitFor(options.event as string, timeoutMs, options.group as string | undefined, ctx.signal)
      } catch (cause) {
        throw new StepFailure((cause as Error).message)
      }
      if (found.event === '+switch-master') {
        const port = Number(found.message.trim().split(' ').pop())
        const node = ctx.plan().nodes.find((n) => n.port === port)
        if (node) ctx.facts.newMaster = node.id
      }
      return {summary: `${found.event} ${found.message} (sentinel ${found.sentinel})`, data: found}
    }
    const plan = ctx.plan()
    const selector = options.node as string
    if (selector === 'master' || selector === 'replica') throw new StepFailure(`wait-for ${options.role ? 'role' : 'link'} needs a fixed node (an id such as replica-1, or a port), not '${selector}'`)
    const node = await resolveOne(plan, selector, options.group as string | undefined)
    let seen = 'not reachable'
    if (options.role !== undefined) {
      const want = options.role === 'master' ? 'master' : 'slave'
      await poll(`${node.id} role ${options.role}`, timeoutMs, ctx.signal, async () => {
        const s = await serverStatus(node.port, plan.password)
        seen = s ? `last seen: role ${s.role === 'slave' ? 'replica' : 'master'}` : 'not reachable'
        return s?.role === want ? true : undefined
      }, () => seen)
      if (options.role === 'master') ctx.facts.newMaster = node.id
      return {summary: `${node.id} reports role ${options.role}`}
    }
    await poll(`${node.id} link ${options.link}`, timeoutMs, ctx.signal, async () => {
      const s = await serverStatus(node.port, plan.password)
      seen = s ? `last seen: ${s.role === 'slave' ? `master_link_status ${s.linkStatus}` : 'it is a master'}` : 'not reachable'
      return s?.role === 'slave' && s.linkStatus === options.link ? true : undefined
    }, () => seen)
    return {summary: `${node.id} master_link_status:${options.link}`}
  },
}

const sleep: StepSpec = {
  kind: 'sleep',
  summary: 'wait a number of ms (a workload keeps running meanwhile)',
  positional: 'ms',
  options: {ms: {type: 'int', min: 0, required: true, description: 'how long'}},
  async execute(options, ctx) {
    await sleepMs(options.ms as number, ctx.signal)
    return {summary: `slept ${options.ms} ms`}
  },
}

const loadStart: StepSpec = {
  kind: 'load start',
  summary: "start an audited application workload in the runner's process; it runs while the next steps do",
  options: {
    clients: {type: 'int', min: 1, max: 1000, description: `concurrent connections (default ${DEFAULT_WORKLOAD.clients})`},
    rate: {type: 'rate', description: `operations per second over all clients, or max (default ${DEFAULT_WORKLOAD.rate})`},
    mix: {type: 'mix', description: "set:get weights, '80:20' or {set: 80, get: 20} (default writes only)"},
    'read-from': {type: {enum: ['master', 'replicas']}, description: 'where reads go'},
    client: {type: {enum: ['ioredis', 'node-redis']}, description: 'client library, in Sentinel mode'},
    'wait-replicas': {type: 'int', min: 0, description: 'WAIT for this many replicas after each write'},
    'wait-timeout': {type: 'int', min: 1, description: 'WAIT timeout in ms'},
    'op-timeout': {type: 'int', min: 1, description: 'an operation unanswered this long fails'},
    stall: {type: 'int', min: 1, description: 'a write unanswered this long opens an unavailability window'},
    prefix: {type: 'string', description: 'key prefix of this run'},
    duration: {type: 'int', min: 1, description: 'stop writing by itself after this many ms'},
    warmup: {type: 'int', min: 0, description: 'run at least this long (and 20 acknowledged writes) before the next step (default 1000)'},
    group,
  },
  async execute(options, ctx) {
    if (ctx.workload) throw new StepFailure('a workload is already running (load stop first)')
    const plan = ctx.plan()
    const groupName = groupOf(plan, options)
    if (!plan.groups.some((g) => g.name === groupName)) throw new StepFailure(`no group '${groupName}' (groups: ${plan.groups.map((g) => g.name).join(', ')})`)
    const replicas = plan.nodes.filter((n) => n.kind === 'server' && n.group === groupName).length - 1
    const waitReplicas = (options['wait-replicas'] as number | undefined) ?? DEFAULT_WORKLOAD.waitReplicas
    if (waitReplicas > replicas) throw new StepFailure(`wait-replicas ${waitReplicas} can never be reached: ${groupName} has ${replicas} replica(s)`)
    const workloadOptions: WorkloadOptions = {
      ...DEFAULT_WORKLOAD,
      group: groupName,
      ...(options.clients !== undefined ? {clients: options.clients as number} : {}),
      ...(options.rate !== undefined ? {rate: options.rate as number | 'max'} : {}),
      ...(options.mix !== undefined ? {mix: options.mix as {set: number; get: number}} : {}),
      ...(options['read-from'] !== undefined ? {readFrom: options['read-from'] as ReadFrom} : {}),
      ...(options.client !== undefined ? {client: options.client as ClientLibrary} : {}),
      waitReplicas,
      ...(options['wait-timeout'] !== undefined ? {waitTimeoutMs: options['wait-timeout'] as number} : {}),
      ...(options['op-timeout'] !== undefined ? {opTimeoutMs: options['op-timeout'] as number} : {}),
      ...(options.stall !== undefined ? {stallMs: options.stall as number} : {}),
      ...(options.prefix !== undefined ? {keyPrefix: options.prefix as string} : {}),
      ...(options.duration !== undefined ? {durationMs: options.duration as number} : {}),
    }
    let workload: Workload
    try {
      workload = await startWorkload(plan, workloadOptions)
    } catch (cause) {
      throw new StepFailure(`the workload did not start: ${(cause as Error).message}`)
    }
    ctx.workload = workload
    if (!(await workload.waitForSteadyState(20, (options.warmup as number | undefined) ?? 1000, 20_000))) {
      const snapshot = workload.snapshot()
      throw new StepFailure(`the workload did not reach a steady state within 20 s (${snapshot.acknowledged} writes acknowledged${snapshot.lastError ? `, last error: ${snapshot.lastError}` : ''})`)
    }
    const o = workload.options
    return {summary: `${o.clients} ${o.client} client(s) at ${o.rate === 'max' ? 'max' : `${o.rate} op/s`} on ${o.group}${o.waitReplicas > 0 ? `, WAIT ${o.waitReplicas}` : ''} (keys ${workload.keyPrefix}*)`, data: o}
  },
}

const loadStop: StepSpec = {
  kind: 'load stop',
  summary: 'stop the workload, read every acknowledged write back and audit it (the fields of assert)',
  options: {report: {type: 'string', description: 'also write the HTML report (index.html, report.json) into this folder'}},
  async execute(options, ctx) {
    const workload = ctx.workload
    if (!workload) throw new StepFailure("no workload is running ('load start' first)")
    ctx.workload = undefined
    const report: AuditReport = await workload.stop()
    ctx.facts.report = report
    const written = options.report ? await writeReport(options.report as string, report) : undefined
    const w = report.writes
    const ms = (v: number): string => `${Math.round(v * 10) / 10} ms`
    const unavailable = report.unavailable ? `, unavailable ${ms(report.unavailable.durationMs)}` : ''
    return {summary: `${w.acknowledged} of ${w.attempted} writes acknowledged, ${w.lost} lost${unavailable}, p99 ${ms(report.latency.overall.p99Ms)}${written ? `; report in ${written}` : ''}`, data: report}
  },
}

const assert: StepSpec = {
  kind: 'assert',
  summary: 'check fields of the last audit and fault steps: lost_writes == 0 and unavailable_ms < 5000',
  positional: 'expr',
  options: {expr: {type: 'expr', required: true, description: 'the expression'}},
  async execute(options, ctx, expr) {
    const text = options.expr as string
    let result
    try {
      result = evaluate(expr as Expr, text, (name) => lookupField(ctx.facts, name))
    } catch (cause) {
      if (cause instanceof MissingValue || cause instanceof ExprError) throw new StepFailure(`assert ${text}: ${cause.message}`)
      throw cause
    }
    if (!result.ok) throw new StepFailure(`assert failed: ${result.falseParts.join(', ')} (${result.values})`, `expression: ${text}\nvalues: ${result.values}`)
    return {summary: result.values || 'true'}
  },
}

export const STEPS: Record<string, StepSpec> = Object.fromEntries(
  [up, kill, start, stop, pause, resume, failover, verify, partition, heal, latency, waitFor, sleep, loadStart, loadStop, assert, down].map((s) => [s.kind, s]),
)
