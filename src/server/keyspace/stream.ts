// The stream value (t_stream.c, stream.h): entries kept in nodes laid out as Redis's listpack nodes — a master
// entry (the first entry's fields), then entries flagged SAMEFIELDS or DELETED — in a sorted array of nodes, so an
// ID is found with two binary searches and XADD appends to the tail node. Nodes split on the same
// stream-node-max-bytes / stream-node-max-entries rule as Redis (the byte size is the listpack's), so `~`
// trimming removes exactly the entries Redis removes and RDB files carry the same nodes.

import {listpackEntrySize, listpackIntSize} from '../persistence/listpack.js'
import {ConsumerGroup} from './stream-groups.js'
import {idMs, idSeq, MAX_ID, MIN_ID, type StreamId} from './stream-id.js'

export const FLAG_DELETED = 1
export const FLAG_SAMEFIELDS = 2

/** One entry of a node; `fields` is the node's master field list when `sameFields`. */
export interface StreamEntry {
  readonly id: StreamId
  readonly fields: readonly Buffer[]
  readonly values: readonly Buffer[]
  readonly sameFields: boolean
  deleted: boolean
}

const entryBytes = (masterId: StreamId, entry: StreamEntry): number => {
  let bytes = listpackIntSize(entry.sameFields ? FLAG_SAMEFIELDS : 0)
  bytes += listpackIntSize(BigInt.asIntN(64, idMs(entry.id) - idMs(masterId)))
  bytes += listpackIntSize(BigInt.asIntN(64, idSeq(entry.id) - idSeq(masterId)))
  const n = entry.values.length
  if (!entry.sameFields) {
    bytes += listpackIntSize(n)
    for (const f of entry.fields) bytes += listpackEntrySize(f)
  }
  for (const v of entry.values) bytes += listpackEntrySize(v)
  return bytes + listpackIntSize(entry.sameFields ? n + 3 : 2 * n + 4)
}

/** One listpack node: its master ID (the rax key), master fields and entries (deleted ones included). */
export class StreamNode {
  readonly entries: StreamEntry[] = []
  live = 0
  deleted = 0
  /** Listpack bytes but the two counters at its head, which change size as they grow. */
  private fixedBytes: number

  constructor(readonly masterId: StreamId, readonly masterFields: readonly Buffer[]) {
    this.fixedBytes = 6 + 1 + listpackIntSize(masterFields.length) + listpackIntSize(0)
    for (const f of masterFields) this.fixedBytes += listpackEntrySize(f)
  }

  /** lpBytes of the node's listpack. */
  get bytes(): number {
    return this.fixedBytes + listpackIntSize(this.live) + listpackIntSize(this.deleted)
  }

  /** Appends an entry (live or, when loading, a tombstone). */
  push(entry: StreamEntry): void {
    this.entries.push(entry)
    this.fixedBytes += entryBytes(this.masterId, entry)
    if (entry.deleted) this.deleted++
    else this.live++
  }

  /** Whether `fields` equal the master fields (the entry then stores only its values). */
  sameAsMaster(fields: readonly Buffer[]): boolean {
    return fields.length === this.masterFields.length && fields.every((f, i) => f.equals(this.masterFields[i] as Buffer))
  }

  /** Index of the first entry with id >= `id` (entries.length when none). */
  lowerBound(id: StreamId): number {
    let lo = 0
    let hi = this.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.entries[mid] as StreamEntry).id < id) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  get lastEntryId(): StreamId {
    return (this.entries[this.entries.length - 1] as StreamEntry).id
  }
}

export interface NodeLimits {
  /** stream-node-max-bytes (0: no limit but the listpack maximum). */
  maxBytes: number
  /** stream-node-max-entries (0: no limit). */
  maxEntries: number
}

const LISTPACK_MAX_SIZE = 1 << 30

export interface TrimSpec {
  strategy: 'maxlen' | 'minid'
  maxlen: bigint
  minid: StreamId
  approx: boolean
  /** Most entries to remove; 0 for no limit. */
  limit: bigint
}

export class Stream {
  readonly nodes: StreamNode[] = []
  length = 0
  lastId: StreamId = MIN_ID
  firstId: StreamId = MIN_ID
  maxDeletedId: StreamId = MIN_ID
  entriesAdded = 0n
  /** Consumer groups by name (latin1 of the name bytes). */
  readonly groups = new Map<string, ConsumerGroup>()
  /** Counts the writes that wake blocked readers (XADD, XGROUP DESTROY), as Redis signals the key ready. */
  readySignals = 0

