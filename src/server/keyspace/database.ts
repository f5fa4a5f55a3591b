// One numbered database: a Map from key to Entry, with lazy expiry on access (db.c lookupKey*).
// Every mutation is reported through `modified(key)` so WATCH, the dirty counter and propagation stay exact.

import type {Clock} from '../../common/clock.js'
import {valueLength, type Entry, type RedisValue} from './values.js'

/** Callbacks from a database to the keyspace that owns it. */
export interface DatabaseHooks {
  /** A key was written, deleted or changed in place (Redis signalModifiedKey + server.dirty++). */
  keyModified(db: Database, key: string): void
  /** A key was found expired and deleted on a master (Redis propagates a DEL to replicas). */
  keyExpired(db: Database, key: string): void
  /** Replicas keep expired keys until their master deletes them, but hide them from reads. */
  isReplica(): boolean
  /** True while a replica runs a command from its master, which sees every key as it is (Redis: no expiry then). */
  isMasterCalling?(): boolean
}

export class Database {
  readonly entries = new Map<string, Entry>()
  /** Keys with an expiry, for the active expire cycle and INFO keyspace. */
  readonly volatileKeys = new Set<string>()

  constructor(
    readonly index: number,
    private readonly clock: Clock,
    private readonly hooks: DatabaseHooks,
  ) {}

  get size(): number {
    return this.entries.size
  }

  /** Looks a key up for reading: expired keys are absent, and the access time is updated. */
  lookup(key: string): Entry | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.clock.nowMs()) {
      if (this.hooks.isReplica()) return this.hooks.isMasterCalling?.() === true ? entry : undefined
      this.expire(key)
      return undefined
    }
    entry.lastAccessMs = this.clock.nowMs()
    return entry
  }

  /** Looks a key up without touching its access time (TYPE-like inspection, OBJECT IDLETIME, SCAN filters). */
  peek(key: string): Entry | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.clock.nowMs()) return undefined
    return entry
  }

  /** Stores a value, replacing any previous one; the TTL is cleared unless keepTtl. */
  set(key: string, value: RedisValue, options: {keepTtl?: boolean; expiresAt?: number} = {}): void {
    const previous = this.entries.get(key)
    const expiresAt = options.keepTtl ? previous?.expiresAt : options.expiresAt
    this.entries.set(key, {value, expiresAt, lastAccessMs: this.clock.nowMs()})
    if (expiresAt === undefined) this.volatileKeys.delete(key)
    else this.volatileKeys.add(key)
    this.hooks.keyModified(this, key)
  }

  /** Deletes a key; returns true when it existed (and was not expired). */
  delete(key: string): boolean {
    if (this.lookup(key) === undefined) return false
    this.remove(key)
    this.hooks.keyModified(this, key)
    return true
  }

  /** Sets or clears the expiry of an existing key. */
  setExpiry(key: string, expiresAt: number | undefined): void {
    const entry = this.entries.get(key)
    if (entry === undefined) return
    entry.expiresAt = expiresAt
    if (expiresAt === undefined) this.volatileKeys.delete(key)
    else this.volatileKeys.add(key)
    this.hooks.keyModified(this, key)
  }

  /** Call after changing a value in place (LPUSH on an existing list …). */
  modified(key: string): void {
    this.hooks.keyModified(this, key)
  }

  /** Deletes a collection key that became empty after an in-place change, as Redis does. */
  deleteIfEmpty(key: string): void {
    const entry = this.entries.get(key)
    if (entry === undefined) return
    if (entry.value.type !== 'string' && entry.value.type !== 'stream' && valueLength(entry.value) === 0) this.remove(key)
  }

  /** Removes all keys; returns how many there were. */
  clear(): number {
    const count = this.entries.size
    for (const key of this.entries.keys()) this.hooks.keyModified(this, key)
    this.entries.clear()
    this.volatileKeys.clear()
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
    this.entries.delete(key)
    this.volatileKeys.delete(key)
  }
}
