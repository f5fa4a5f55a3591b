// Keyspace → RDB version 10 image that real Redis 7.0 loads (rdb.c rdbSaveRio): aux fields, the function
// libraries (FUNCTION2 records, encoded by the function registry), one section per
// non-empty db, Redis 7.0's value encodings (listpack/intset for small collections, quicklist-2 for lists),
// expiries, EOF and the CRC-64 trailer. Already-expired keys are left out.

import {keyBytes} from '../../common/key.js'
import type {Database} from '../keyspace/database.js'
import type {RedisValue} from '../keyspace/values.js'
import {crc64} from './crc64.js'
import {encodeStream} from './stream-rdb.js'
import {canonicalInt, encodeIntset, encodeListpack} from './listpack.js'
import {encodeLength, encodeString, OPCODE, QUICKLIST_NODE, RDB_VERSION, TYPE} from './rdb-format.js'
import {formatReplyDouble} from '../../resp/encoder.js'

export interface RdbAux {
  redisVer: string
  redisBits: number
  ctime: number
  usedMem: number
  replStreamDb?: number
  replId?: string
  replOffset?: number
  aofBase: number
  /** The libraries as rdbSaveFunctions writes them (RDB_OPCODE_FUNCTION2 records), placed before the databases. */
  functions?: Buffer
}

export interface RdbWriteOptions {
  compress?: boolean
  hashMaxListpackEntries?: number
  hashMaxListpackValue?: number
  zsetMaxListpackEntries?: number
  zsetMaxListpackValue?: number
  setMaxIntsetEntries?: number
  /** Bytes per quicklist node (list-max-listpack-size -2 = 8 KiB). */
  listNodeBytes?: number
}

const DEFAULTS: Required<RdbWriteOptions> = {
  compress: false,
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  listNodeBytes: 8192,
}

const str = (s: string): Buffer => encodeString(Buffer.from(s))