  /**
   * Appends an entry with `id` (already checked to be greater than lastId); Redis's streamAppendItem.
   * `fields` and `values` are the pairs of XADD.
   */
  append(id: StreamId, fields: readonly Buffer[], values: readonly Buffer[], limits: NodeLimits): void {
    let totalLength = 0
    for (let i = 0; i < fields.length; i++) totalLength += (fields[i] as Buffer).length + (values[i] as Buffer).length
    let node: StreamNode | undefined = this.nodes[this.nodes.length - 1]
    if (node !== undefined) {
      const maxBytes = limits.maxBytes === 0 || limits.maxBytes > LISTPACK_MAX_SIZE ? LISTPACK_MAX_SIZE : limits.maxBytes
      if (node.bytes + totalLength >= maxBytes) node = undefined
      else if (limits.maxEntries > 0 && node.live + node.deleted >= limits.maxEntries) node = undefined
    }
    if (node === undefined) {
      node = new StreamNode(id, fields.map((f) => Buffer.from(f)))
      this.nodes.push(node)
    }
    const same = node.sameAsMaster(fields)
    node.push({id, fields: same ? node.masterFields : fields.map((f) => Buffer.from(f)), values: values.map((v) => Buffer.from(v)), sameFields: same, deleted: false})
    this.length++
    this.entriesAdded++
    this.lastId = id
    if (this.length === 1) this.firstId = id
  }

  /** Index of the node that would hold `id`: the last node whose master ID is <= id (0 when before all). */
  private nodeIndexFor(id: StreamId): number {
    let lo = 0
    let hi = this.nodes.length - 1
    let found = 0
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if ((this.nodes[mid] as StreamNode).masterId <= id) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    return found
  }

  /** Entries with start <= id <= end in order (reversed when `rev`), tombstones skipped unless asked. */
  *range(start: StreamId, end: StreamId, rev = false, withTombstones = false): Generator<StreamEntry> {
    if (start > end || this.nodes.length === 0) return
    if (!rev) {
      for (let n = this.nodeIndexFor(start); n < this.nodes.length; n++) {
        const node = this.nodes[n] as StreamNode
        if (node.masterId > end) return
        for (let i = node.lowerBound(start); i < node.entries.length; i++) {
          const entry = node.entries[i] as StreamEntry
          if (entry.id > end) return
          if (!entry.deleted || withTombstones) yield entry
        }
      }
    } else {
      for (let n = this.nodeIndexFor(end); n >= 0; n--) {
        const node = this.nodes[n] as StreamNode
        let i = node.lowerBound(end)
        if (i >= node.entries.length || (node.entries[i] as StreamEntry).id > end) i--
        for (; i >= 0; i--) {
          const entry = node.entries[i] as StreamEntry
          if (entry.id < start) return
          if (!entry.deleted || withTombstones) yield entry
        }
      }
    }
  }

  /** The live entry with this ID, if any. */
  get(id: StreamId): StreamEntry | undefined {
    for (const entry of this.range(id, id)) return entry
    return undefined
  }

  /** The last live entry's ID (streamLastValidID), MIN_ID when empty. */
  lastValidId(): StreamId {
    for (const entry of this.range(MIN_ID, MAX_ID, true)) return entry.id
    return MIN_ID
  }

  /** streamGetEdgeID: the first or last ID, tombstones counted unless skipped; MAX_ID/MIN_ID when none. */
  edgeId(first: boolean, skipTombstones: boolean): StreamId {
    for (const entry of this.range(MIN_ID, MAX_ID, !first, !skipTombstones)) return entry.id
    return first ? MAX_ID : MIN_ID
  }

  /**
   * Deletes one live entry (streamIteratorRemoveEntry): the entry becomes a tombstone, and its node goes
   * away when it was the node's last live entry. False when there is no such entry.
   */
  delete(id: StreamId): boolean {
    if (this.nodes.length === 0) return false
    const n = this.nodeIndexFor(id)
    const node = this.nodes[n] as StreamNode
    const i = node.lowerBound(id)
    const entry = node.entries[i]
    if (entry === undefined || entry.id !== id || entry.deleted) return false
    if (node.live === 1) this.nodes.splice(n, 1)
    else {
      entry.deleted = true
      node.live--
      node.deleted++
    }
    this.length--
    return true
  }

