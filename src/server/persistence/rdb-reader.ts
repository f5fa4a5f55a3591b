// RDB → databases (rdb.c rdbLoadRio): every encoding Redis 7.0 writes or still loads — strings (raw, int,
// LZF), lists (quicklist-2, quicklist, ziplist, plain), sets (intset, listpack, plain), hashes (listpack,
// ziplist, plain), sorted sets (listpack, ziplist, zset-2, zset), streams (listpacks 2 and 1), and function libraries (FUNCTION2 records, and
// the FUNCTION records of 7.0 release candidates), handed to the caller's loader. Errors name the byte offset.

import {keyOf} from '../../common/key.js'
import {systemClock} from '../../common/clock.js'
import {Database} from '../keyspace/database.js'
import {Deque} from '../keyspace/deque.js'
import {SortedSet} from '../keyspace/sorted-set.js'
import {newEntry, type RedisValue} from '../keyspace/values.js'
import {crc64} from './crc64.js'
import {decodeIntset, decodeListpack, decodeZiplist} from './listpack.js'
import {lzfDecompress} from './lzf.js'
import {OPCODE, TYPE} from './rdb-format.js'
import {decodeStream, type StreamSource} from './stream-rdb.js'
import {stringValue} from '../keyspace/string-value.js'

export class RdbError extends Error {
  override readonly name = 'RdbError'
  /** The message without the offset (FUNCTION RESTORE answers it as it is). */
  readonly reason: string
  constructor(message: string, readonly offset: number) {
    super(`${message} (at byte ${offset})`)
    this.reason = message
  }
}

export interface LoadedRdb {
  databases: Database[]
  aux: Map<string, Buffer>
  expiredKeys: number
  version: number
}

export interface RdbReadOptions {
  checkCrc?: boolean
  keepExpired?: boolean
  /** Loads one library's code (the function registry's hook); an error text makes the load fail at that record. */
  loadFunction?: (code: Buffer) => string | undefined
}

const detachedHooks = {keyModified: () => {}, keyExpired: () => {}, isReplica: () => true}

export function readRdb(data: Buffer, nowMs: number, options: RdbReadOptions = {}): LoadedRdb {
  return new RdbReader(data, nowMs, options).read()
}

/** One function record at `pos` (FUNCTION RESTORE): its library code and where the next record starts, or rdb.c's error text. */
export function readFunctionRecord(data: Buffer, pos: number): {code: Buffer; next: number} | {error: string} {
  return new RdbReader(data, 0, {}).functionRecordAt(pos)
}

/**
 * One value in RDB encoding at the start of `data`: a type byte and the serialised value (the body of a DUMP
 * payload). Undefined for an empty collection; throws RdbError for anything it cannot decode.
 */
export function readRdbValue(data: Buffer): RedisValue | undefined {
  return new RdbReader(data, 0, {}).typedValue()
}

class RdbReader {
  private pos = 0
  private readonly dbs = new Map<number, Database>()

  constructor(
    private readonly data: Buffer,
    private readonly nowMs: number,
    private readonly options: RdbReadOptions,
  ) {}

