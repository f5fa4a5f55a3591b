// The failure lab's part of a plan (`rtopo up --lab`): every node listens on its own port (its public port
// plus an offset), the lab proxy listens on the public ports, and each node opens its connections from its
// own loopback address, so the proxy can tell who is talking to whom. Linux routes all of 127.0.0.0/8 to
// the loopback interface; macOS needs an alias per address (docs/faults.md says how).

import {join} from 'node:path'
import type {PlannedNode} from './plan.js'

export interface LabPlan {
  /** Own port = public port + offset. */
  readonly offset: number
  /** Node id → the node's own (listening) port. */
  readonly ownPorts: Readonly<Record<string, number>>
  /** Node id → the source address of the node's outgoing connections (127.0.0.2 …). */
  readonly sources: Readonly<Record<string, string>>
  readonly proxy: ProxyFiles
}

/** Where the proxy process keeps its files; shaped like a node's, so the same pid checks apply. */
export interface ProxyFiles {
  readonly id: 'proxy'
  readonly dir: string
  readonly conf: string
  readonly pidfile: string
  readonly logfile: string
  readonly control: string
  readonly rulesFile: string
}

/** The first source address; 127.0.0.1 stays the clients' (the application, redis-cli). */
const FIRST_SOURCE = 2

export class LabPlanError extends Error {
  override readonly name = 'LabPlanError'
}

export function planLab(stateDir: string, nodes: readonly PlannedNode[], offset: number): LabPlan {
  if (nodes.length > 250) throw new LabPlanError(`--lab gives each node its own 127.0.0.N address: at most 250 nodes, not ${nodes.length}`)
  const publicPorts = new Set(nodes.map((n) => n.port))
  const ownPorts: Record<string, number> = {}
  const sources: Record<string, string> = {}
  nodes.forEach((node, i) => {
    const own = node.port + offset
    if (own < 1 || own > 65535) throw new LabPlanError(`${node.id}'s own port would be ${own} (port ${node.port} + --lab-offset ${offset}): pick another --lab-offset`)
    if (publicPorts.has(own)) throw new LabPlanError(`${node.id}'s own port ${own} is another node's port: pick a --lab-offset larger than the port span`)
    ownPorts[node.id] = own
    sources[node.id] = `127.0.0.${FIRST_SOURCE + i}`
  })
  const dir = join(stateDir, 'proxy')
  return {
    offset, ownPorts, sources,
    proxy: {
      id: 'proxy', dir, conf: join(dir, 'proxy.json'), pidfile: join(dir, 'proxy.pid'), logfile: join(dir, 'proxy.log'),
      control: join(dir, 'control.sock'), rulesFile: join(dir, 'rules.json'),
    },
  }
}

/** The port a node itself listens on: its own port under --lab, else its public port. */
export const listenPort = (lab: LabPlan | undefined, node: PlannedNode): number => lab?.ownPorts[node.id] ?? node.port
