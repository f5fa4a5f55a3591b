// maxmemory (evict.c): before a command, while used memory is over maxmemory, keys are evicted by the policy —
// LRU, LFU and volatile-ttl through the 16-entry eviction pool fed with maxmemory-samples keys of every db, the
// random policies one random key per db in turn. Eviction stops after the tenacity's time budget and goes on
// from a timer (evictionTimeProc) until memory is back under the limit; nothing left to evict is EVICT_FAIL,
// which makes the OOM gate refuse denyoom commands.

import {performance} from 'node:perf_hooks'
import {lfuDecrAndReturn, type AccessSettings} from './keyspace/access.js'
import type {Database} from './keyspace/database.js'
import type {Keyspace} from './keyspace/keyspace.js'

export const MAXMEMORY_POLICIES = [
  'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction',
] as const
export type MaxmemoryPolicy = (typeof MAXMEMORY_POLICIES)[number]

export const isLfuPolicy = (policy: string): boolean => policy === 'volatile-lfu' || policy === 'allkeys-lfu'

/** performEvictions' outcome: under the limit (or not safe to evict now), still evicting, or nothing to evict. */
export type EvictResult = 'ok' | 'running' | 'fail'

export interface EvictionHost {
  readonly keyspace: Keyspace
  /** maxmemory in bytes (0: no limit). */
  maxmemory(): number
  policy(): MaxmemoryPolicy
  samples(): number
  /** maxmemory-eviction-tenacity, 0..100. */
  tenacity(): number
  /** lazyfree-lazy-eviction: the deletion is propagated as UNLINK instead of DEL. */
  lazy(): boolean
  /** used_memory less what eviction does not count (freeMemoryGetNotCountedMemory). */
  usedMemory(): number
  /** isSafeToPerformEvictions: no yielding script, no load, not a replica ignoring maxmemory, no client pause. */
  isSafe(): boolean
  nowMs(): number
  /** After a key was evicted: stat_evictedkeys, the `evicted` keyspace event, DEL/UNLINK to replicas. */
  evicted(db: Database, key: string, lazy: boolean): void
}

const EVPOOL_SIZE = 16

interface PoolEntry {
  /** The score: higher is a better candidate (idle ms, 255 - frequency, or sooner expiry). */
  idle: number
  key: string
  db: number
}

/** evictionTimeLimitUs: 0..500 µs linearly up to tenacity 10, then 15% more per step, unlimited at 100. */
export function evictionTimeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity
  if (tenacity < 100) return Math.floor(500 * 1.15 ** (tenacity - 10))
  return Number.POSITIVE_INFINITY
}

export class Evictor {
  private readonly pool: (PoolEntry | undefined)[] = new Array<PoolEntry | undefined>(EVPOOL_SIZE).fill(undefined)
  private nextDb = 0
  private procRunning = false
  private procHandle: NodeJS.Immediate | undefined
  /** When used memory last went over the limit without being brought back (ms, performance clock). */
  private exceededSince: number | undefined
  private exceededTotalMs = 0

  constructor(private readonly host: EvictionHost, private readonly access: AccessSettings) {}

  /** INFO stats total_eviction_exceeded_time / current_eviction_exceeded_time, in ms. */
  exceededTime(): {total: number; current: number} {
    const current = this.exceededSince === undefined ? 0 : Math.floor(performance.now() - this.exceededSince)
    return {total: Math.floor(this.exceededTotalMs) + current, current}
  }

  /** performEvictions. */
  perform(): EvictResult {
    if (!this.host.isSafe()) return 'ok'
    const result = this.evict()
    if (result === 'ok') {
      if (this.exceededSince !== undefined) {
        this.exceededTotalMs += performance.now() - this.exceededSince
        this.exceededSince = undefined
      }
    } else if (this.exceededSince === undefined) {
      this.exceededSince = performance.now()
    }
    return result
  }

  /** startEvictionTimeProc: keep evicting from the event loop until memory is under the limit or nothing is left. */
  startTimeProc(): void {
    if (this.procRunning) return
    this.procRunning = true
    const step = (): void => {
      this.procHandle = undefined
      if (this.perform() === 'running') {
        this.procHandle = setImmediate(step)
        return
      }
      this.procRunning = false
    }
    this.procHandle = setImmediate(step)
  }

  stop(): void {
    if (this.procHandle !== undefined) clearImmediate(this.procHandle)
    this.procHandle = undefined
    this.procRunning = false
  }

