// INFO memory with Redis 7.0's fields. used_memory is the server's estimate of what Redis would allocate
// (used-memory.ts: startup, clients with their buffers, every key as the keyspace accounts it, the script
// cache), the same figure maxmemory eviction compares with the limit; used_memory_rss is the process RSS and
// the allocator_* fields show the V8 heap. The Lua VMs' memory has no counterpart (fengari keeps no count)
// and stays at the values an idle Redis shows.

import type {Server} from '../server.js'
import {bytesToHuman, fixed2} from './format.js'
import {totalSystemMemory} from './server-section.js'

export class MemoryTracker {
  private peak = 0

  section(server: Server): string[] {
    const usage = process.memoryUsage()
    const estimate = server.usedMemory()
    const used = estimate.total
    this.peak = Math.max(this.peak, used)
    const rss = usage.rss
    const overhead = used - estimate.dataset
    const dataset = estimate.dataset
    const maxmemory = Number(server.config.get('maxmemory') ?? 0)
    const system = totalSystemMemory()
    return [
      `used_memory:${used}`,
      `used_memory_human:${bytesToHuman(used)}`,
      `used_memory_rss:${rss}`,
      `used_memory_rss_human:${bytesToHuman(rss)}`,
      `used_memory_peak:${this.peak}`,
      `used_memory_peak_human:${bytesToHuman(this.peak)}`,
      `used_memory_peak_perc:${fixed2((used / this.peak) * 100)}%`,
      `used_memory_overhead:${overhead}`,
      `used_memory_startup:${estimate.startup}`,
      `used_memory_dataset:${dataset}`,
      `used_memory_dataset_perc:${fixed2(used > 0 ? (dataset / used) * 100 : 0)}%`,
      `allocator_allocated:${usage.heapUsed}`,
      `allocator_active:${usage.heapTotal}`,
      `allocator_resident:${rss}`,
      `total_system_memory:${system}`,
      `total_system_memory_human:${bytesToHuman(system)}`,
      'used_memory_lua:32768',
      'used_memory_vm_eval:32768',
      'used_memory_lua_human:32.00K',
      `used_memory_scripts_eval:${server.scripting.evalScripts.memory}`,
      `number_of_cached_scripts:${server.scripting.evalScripts.count}`,
      `number_of_functions:${server.scripting.functions.libraries.functionCount}`,
      `number_of_libraries:${server.scripting.functions.libraries.libraries.size}`,
      'used_memory_vm_functions:32768',
      'used_memory_vm_total:65536',
      'used_memory_vm_total_human:64.00K',
      'used_memory_functions:0',
      `used_memory_scripts:${server.scripting.evalScripts.memory}`,
      `used_memory_scripts_human:${bytesToHuman(server.scripting.evalScripts.memory)}`,
      `maxmemory:${maxmemory}`,
      `maxmemory_human:${bytesToHuman(maxmemory)}`,
      `maxmemory_policy:${server.config.get('maxmemory-policy') ?? 'noeviction'}`,
      `allocator_frag_ratio:${fixed2(usage.heapTotal / Math.max(1, usage.heapUsed))}`,
      `allocator_frag_bytes:${usage.heapTotal - usage.heapUsed}`,
      `allocator_rss_ratio:${fixed2(rss / Math.max(1, usage.heapTotal))}`,
      `allocator_rss_bytes:${rss - usage.heapTotal}`,
      'rss_overhead_ratio:1.00',
      'rss_overhead_bytes:0',
      `mem_fragmentation_ratio:${fixed2(rss / Math.max(1, used))}`,
      `mem_fragmentation_bytes:${rss - used}`,
      `mem_not_counted_for_evict:${estimate.clientsReplicas}`,
      `mem_replication_backlog:${estimate.replicationBacklog}`,
      `mem_total_replication_buffers:${estimate.replicationBacklog}`,
      `mem_clients_slaves:${estimate.clientsReplicas}`,
      `mem_clients_normal:${estimate.clientsNormal}`,
      'mem_cluster_links:0',
      'mem_aof_buffer:0',
      'mem_allocator:libc',
      'active_defrag_running:0',
      'lazyfree_pending_objects:0',
      'lazyfreed_objects:0',
    ]
  }
}
