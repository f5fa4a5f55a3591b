// All the numbered databases, SWAPDB/FLUSHALL, WATCH bookkeeping, the dirty counter and the active expire
// cycle (expire.c activeExpireCycle: scan volatile keys from a cursor until few are expired or time is up).

import type {Clock} from '../../common/clock.js'
import {defaultAccessSettings, type AccessSettings} from './access.js'
import {Database, type DatabaseHooks} from './database.js'

export interface KeyspaceEvents {
  /** A master deleted an expired key: propagate `DEL key` in that db to replicas. */
  keyExpired(dbIndex: number, key: string): void
  /** Any write to a key: blocked clients waiting on it may now be served. */
  keyModified(dbIndex: number, key: string): void
  isReplica(): boolean
  /**
   * A key's value changed (signalModifiedKey's trackingInvalidateKey): `expired` when the change is its expiry.
   * Not called for the keys SWAPDB moves or a flush removes.
   */
  keyInvalidated?(key: string, expired: boolean): void
  /** FLUSHDB, FLUSHALL or a dataset replaced whole (signalFlushedDb / swapMainDbWithTempDb). */
  flushed?(): void
  /** A key was added (the `new` event, class n). */
  keyAdded?(dbIndex: number, key: string): void
  /** A read lookup missed (the `keymiss` event, class m, for read commands). */
  keyMissed?(dbIndex: number, key: string): void
  /** A replica runs a command of its master now: expired keys are still there for it (its DEL removes them). */
  isMasterCalling(): boolean
}

/** ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP and ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE at active-expire-effort 1. */
const KEYS_PER_LOOP = 20
const ACCEPTABLE_STALE_PERCENT = 10

export class Keyspace {
  readonly databases: Database[]
  /** Count of changes since the last save (Redis server.dirty): drives save points and propagation. */
  dirty = 0
  /** DEBUG SET-ACTIVE-EXPIRE 0 turns the active expire cycle off (lazy expiry still applies). */
  activeExpireEnabled = true
  /** LRU or LFU tracking on access, and the LFU parameters: the server keeps it in line with CONFIG. */
  readonly access: AccessSettings = defaultAccessSettings()
  /** WATCH bookkeeping per db: watched key → [watcher count, modification version]. */
  private readonly watched: Map<string, [number, number]>[]
  private versionCounter = 0
  private expireCursor = 0
  /** Above zero while keys change in bulk (SWAPDB, flushes): no per-key tracking invalidation. */
  private bulkChange = 0
  /** Set between a key's expiry and the modification it signals. */
  private expiring = false

  constructor(count: number, private readonly clock: Clock, private readonly events: KeyspaceEvents) {
    const hooks: DatabaseHooks = {
      keyModified: (db, key) => {
        this.dirty++
        const watch = this.watched[db.index]?.get(key)
        if (watch !== undefined) watch[1] = ++this.versionCounter
        this.events.keyModified(db.index, key)
        const expired = this.expiring
        this.expiring = false
        if (this.bulkChange === 0) this.events.keyInvalidated?.(key, expired)
      },
      keyExpired: (db, key) => {
        this.expiring = true
        this.events.keyExpired(db.index, key)
      },
      keyAdded: (db, key) => this.events.keyAdded?.(db.index, key),
      keyMissed: (db, key) => this.events.keyMissed?.(db.index, key),
      isReplica: () => this.events.isReplica(),
      isMasterCalling: () => this.events.isMasterCalling(),
      access: this.access,
    }
    this.databases = Array.from({length: count}, (_, i) => new Database(i, clock, hooks))
    this.watched = Array.from({length: count}, () => new Map<string, [number, number]>())
    this.hooks = hooks
  }

  private readonly hooks: DatabaseHooks

  db(index: number): Database {
    const db = this.databases[index]
    if (db === undefined) throw new RangeError(`db ${index} out of range`)
    return db
  }

  /**
   * Wakes the clients blocked on a key without counting a change (Redis signalKeyAsReady alone): XGROUP DESTROY
   * must end XREADGROUP waits although neither WATCH nor the dirty counter sees it.
   */
  keyReady(dbIndex: number, key: string): void {
    this.events.keyModified(dbIndex, key)
  }

  /** WATCH: registers a watcher and returns the key's current version, to compare at EXEC. */
  watch(dbIndex: number, key: string): number {
    const watched = this.watched[dbIndex]
    if (watched === undefined) throw new RangeError(`db ${dbIndex} out of range`)
    const entry = watched.get(key)
    if (entry !== undefined) {
      entry[0]++
      return entry[1]
    }
    watched.set(key, [1, 0])
    return 0
  }

  /** Drops one watcher of a key (UNWATCH, EXEC, DISCARD, disconnect). */
  unwatch(dbIndex: number, key: string): void {
    const watched = this.watched[dbIndex]
    const entry = watched?.get(key)
    if (entry === undefined) return
    if (--entry[0] <= 0) watched?.delete(key)
  }