  private evict(): EvictResult {
    const host = this.host
    const max = host.maxmemory()
    if (max === 0) return 'ok'
    const used = host.usedMemory()
    if (used <= max) return 'ok'
    const policy = host.policy()
    if (policy === 'noeviction') return 'fail'
    const toFree = used - max
    const limitUs = evictionTimeLimitUs(host.tenacity())
    const started = performance.now()
    const lazy = host.lazy()
    let freed = 0
    let keysFreed = 0
    let misses = 0
    while (freed < toFree) {
      const best = policy === 'allkeys-random' || policy === 'volatile-random' ? this.randomPick(policy === 'volatile-random') : this.poolPick(policy)
      if (best === undefined) return 'fail'
      const db = host.keyspace.db(best.db)
      const bytes = db.evict(best.key)
      if (bytes === undefined) {
        // Picks come from the live key lists; a miss would be a bookkeeping bug, never a reason to spin.
        if (++misses > 1000) return 'fail'
        continue
      }
      freed += bytes
      host.evicted(db, best.key, lazy)
      keysFreed++
      if (keysFreed % 16 === 0) {
        // Past the time budget the rest is evicted from the event loop, between commands.
        if ((performance.now() - started) * 1000 > limitUs) {
          this.startTimeProc()
          break
        }
      }
    }
    return this.procRunning ? 'running' : 'ok'
  }

  /** volatile-random / allkeys-random: a random key of the next db (in turn) that has any. */
  private randomPick(volatileOnly: boolean): PoolEntry | undefined {
    const databases = this.host.keyspace.databases
    for (let i = 0; i < databases.length; i++) {
      this.nextDb = (this.nextDb + 1) % databases.length
      const db = databases[this.nextDb] as Database
      const key = volatileOnly ? db.volatileKeys.random() : db.randomKey()
      if (key !== undefined) return {idle: 0, key, db: this.nextDb}
    }
    return undefined
  }

  /** The LRU / LFU / TTL policies: refill the pool from every db, then take its best key that still exists. */
  private poolPick(policy: MaxmemoryPolicy): PoolEntry | undefined {
    const volatileOnly = policy.startsWith('volatile-')
    const databases = this.host.keyspace.databases
    const samples = this.host.samples()
    const now = this.host.nowMs()
    for (;;) {
      let total = 0
      for (const db of databases) {
        const keys = volatileOnly ? db.volatileKeys.size : db.size
        if (keys === 0) continue
        this.populate(db, policy, volatileOnly, samples, now)
        total += keys
      }
      if (total === 0) return undefined
      for (let k = EVPOOL_SIZE - 1; k >= 0; k--) {
        const candidate = this.pool[k]
        if (candidate === undefined) continue
        this.pool[k] = undefined
        const db = databases[candidate.db] as Database
        const exists = volatileOnly ? db.volatileKeys.has(candidate.key) : db.entries.has(candidate.key)
        if (exists) return candidate
        // A ghost (deleted since it was pooled): try the next one.
      }
    }
  }

  /** evictionPoolPopulate: score maxmemory-samples random keys and insert the good ones, ascending by score. */
  private populate(db: Database, policy: MaxmemoryPolicy, volatileOnly: boolean, samples: number, now: number): void {
    const pool = this.pool
    for (const key of db.sampleKeys(samples, volatileOnly)) {
      const entry = db.entries.get(key)
      if (entry === undefined) continue
      let idle: number
      if (policy === 'volatile-ttl') idle = Number.MAX_SAFE_INTEGER - (entry.expiresAt ?? Number.MAX_SAFE_INTEGER)
      else if (isLfuPolicy(policy)) idle = 255 - lfuDecrAndReturn(entry, now, this.access)
      else idle = Math.max(0, (Math.floor(now / 1000) - entry.lastAccessSec) * 1000)

      let k = 0
      while (k < EVPOOL_SIZE && pool[k] !== undefined && (pool[k] as PoolEntry).idle < idle) k++
      if (k === 0 && pool[EVPOOL_SIZE - 1] !== undefined) continue // worse than all and no free bucket
      if (k < EVPOOL_SIZE && pool[k] === undefined) {
        // An empty bucket: nothing to move.
      } else if (pool[EVPOOL_SIZE - 1] === undefined) {
        // Free space on the right: shift k… one to the right.
        for (let j = EVPOOL_SIZE - 1; j > k; j--) pool[j] = pool[j - 1]
      } else {
        // No free space: drop the worst (leftmost), shift 1…k-1 to the left and insert at k-1.
        k--
        for (let j = 0; j < k; j++) pool[j] = pool[j + 1]
      }
      pool[k] = {idle, key, db: db.index}
    }
  }
}
