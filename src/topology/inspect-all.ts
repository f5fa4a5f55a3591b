// The whole topology's live status (what `rtopo status` shows): per node its process state, observed role,
// link, offset and lag; per sentinel its view of each group; and a one-line verdict.

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
  const problems: string[] = []
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
  return {engine: plan.engine, stateDir: plan.stateDir, healthy, verdict: healthy ? 'healthy' : `degraded: ${problems.join('; ')}`, nodes}
}
