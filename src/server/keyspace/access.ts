// The access data of a key that the maxmemory policies rank by (evict.c, db.c updateLFU): under an LFU policy a
// logarithmic access counter with its last decrement time in minutes (Redis's 24-bit lru field split 16 + 8),
// otherwise the last access time (OBJECT IDLETIME). Only the one the current policy uses is updated on access.

import type {Entry} from './values.js'

/** The settings the keyspace reads on every access: kept up to date from CONFIG by the server. */
export interface AccessSettings {
  /** maxmemory-policy is volatile-lfu or allkeys-lfu. */
  lfu: boolean
  /** lfu-log-factor. */
  logFactor: number
  /** lfu-decay-time, in minutes. */
  decayTime: number
}

export const defaultAccessSettings = (): AccessSettings => ({lfu: false, logFactor: 10, decayTime: 1})

/** A new key's counter, so it survives a few accesses before it ranks as rarely used. */
export const LFU_INIT_VAL = 5

/** LFUGetTimeInMinutes: the low 16 bits of the Unix time in minutes. */
const minutes = (nowMs: number): number => Math.floor(nowMs / 60000) & 65535

/** The lfu word of a fresh key: now as the decrement time, LFU_INIT_VAL as the counter. */
export const lfuInit = (nowMs: number): number => (minutes(nowMs) << 8) | LFU_INIT_VAL

/** A key's lfu word; a key last touched under an LRU policy starts from its last access time. */
const lfuWord = (entry: Entry): number => entry.lfu ?? lfuInit(entry.lastAccessSec * 1000)

/** LFUTimeElapsed: minutes since the decrement time, the 16-bit clock wrapping at most once. */
function lfuTimeElapsed(ldt: number, nowMs: number): number {
  const now = minutes(nowMs)
  return now >= ldt ? now - ldt : 65535 - ldt + now
}

/** LFUDecrAndReturn: the counter less one per lfu-decay-time elapsed since its decrement time (not stored). */
export function lfuDecrAndReturn(entry: Entry, nowMs: number, settings: AccessSettings): number {
  const word = lfuWord(entry)
  const counter = word & 255
  const periods = settings.decayTime > 0 ? Math.floor(lfuTimeElapsed(word >> 8, nowMs) / settings.decayTime) : 0
  return periods > 0 ? (periods > counter ? 0 : counter - periods) : counter
}

/** LFULogIncr: the higher the counter, the less likely an access increments it; saturates at 255. */
function lfuLogIncr(counter: number, logFactor: number): number {
  if (counter === 255) return 255
  const base = Math.max(0, counter - LFU_INIT_VAL)
  return Math.random() < 1 / (base * logFactor + 1) ? counter + 1 : counter
}

/** A read or write of the key (lookupKey's touch): LFU counter or access time, by the policy. */
export function touch(entry: Entry, nowMs: number, settings: AccessSettings): void {
  if (settings.lfu) {
    const counter = lfuLogIncr(lfuDecrAndReturn(entry, nowMs, settings), settings.logFactor)
    entry.lfu = (minutes(nowMs) << 8) | counter
  } else {
    entry.lastAccessSec = Math.floor(nowMs / 1000)
  }
}

/** RESTORE … FREQ / objectSetLRUOrLFU: the counter as given, the decrement time now. */
export function setFrequency(entry: Entry, freq: number, nowMs: number): void {
  entry.lfu = (minutes(nowMs) << 8) | (freq & 255)
}
