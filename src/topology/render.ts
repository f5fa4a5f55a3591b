// Plan + templates → the config file text of each node. Both engines read the same files.

import {loadTemplate, renderTemplate} from './templates.js'
import {listenPort} from './lab-plan.js'
import type {PlannedNode, TopologyPlan} from './plan.js'
import {FAST_SERVER_CONFIG} from './fast-profile.js'

export const LOOPBACK = '127.0.0.1'

export function renderNodeConfig(plan: TopologyPlan, node: PlannedNode, templatesDir: string): string {
  const common = {
    name: node.id, port: String(listenPort(plan.lab, node)), bind: LOOPBACK, pidfile: node.pidfile, logfile: node.logfile, dir: node.dir,
    password: plan.password,
    // Under --lab the node listens on its own port, announces the proxy's (its public port) and connects out
    // from its own address; without it these lines are dropped.
    source_addr: plan.lab?.sources[node.id], announce_ip: plan.lab ? LOOPBACK : undefined, announce_port: plan.lab ? String(node.port) : undefined,
  }
  if (node.kind === 'server') {
    const {path, text} = loadTemplate(templatesDir, 'redis.conf')
    const upstream = node.replicaOf === undefined ? undefined : plan.nodes.find((n) => n.id === node.replicaOf)
    return renderTemplate(text, {
      ...common,
      dbfilename: node.dbfilename,
      replicaof: upstream ? `${LOOPBACK} ${upstream.port}` : undefined,
      // Every server gets them, replicas too: a promoted replica keeps refusing writes without enough replicas.
      min_replicas_to_write: plan.minReplicasToWrite === undefined ? undefined : String(plan.minReplicasToWrite),
      min_replicas_max_lag: plan.minReplicasMaxLag === undefined ? undefined : String(plan.minReplicasMaxLag),
      repl_diskless_sync_delay: plan.fast ? FAST_SERVER_CONFIG.repl_diskless_sync_delay : undefined,
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