  read(): LoadedRdb {
    if (this.data.length < 9 || this.data.toString('latin1', 0, 5) !== 'REDIS') throw new RdbError('Wrong signature trying to load DB from file', 0)
    const version = Number(this.data.toString('latin1', 5, 9))
    if (!(version >= 1 && version <= 10)) throw new RdbError(`Can't handle RDB format version ${this.data.toString('latin1', 5, 9)}`, 5)
    this.pos = 9
    const aux = new Map<string, Buffer>()
    let db = this.database(0)
    let expiresAt: number | undefined
    let expiredKeys = 0
    for (;;) {
      const opAt = this.pos
      const op = this.byte()
      if (op === OPCODE.EOF) break
      if (op === OPCODE.SELECTDB) {
        db = this.database(this.length())
        continue
      }
      if (op === OPCODE.RESIZEDB) {
        this.length()
        this.length()
        continue
      }
      if (op === OPCODE.AUX) {
        const key = this.string().toString('latin1')
        aux.set(key, this.string())
        continue
      }
      if (op === OPCODE.EXPIRETIME_MS) {
        this.need(8)
        expiresAt = Number(this.data.readBigInt64LE(this.pos))
        this.pos += 8
        continue
      }
      if (op === OPCODE.EXPIRETIME) {
        this.need(4)
        expiresAt = this.data.readInt32LE(this.pos) * 1000
        this.pos += 4
        continue
      }
      if (op === OPCODE.IDLE) {
        this.length()
        continue
      }
      if (op === OPCODE.FREQ) {
        this.byte()
        continue
      }
      if (op === OPCODE.FUNCTION2 || op === OPCODE.FUNCTION) {
        const failure = this.options.loadFunction?.(this.functionCode(op))
        if (failure !== undefined) throw new RdbError(`Failed loading library, ${failure}`, opAt)
        continue
      }
      if (op === OPCODE.MODULE_AUX) throw new RdbError('the RDB holds module data, which rtopo-server cannot load', opAt)
      const key = this.keyString()
      const value = this.value(op, opAt)
      const expired = expiresAt !== undefined && expiresAt <= this.nowMs && !this.options.keepExpired
      if (expired) expiredKeys++
      else if (value !== undefined) {
        if (db.entries.has(key)) throw new RdbError(`Duplicated key '${key}' found in RDB file`, opAt)
        db.entries.set(key, newEntry(value, expiresAt, Math.floor(this.nowMs / 1000)))
        if (expiresAt !== undefined) db.volatileKeys.add(key)
      }
      expiresAt = undefined
    }
    if (version >= 5) this.checkTrailer()
    return {databases: [...this.dbs.values()], aux, expiredKeys, version}
  }

  functionRecordAt(pos: number): {code: Buffer; next: number} | {error: string} {
    this.pos = pos
    if (pos >= this.data.length) return {error: 'can not read data type'}
    const type = this.byte()
    if (type !== OPCODE.FUNCTION && type !== OPCODE.FUNCTION2) return {error: 'given type is not a function'}
    try {
      const code = this.functionCode(type)
      return {code, next: this.pos}
    } catch (cause) {
      if (cause instanceof RdbError) return {error: cause.reason}
      throw cause
    }
  }

  /** rdbFunctionLoad's parsing: a FUNCTION2 record's code, or an old FUNCTION record rebuilt with its metadata line. */
  private functionCode(type: number): Buffer {
    const field = (what: string): Buffer => {
      const at = this.pos
      try {
        return this.string()
      } catch {
        throw new RdbError(`Failed loading ${what}`, at)
      }
    }
    if (type === OPCODE.FUNCTION2) return field('library payload')
    const name = field('library name')
    const engine = field('engine name')
    const at = this.pos
    let hasDescription: number
    try {
      hasDescription = this.length()
    } catch {
      throw new RdbError('Failed loading library description indicator', at)
    }
    if (hasDescription !== 0) field('library description')
    const blob = field('library blob')
    return Buffer.concat([Buffer.from('#!'), engine, Buffer.from(' name='), name, Buffer.from('\n'), blob])
  }

  typedValue(): RedisValue | undefined {
    const at = this.pos
    return this.value(this.byte(), at)
  }

  private checkTrailer(): void {
    const eofAt = this.pos
    this.need(8)
    const stored = this.data.readBigUInt64LE(this.pos)
    if (stored !== 0n && this.options.checkCrc !== false && crc64(this.data.subarray(0, eofAt)) !== stored) {
      throw new RdbError('Wrong RDB checksum', eofAt)
    }
    this.pos += 8
  }

  private database(index: number): Database {
    if (index > 1_000_000) throw new RdbError(`invalid db number ${index}`, this.pos)
    let db = this.dbs.get(index)
    if (db === undefined) {
      db = new Database(index, systemClock, detachedHooks)
      this.dbs.set(index, db)
    }
    return db
  }

  private need(n: number): void {
    if (this.pos + n > this.data.length) throw new RdbError('Short read or truncated RDB file', this.pos)
  }

  private byte(): number {
    this.need(1)
    return this.data[this.pos++] as number
  }

