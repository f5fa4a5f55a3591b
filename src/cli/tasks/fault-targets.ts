// The nodes a node fault (kill, pause) hits: one node, or several at once (a comma list, replicas, sentinels,
// servers, all), and whether the sentinels that are left can fail the master over.

import {RtopoError} from '../errors.js'
import {CLIENTS_ENDPOINT, SelectorError, selectEndpoints} from '../../topology/selectors.js'
import type {PlannedNode, TopologyPlan} from '../../topology/plan.js'
import {isPaused, readPid} from '../../supervisor/process.js'
import {isMasterWithPeers} from './failover-tasks.js'

/** The nodes a selector names, in plan order; `clients` is no node. */
export async function selectFaultTargets(plan: TopologyPlan, selector: string, group: string | undefined, command: string): Promise<PlannedNode[]> {
  let ids: string[]
  try {
    ids = await selectEndpoints(plan, [selector], group)
  } catch (cause) {
    if (cause instanceof SelectorError) throw new RtopoError(cause.message, ['rtopo status'])
    throw cause
  }
  if (ids.includes(CLIENTS_ENDPOINT) && selector.split(',').map((s) => s.trim()).includes(CLIENTS_ENDPOINT)) {
    throw new RtopoError(`${command} acts on nodes; the clients are not one (rtopo partition and latency take them)`, [`rtopo ${command} master`])
  }
  return plan.nodes.filter((n) => ids.includes(n.id))
}

/** The first target that is a master with servers to take over from it. */
export async function masterAmong(plan: TopologyPlan, targets: readonly PlannedNode[]): Promise<PlannedNode | undefined> {
  for (const node of targets) if (await isMasterWithPeers(plan, node)) return node
  return undefined
}

const runs = (node: PlannedNode): boolean => {
  const state = readPid(node)
  return state.state === 'running' && !isPaused(state.pid)
}

/**
 * Why no failover of `master` can follow when all `targets` are hit, or undefined when one can: a replica of
 * its group must be left to promote, and enough sentinels to agree it is down (quorum) and to elect a leader
 * (a majority of the sentinels).
 */
export function whyNoFailover(plan: TopologyPlan, master: PlannedNode, targets: readonly PlannedNode[]): string | undefined {
  const hit = new Set(targets.map((n) => n.id))
  const sentinels = plan.nodes.filter((n) => n.kind === 'sentinel')
  if (sentinels.length === 0) return 'no sentinel is watching: no failover will happen'
  const left = sentinels.filter((n) => !hit.has(n.id) && runs(n)).length
  const needed = Math.max(plan.quorum, Math.floor(sentinels.length / 2) + 1)
  if (left < needed) return `${left} of ${sentinels.length} sentinels are left and a failover needs ${needed} (quorum ${plan.quorum}, and a majority to elect a leader): no failover will happen`
  const replicas = plan.nodes.filter((n) => n.kind === 'server' && n.group === master.group && n.id !== master.id && !hit.has(n.id) && runs(n))
  if (replicas.length === 0) return `no replica of ${master.group} is left to promote: no failover will happen`
  return undefined
}
