// One numbered database: a Map from key to Entry, with lazy expiry on access (db.c lookupKey*).
// Every mutation is reported through `modified(key)` so WATCH, the dirty counter and propagation stay exact.

import type {Clock} from '../../common/clock.js'
import {defaultAccessSettings, lfuInit, touch as touchEntry, type AccessSettings} from './access.js'
import {IndexedSet} from './indexed-set.js'
import {dictTableSize, entrySize} from './memory.js'
import {newEntry, valueLength, type Entry, type RedisValue} from './values.js'

/** Callbacks from a database to the keyspace that owns it. */
export interface DatabaseHooks {
  /** A key was written, deleted or changed in place (Redis signalModifiedKey + server.dirty++). */
  keyModified(db: Database, key: string): void
  /** A key was found expired and deleted on a master (Redis propagates a DEL to replicas). */
  keyExpired(db: Database, key: string): void
  /** A key was added to the keyspace (dbAdd: the `new` event). */
  keyAdded?(db: Database, key: string): void
  /** A lookup found no key, or an expired one (lookupKey: the `keymiss` event of a read). */
  keyMissed?(db: Database, key: string): void
  /** Replicas keep expired keys until their master deletes them, but hide them from reads. */
  isReplica(): boolean
  /** True while a replica runs a command from its master, which sees every key as it is (Redis: no expiry then). */
  isMasterCalling?(): boolean
  /** The maxmemory policy's access tracking (LRU time or LFU counter); defaults when absent. */
  readonly access?: AccessSettings
}

/**
 * A background snapshot in progress (persistence/snapshot-job.ts), copy-on-write at the key level: told
 * before any key is looked up, replaced, re-timed or removed (so it can write the key's value as it was
 * when the snapshot began), and before the whole content is replaced or cleared.
 */
export interface SnapshotGuard {
  beforeKey(db: Database, key: string): void
  beforeAll(): void
}

export class Database {
  /** Set while a background snapshot runs; undefined otherwise (one check on the hot paths). */
  snapshotGuard: SnapshotGuard | undefined = undefined
  /** Replaced only by takeOver (a loaded dataset); everything else changes it in place. */
  entries = new Map<string, Entry>()
  /** Keys with an expiry, for the active expire cycle, INFO keyspace and volatile-* eviction. */
  volatileKeys = new IndexedSet()
  /** Where the active expire cycle goes on scanning volatileKeys (Redis's db->expires_cursor). */
  expireScanCursor = 0
  /** Every key, each at its entry's `slot`: the random samples of eviction. */
  private keyList: string[] = []
  /** The sum of the entries' `mem` (keyspace/memory.ts), kept on every write and delete. */
  private entryBytes = 0
  private readonly access: AccessSettings

  constructor(
    readonly index: number,
    private readonly clock: Clock,
    private readonly hooks: DatabaseHooks,
  ) {
    this.access = hooks.access ?? defaultAccessSettings()
  }

  get size(): number {
    return this.entries.size
  }

  /** What the keys of this db cost in used_memory: their entries plus both dicts' bucket arrays. */
  get memoryBytes(): number {
    return this.entryBytes + dictTableSize(this.entries.size) + dictTableSize(this.volatileKeys.size)
  }

  /** A uniformly random key (expired ones included, as dictGetRandomKey), or undefined when empty. */
  randomKey(): string | undefined {
    const n = this.keyList.length
    return n === 0 ? undefined : this.keyList[Math.floor(Math.random() * n)]
  }

  /**
   * RANDOMKEY (dbRandomKey): random picks until one has not expired; a master deletes the expired ones it
   * meets. A replica keeps them, so when every key is volatile it gives up after 100 picks and answers the
   * last one, as Redis does.
   */
  randomLiveKey(): string | undefined {
    const allVolatile = this.volatileKeys.size === this.entries.size
    for (let tries = 100; ; tries--) {
      const key = this.randomKey()
      if (key === undefined) return undefined
      if (allVolatile && this.hooks.isReplica() && tries === 1) return key
      if (this.lookupEntry(key, false, false) !== undefined) return key
    }
  }

  /** Up to `count` random keys (dictGetSomeKeys: duplicates possible, never more than there are). */
  sampleKeys(count: number, volatileOnly: boolean): string[] {
    const out: string[] = []
    const size = volatileOnly ? this.volatileKeys.size : this.keyList.length
    for (let i = 0; i < Math.min(count, size); i++) {
      const key = volatileOnly ? this.volatileKeys.random() : this.randomKey()
      if (key !== undefined) out.push(key)
    }
    return out
  }

