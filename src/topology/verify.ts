// Convergence check behind `rtopo verify`: per group exactly one master, which every sentinel names at one
// epoch; every other server its linked replica with the master's offset reached; one DEBUG DIGEST across them;
// and no node stopped, unreachable or paused, and (under --lab) no partition or latency in force. Everything is observed live; the plan only says which nodes
// belong to which group.

import type {Redis} from 'ioredis'
import {describeRule} from '../proxy/rules.js'
import {request} from '../supervisor/lab-proxy.js'
import {isPaused, readPid} from '../supervisor/process.js'
import {fieldsOf, parseInfo, withNode} from './inspect.js'
import type {PlannedNode, TopologyPlan} from './plan.js'

export interface VerifyProblem {
  group?: string
  node?: string
  message: string
}

export interface GroupVerdict {
  name: string
  master?: {id: string; port: number}
  epoch?: number
  offset?: number
  digest?: string
  replicas: {id: string; port: number; offset: number}[]
  sentinels: number
}

export interface VerifyReport {
  ok: boolean
  groups: GroupVerdict[]
  problems: VerifyProblem[]
}

interface ServerFacts {
  node: PlannedNode
  role: 'master' | 'slave'
  masterPort?: number
  link?: string
  offset: number
}

const info = async (c: Redis): Promise<Record<string, string>> => parseInfo(await c.info('replication'))

/** INFO replication of a server, or why it cannot be read. */
async function serverFacts(plan: TopologyPlan, node: PlannedNode): Promise<ServerFacts | string> {
  const state = readPid(node)
  if (state.state !== 'running') return 'is not running'
  if (isPaused(state.pid)) return `is paused (pid ${state.pid}; rtopo resume ${node.id})`
  const fields = await withNode(node.port, plan.password, info)
  if (!fields) return `does not answer on port ${node.port}`
  const role = fields.role === 'slave' ? 'slave' : 'master'
  return {
    node, role, masterPort: fields.master_port ? Number(fields.master_port) : undefined, link: fields.master_link_status,
    offset: Number(role === 'slave' ? fields.slave_repl_offset : fields.master_repl_offset) || 0,
  }
}

/** DEBUG DIGEST of a server; the error text when the node refuses it (enable-debug-command). */
async function digestOf(plan: TopologyPlan, node: PlannedNode): Promise<{digest?: string; error?: string}> {
  const result = await withNode(node.port, plan.password, async (c) => {
    try {
      return {digest: String(await c.call('DEBUG', 'DIGEST'))}
    } catch (cause) {
      return {error: (cause as Error).message}
    }
  })
  return result ?? {error: 'no answer'}
}

interface SentinelOpinion {
  node: PlannedNode
  port?: number
  epoch?: number
  flags?: string
  error?: string
}

async function sentinelOpinion(node: PlannedNode, group: string): Promise<SentinelOpinion> {
  const state = readPid(node)
  if (state.state !== 'running') return {node, error: 'is not running'}
  if (isPaused(state.pid)) return {node, error: `is paused (pid ${state.pid}; rtopo resume ${node.id})`}
  const view = await withNode(node.port, undefined, async (c) => {
    try {
      const flat = (await c.call('SENTINEL', 'MASTER', group)) as string[]
      const f = fieldsOf(flat)
      return {port: Number(f.port), epoch: Number(f['config-epoch'] ?? 0), flags: f.flags ?? ''}
    } catch (cause) {
      return {error: (cause as Error).message}
    }
  })
  if (!view) return {node, error: `does not answer on port ${node.port}`}
  return {node, ...view}
}

