// INFO persistence (Redis 7.0 field order). RDB state comes from Persistence; AOF and fork-related
// fields keep the values of an instance that never uses them.

import type {Server} from '../server.js'
import {loadingInfoLines} from '../persistence/loading.js'

export function persistenceSection(server: Server): string[] {
  const p = server.persistence
  const now = server.clock.nowMs()
  // A full sync's snapshot runs as an RDB child in Redis too, so it counts as a BGSAVE in progress.
  const syncSince = server.replication.syncSnapshotSinceMs()
  const saving = p.bgsaveInProgress || syncSince !== undefined
  const currentBgsaveSec = p.bgsaveInProgress ? Math.floor((now - p.lastBgsaveStartedMs) / 1000) : syncSince !== undefined ? Math.floor((now - syncSince) / 1000) : -1
  return [
    `loading:${p.loading === undefined ? 0 : 1}`,
    'async_loading:0',
    'current_cow_peak:0',
    'current_cow_size:0',
    'current_cow_size_age:0',
    'current_fork_perc:0.00',
    'current_save_keys_processed:0',
    'current_save_keys_total:0',
    `rdb_changes_since_last_save:${p.changesSinceLastSave}`,
    `rdb_bgsave_in_progress:${saving ? 1 : 0}`,
    `rdb_last_save_time:${Math.floor(p.lastSaveMs / 1000)}`,
    `rdb_last_bgsave_status:${p.lastBgsaveOk ? 'ok' : 'err'}`,
    `rdb_last_bgsave_time_sec:${p.lastBgsaveDurationSec}`,
    `rdb_current_bgsave_time_sec:${currentBgsaveSec}`,
    `rdb_saves:${p.saves}`,
    'rdb_last_cow_size:0',
    'rdb_last_load_keys_expired:0',
    'rdb_last_load_keys_loaded:0',
    'aof_enabled:0',
    'aof_rewrite_in_progress:0',
    'aof_rewrite_scheduled:0',
    'aof_last_rewrite_time_sec:-1',
    'aof_current_rewrite_time_sec:-1',
    'aof_last_bgrewrite_status:ok',
    'aof_rewrites:0',
    'aof_rewrites_consecutive_failures:0',
    'aof_last_write_status:ok',
    'aof_last_cow_size:0',
    'module_fork_in_progress:0',
    'module_fork_last_cow_size:0',
    ...(p.loading === undefined ? [] : loadingInfoLines(p.loading, now)),
  ]
}