export function writeRdb(databases: readonly Database[], aux: RdbAux, nowMs: number, options: RdbWriteOptions = {}): Buffer {
  const opts = {...DEFAULTS, ...options}
  const parts: Buffer[] = [Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`)]
  const auxField = (key: string, value: string) => parts.push(Buffer.from([OPCODE.AUX]), str(key), str(value))
  auxField('redis-ver', aux.redisVer)
  auxField('redis-bits', String(aux.redisBits))
  auxField('ctime', String(aux.ctime))
  auxField('used-mem', String(aux.usedMem))
  if (aux.replId !== undefined) {
    auxField('repl-stream-db', String(aux.replStreamDb ?? 0))
    auxField('repl-id', aux.replId)
    auxField('repl-offset', String(aux.replOffset ?? 0))
  }
  auxField('aof-base', String(aux.aofBase))
  if (aux.functions !== undefined) parts.push(aux.functions)
  for (const db of databases) {
    const live = [...db.entries].filter(([, e]) => e.expiresAt === undefined || e.expiresAt > nowMs)
    if (live.length === 0) continue
    const volatile = live.filter(([, e]) => e.expiresAt !== undefined).length
    parts.push(Buffer.from([OPCODE.SELECTDB]), encodeLength(db.index))
    parts.push(Buffer.from([OPCODE.RESIZEDB]), encodeLength(live.length), encodeLength(volatile))
    for (const [key, entry] of live) {
      if (entry.expiresAt !== undefined) {
        const ms = Buffer.alloc(9)
        ms[0] = OPCODE.EXPIRETIME_MS
        ms.writeBigInt64LE(BigInt(Math.floor(entry.expiresAt)), 1)
        parts.push(ms)
      }
      const [type, payload] = encodeValue(entry.value, opts)
      parts.push(Buffer.from([type]), encodeString(keyBytes(key)))
      // One push per part: a spread of a big set's or hash's parts would overflow the call stack.
      for (const part of payload) parts.push(part)
    }
  }
  parts.push(Buffer.from([OPCODE.EOF]))
  const body = Buffer.concat(parts)
  const trailer = Buffer.alloc(8)
  trailer.writeBigUInt64LE(crc64(body), 0)
  return Buffer.concat([body, trailer])
}

/**
 * One value in RDB encoding: its type byte followed by the serialised value (the body of a DUMP payload).
 * `encodeStr` writes every string inside the value (DUMP passes one that LZF-compresses, as rdbcompression asks).
 */
export function encodeRdbValue(value: RedisValue, options: RdbWriteOptions = {}, encodeStr: (s: Buffer) => Buffer = encodeString): Buffer {
  const [type, parts] = encodeValue(value, {...DEFAULTS, ...options}, encodeStr)
  return Buffer.concat([Buffer.from([type]), ...parts])
}

function encodeValue(value: RedisValue, opts: Required<RdbWriteOptions>, encodeStr: (s: Buffer) => Buffer = encodeString): [number, Buffer[]] {
  switch (value.type) {
    case 'string':
      return [TYPE.STRING, [encodeStr(value.value)]]
    case 'list':
      return [TYPE.LIST_QUICKLIST_2, encodeQuicklist([...value.value], opts.listNodeBytes, encodeStr)]
    case 'set': {
      const members = [...value.value].map(keyBytes)
      const ints = members.length <= opts.setMaxIntsetEntries ? members.map(canonicalInt) : []
      if (members.length <= opts.setMaxIntsetEntries && ints.every((n) => n !== undefined)) {
        return [TYPE.SET_INTSET, [encodeStr(encodeIntset(ints as bigint[]))]]
      }
      return [TYPE.SET, [encodeLength(members.length), ...members.map(encodeStr)]]
    }
    case 'hash': {
      const pairs = [...value.value].map(([f, v]) => [keyBytes(f), v] as const)
      const small = pairs.length <= opts.hashMaxListpackEntries &&
        pairs.every(([f, v]) => f.length <= opts.hashMaxListpackValue && v.length <= opts.hashMaxListpackValue)
      if (small) return [TYPE.HASH_LISTPACK, [encodeStr(encodeListpack(pairs.flat()))]]
      return [TYPE.HASH, [encodeLength(pairs.length), ...pairs.flatMap(([f, v]) => [encodeStr(f), encodeStr(v)])]]
    }
    case 'zset': {
      const items = [...value.value]
      const small = items.length <= opts.zsetMaxListpackEntries && items.every((i) => i.member.length <= opts.zsetMaxListpackValue)
      if (small) {
        const flat = items.flatMap((i) => [keyBytes(i.member), Buffer.from(formatReplyDouble(i.score))])
        return [TYPE.ZSET_LISTPACK, [encodeStr(encodeListpack(flat))]]
      }
      const out: Buffer[] = [encodeLength(items.length)]
      for (const item of items.reverse()) {
        const score = Buffer.alloc(8)
        score.writeDoubleLE(item.score, 0)
        out.push(encodeStr(keyBytes(item.member)), score)
      }
      return [TYPE.ZSET_2, out]
    }
    case 'stream':
      return [TYPE.STREAM_LISTPACKS_2, encodeStream(value.value, encodeStr)]
  }
}

/** Lists as quicklist-2: listpack nodes of about `nodeBytes` each. */
function encodeQuicklist(elements: Buffer[], nodeBytes: number, encodeStr: (s: Buffer) => Buffer): Buffer[] {
  const nodes: Buffer[][] = []
  let current: Buffer[] = []
  let size = 0
  for (const element of elements) {
    if (current.length > 0 && size + element.length + 11 > nodeBytes) {
      nodes.push(current)
      current = []
      size = 0
    }
    current.push(element)
    size += element.length + 11
  }
  if (current.length > 0) nodes.push(current)
  const out: Buffer[] = [encodeLength(nodes.length)]
  for (const node of nodes) out.push(encodeLength(QUICKLIST_NODE.PACKED), encodeStr(encodeListpack(node)))
  return out
}
