// Node selectors: master (the CURRENT master, observed), replica / replica-N, sentinel / sentinel-N, a node id
// (master-1, replica-1-2) or a port number. `all` selects every node. Network faults also take sets of
// endpoints (selectEndpoints): sentinels, replicas, servers, clients and comma-separated lists.

import {currentMaster, serverStatus} from './inspect.js'
import type {PlannedNode, TopologyPlan} from './plan.js'

export class SelectorError extends Error {
  override readonly name = 'SelectorError'
}

export async function selectNodes(plan: TopologyPlan, selector: string, group?: string): Promise<PlannedNode[]> {
  const groups = group ? plan.groups.filter((g) => g.name === group) : plan.groups
  if (group && groups.length === 0) throw new SelectorError(`no group '${group}' (groups: ${plan.groups.map((g) => g.name).join(', ')})`)
  if (!group && plan.groups.length > 1 && (selector === 'master' || selector === 'replica')) {
    throw new SelectorError(`there are ${plan.groups.length} groups; say which with --group (${plan.groups.map((g) => g.name).join(', ')})`)
  }
  if (selector === 'all') return [...plan.nodes]
  if (/^\d+$/.test(selector)) {
    const byPort = plan.nodes.find((n) => n.port === Number(selector))
    if (!byPort) throw new SelectorError(`no node on port ${selector}`)
    return [byPort]
  }
  const byId = plan.nodes.find((n) => n.id === selector)
  if (byId) return [byId]
  const groupName = (groups[0] as {name: string}).name
  if (selector === 'master') {
    const master = await currentMaster(plan, groupName)
    if (!master) throw new SelectorError(`no live master found for ${groupName} (is the topology running? see rtopo status)`)
    return [master]
  }
  if (selector === 'replica') {
    for (const node of plan.nodes.filter((n) => n.kind === 'server' && n.group === groupName)) {
      if ((await serverStatus(node.port, plan.password))?.role === 'slave') return [node]
    }
    throw new SelectorError(`no live replica found in ${groupName}`)
  }
  if (selector === 'sentinel') {
    const first = plan.nodes.find((n) => n.kind === 'sentinel')
    if (!first) throw new SelectorError('this topology has no sentinels')
    return [first]
  }
  throw new SelectorError(`unknown node '${selector}': use master, replica, replica-N, sentinel, sentinel-N, a node id or a port (${plan.nodes.map((n) => `${n.id}:${n.port}`).join(', ')})`)
}

/** The endpoint that stands for the application's connections in network faults. */
export const CLIENTS_ENDPOINT = 'clients'

/**
 * Network-fault endpoints: every selector above, plus `sentinels`, `replicas` (the servers of the group that are
 * not its current master), `servers`, `clients` and `all` (every node and the clients). Each argument may be a
 * comma-separated list. Returns node ids (and `clients`), without duplicates, in plan order.
 */
export async function selectEndpoints(plan: TopologyPlan, selectors: readonly string[], group?: string): Promise<string[]> {
  const chosen = new Set<string>()
  for (const selector of selectors.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '')) {
    if (selector === CLIENTS_ENDPOINT) {
      chosen.add(CLIENTS_ENDPOINT)
      continue
    }
    if (selector === 'all') {
      for (const n of plan.nodes) chosen.add(n.id)
      chosen.add(CLIENTS_ENDPOINT)
      continue
    }
    if (selector === 'sentinels' || selector === 'servers') {
      for (const n of plan.nodes.filter((x) => x.kind === (selector === 'sentinels' ? 'sentinel' : 'server'))) chosen.add(n.id)
      continue
    }
    if (selector === 'replicas') {
      const groups = group ? [group] : plan.groups.map((g) => g.name)
      for (const name of groups) {
        const master = await currentMaster(plan, name)
        for (const n of plan.nodes.filter((x) => x.kind === 'server' && x.group === name && x.id !== master?.id)) chosen.add(n.id)
      }
      continue
    }
    for (const n of await selectNodes(plan, selector, group)) chosen.add(n.id)
  }
  const order = [...plan.nodes.map((n) => n.id), CLIENTS_ENDPOINT]
  return order.filter((id) => chosen.has(id))
}