  /** streamTrim: removes entries from the head by MAXLEN or MINID; returns how many were removed. */
  trim(spec: TrimSpec): number {
    let removed = 0
    while (this.nodes.length > 0) {
      if (spec.strategy === 'maxlen' && BigInt(this.length) <= spec.maxlen) break
      const node = this.nodes[0] as StreamNode
      const live = node.live
      if (spec.limit > 0n && BigInt(removed + live) > spec.limit) break
      const removeNode = spec.strategy === 'maxlen'
        ? BigInt(this.length - live) >= spec.maxlen
        : node.lastEntryId < spec.minid
      if (removeNode) {
        this.nodes.shift()
        this.length -= live
        removed += live
        continue
      }
      if (spec.approx) break
      let fromNode = 0
      for (const entry of node.entries) {
        const stop = spec.strategy === 'maxlen' ? BigInt(this.length) <= spec.maxlen : entry.id >= spec.minid
        if (stop) break
        if (!entry.deleted) {
          entry.deleted = true
          fromNode++
          this.length--
        }
      }
      node.live -= fromNode
      node.deleted += fromNode
      removed += fromNode
      break
    }
    if (this.length === 0) this.firstId = MIN_ID
    else if (removed > 0) this.firstId = this.edgeId(true, true)
    return removed
  }

  /** streamRangeHasTombstones: whether a deleted ID may lie in [start, end]. */
  rangeHasTombstones(start: StreamId, end: StreamId = MAX_ID): boolean {
    if (this.length === 0 || this.maxDeletedId === MIN_ID) return false
    if (this.firstId > this.maxDeletedId) return false
    return start <= this.maxDeletedId && this.maxDeletedId <= end
  }

  /** streamEstimateDistanceFromFirstEverEntry: the logical read counter of `id`, or -1n when unknown. */
  estimateDistance(id: StreamId): bigint {
    if (this.entriesAdded === 0n) return 0n
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded
    if (id === this.lastId) return this.entriesAdded
    if (id > this.lastId) return -1n
    if (this.maxDeletedId === MIN_ID || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - BigInt(this.length)
      if (id === this.firstId) return this.entriesAdded - BigInt(this.length) + 1n
    }
    return -1n
  }

  /** A group's lag (streamReplyWithCGLag), undefined when it cannot be known. */
  lag(group: ConsumerGroup): bigint | undefined {
    if (this.entriesAdded === 0n) return 0n
    if (group.entriesRead !== -1n && !this.rangeHasTombstones(group.lastId)) return this.entriesAdded - group.entriesRead
    const read = this.estimateDistance(group.lastId)
    return read === -1n ? undefined : this.entriesAdded - read
  }

  /** A deep copy (COPY): same nodes, metadata and groups. */
  clone(): Stream {
    const copy = new Stream()
    for (const node of this.nodes) {
      const fresh = new StreamNode(node.masterId, node.masterFields)
      for (const e of node.entries) fresh.push({...e, fields: e.sameFields ? fresh.masterFields : e.fields})
      copy.nodes.push(fresh)
    }
    copy.length = this.length
    copy.lastId = this.lastId
    copy.firstId = this.firstId
    copy.maxDeletedId = this.maxDeletedId
    copy.entriesAdded = this.entriesAdded
    for (const [name, group] of this.groups) copy.groups.set(name, group.clone())
    return copy
  }
}

/** Node count of the rax holding these 16-byte keys (sorted), for XINFO STREAM radix-tree-nodes. */
export function raxNodeCount(keys: readonly Buffer[]): number {
  const nodes = new Set<string>([''])
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as Buffer
    nodes.add(key.toString('latin1'))
    const next = keys[i + 1]
    if (next === undefined) continue
    let lcp = 0
    while (lcp < key.length && key[lcp] === next[lcp]) lcp++
    nodes.add(key.toString('latin1', 0, lcp))
    nodes.add(key.toString('latin1', 0, lcp + 1))
    nodes.add(next.toString('latin1', 0, lcp + 1))
  }
  return nodes.size
}
