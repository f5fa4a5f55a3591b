// What partition, latency and heal share: resolving the two sides of a network fault from selectors, the
// lab proxy's errors as RtopoErrors, and whether cutting a master off should end in a failover.

import {RtopoError} from '../errors.js'
import {labOf, LabProxyError, request} from '../../supervisor/lab-proxy.js'
import type {ControlRequest} from '../../proxy/control.js'
import type {Rule, RuleSpec} from '../../proxy/rules.js'
import {currentMaster} from '../../topology/inspect.js'
import type {PlannedNode, TopologyPlan} from '../../topology/plan.js'
import {CLIENTS_ENDPOINT, selectEndpoints, SelectorError} from '../../topology/selectors.js'

export interface Sides {
  nodes: string[]
  from: string[]
}

const everything = (plan: TopologyPlan): string[] => [...plan.nodes.map((n) => n.id), CLIENTS_ENDPOINT]

/** The two sides: `nodes`, and `from` (default: every other node and the clients). */
export async function resolveSides(plan: TopologyPlan, nodes: readonly string[], from: readonly string[] | undefined, group?: string): Promise<Sides> {
  try {
    labOf(plan)
    const near = await selectEndpoints(plan, nodes, group)
    if (near.length === 0) throw new RtopoError('name the nodes to cut off (e.g. master, replica-1, sentinels, clients)', ['rtopo partition master --from sentinels'])
    const far = (from && from.length > 0 ? await selectEndpoints(plan, from, group) : everything(plan)).filter((e) => !near.includes(e))
    if (far.length === 0) throw new RtopoError(`nothing is left on the other side of ${near.join(', ')}`, ['rtopo partition master --from sentinels,replicas'])
    return {nodes: near, from: far}
  } catch (cause) {
    throw asRtopoError(cause)
  }
}

export function asRtopoError(cause: unknown): unknown {
  if (cause instanceof SelectorError) return new RtopoError(cause.message, ['rtopo status'])
  if (cause instanceof LabProxyError) {
    const noLab = cause.message.includes('without --lab')
    return new RtopoError(cause.message, noLab ? ['rtopo down', 'rtopo up --lab …'] : ['rtopo start proxy', 'rtopo status'])
  }
  return cause
}

export async function proxyRequest<T extends ControlRequest>(plan: TopologyPlan, req: T): ReturnType<typeof request> {
  try {
    return await request(plan, req)
  } catch (cause) {
    throw asRtopoError(cause)
  }
}

export async function addRule(plan: TopologyPlan, spec: RuleSpec): Promise<Rule> {
  return (await proxyRequest(plan, {op: 'add', rule: spec})).rule as Rule
}

/**
 * The master of a group that this cut should make the sentinels replace: it is on one side, and the other side
 * holds a replica and enough sentinels both to reach the quorum and to elect a leader (a majority).
 */
export async function masterCutOff(plan: TopologyPlan, sides: Sides, oneway: boolean): Promise<PlannedNode | undefined> {
  const sentinels = plan.nodes.filter((n) => n.kind === 'sentinel')
  if (sentinels.length === 0) return undefined
  for (const group of plan.groups) {
    const master = await currentMaster(plan, group.name)
    if (!master) continue
    // With a one-way cut only the connections from `from` are cut: sentinels on that side lose the master.
    const [own, other] = sides.nodes.includes(master.id) ? [sides.nodes, sides.from] : oneway ? [[], []] : [sides.from, sides.nodes]
    if (!own.includes(master.id)) continue
    const watching = sentinels.filter((s) => other.includes(s.id)).length
    const replicas = plan.nodes.filter((n) => n.kind === 'server' && n.group === group.name && n.id !== master.id && other.includes(n.id))
    if (replicas.length > 0 && watching >= plan.quorum && watching > sentinels.length / 2) return master
  }
  return undefined
}

/** The endpoints on the old master's side of the cut: they cannot follow the new master while it lasts. */
export const oldMasterSide = (sides: Sides, master: PlannedNode): string[] => (sides.nodes.includes(master.id) ? sides.nodes : sides.from)
