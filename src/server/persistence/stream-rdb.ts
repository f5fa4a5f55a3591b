// Streams in RDB type 19, RDB_TYPE_STREAM_LISTPACKS_2 (rdb.c rdbSaveObject / rdbLoadObject for OBJ_STREAM): the
// nodes as (16-byte master ID, listpack) pairs, then length, last ID, first ID, max deleted ID, entries added,
// and each consumer group with its PEL (raw IDs, delivery time, count) and consumers (name, seen time, raw IDs).

import {ConsumerGroup, sortedGroups, type Nack} from '../keyspace/stream-groups.js'
import {decodeIdKey, encodeIdKey, idMs, idSeq, makeId} from '../keyspace/stream-id.js'
import {FLAG_DELETED, FLAG_SAMEFIELDS, Stream, StreamNode, type StreamEntry} from '../keyspace/stream.js'
import {decodeListpack, encodeListpack} from './listpack.js'
import {encodeLength} from './rdb-format.js'

/** The RDB length encoding of an unsigned 64-bit value (rdbSaveLen). */
export function encodeLength64(n: bigint): Buffer {
  const value = BigInt.asUintN(64, n)
  if (value <= 0xffffffffn) return encodeLength(Number(value))
  const b = Buffer.alloc(9)
  b[0] = 0x81
  b.writeBigUInt64BE(value, 1)
  return b
}

const millis = (ms: number): Buffer => {
  const b = Buffer.alloc(8)
  b.writeBigInt64LE(BigInt(Math.trunc(ms)), 0)
  return b
}

const int = (n: number | bigint): Buffer => Buffer.from(String(n))

/** The elements of a node's listpack, as streamAppendItem lays them out. */
function nodeElements(node: StreamNode): Buffer[] {
  const out: Buffer[] = [int(node.live), int(node.deleted), int(node.masterFields.length), ...node.masterFields, int(0)]
  for (const entry of node.entries) {
    const flags = (entry.deleted ? FLAG_DELETED : 0) | (entry.sameFields ? FLAG_SAMEFIELDS : 0)
    out.push(int(flags), int(BigInt.asIntN(64, idMs(entry.id) - idMs(node.masterId))), int(BigInt.asIntN(64, idSeq(entry.id) - idSeq(node.masterId))))
    const n = entry.values.length
    if (!entry.sameFields) {
      out.push(int(n))
      entry.fields.forEach((f, i) => out.push(f, entry.values[i] as Buffer))
    } else for (const v of entry.values) out.push(v)
    out.push(int(entry.sameFields ? n + 3 : 2 * n + 4))
  }
  return out
}

/** The listpack of one node, byte for byte as Redis holds it. */
export const nodeListpack = (node: StreamNode): Buffer => encodeListpack(nodeElements(node))

/** The body of a stream value (after its type byte); `encodeStr` writes each string. */
export function encodeStream(stream: Stream, encodeStr: (s: Buffer) => Buffer): Buffer[] {
  const out: Buffer[] = [encodeLength(stream.nodes.length)]
  for (const node of stream.nodes) out.push(encodeStr(encodeIdKey(node.masterId)), encodeStr(nodeListpack(node)))
  out.push(encodeLength(stream.length))
  for (const id of [stream.lastId, stream.firstId, stream.maxDeletedId]) out.push(encodeLength64(idMs(id)), encodeLength64(idSeq(id)))
  out.push(encodeLength64(stream.entriesAdded), encodeLength(stream.groups.size))
  for (const [name, group] of sortedGroups(stream.groups)) {
    out.push(encodeStr(name), encodeLength64(idMs(group.lastId)), encodeLength64(idSeq(group.lastId)), encodeLength64(group.entriesRead))
    out.push(encodeLength(group.pel.size))
    for (const [id, nack] of group.pel) out.push(encodeIdKey(id), millis(nack.deliveryTime), encodeLength64(nack.deliveryCount))
    const consumers = group.sortedConsumers()
    out.push(encodeLength(consumers.length))
    for (const consumer of consumers) {
      out.push(encodeStr(consumer.name), millis(consumer.seenTime), encodeLength(consumer.pel.size))
      for (const [id] of consumer.pel) out.push(encodeIdKey(id))
    }
  }
  return out
}

/** What the stream loader reads from the RDB reader. */
export interface StreamSource {
  length(): bigint
  string(): Buffer
  raw(n: number): Buffer
  millis(): number
}

const asInt = (b: Buffer | undefined, what: string): bigint => {
  if (b === undefined || !/^-?[0-9]+$/.test(b.toString('latin1'))) throw new Error(`Stream listpack integrity check failed (${what})`)
  return BigInt(b.toString('latin1'))
}