  /** True when a watched key was modified after `watch` returned `version`. */
  changedSince(dbIndex: number, key: string, version: number): boolean {
    return (this.watched[dbIndex]?.get(key)?.[1] ?? version) !== version
  }

  swap(a: number, b: number): void {
    this.bulkChange++
    try {
      this.swapContent(a, b)
    } finally {
      this.bulkChange--
    }
  }

  private swapContent(a: number, b: number): void {
    const dbA = this.db(a)
    const dbB = this.db(b)
    // Every key of both databases counts as modified (Redis touchAllWatchedKeysInDb).
    for (const key of dbA.entries.keys()) this.hooks.keyModified(dbA, key)
    for (const key of dbB.entries.keys()) this.hooks.keyModified(dbB, key)
    const entriesA = new Map(dbA.entries)
    const volatileA = new Set(dbA.volatileKeys)
    replaceContent(dbA, dbB.entries, dbB.volatileKeys)
    replaceContent(dbB, entriesA, volatileA)
    for (const key of dbA.entries.keys()) this.hooks.keyModified(dbA, key)
    for (const key of dbB.entries.keys()) this.hooks.keyModified(dbB, key)
  }

  flushAll(): number {
    return this.flushing(() => this.databases.reduce((removed, db) => removed + db.clear(), 0))
  }

  /** FLUSHDB: one database emptied; tracking clients are told every key is invalid. */
  flushDb(index: number): number {
    return this.flushing(() => this.db(index).clear())
  }

  /** Replaces every database's content at once (RDB load, full resync). */
  replaceAll(loaded: readonly Database[]): void {
    this.flushing(() => {
      for (const db of this.databases) db.clear()
      for (const source of loaded) {
        const target = this.databases[source.index]
        if (target !== undefined) target.takeOver(source)
      }
    })
  }

  private flushing<T>(fn: () => T): T {
    this.bulkChange++
    try {
      return fn()
    } finally {
      this.bulkChange--
      this.events.flushed?.()
    }
  }

  /** A fresh, unattached database (for loading an RDB before swapping it in). */
  detachedDatabase(index: number): Database {
    return new Database(index, this.clock, {keyModified: () => {}, keyExpired: () => {}, isReplica: () => true})
  }

  /**
   * One slow cycle of active expiry (ACTIVE_EXPIRE_CYCLE_SLOW at the default effort), round-robin across
   * databases: check the next 20 volatile keys from the db's cursor, delete the expired ones, and go on while
   * more than 10% of them had expired, until `timeLimitMs` of work (Redis: 25% of a cron period). The cursor
   * walks the whole set over the cycles, as Redis's expires_cursor walks the dict. Replicas never expire
   * actively; their master sends DELs.
   */
  activeExpireCycle(timeLimitMs = 25): number {
    if (this.events.isReplica() || !this.activeExpireEnabled) return 0
    const started = performance.now()
    let expired = 0
    let loops = 0
    for (let n = 0; n < this.databases.length; n++) {
      const db = this.databases[(this.expireCursor + n) % this.databases.length] as Database
      for (;;) {
        const sample = Math.min(KEYS_PER_LOOP, db.volatileKeys.size)
        if (sample === 0) break
        const now = this.clock.nowMs()
        let found = 0
        for (let i = 0; i < sample && db.volatileKeys.size > 0; i++) {
          if (db.expireScanCursor >= db.volatileKeys.size) db.expireScanCursor = 0
          const key = db.volatileKeys.at(db.expireScanCursor) as string
          const entry = db.entries.get(key)
          if (entry?.expiresAt !== undefined && entry.expiresAt <= now) {
            // The last key moves into this slot: the cursor stays to check it next.
            db.expire(key)
            found++
          } else {
            db.expireScanCursor++
          }
        }
        expired += found
        // Redis checks the clock every 16 loops.
        if (++loops % 16 === 0 && performance.now() - started > timeLimitMs) {
          this.expireCursor = (this.expireCursor + n) % this.databases.length
          return expired
        }
        if (found * 100 <= sample * ACCEPTABLE_STALE_PERCENT) break
      }
    }
    this.expireCursor = (this.expireCursor + 1) % this.databases.length
    return expired
  }
}

function replaceContent(db: Database, entries: ReadonlyMap<string, import('./values.js').Entry>, volatile: Iterable<string>): void {
  // adopt() clears the target first: copy a source that is the target's own live map (never the case today).
  db.adopt(entries === db.entries ? new Map(entries) : entries, [...volatile])
}

/** What every database's keys cost in used_memory (keyspace/memory.ts), kept incrementally per db. */
export function datasetBytes(keyspace: Keyspace): number {
  let bytes = 0
  for (const db of keyspace.databases) bytes += db.memoryBytes
  return bytes
}
