// A per-key estimate of what Redis 7.0 would allocate for a key (jemalloc size classes, sds headers, robj,
// dictEntry, the encodings of object.c), the figure used_memory and maxmemory eviction are computed from.
// Collections are estimated as object.c objectComputeSize does MEMORY USAGE: a bounded sample of elements,
// scaled to the element count (cached per collection between samples), so re-estimating a key after a write
// costs O(SAMPLES) at most whatever its size.

import {listpackEntrySize} from '../persistence/listpack.js'
import type {StringValue} from './string-value.js'
import type {RedisValue} from './values.js'

/** Elements looked at per collection (objectComputeSize samples 5 by default; more gives a steadier figure). */
const SAMPLES = 32
const ROBJ = 16
/** A dictEntry (key, value and next pointers: 24 bytes) in jemalloc's 32-byte class. */
export const DICT_ENTRY = 32
const INT_RE = /^-?(0|[1-9][0-9]{0,18})$/

/** jemalloc's size class for an allocation of n bytes (8, 16, 32, 48 … 128, then four classes per doubling). */
export function jemallocSize(n: number): number {
  if (n <= 8) return 8
  if (n <= 128) return (n + 15) & ~15
  if (n >= 2 ** 30) return n
  const spacing = 2 ** (31 - Math.clz32(n - 1) - 2)
  return Math.ceil(n / spacing) * spacing
}

/** An sds string of `len` bytes: its header (sdsReqType) + the bytes + the NUL, in its size class. */
export function sdsSize(len: number): number {
  const header = len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : 9
  return jemallocSize(header + len + 1)
}

/** A dict's bucket array for `count` entries: the table is the next power of two (at least 4) of 8-byte slots. */
export function dictTableSize(count: number): number {
  if (count === 0) return 0
  if (count <= 4) return 32
  return count > 2 ** 30 ? count * 8 : 2 ** (32 - Math.clz32(count - 1)) * 8
}

const isInt = (b: Buffer | string): boolean => b.length <= 20 && INT_RE.test(typeof b === 'string' ? b : b.toString('latin1'))

/** A string value: shared integers cost nothing, other integers a bare robj, then embstr (≤ 44 bytes) or raw. */
function stringSize(value: StringValue): number {
  const length = value.byteLength
  if (length <= 20) {
    const text = value.latin1()
    if (isInt(text)) {
      const n = Number(text)
      return n >= 0 && n < 10000 ? 0 : ROBJ
    }
  }
  if (length <= 44) return jemallocSize(ROBJ + 3 + length + 1)
  return ROBJ + sdsSize(length)
}

/** Up to SAMPLES elements spread over an indexable collection of `count` elements. */
function* spread<T>(count: number, at: (i: number) => T | undefined): Generator<T> {
  const step = Math.max(1, Math.floor(count / SAMPLES))
  for (let i = 0; i < count; i += step) {
    const item = at(i)
    if (item !== undefined) yield item
  }
}

/** All elements fit a listpack: entry count and every sampled element's length under the thresholds. */
function fitsListpack<T>(items: Iterable<T>, count: number, maxEntries: number, maxValue: number, length: (item: T) => number): boolean {
  if (count > maxEntries) return false
  let seen = 0
  for (const item of items) {
    if (length(item) > maxValue) return false
    if (++seen >= SAMPLES) break
  }
  return true
}

const lpEntry = (s: string | Buffer): number => listpackEntrySize(typeof s === 'string' ? Buffer.from(s, 'latin1') : s)

/** A collection's sampled shape: the encoding chosen and the average bytes per element under it. */
interface Shape {
  compact: boolean
  avg: number
  /** Element count when sampled, and estimates served since. */
  at: number
  served: number
}

/**
 * Sampling is cached per collection object: a write re-estimates from the cached average while the count
 * stays within an eighth of the sampled one (and on the same side of the encoding threshold), and samples
 * afresh every 32 writes, so a long run of LPUSH or HSET costs a multiplication, not a sample, per write.
 */
const shapes = new WeakMap<object, Shape>()

function shapeOf(collection: object, count: number, threshold: number, sample: () => {compact: boolean; avg: number}): Shape {
  const cached = shapes.get(collection)
  if (
    cached !== undefined &&
    cached.served < 32 &&
    Math.abs(count - cached.at) <= Math.max(8, cached.at >> 3) &&
    count > threshold === cached.at > threshold
  ) {
    cached.served++
    return cached
  }
  const fresh = {...sample(), at: count, served: 0}
  shapes.set(collection, fresh)
  return fresh
}

