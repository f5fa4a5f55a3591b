// Keyspace → RDB version 10 image that real Redis 7.0 loads (rdb.c rdbSaveRio): aux fields, the function
// libraries (FUNCTION2 records, encoded by the function registry), one section per
// non-empty db, Redis 7.0's value encodings (listpack/intset for small collections, quicklist-2 for lists),
// expiries, EOF and the CRC-64 trailer. Already-expired keys are left out.

import {keyBytes} from '../../common/key.js'
import type {Database} from '../keyspace/database.js'
import type {SortedSet} from '../keyspace/sorted-set.js'
import type {Entry, RedisValue} from '../keyspace/values.js'
import {crc64} from './crc64.js'
import {encodeStream} from './stream-rdb.js'
import {canonicalInt, encodeIntset, encodeListpack} from './listpack.js'
import {OPCODE, QUICKLIST_NODE, RDB_VERSION, TYPE} from './rdb-format.js'
import {RdbSink} from './rdb-sink.js'
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

export function writeRdb(databases: readonly Database[], aux: RdbAux, nowMs: number, options: RdbWriteOptions = {}): Buffer {
  const opts = {...DEFAULTS, ...options}
  const out = new RdbSink()
  writeRdbHeader(out, aux)
  for (const db of databases) {
    let live = 0
    let volatile = 0
    for (const entry of db.entries.values()) {
      if (entry.expiresAt === undefined) live++
      else if (entry.expiresAt > nowMs) {
        live++
        volatile++
      }
    }
    if (live === 0) continue
    writeDbHeader(out, db.index, live, volatile)
    for (const [key, entry] of db.entries) writeKey(out, key, entry, nowMs, opts)
  }
  return finishRdb([out])
}