/** One look at the whole topology: the report of what holds and what does not, right now. */
export async function checkConvergence(plan: TopologyPlan): Promise<VerifyReport> {
  const problems: VerifyProblem[] = await networkProblems(plan)
  const groups: GroupVerdict[] = []
  const sentinels = plan.nodes.filter((n) => n.kind === 'sentinel')
  for (const group of plan.groups) {
    const verdict: GroupVerdict = {name: group.name, replicas: [], sentinels: 0}
    groups.push(verdict)
    const say = (message: string, node?: PlannedNode) => problems.push({group: group.name, node: node?.id, message: node ? `${node.id} ${message}` : message})
    const servers = plan.nodes.filter((n) => n.kind === 'server' && n.group === group.name)
    const facts: ServerFacts[] = []
    for (const node of servers) {
      const f = await serverFacts(plan, node)
      if (typeof f === 'string') say(f, node)
      else facts.push(f)
    }
    const masters = facts.filter((f) => f.role === 'master')
    if (masters.length !== 1) {
      say(masters.length === 0 ? 'no server is a master' : `${masters.length} servers are masters: ${masters.map((m) => `${m.node.id} (port ${m.node.port})`).join(', ')}`)
    }
    const master = masters.length === 1 ? (masters[0] as ServerFacts) : undefined
    if (master) verdict.master = {id: master.node.id, port: master.node.port}

    // Sentinels: all name the observed master, at one epoch, with the master not flagged down.
    const opinions = await Promise.all(sentinels.map((s) => sentinelOpinion(s, group.name)))
    const epochs = new Set<number>()
    for (const o of opinions) {
      if (o.error !== undefined) {
        say(o.error, o.node)
        continue
      }
      verdict.sentinels++
      if (o.epoch !== undefined) epochs.add(o.epoch)
      if (master && o.port !== master.node.port) say(`names port ${o.port} as the master, not ${master.node.id} (port ${master.node.port})`, o.node)
      const down = (o.flags ?? '').split(',').filter((f) => ['s_down', 'o_down', 'failover_in_progress'].includes(f))
      if (down.length > 0) say(`flags the master ${down.join(',')}`, o.node)
    }
    if (epochs.size > 1) say(`the sentinels are at different epochs: ${[...epochs].sort((a, b) => a - b).join(', ')}`)
    if (epochs.size === 1) verdict.epoch = [...epochs][0]
    if (!master) continue

    // Replicas: linked to the master, with at least the offset the master had before they were read.
    verdict.offset = master.offset
    for (const f of facts.filter((x) => x !== master)) {
      if (f.role !== 'slave') continue
      const now = await serverFacts(plan, f.node)
      if (typeof now === 'string') {
        say(now, f.node)
        continue
      }
      if (now.masterPort !== master.node.port) say(`replicates from port ${now.masterPort}, not from ${master.node.id} (port ${master.node.port})`, f.node)
      else if (now.link !== 'up') say(`has its master link ${now.link ?? 'down'}`, f.node)
      else if (now.offset < master.offset) say(`is behind: offset ${now.offset} of the master's ${master.offset}`, f.node)
      verdict.replicas.push({id: f.node.id, port: f.node.port, offset: now.offset})
    }

    // Data: the master's digest before and after the replicas' must be one value, and theirs the same.
    const before = await digestOf(plan, master.node)
    if (before.error !== undefined) {
      say(`refuses DEBUG DIGEST (${before.error}); rtopo renders enable-debug-command local, so this node runs an older config`, master.node)
      continue
    }
    const replicaDigests = await Promise.all(verdict.replicas.map(async (r) => ({r, d: await digestOf(plan, servers.find((n) => n.id === r.id) as PlannedNode)})))
    const after = await digestOf(plan, master.node)
    if (after.digest !== before.digest) {
      say('is being written to: its DEBUG DIGEST changed while the replicas were compared', master.node)
      continue
    }
    verdict.digest = before.digest
    for (const {r, d} of replicaDigests) {
      const node = servers.find((n) => n.id === r.id) as PlannedNode
      if (d.error !== undefined) say(`refuses DEBUG DIGEST (${d.error})`, node)
      else if (d.digest !== before.digest) say(`holds other data: DEBUG DIGEST ${d.digest} where the master has ${before.digest}`, node)
    }
  }
  return {ok: problems.length === 0, groups, problems}
}

/** Under --lab: a rule in force is a fault, and a proxy that does not answer cuts every link. */
async function networkProblems(plan: TopologyPlan): Promise<VerifyProblem[]> {
  if (!plan.lab) return []
  try {
    const {rules = []} = await request(plan, {op: 'list'})
    return rules.map((r) => ({message: `a network fault is in force: ${describeRule(r)} (rtopo heal)`}))
  } catch (cause) {
    return [{message: `${(cause as Error).message}: no node can reach another through it`}]
  }
}

/** Polls checkConvergence until it holds or timeoutMs passes; returns the last report. */
export async function verifyTopology(plan: TopologyPlan, timeoutMs: number, intervalMs = 250): Promise<VerifyReport> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const report = await checkConvergence(plan)
    if (report.ok || Date.now() >= deadline) return report
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))))
  }
}
