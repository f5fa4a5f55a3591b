// The RedisValue union held by every key, and the type names TYPE reports.
// Strings are StringValues (string-value.ts); collection members and hash fields are latin1 keys (common/key.ts).

import type {Deque} from './deque.js'
import type {SortedSet} from './sorted-set.js'
import type {Stream} from './stream.js'
import type {StringValue} from './string-value.js'

export type RedisValue =
  | StringValue
  | {readonly type: 'list'; readonly value: Deque<Buffer>}
  | {readonly type: 'hash'; readonly value: Map<string, Buffer>}
  | {readonly type: 'set'; readonly value: Set<string>}
  | {readonly type: 'zset'; readonly value: SortedSet}
  | {readonly type: 'stream'; readonly value: Stream}

export type ValueType = RedisValue['type']

/** A stored key: its value, absolute expiry (ms since epoch) if any, and last access for OBJECT IDLETIME. */
export interface Entry {
  value: RedisValue
  expiresAt: number | undefined
  /**
   * The LRU clock of the last access: Unix seconds, as Redis's 1000 ms LRU_CLOCK_RESOLUTION (a small integer,
   * where milliseconds would box a heap number per key).
   */
  lastAccessSec: number
  /** Under an LFU policy: decrement time in minutes << 8 | log counter (keyspace/access.ts). */
  lfu?: number
  /** The bytes the key is accounted for in used_memory (keyspace/memory.ts), kept by its Database. */
  mem?: number
  /** The key's index in its Database's key list (random sampling for eviction). */
  slot?: number
  /** The background snapshot that last wrote this entry (persistence/snapshot-job.ts). */
  snapshotId?: number
}

/**
 * A new entry with every field in place from the start: fields added later would move each entry to a new
 * hidden class with an out-of-object property store (8+ more bytes per key, and polymorphic accesses).
 */
export const newEntry = (value: RedisValue, expiresAt: number | undefined, lastAccessSec: number): Entry =>
  ({value, expiresAt, lastAccessSec, lfu: undefined, mem: undefined, slot: undefined, snapshotId: undefined})

/** Number of elements of a collection value (1 for a string). */
export const valueLength = (v: RedisValue): number =>
  v.type === 'string' ? 1 : v.type === 'list' || v.type === 'stream' ? v.value.length : v.value.size
