// Looks at the live topology through ioredis: ROLE / INFO replication of servers, SENTINEL MASTERS of
// sentinels. Roles are observed here, never taken from the plan.

import {Redis} from 'ioredis'
import type {PlannedNode, TopologyPlan} from './plan.js'

/**
 * Under --lab the CLI reaches every node on its own port, past the lab proxy: what rtopo observes (status,
 * verify, failover watches) must not depend on the network faults it injects. Public port → own port.
 */
const directRoutes = new Map<number, number>()

/** Records the routes of a plan; state-file.ts calls it whenever a plan is read or written. */
export function routeAroundProxy(plan: TopologyPlan): void {
  directRoutes.clear()
  if (!plan.lab) return
  for (const node of plan.nodes) {
    const own = plan.lab.ownPorts[node.id]
    if (own !== undefined) directRoutes.set(node.port, own)
  }
}

/** The port to dial for a node's public port. */
export const directPort = (port: number): number => directRoutes.get(port) ?? port

/**
 * A one-shot client. A paused (SIGSTOPped) node still completes the TCP handshake from its listen backlog and
 * then never answers, so every command is bounded too, not only the connect.
 */
export function connect(port: number, password: string | undefined, timeoutMs = 1000, commandTimeoutMs = 3000): Redis {
  const client = new Redis({
    host: '127.0.0.1', port: directPort(port), password, lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: commandTimeoutMs, maxRetriesPerRequest: 0,
    retryStrategy: () => null, enableOfflineQueue: false, enableReadyCheck: false,
  })
  client.on('error', () => {})
  return client
}

/** Runs fn against a node; undefined when it cannot be reached. */
export async function withNode<T>(port: number, password: string | undefined, fn: (client: Redis) => Promise<T>): Promise<T | undefined> {
  const client = connect(port, password)
  try {
    await client.connect()
    return await fn(client)
  } catch {
    return undefined
  } finally {
    client.disconnect()
  }
}

export async function pingNode(port: number, password: string | undefined): Promise<boolean> {
  return (await withNode(port, password, (c) => c.ping())) === 'PONG'
}

/** INFO text → field map. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const line of text.split('\r\n').join('\n').split('\n')) {
    const at = line.indexOf(':')
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1)
  }
  return fields
}

export interface ServerStatus {
  role: 'master' | 'slave'
  masterHost?: string
  masterPort?: number
  linkStatus?: string
  offset: number
  lagSeconds?: number
  connectedReplicas: number
  /** min_slaves_good_slaves: shown only when min-replicas-to-write and min-replicas-max-lag are both on. */
  goodReplicas?: number
  replid: string
}

export async function serverStatus(port: number, password: string | undefined): Promise<ServerStatus | undefined> {
  return withNode(port, password, async (c) => {
    const info = parseInfo(await c.info('replication'))
    const role = info.role === 'slave' ? 'slave' : 'master'
    return {
      role,
      masterHost: info.master_host,
      masterPort: info.master_port ? Number(info.master_port) : undefined,
      linkStatus: info.master_link_status,
      offset: Number(role === 'slave' ? info.slave_repl_offset : info.master_repl_offset) || 0,
      lagSeconds: info.master_last_io_seconds_ago ? Number(info.master_last_io_seconds_ago) : undefined,
      connectedReplicas: Number(info.connected_slaves ?? 0),
      ...(info.min_slaves_good_slaves === undefined ? {} : {goodReplicas: Number(info.min_slaves_good_slaves)}),
      replid: info.master_replid ?? '',
    }
  })
}

/** A sentinel's flat field/value array (SENTINEL MASTER, REPLICAS …) → field map. */
export function fieldsOf(flat: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string
  return fields
}

export interface SentinelView {
  group: string
  masterHost: string
  masterPort: number
  flags: string
  epoch: number
  replicas: number
  sentinels: number
}

export async function sentinelView(port: number, password: string | undefined): Promise<SentinelView[] | undefined> {
  // Sentinels take no requirepass from us; auth-pass is what they use towards the servers.
  void password
  return withNode(port, undefined, async (c) => {
    const masters = (await c.call('SENTINEL', 'MASTERS')) as string[][]
    return masters.map((flat) => {
      const f = fieldsOf(flat)
      return {
        group: f.name ?? '', masterHost: f.ip ?? '', masterPort: Number(f.port), flags: f.flags ?? '',
        epoch: Number(f['config-epoch'] ?? 0), replicas: Number(f['num-slaves'] ?? 0), sentinels: Number(f['num-other-sentinels'] ?? 0),
      }
    })
  })
}

/** The current master of a group: as the sentinels report it, else as the servers report themselves. */
export async function currentMaster(plan: TopologyPlan, group: string): Promise<PlannedNode | undefined> {
  for (const s of plan.nodes.filter((n) => n.kind === 'sentinel')) {
    const view = await withNode(s.port, undefined, (c) => c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', group) as Promise<string[] | null>)
    if (view && view[1]) {
      const found = plan.nodes.find((n) => n.port === Number(view[1]))
      if (found) return found
    }
  }
  for (const n of plan.nodes.filter((x) => x.kind === 'server' && x.group === group)) {
    if ((await serverStatus(n.port, plan.password))?.role === 'master') return n
  }
  return undefined
}
