// The whole topology's live status (what `rtopo status` shows): per node its process state, observed role,
// link, offset and lag; per sentinel its view of each group; and a one-line verdict.

import {describeRule} from '../proxy/rules.js'
import {proxyPid, request} from '../supervisor/lab-proxy.js'
import {isPaused, readPid} from '../supervisor/process.js'
import {sentinelView, serverStatus, type SentinelView} from './inspect.js'
import type {TopologyPlan} from './plan.js'

export interface NodeStatus {
  id: string
  kind: 'server' | 'sentinel'
  group?: string
  port: number
  pid?: number
  process: 'running' | 'stopped' | 'paused' | 'unreachable'
  role?: string
  master?: string
  link?: string
  offset?: number
  lag?: number
  connectedReplicas?: number
  sentinel?: SentinelView[]
}

export interface TopologyStatus {
  engine: string
  stateDir: string
  healthy: boolean
  verdict: string
  nodes: NodeStatus[]
  /** The lab proxy of up --lab: its process and the network faults it applies. */
  proxy?: {pid?: number; process: 'running' | 'stopped' | 'unreachable'; faults: string[]}
}

async function proxyStatus(plan: TopologyPlan): Promise<TopologyStatus['proxy']> {
  if (!plan.lab) return undefined
  const pid = proxyPid(plan.lab)
  if (pid === undefined) return {process: 'stopped', faults: []}
  try {
    const {rules = []} = await request(plan, {op: 'list'})
    return {pid, process: 'running', faults: rules.map((r) => describeRule(r))}
  } catch {
    return {pid, process: 'unreachable', faults: []}
  }
}

export async function inspectTopology(plan: TopologyPlan): Promise<TopologyStatus> {
  const nodes: NodeStatus[] = await Promise.all(plan.nodes.map(async (node): Promise<NodeStatus> => {
    const pidState = readPid(node)
    const base = {id: node.id, kind: node.kind, group: node.group, port: node.port}
    if (pidState.state !== 'running') return {...base, process: 'stopped'}
    if (isPaused(pidState.pid)) return {...base, pid: pidState.pid, process: 'paused'}
    if (node.kind === 'sentinel') {
      const view = await sentinelView(node.port, plan.password)
      return {...base, pid: pidState.pid, process: view ? 'running' : 'unreachable', role: 'sentinel', sentinel: view}
    }
    const status = await serverStatus(node.port, plan.password)
    if (!status) return {...base, pid: pidState.pid, process: 'unreachable'}
    return {
      ...base, pid: pidState.pid, process: 'running', role: status.role === 'slave' ? 'replica' : 'master',
      master: status.masterPort ? `${status.masterHost}:${status.masterPort}` : undefined,
      link: status.linkStatus, offset: status.offset, lag: status.lagSeconds, connectedReplicas: status.connectedReplicas,
    }
  }))
  const proxy = await proxyStatus(plan)
  const problems: string[] = []
  if (proxy && proxy.process !== 'running') problems.push(`lab proxy ${proxy.process} (no node can reach another)`)
  for (const fault of proxy?.faults ?? []) problems.push(fault)
  for (const n of nodes) {
    if (n.process !== 'running') problems.push(`${n.id} ${n.process}`)
    else if (n.role === 'replica' && n.link !== 'up') problems.push(`${n.id} link ${n.link ?? 'down'}`)
  }
  for (const group of plan.groups) {
    const masters = nodes.filter((n) => n.group === group.name && n.role === 'master')
    if (masters.length === 0) problems.push(`${group.name} has no master`)
    if (masters.length > 1) problems.push(`${group.name} has ${masters.length} masters (${masters.map((m) => m.id).join(', ')})`)
  }
  const healthy = problems.length === 0
  return {engine: plan.engine, stateDir: plan.stateDir, healthy, verdict: healthy ? 'healthy' : `degraded: ${problems.join('; ')}`, nodes, ...(proxy ? {proxy} : {})}
}
