// Plan + templates → the config file text of each node. Both engines read the same files.

import {loadTemplate, renderTemplate} from './templates.js'
import type {PlannedNode, TopologyPlan} from './plan.js'

export const LOOPBACK = '127.0.0.1'

export function renderNodeConfig(plan: TopologyPlan, node: PlannedNode, templatesDir: string): string {
  const common = {
    name: node.id, port: String(node.port), bind: LOOPBACK, pidfile: node.pidfile, logfile: node.logfile, dir: node.dir,
    password: plan.password,
  }
  if (node.kind === 'server') {
    const {path, text} = loadTemplate(templatesDir, 'redis.conf')
    const upstream = node.replicaOf === undefined ? undefined : plan.nodes.find((n) => n.id === node.replicaOf)
    return renderTemplate(text, {
      ...common,
      dbfilename: node.dbfilename,
      replicaof: upstream ? `${LOOPBACK} ${upstream.port}` : undefined,
    }, path)
  }
  const {path, text} = loadTemplate(templatesDir, 'sentinel.conf')
  const monitors = plan.groups.map((group) => {
    const master = plan.nodes.find((n) => n.id === group.master) as PlannedNode
    return {
      group: group.name, master_host: LOOPBACK, master_port: String(master.port), quorum: String(plan.quorum),
      down_after: String(plan.downAfterMs), parallel_syncs: String(plan.parallelSyncs),
      failover_timeout: String(plan.failoverTimeoutMs), password: plan.password,
    }
  })
  return renderTemplate(text, {...common, monitors}, path)
}
