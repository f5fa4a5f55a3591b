// INFO stats, commandstats and errorstats (Redis 7.0 names and order), from the counters in Stats.

import type {Server} from '../server.js'
import {fixed2} from './format.js'

export function statsSection(server: Server): string[] {
  const s = server.stats
  const exceeded = server.evictor.exceededTime()
  let netIn = s.totalNetInputBytes
  let netOut = s.totalNetOutputBytes
  for (const {connection} of server.clients.values()) {
    netIn += connection?.bytesIn ?? 0
    netOut += connection?.bytesOut ?? 0
  }
  return [
    `total_connections_received:${s.totalConnectionsReceived}`,
    `total_commands_processed:${s.totalCommandsProcessed}`,
    `instantaneous_ops_per_sec:${s.instantaneousOpsPerSec}`,
    `total_net_input_bytes:${netIn}`,
    `total_net_output_bytes:${netOut}`,
    'total_net_repl_input_bytes:0',
    'total_net_repl_output_bytes:0',
    'instantaneous_input_kbps:0.00',
    'instantaneous_output_kbps:0.00',
    'instantaneous_input_repl_kbps:0.00',
    'instantaneous_output_repl_kbps:0.00',
    `rejected_connections:${s.rejectedConnections}`,
    `sync_full:${server.replication.syncStats.full}`,
    `sync_partial_ok:${server.replication.syncStats.partialOk}`,
    `sync_partial_err:${server.replication.syncStats.partialErr}`,
    `expired_keys:${s.expiredKeys}`,
    'expired_stale_perc:0.00',
    'expired_time_cap_reached_count:0',
    'expire_cycle_cpu_milliseconds:0',
    `evicted_keys:${s.evictedKeys}`,
    `evicted_clients:${s.evictedClients}`,
    `total_eviction_exceeded_time:${exceeded.total}`,
    `current_eviction_exceeded_time:${exceeded.current}`,
    `keyspace_hits:${s.keyspaceHits}`,
    `keyspace_misses:${s.keyspaceMisses}`,
    `pubsub_channels:${server.pubsub.channelCount}`,
    `pubsub_patterns:${server.pubsub.numpat()}`,
    `pubsubshard_channels:${server.pubsub.shardChannelCount}`,
    'latest_fork_usec:0',
    'total_forks:0',
    'migrate_cached_sockets:0',
    'slave_expires_tracked_keys:0',
    'active_defrag_hits:0',
    'active_defrag_misses:0',
    'active_defrag_key_hits:0',
    'active_defrag_key_misses:0',
    'total_active_defrag_time:0',
    'current_active_defrag_time:0',
    `tracking_total_keys:${server.tracking.totalKeys}`,
    `tracking_total_items:${server.tracking.totalItems}`,
    `tracking_total_prefixes:${server.tracking.totalPrefixes}`,
    'unexpected_error_replies:0',
    `total_error_replies:${s.totalErrorReplies}`,
    'dump_payload_sanitizations:0',
    `total_reads_processed:${s.totalCommandsProcessed}`,
    `total_writes_processed:${s.totalCommandsProcessed}`,
    'io_threaded_reads_processed:0',
    'io_threaded_writes_processed:0',
    'reply_buffer_shrinks:0',
    'reply_buffer_expands:0',
  ]
}

export function commandstatsSection(server: Server): string[] {
  const lines: string[] = []
  for (const [name, c] of server.stats.commands) {
    if (c.calls === 0 && c.rejectedCalls === 0 && c.failedCalls === 0) continue
    const perCall = c.calls === 0 ? 0 : c.usec / c.calls
    lines.push(`cmdstat_${name}:calls=${c.calls},usec=${c.usec},usec_per_call=${fixed2(perCall)},rejected_calls=${c.rejectedCalls},failed_calls=${c.failedCalls}`)
  }
  return lines
}

export function errorstatsSection(server: Server): string[] {
  // Redis keeps them in a radix tree, so INFO lists them in byte order.
  return [...server.stats.errors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([code, count]) => `errorstat_${code}:count=${count}`)
}
