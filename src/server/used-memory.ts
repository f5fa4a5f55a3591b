// used_memory as one estimate, shared by INFO memory and maxmemory eviction: what Redis 7.0 would hold at
// startup, plus each client (its structure and its query and output buffers), plus the replication backlog
// as far as it is filled (7.0's shared replication buffer grows up to repl-backlog-size), plus the dataset as
// the keyspace accounts it key by key (keyspace/memory.ts), plus the EVAL script cache. Nothing here scans keys.

import type {Client} from './client.js'
import {datasetBytes, type Keyspace} from './keyspace/keyspace.js'

/** used_memory_startup of a fresh Redis 7.0 (the shared objects, the empty dicts, the eviction pool …). */
export const STARTUP_BYTES = 876024
/** A connected client once clientsCron has counted it (client struct, 16 KB reply buffer, argv …). */
export const CLIENT_BYTES = 20480

export interface MemorySources {
  readonly keyspace: Keyspace
  /** What the clients hold (clientMemory), which the server may reuse within one event-loop turn. */
  clientBytes(): ClientMemory
  scriptsBytes(): number
  /** Bytes held in the replication backlog (repl_backlog_histlen), 0 without one. */
  backlogBytes(): number
}

export interface ClientMemory {
  normal: number
  replicas: number
}

/** Every client's structure plus its query and output buffers, replicas apart. */
export function clientMemory(clients: Iterable<Client>): ClientMemory {
  let normal = 0
  let replicas = 0
  for (const client of clients) {
    const bytes = CLIENT_BYTES + client.sink.queryBufferBytes() + client.sink.outputBytes()
    if (client.kind === 'replica') replicas += bytes
    else normal += bytes
  }
  return {normal, replicas}
}

export interface UsedMemory {
  total: number
  startup: number
  /** Normal and pub/sub clients (mem_clients_normal). */
  clientsNormal: number
  /** Replicas' output buffers (mem_clients_slaves): not counted for eviction, as freeMemoryGetNotCountedMemory. */
  clientsReplicas: number
  dataset: number
  scripts: number
  /** mem_replication_backlog: counted for eviction, as Redis counts the backlog's share of the buffer. */
  replicationBacklog: number
}

export function usedMemory(sources: MemorySources): UsedMemory {
  const {normal: clientsNormal, replicas: clientsReplicas} = sources.clientBytes()
  const dataset = datasetBytes(sources.keyspace)
  const scripts = sources.scriptsBytes()
  const replicationBacklog = sources.backlogBytes()
  return {
    total: STARTUP_BYTES + clientsNormal + clientsReplicas + replicationBacklog + dataset + scripts,
    startup: STARTUP_BYTES,
    clientsNormal,
    clientsReplicas,
    dataset,
    scripts,
    replicationBacklog,
  }
}