  /** Length encoding; `special` is set for the 11xxxxxx string encodings. */
  private lengthOrSpecial(): {value: number; special: boolean} {
    const first = this.byte()
    const kind = first >> 6
    if (kind === 0) return {value: first & 0x3f, special: false}
    if (kind === 1) return {value: ((first & 0x3f) << 8) | this.byte(), special: false}
    if (kind === 3) return {value: first & 0x3f, special: true}
    if (first === 0x80) {
      this.need(4)
      const v = this.data.readUInt32BE(this.pos)
      this.pos += 4
      return {value: v, special: false}
    }
    if (first === 0x81) {
      this.need(8)
      const v = Number(this.data.readBigUInt64BE(this.pos))
      this.pos += 8
      return {value: v, special: false}
    }
    throw new RdbError(`Unknown length encoding ${first}`, this.pos - 1)
  }

  private length(): number {
    const at = this.pos
    const {value, special} = this.lengthOrSpecial()
    if (special) throw new RdbError('expected a length, found a string encoding', at)
    return value
  }

  /** A key as the keyspace holds it (its latin1 decoding), read without a Buffer of its own for raw strings. */
  private keyString(): string {
    const first = this.data[this.pos]
    if (first !== undefined && first >> 6 !== 3) {
      const n = this.length()
      this.need(n)
      const key = this.data.toString('latin1', this.pos, this.pos + n)
      this.pos += n
      return key
    }
    return keyOf(this.string())
  }

  private string(): Buffer {
    const at = this.pos
    const {value, special} = this.lengthOrSpecial()
    if (!special) {
      this.need(value)
      const out = this.data.subarray(this.pos, this.pos + value)
      this.pos += value
      return Buffer.from(out)
    }
    if (value === 0) return Buffer.from(String(this.byte() << 24 >> 24))
    if (value === 1) {
      this.need(2)
      const v = this.data.readInt16LE(this.pos)
      this.pos += 2
      return Buffer.from(String(v))
    }
    if (value === 2) {
      this.need(4)
      const v = this.data.readInt32LE(this.pos)
      this.pos += 4
      return Buffer.from(String(v))
    }
    if (value === 3) {
      const compressed = this.length()
      const original = this.length()
      this.need(compressed)
      const input = this.data.subarray(this.pos, this.pos + compressed)
      this.pos += compressed
      try {
        return lzfDecompress(input, original)
      } catch (cause) {
        throw new RdbError((cause as Error).message, at)
      }
    }
    throw new RdbError(`Unknown RDB string encoding type ${value}`, at)
  }

  /** A length as an unsigned 64-bit value (stream IDs and counters use the whole range). */
  private lengthBig(): bigint {
    const at = this.pos
    if (this.data[at] === 0x81) {
      this.pos++
      this.need(8)
      const v = this.data.readBigUInt64BE(this.pos)
      this.pos += 8
      return v
    }
    return BigInt(this.length())
  }

  private streamSource(): StreamSource {
    return {
      length: () => this.lengthBig(),
      string: () => this.string(),
      raw: (n) => {
        this.need(n)
        const out = Buffer.from(this.data.subarray(this.pos, this.pos + n))
        this.pos += n
        return out
      },
      millis: () => {
        this.need(8)
        const v = Number(this.data.readBigInt64LE(this.pos))
        this.pos += 8
        return v
      },
    }
  }

  private double(): number {
    this.need(8)
    const v = this.data.readDoubleLE(this.pos)
    this.pos += 8
    return v
  }

  /** Old ZSET type 3: score as a length-prefixed text (253 nan, 254 +inf, 255 -inf). */
  private textDouble(): number {
    const len = this.byte()
    if (len === 253) return NaN
    if (len === 254) return Infinity
    if (len === 255) return -Infinity
    this.need(len)
    const v = Number(this.data.toString('latin1', this.pos, this.pos + len))
    this.pos += len
    return v
  }

  private blob(decode: (b: Buffer) => Buffer[], at: number): Buffer[] {
    try {
      return decode(this.string())
    } catch (cause) {
      if (cause instanceof RdbError) throw cause
      throw new RdbError((cause as Error).message, at)
    }
  }