  /** The bytes a key is accounted for (MEMORY USAGE), 0 when absent. */
  keyBytes(key: string): number {
    return this.entries.get(key)?.mem ?? 0
  }

  /**
   * Looks a key up for reading: expired keys are absent, and the access time (or LFU counter) is updated
   * unless `touch` is false (LOOKUP_NOTOUCH: EXISTS, TYPE).
   */
  lookup(key: string, touch = true): Entry | undefined {
    return this.lookupEntry(key, touch, true)
  }

  /** Like lookup, but a miss raises no `keymiss` (lookupKeyWrite, LOOKUP_NONOTIFY). */
  lookupQuiet(key: string, touch = true): Entry | undefined {
    return this.lookupEntry(key, touch, false)
  }

  private lookupEntry(key: string, touch: boolean, notifyMiss: boolean): Entry | undefined {
    // Any lookup may be followed by a change in place, so the snapshot copies the key first.
    this.snapshotGuard?.beforeKey(this, key)
    const entry = this.entries.get(key)
    if (entry === undefined) {
      if (notifyMiss) this.hooks.keyMissed?.(this, key)
      return undefined
    }
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.clock.nowMs()) {
      if (this.hooks.isReplica()) {
        if (this.hooks.isMasterCalling?.() === true) return entry
      } else {
        this.expire(key)
      }
      if (notifyMiss) this.hooks.keyMissed?.(this, key)
      return undefined
    }
    if (touch) touchEntry(entry, this.clock.nowMs(), this.access)
    return entry
  }

  /** Looks a key up without touching its access time (TYPE-like inspection, OBJECT IDLETIME, SCAN filters). */
  peek(key: string): Entry | undefined {
    this.snapshotGuard?.beforeKey(this, key)
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.clock.nowMs()) return undefined
    return entry
  }

  /**
   * Stores a value, replacing any previous one; the TTL is cleared unless keepTtl. `signal: false` leaves out
   * the modification signal (WATCH, tracking, dirty) where Redis's dbAdd/dbOverwrite alone give none.
   */
  set(key: string, value: RedisValue, options: {keepTtl?: boolean; expiresAt?: number; signal?: boolean} = {}): void {
    this.snapshotGuard?.beforeKey(this, key)
    let previous = this.entries.get(key)
    // setKey's lookupKeyWrite: an expired key is deleted first (its `expired` event), then the key is new.
    if (previous !== undefined && this.isExpired(previous) && !this.hooks.isReplica()) {
      this.expire(key)
      previous = undefined
    }
    const expiresAt = options.keepTtl ? previous?.expiresAt : options.expiresAt
    const now = this.clock.nowMs()
    const entry = newEntry(value, expiresAt, Math.floor(now / 1000))
    // An overwritten key keeps its LFU counter (dbSetValue); a new one starts at LFU_INIT_VAL.
    if (this.access.lfu) entry.lfu = previous?.lfu ?? lfuInit(now)
    if (previous?.slot !== undefined) {
      entry.slot = previous.slot
      this.entryBytes -= previous.mem ?? 0
    } else {
      entry.slot = this.keyList.length
      this.keyList.push(key)
    }
    entry.mem = entrySize(key.length, value, expiresAt !== undefined)
    this.entryBytes += entry.mem
    this.entries.set(key, entry)
    // Only a key that had an expiry can be in volatileKeys (one hash lookup less on every plain SET).
    if (expiresAt !== undefined) this.volatileKeys.add(key)
    else if (previous?.expiresAt !== undefined) this.volatileKeys.delete(key)
    if (previous === undefined) this.hooks.keyAdded?.(this, key)
    if (options.signal !== false) this.hooks.keyModified(this, key)
  }

  /** Deletes a key; returns true when it existed (and was not expired). */
  delete(key: string): boolean {
    if (this.lookupQuiet(key) === undefined) return false
    this.remove(key)
    this.hooks.keyModified(this, key)
    return true
  }

  /** Sets or clears the expiry of an existing key. */
  setExpiry(key: string, expiresAt: number | undefined): void {
    this.snapshotGuard?.beforeKey(this, key)
    const entry = this.entries.get(key)
    if (entry === undefined) return
    entry.expiresAt = expiresAt
    if (expiresAt === undefined) this.volatileKeys.delete(key)
    else this.volatileKeys.add(key)
    this.account(key, entry)
    this.hooks.keyModified(this, key)
  }

  /**
   * Call after changing a value in place (LPUSH on an existing list …). `signal: false` only re-accounts its
   * bytes, for a change Redis does not signal (BITFIELD growing a key whose every write FAILed).
   */
  modified(key: string, signal = true): void {
    const entry = this.entries.get(key)
    if (entry !== undefined) this.account(key, entry)
    if (signal) this.hooks.keyModified(this, key)
  }

  /** Re-estimates a key's bytes after its value or expiry changed. */
  private account(key: string, entry: Entry): void {
    const bytes = entrySize(key.length, entry.value, entry.expiresAt !== undefined)
    this.entryBytes += bytes - (entry.mem ?? 0)
    entry.mem = bytes
  }

  /**
   * Deletes a key chosen by maxmemory eviction (dbSyncDelete: whether or not it is logically expired);
   * returns the bytes it was accounted for, or undefined when it is not there.
   */
  evict(key: string): number | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    const before = this.memoryBytes
    this.remove(key)
    const freed = before - this.memoryBytes
    this.hooks.keyModified(this, key)
    return freed
  }

  /**
   * Takes over another map's entries (SWAPDB, a loaded dataset): the key list, the slots and the byte count are
   * rebuilt; an entry's bytes are computed when it has none yet (loaded from RDB).
   */
  adopt(entries: ReadonlyMap<string, Entry>, volatile: Iterable<string>): void {
    this.snapshotGuard?.beforeAll()
    this.entries.clear()
    this.volatileKeys.clear()
    for (const [key, entry] of entries) this.entries.set(key, entry)
    for (const key of volatile) this.volatileKeys.add(key)
    this.reindex()
  }

  /**
   * Takes a detached database's maps as they are (an RDB load, a full resync): no copy and no rehash of a
   * million keys, only the key list and the byte count rebuilt. `source` must not be used afterwards.
   */
  takeOver(source: Database): void {
    this.snapshotGuard?.beforeAll()
    this.entries = source.entries
    this.volatileKeys = source.volatileKeys
    source.entries = new Map()
    source.volatileKeys = new IndexedSet()
    this.expireScanCursor = 0
    this.reindex()
  }

  /** Rebuilds the key list, the slots and the byte count from the entries (their bytes computed when missing). */
  private reindex(): void {
    this.keyList = []
    this.entryBytes = 0
    for (const [key, entry] of this.entries) {
      entry.slot = this.keyList.length
      this.keyList.push(key)
      entry.mem ??= entrySize(key.length, entry.value, entry.expiresAt !== undefined)
      this.entryBytes += entry.mem
    }
  }

  /** Deletes a collection key that became empty after an in-place change, as Redis does. */
  deleteIfEmpty(key: string): boolean {
    const entry = this.entries.get(key)
    if (entry === undefined) return false
    if (entry.value.type === 'string' || entry.value.type === 'stream' || valueLength(entry.value) !== 0) return false
    this.remove(key)
    return true
  }

  /** Removes all keys; returns how many there were. */
  clear(): number {
    this.snapshotGuard?.beforeAll()
    const count = this.entries.size
    for (const key of this.entries.keys()) this.hooks.keyModified(this, key)
    this.entries.clear()
    this.volatileKeys.clear()
    this.keyList = []
    this.entryBytes = 0
    return count
  }

  /** Deletes an expired key (lazily on access or from the active cycle) and tells the keyspace. */
  expire(key: string): void {
    this.remove(key)
    this.hooks.keyExpired(this, key)
    this.hooks.keyModified(this, key)
  }

  isExpired(entry: Entry): boolean {
    return entry.expiresAt !== undefined && entry.expiresAt <= this.clock.nowMs()
  }

  private remove(key: string): void {
    this.snapshotGuard?.beforeKey(this, key)
    const entry = this.entries.get(key)
    if (entry === undefined) return
    this.entries.delete(key)
    this.volatileKeys.delete(key)
    this.entryBytes -= entry.mem ?? 0
    const slot = entry.slot
    if (slot === undefined) return
    const last = this.keyList.pop() as string
    if (slot < this.keyList.length) {
      this.keyList[slot] = last
      const moved = this.entries.get(last)
      if (moved !== undefined) moved.slot = slot
    }
  }
}