/** The signature, the aux fields and the function libraries: everything before the first database. */
export function writeRdbHeader(out: RdbSink, aux: RdbAux): void {
  out.raw(Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`))
  const auxField = (key: string, value: string) => {
    out.byte(OPCODE.AUX)
    out.latin1(key)
    out.string(Buffer.from(value))
  }
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
  if (aux.functions !== undefined) out.raw(aux.functions)
}

/** SELECTDB and RESIZEDB (the key counts, a hint for the loader's table sizes). */
export function writeDbHeader(out: RdbSink, index: number, keys: number, volatile: number): void {
  out.byte(OPCODE.SELECTDB)
  out.length(index)
  out.byte(OPCODE.RESIZEDB)
  out.length(keys)
  out.length(volatile)
}

/** One key with its expiry, unless it had expired by `nowMs` (then nothing). Returns whether it was written. */
export function writeKey(out: RdbSink, key: string, entry: Entry, nowMs: number, opts: Required<RdbWriteOptions>): boolean {
  if (entry.expiresAt !== undefined) {
    if (entry.expiresAt <= nowMs) return false
    out.byte(OPCODE.EXPIRETIME_MS)
    out.int64LE(Math.floor(entry.expiresAt))
  }
  writeEntry(out, key, entry.value, opts)
  return true
}

/** The image of `parts` written in order: EOF, then the CRC-64 of everything before it. */
export function finishRdb(parts: readonly RdbSink[]): Buffer {
  const last = parts[parts.length - 1] as RdbSink
  last.byte(OPCODE.EOF)
  const chunks = parts.flatMap((part) => part.sealedChunks())
  let crc = 0n
  for (const chunk of chunks) crc = crc64(chunk, crc)
  const trailer = Buffer.alloc(8)
  trailer.writeBigUInt64LE(crc, 0)
  chunks.push(trailer)
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
}

/** One key as rdbSaveKeyValuePair writes it (after any expiry): type byte, key, value. */
export function writeEntry(out: RdbSink, key: string, value: RedisValue, opts: Required<RdbWriteOptions>): void {
  out.byte(valueType(value, opts))
  out.latin1(key)
  writeValue(out, value, opts)
}

/**
 * One value in RDB encoding: its type byte followed by the serialised value (the body of a DUMP payload).
 * `encodeStr` writes every string inside the value (DUMP passes one that LZF-compresses, as rdbcompression asks).
 */
export function encodeRdbValue(value: RedisValue, options: RdbWriteOptions = {}, encodeStr?: (s: Buffer) => Buffer): Buffer {
  const opts = {...DEFAULTS, ...options}
  const out = new RdbSink(encodeStr)
  out.byte(valueType(value, opts))
  writeValue(out, value, opts)
  return out.finish()
}

export const rdbWriteDefaults = (options: RdbWriteOptions = {}): Required<RdbWriteOptions> => ({...DEFAULTS, ...options})

const setIsIntset = (members: Set<string>, opts: Required<RdbWriteOptions>): boolean => {
  if (members.size > opts.setMaxIntsetEntries) return false
  for (const member of members) if (canonicalInt(keyBytes(member)) === undefined) return false
  return true
}

const hashIsListpack = (hash: Map<string, Buffer>, opts: Required<RdbWriteOptions>): boolean => {
  if (hash.size > opts.hashMaxListpackEntries) return false
  for (const [field, value] of hash) if (field.length > opts.hashMaxListpackValue || value.length > opts.hashMaxListpackValue) return false
  return true
}

const zsetIsListpack = (zset: SortedSet, opts: Required<RdbWriteOptions>): boolean => {
  if (zset.size > opts.zsetMaxListpackEntries) return false
  for (const item of zset) if (item.member.length > opts.zsetMaxListpackValue) return false
  return true
}

function valueType(value: RedisValue, opts: Required<RdbWriteOptions>): number {
  switch (value.type) {
    case 'string':
      return TYPE.STRING
    case 'list':
      return TYPE.LIST_QUICKLIST_2
    case 'set':
      return setIsIntset(value.value, opts) ? TYPE.SET_INTSET : TYPE.SET
    case 'hash':
      return hashIsListpack(value.value, opts) ? TYPE.HASH_LISTPACK : TYPE.HASH
    case 'zset':
      return zsetIsListpack(value.value, opts) ? TYPE.ZSET_LISTPACK : TYPE.ZSET_2
    case 'stream':
      return TYPE.STREAM_LISTPACKS_2
  }
}

function writeValue(out: RdbSink, value: RedisValue, opts: Required<RdbWriteOptions>): void {
  switch (value.type) {
    case 'string':
      out.string(value.value)
      return
    case 'list':
      writeQuicklist(out, value.value, opts.listNodeBytes)
      return
    case 'set': {
      const members = value.value
      if (setIsIntset(members, opts)) {
        out.string(encodeIntset([...members].map((m) => canonicalInt(keyBytes(m)) as bigint)))
        return
      }
      out.length(members.size)
      for (const member of members) out.latin1(member)
      return
    }
    case 'hash': {
      const hash = value.value
      if (hashIsListpack(hash, opts)) {
        const flat: Buffer[] = []
        for (const [field, v] of hash) flat.push(keyBytes(field), v)
        out.string(encodeListpack(flat))
        return
      }
      out.length(hash.size)
      for (const [field, v] of hash) {
        out.latin1(field)
        out.string(v)
      }
      return
    }
    case 'zset': {
      const zset = value.value
      if (zsetIsListpack(zset, opts)) {
        const flat: Buffer[] = []
        for (const item of zset) flat.push(keyBytes(item.member), Buffer.from(formatReplyDouble(item.score)))
        out.string(encodeListpack(flat))
        return
      }
      // zset-2 from the highest score down, as rdbSaveObject walks the skiplist from its tail.
      out.length(zset.size)
      for (const item of zset.walkFrom(zset.size - 1, -1)) {
        out.latin1(item.member)
        out.doubleLE(item.score)
      }
      return
    }
    case 'stream':
      for (const part of encodeStream(value.value, (s) => out.encoded(s))) out.raw(part)
      return
  }
}

/** Lists as quicklist-2: listpack nodes of about `nodeBytes` each. */
function writeQuicklist(out: RdbSink, elements: Iterable<Buffer>, nodeBytes: number): void {
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
  out.length(nodes.length)
  for (const node of nodes) {
    out.length(QUICKLIST_NODE.PACKED)
    out.string(encodeListpack(node))
  }
}