  private value(type: number, at: number): RedisValue | undefined {
    // Every element takes at least one byte, so a count beyond the bytes left is refused before anything is allocated.
    const count = (n: number): number[] => {
      this.need(n)
      return Array.from({length: n}, (_, i) => i)
    }
    switch (type) {
      case TYPE.STRING:
        return stringValue(this.string())
      case TYPE.LIST:
        return nonEmptyList(count(this.length()).map(() => this.string()))
      case TYPE.LIST_ZIPLIST:
        return nonEmptyList(this.blob(decodeZiplist, at))
      case TYPE.LIST_QUICKLIST:
        return nonEmptyList(count(this.length()).flatMap(() => this.blob(decodeZiplist, at)))
      case TYPE.LIST_QUICKLIST_2: {
        const items: Buffer[] = []
        for (const _ of count(this.length())) {
          const container = this.length()
          if (container === 1) items.push(this.string())
          else items.push(...this.blob(decodeListpack, at))
        }
        return nonEmptyList(items)
      }
      case TYPE.SET:
        return nonEmptySet(count(this.length()).map(() => this.string()))
      case TYPE.SET_INTSET:
        return nonEmptySet(this.blob((b) => decodeIntset(b).map((n) => Buffer.from(String(n))), at))
      case TYPE.HASH:
        return pairsToHash(count(this.length()).flatMap(() => [this.string(), this.string()]))
      case TYPE.HASH_LISTPACK:
        return pairsToHash(this.blob(decodeListpack, at))
      case TYPE.HASH_ZIPLIST:
        return pairsToHash(this.blob(decodeZiplist, at))
      case TYPE.HASH_ZIPMAP:
        throw new RdbError('zipmap-encoded hashes (Redis < 2.6) are not supported', at)
      case TYPE.ZSET_2:
        return toZset(count(this.length()).map(() => [this.string(), this.double()] as const))
      case TYPE.ZSET:
        return toZset(count(this.length()).map(() => [this.string(), this.textDouble()] as const))
      case TYPE.ZSET_LISTPACK:
        return toZset(pairsOf(this.blob(decodeListpack, at)).map(([m, s]) => [m, parseScore(s)] as const))
      case TYPE.ZSET_ZIPLIST:
        return toZset(pairsOf(this.blob(decodeZiplist, at)).map(([m, s]) => [m, parseScore(s)] as const))
      case TYPE.STREAM_LISTPACKS:
      case TYPE.STREAM_LISTPACKS_2:
        try {
          return {type: 'stream', value: decodeStream(this.streamSource(), type === TYPE.STREAM_LISTPACKS_2, this.nowMs)}
        } catch (cause) {
          if (cause instanceof RdbError) throw cause
          throw new RdbError((cause as Error).message, at)
        }
      case TYPE.MODULE:
      case TYPE.MODULE_2:
        throw new RdbError('module values cannot be loaded without their module', at)
      default:
        throw new RdbError(`Unknown RDB value type ${type}`, at)
    }
  }
}

/** Listpack/ziplist scores are %.17g text or integers; infinities are written as "inf" / "-inf". */
const parseScore = (text: Buffer): number => {
  const t = text.toString('latin1').toLowerCase()
  return t === 'inf' || t === '+inf' ? Infinity : t === '-inf' ? -Infinity : Number(t)
}

const pairsOf = (flat: Buffer[]): [Buffer, Buffer][] => {
  const out: [Buffer, Buffer][] = []
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as Buffer, flat[i + 1] as Buffer])
  return out
}

const nonEmptyList = (items: Buffer[]): RedisValue | undefined =>
  items.length === 0 ? undefined : {type: 'list', value: new Deque(items)}

const nonEmptySet = (items: Buffer[]): RedisValue | undefined =>
  items.length === 0 ? undefined : {type: 'set', value: new Set(items.map(keyOf))}

function pairsToHash(flat: Buffer[]): RedisValue | undefined {
  if (flat.length === 0) return undefined
  const map = new Map<string, Buffer>()
  for (const [f, v] of pairsOf(flat)) map.set(keyOf(f), v)
  return {type: 'hash', value: map}
}

function toZset(items: readonly (readonly [Buffer, number])[]): RedisValue | undefined {
  if (items.length === 0) return undefined
  const zset = new SortedSet()
  for (const [member, score] of items) zset.add(keyOf(member), score)
  return {type: 'zset', value: zset}
}