/** One node from its rax key and listpack (deleted entries kept, as Redis keeps them). */
export function decodeNode(key: Buffer, listpack: Buffer): StreamNode {
  if (key.length !== 16) throw new Error('Stream node key entry is not the size of a stream ID')
  const masterId = decodeIdKey(key)
  const items = decodeListpack(listpack)
  if (items.length === 0) throw new Error('Empty listpack inside stream')
  let p = 0
  const live = asInt(items[p++], 'count')
  const deleted = asInt(items[p++], 'deleted')
  const fieldCount = Number(asInt(items[p++], 'master fields'))
  // Every count read from the listpack is checked against the items left before a loop runs on it: a
  // corrupt count must fail the load, not spin through billions of missing items.
  const fits = (count: number, width: number): boolean => count >= 0 && count * width <= items.length - p
  if (!fits(fieldCount, 1)) throw new Error('Stream listpack integrity check failed')
  const masterFields = items.slice(p, p + fieldCount)
  p += fieldCount
  if (asInt(items[p++], 'master terminator') !== 0n) throw new Error('Stream listpack integrity check failed')
  const node = new StreamNode(masterId, masterFields)
  while (p < items.length) {
    const flags = Number(asInt(items[p++], 'flags'))
    const ms = BigInt.asUintN(64, idMs(masterId) + asInt(items[p++], 'ms'))
    const seq = BigInt.asUintN(64, idSeq(masterId) + asInt(items[p++], 'seq'))
    const sameFields = (flags & FLAG_SAMEFIELDS) !== 0
    let fields: Buffer[]
    const values: Buffer[] = []
    if (sameFields) {
      fields = masterFields
      if (!fits(fieldCount, 1)) throw new Error('Stream listpack integrity check failed')
      for (let i = 0; i < fieldCount; i++) values.push(items[p++] as Buffer)
    } else {
      const n = Number(asInt(items[p++], 'fields'))
      if (!fits(n, 2)) throw new Error('Stream listpack integrity check failed')
      fields = []
      for (let i = 0; i < n; i++) {
        fields.push(items[p++] as Buffer)
        values.push(items[p++] as Buffer)
      }
    }
    asInt(items[p++], 'lp-count')
    if (values.some((v) => v === undefined)) throw new Error('Stream listpack integrity check failed')
    const entry: StreamEntry = {id: makeId(ms, seq), fields: sameFields ? node.masterFields : fields, values, sameFields, deleted: (flags & FLAG_DELETED) !== 0}
    node.push(entry)
  }
  if (BigInt(node.live) !== live || BigInt(node.deleted) !== deleted) throw new Error('Stream listpack integrity check failed (counts)')
  return node
}

/** A stream value (types 15 and 19: `v2` carries first ID, max deleted ID, entries added and read counters). */
export function decodeStream(source: StreamSource, v2: boolean, nowMs: number): Stream {
  const stream = new Stream()
  let previous: bigint | undefined
  for (let n = source.length(); n > 0n; n--) {
    const node = decodeNode(source.string(), source.string())
    if (previous !== undefined && node.masterId <= previous) throw new Error('Listpack re-added with existing key')
    previous = node.masterId
    stream.nodes.push(node)
  }
  stream.length = Number(source.length())
  stream.lastId = makeId(source.length(), source.length())
  if (v2) {
    stream.firstId = makeId(source.length(), source.length())
    stream.maxDeletedId = makeId(source.length(), source.length())
    stream.entriesAdded = source.length()
  } else {
    stream.entriesAdded = BigInt(stream.length)
    stream.firstId = stream.length === 0 ? 0n : stream.edgeId(true, true)
  }
  if (stream.length > 0 && stream.nodes.length === 0) throw new Error('Stream length inconsistent with rax entries')
  for (let g = source.length(); g > 0n; g--) {
    const name = source.string()
    const lastId = makeId(source.length(), source.length())
    const entriesRead = v2 ? BigInt.asIntN(64, source.length()) : stream.estimateDistance(lastId)
    const key = name.toString('latin1')
    if (stream.groups.has(key)) throw new Error(`Duplicated consumer group name ${key}`)
    const group = new ConsumerGroup(lastId, entriesRead)
    stream.groups.set(key, group)
    for (let n = source.length(); n > 0n; n--) {
      const id = decodeIdKey(source.raw(16))
      const nack: Nack = {deliveryTime: source.millis(), deliveryCount: source.length(), consumer: undefined}
      if (group.pel.has(id)) throw new Error('Duplicated global PEL entry loading stream consumer group')
      group.pel.set(id, nack)
    }
    for (let c = source.length(); c > 0n; c--) {
      const consumer = group.createConsumer(source.string(), nowMs)
      if (consumer === undefined) throw new Error('Duplicate stream consumer detected.')
      consumer.seenTime = source.millis()
      for (let n = source.length(); n > 0n; n--) {
        const id = decodeIdKey(source.raw(16))
        const nack = group.pel.get(id)
        if (nack === undefined) throw new Error('Consumer entry not found in group global PEL')
        if (consumer.pel.has(id)) throw new Error('Duplicated consumer PEL entry loading a stream consumer group')
        nack.consumer = consumer
        consumer.pel.set(id, nack)
      }
    }
  }
  return stream
}