/** The average of `cost` over at most SAMPLES elements (0 when there are none). */
function average<T>(items: Iterable<T>, cost: (item: T) => number): number {
  let seen = 0
  let sum = 0
  for (const item of items) {
    sum += cost(item)
    if (++seen >= SAMPLES) break
  }
  return seen === 0 ? 0 : sum / seen
}

/** The value's allocation, by its type and the encoding Redis 7.0 would pick (default thresholds). */
export function valueSize(value: RedisValue): number {
  switch (value.type) {
    case 'string':
      return stringSize(value)
    case 'list': {
      // A quicklist of listpack nodes of up to 8 KB each (list-max-listpack-size -2).
      const list = value.value
      const n = list.length
      const shape = shapeOf(list, n, Number.POSITIVE_INFINITY, () => ({compact: true, avg: average(spread(n, (i) => list.at(i)), lpEntry)}))
      const bytes = Math.round(shape.avg * n)
      const nodes = Math.max(1, Math.ceil(bytes / 8192))
      return ROBJ + 48 + nodes * (32 + 7) + jemallocSize(bytes)
    }
    case 'hash': {
      const hash = value.value
      const n = hash.size
      const shape = shapeOf(hash, n, 128, () => {
        const compact = fitsListpack(hash, n, 128, 64, ([f, v]) => Math.max(f.length, v.length))
        return {compact, avg: average(hash, compact ? ([f, v]) => lpEntry(f) + lpEntry(v) : ([f, v]) => DICT_ENTRY + sdsSize(f.length) + sdsSize(v.length))}
      })
      const elements = Math.round(shape.avg * n)
      return shape.compact ? ROBJ + jemallocSize(7 + elements) : ROBJ + 64 + dictTableSize(n) + elements
    }
    case 'set': {
      const set = value.value
      const n = set.size
      const shape = shapeOf(set, n, 512, () => {
        // An intset while every member is an integer (the sampled ones stand for the rest).
        const compact = fitsListpack(set, n, 512, 0, (m) => (isInt(m) ? 0 : 1))
        const width = (m: string): number => {
          const v = Math.abs(Number(m))
          return v > 2147483647 ? 8 : v > 32767 ? 4 : 2
        }
        return {compact, avg: compact ? average(set, width) : average(set, (m) => DICT_ENTRY + sdsSize(m.length))}
      })
      const elements = Math.round(shape.avg * n)
      return shape.compact ? ROBJ + jemallocSize(8 + elements) : ROBJ + 64 + dictTableSize(n) + elements
    }
    case 'zset': {
      const zset = value.value
      const n = zset.size
      const shape = shapeOf(zset, n, 128, () => {
        const compact = fitsListpack(spread(n, (i) => zset.at(i)), n, 128, 64, (e) => e.member.length)
        // Listpack: member and score entries; skiplist: the dict entry, the member sds, a node of 1.33 levels.
        return {compact, avg: average(spread(n, (i) => zset.at(i)), compact ? (e) => lpEntry(e.member) + 10 : (e) => DICT_ENTRY + sdsSize(e.member.length) + 48)}
      })
      const elements = Math.round(shape.avg * n)
      return shape.compact ? ROBJ + jemallocSize(7 + elements) : ROBJ + 64 + 32 + dictTableSize(n) + elements
    }
    case 'stream': {
      const stream = value.value
      const nodes = stream.nodes
      const shape = shapeOf(nodes, nodes.length, Number.POSITIVE_INFINITY, () => ({compact: true, avg: average(spread(nodes.length, (i) => nodes[i]), (node) => jemallocSize(node.bytes) + 32)}))
      // The tail node grows with every XADD: counted exactly, the others by the sampled average.
      const tail = nodes[nodes.length - 1]
      let bytes = ROBJ + 64 + Math.round(shape.avg * Math.max(0, nodes.length - 1)) + (tail === undefined ? 0 : jemallocSize(tail.bytes) + 32)
      for (const group of stream.groups.values()) {
        bytes += 128 + group.pel.size * 64
        for (const consumer of group.consumers.values()) bytes += 64 + sdsSize(consumer.name.length) + consumer.pel.size * 16
      }
      return bytes
    }
  }
}

/** A key in the main dict: its dictEntry, the key sds and the value (its bucket slot is the dict's, see dictTableSize). */
export function entrySize(keyLength: number, value: RedisValue, volatile: boolean): number {
  return DICT_ENTRY + sdsSize(keyLength) + valueSize(value) + (volatile ? DICT_ENTRY : 0)
}
