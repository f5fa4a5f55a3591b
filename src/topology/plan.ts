// Pure planning: counts, base ports and engine → the topology (groups, nodes, ports, file paths).
// Roles here are the plan; what a node is now is observed (inspect.ts), never read from the plan.

import {join, resolve} from 'node:path'
import {LabPlanError, planLab, type LabPlan} from './lab-plan.js'

export type EngineName = 'bundled' | 'redis'
export type NodeKind = 'server' | 'sentinel'

export interface PlannedNode {
  /** Stable name: master-1, replica-1-2, sentinel-3. */
  readonly id: string
  readonly kind: NodeKind
  /** The group (master name) a server belongs to; sentinels watch every group. */
  readonly group?: string
  /** The node this server replicates from at start, by id (undefined for masters and sentinels). */
  readonly replicaOf?: string
  readonly port: number
  readonly dir: string
  readonly conf: string
  readonly pidfile: string
  readonly logfile: string
  readonly dbfilename: string
}

export interface TopologyPlan {
  readonly version: 1
  readonly engine: EngineName
  /** Engine of the sentinels when it differs from the servers' (bundled servers watched by real sentinels). */
  readonly sentinelEngine?: EngineName
  readonly stateDir: string
  readonly password?: string
  readonly quorum: number
  readonly downAfterMs: number
  readonly failoverTimeoutMs: number
  readonly parallelSyncs: number
  readonly groups: readonly {name: string; master: string}[]
  readonly nodes: readonly PlannedNode[]
  /** Present when the topology runs behind the failure lab's proxy (up --lab). */
  readonly lab?: LabPlan
  /** min-replicas-to-write and min-replicas-max-lag of every server (absent: Redis's defaults, 0 and 10). */
  readonly minReplicasToWrite?: number
  readonly minReplicasMaxLag?: number
  /** up --fast: shortened sentinel periods and no diskless-sync delay (fast-profile.ts). */
  readonly fast?: boolean
}

export interface PlanOptions {
  masters: number
  replicas: number
  sentinels: number
  port: number
  sentinelPort: number
  quorum?: number
  downAfterMs: number
  failoverTimeoutMs: number
  parallelSyncs: number
  password?: string
  engine: EngineName
  sentinelEngine?: EngineName
  chain: boolean
  name: string
  stateDir: string
  /** up --lab: the offset of each node's own port from its public one. */
  labOffset?: number
  minReplicasToWrite?: number
  minReplicasMaxLag?: number
  fast?: boolean
}

/** The engine that runs a node: the sentinels may run on another engine than the servers. */
export const engineOf = (plan: Pick<TopologyPlan, 'engine' | 'sentinelEngine'>, kind: NodeKind): EngineName =>
  kind === 'sentinel' ? plan.sentinelEngine ?? plan.engine : plan.engine

export class PlanError extends Error {
  override readonly name = 'PlanError'
}

export function planTopology(o: PlanOptions): TopologyPlan {
  if (o.masters < 1) throw new PlanError('--masters must be at least 1')
  if (o.replicas < 0 || o.sentinels < 0) throw new PlanError('--replicas and --sentinels cannot be negative')
  const quorum = o.quorum ?? Math.floor(o.sentinels / 2) + 1
  if (o.sentinels > 0 && (quorum < 1 || quorum > o.sentinels)) {
    throw new PlanError(`quorum ${quorum} is impossible with ${o.sentinels} sentinel(s): it must be between 1 and ${o.sentinels}`)
  }
  const stateDir = resolve(o.stateDir)
  const nodes: PlannedNode[] = []
  const groups: {name: string; master: string}[] = []
  let port = o.port
  const server = (id: string, group: string, replicaOf: string | undefined): PlannedNode => node(stateDir, id, 'server', port++, group, replicaOf)
  for (let m = 1; m <= o.masters; m++) {
    const group = o.masters === 1 ? o.name : `${o.name}-${m}`
    const masterId = `master-${m}`
    nodes.push(server(masterId, group, undefined))
    groups.push({name: group, master: masterId})
    let upstream = masterId
    for (let r = 1; r <= o.replicas; r++) {
      const id = o.masters === 1 ? `replica-${r}` : `replica-${m}-${r}`
      nodes.push(server(id, group, upstream))
      if (o.chain) upstream = id
    }
  }
  for (let s = 1; s <= o.sentinels; s++) nodes.push(node(stateDir, `sentinel-${s}`, 'sentinel', o.sentinelPort + s - 1, undefined, undefined))
  const ports = nodes.map((n) => n.port)
  const clash = ports.find((p, i) => ports.indexOf(p) !== i)
  if (clash !== undefined) throw new PlanError(`port ${clash} would be used twice: move --sentinel-port away from the server ports`)
  if (ports.some((p) => p < 1 || p > 65535)) throw new PlanError('ports must be between 1 and 65535')
  return {
    version: 1, engine: o.engine, ...(o.sentinelEngine !== undefined && o.sentinelEngine !== o.engine ? {sentinelEngine: o.sentinelEngine} : {}), stateDir, password: o.password, quorum, downAfterMs: o.downAfterMs,
    failoverTimeoutMs: o.failoverTimeoutMs, parallelSyncs: o.parallelSyncs, groups, nodes,
    ...(o.labOffset === undefined ? {} : {lab: labOf(stateDir, nodes, o.labOffset)}),
    ...(o.minReplicasToWrite === undefined ? {} : {minReplicasToWrite: o.minReplicasToWrite}),
    ...(o.minReplicasMaxLag === undefined ? {} : {minReplicasMaxLag: o.minReplicasMaxLag}),
    ...(o.fast ? {fast: true} : {}),
  }
}

function labOf(stateDir: string, nodes: readonly PlannedNode[], offset: number): LabPlan {
  try {
    return planLab(stateDir, nodes, offset)
  } catch (cause) {
    if (cause instanceof LabPlanError) throw new PlanError(cause.message)
    throw cause
  }
}

function node(stateDir: string, id: string, kind: NodeKind, port: number, group: string | undefined, replicaOf: string | undefined): PlannedNode {
  const dir = join(stateDir, id)
  return {
    id, kind, group, replicaOf, port, dir,
    conf: join(dir, kind === 'server' ? 'redis.conf' : 'sentinel.conf'),
    pidfile: join(dir, `${id}.pid`),
    logfile: join(dir, `${id}.log`),
    dbfilename: `dump-${port}.rdb`,
  }
}
