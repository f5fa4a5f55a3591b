// Health checks used while bringing a topology up and by `status`: replica links and sentinel discovery.

import type {PlannedNode, TopologyPlan} from './plan.js'
import {sentinelView, serverStatus} from './inspect.js'

export async function replicaLinked(plan: TopologyPlan, node: PlannedNode): Promise<boolean> {
  const status = await serverStatus(node.port, plan.password)
  return status?.role === 'slave' && status.linkStatus === 'up'
}

/**
 * With min-replicas-to-write on, a master takes writes only once it counts enough good replicas, which it
 * learns from their REPLCONF ACKs a moment after the links come up. True at once when the setting is off or
 * when the master has too few replicas to ever reach it (it then refuses writes, as configured).
 */
export async function masterTakesWrites(plan: TopologyPlan, node: PlannedNode): Promise<boolean> {
  const needed = plan.minReplicasToWrite ?? 0
  const replicas = plan.nodes.filter((n) => n.kind === 'server' && n.replicaOf === node.id).length
  if (needed === 0 || plan.minReplicasMaxLag === 0 || replicas < needed) return true
  const status = await serverStatus(node.port, plan.password)
  return status !== undefined && (status.goodReplicas === undefined || status.goodReplicas >= needed)
}

/** A sentinel is ready when it sees, for every group, all planned replicas and all other sentinels. */
export async function sentinelReady(plan: TopologyPlan, node: PlannedNode): Promise<boolean> {
  const view = await sentinelView(node.port, plan.password)
  if (view === undefined) return false
  const sentinels = plan.nodes.filter((n) => n.kind === 'sentinel').length
  return plan.groups.every((group) => {
    const entry = view.find((v) => v.group === group.name)
    const replicas = plan.nodes.filter((n) => n.kind === 'server' && n.group === group.name && n.id !== group.master).length
    return entry !== undefined && entry.replicas >= replicas && entry.sentinels >= sentinels - 1
  })
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
