// DUMP and RESTORE (cluster.c dumpCommand/restoreCommand): a value travels as Redis's DUMP payload — the value in
// RDB encoding (type byte + body, as rdbSaveObject writes it), the 2-byte little-endian RDB version and a CRC-64 of
// everything before the checksum. Strings inside the value are LZF-compressed like Redis does when rdbcompression
// is on, so for the encodings our RDB writer shares with Redis the payload is byte-identical to real Redis's.

import {keyOf} from '../../common/key.js'
import {
  BAD_DATA_FORMAT, BUSYKEY, DUMP_PAYLOAD_INVALID, INVALID_FREQ, INVALID_IDLETIME, INVALID_TTL, SYNTAX,
} from '../../resp/errors.js'
import {bulk, NIL, OK, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import {setFrequency} from '../keyspace/access.js'
import type {RedisValue} from '../keyspace/values.js'
import {crc64} from '../persistence/crc64.js'
import {encodeLength, encodeString, RDB_VERSION} from '../persistence/rdb-format.js'
import {readRdbValue} from '../persistence/rdb-reader.js'
import {encodeRdbValue, type RdbWriteOptions} from '../persistence/rdb-writer.js'
import {isOption, parseInt64} from './args.js'

export const dumpRestoreCommands: readonly CommandSpec[] = [
  {name: 'dump', arity: 2, flags: ['readonly'], keys: FIRST_KEY, categories: ['keyspace', 'read', 'slow'], handler: dumpCommand},
  {name: 'restore', arity: -4, flags: ['write', 'denyoom'], keys: FIRST_KEY, categories: ['keyspace', 'write', 'slow', 'dangerous'], handler: restoreCommand},
]

/** The DUMP payload of a value, encoded with the server's current listpack/intset thresholds. */
export function dumpPayload(value: RedisValue, options: RdbWriteOptions & {compress?: boolean} = {}): Buffer {
  const compress = options.compress ?? true
  const body = encodeRdbValue(value, options, (s) => dumpString(s, compress))
  const version = Buffer.alloc(2)
  version.writeUInt16LE(RDB_VERSION, 0)
  const checksum = Buffer.alloc(8)
  checksum.writeBigUInt64LE(crc64(Buffer.concat([body, version])), 0)
  return Buffer.concat([body, version, checksum])
}

/**
 * The value a DUMP payload carries, or the error RESTORE answers: the version must not be newer than ours and
 * the CRC-64 must match (verifyDumpPayload), then the value must decode (rdbLoadObject). Like Redis, bytes left
 * over between the value and the footer are not an error.
 */
export function parseDumpPayload(payload: Buffer): RedisValue | Reply {
  if (payload.length < 10) return DUMP_PAYLOAD_INVALID
  const footer = payload.length - 10
  if (payload.readUInt16LE(footer) > RDB_VERSION) return DUMP_PAYLOAD_INVALID
  if (crc64(payload.subarray(0, footer + 2)) !== payload.readBigUInt64LE(footer + 2)) return DUMP_PAYLOAD_INVALID
  try {
    // The reader sees the whole payload, footer included, as Redis's rio buffer does.
    return readRdbValue(payload) ?? BAD_DATA_FORMAT
  } catch {
    return BAD_DATA_FORMAT
  }
}

function dumpOptions(ctx: CommandContext): RdbWriteOptions & {compress: boolean} {
  const setting = (name: string, fallback: number): number => {
    const value = Number(ctx.server.getConfig(name))
    return Number.isFinite(value) ? value : fallback
  }
  const listSize = setting('list-max-listpack-size', -2)
  return {
    compress: ctx.server.getConfig('rdbcompression') !== 'no',
    hashMaxListpackEntries: setting('hash-max-listpack-entries', 512),
    hashMaxListpackValue: setting('hash-max-listpack-value', 64),
    zsetMaxListpackEntries: setting('zset-max-listpack-entries', 128),
    zsetMaxListpackValue: setting('zset-max-listpack-value', 64),
    setMaxIntsetEntries: setting('set-max-intset-entries', 512),
    // A negative size is a byte budget per node (-1 = 4 KiB … -5 = 64 KiB); a count is capped at 8 KiB per node.
    listNodeBytes: listSize < 0 ? 4096 * 2 ** (Math.min(-listSize, 5) - 1) : 8192,
  }
}

function dumpCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const entry = ctx.db.lookup(keyOf(args[0] as Buffer))
  if (entry === undefined) return NIL
  return bulk(dumpPayload(entry.value, dumpOptions(ctx)))
}

/** LRU_CLOCK_MAX: Redis keeps access times in a 24-bit clock of seconds. */
const LRU_CLOCK_MAX = 2 ** 24 - 1

function restoreCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  let replace = false
  let absolute = false
  let idleSeconds: number | undefined
  let freq: bigint | undefined
  for (let j = 3; j < args.length; j++) {
    const more = args.length - j - 1
    const arg = args[j] as Buffer
    if (isOption(arg, 'REPLACE')) replace = true
    else if (isOption(arg, 'ABSTTL')) absolute = true
    else if (isOption(arg, 'IDLETIME') && more >= 1 && freq === undefined) {
      const idle = parseInt64(args[++j] as Buffer)
      if (!idle.ok) return idle.error
      if (idle.value < 0n) return INVALID_IDLETIME
      idleSeconds = Number(idle.value)
    } else if (isOption(arg, 'FREQ') && more >= 1 && idleSeconds === undefined) {
      const parsed = parseInt64(args[++j] as Buffer)
      if (!parsed.ok) return parsed.error
      if (parsed.value < 0n || parsed.value > 255n) return INVALID_FREQ
      freq = parsed.value
    } else return SYNTAX
  }

  const keyArg = args[0] as Buffer
  const key = keyOf(keyArg)
  // Redis checks the target before it even parses the TTL.
  if (!replace && ctx.db.lookup(key) !== undefined) return BUSYKEY
  const ttl = parseInt64(args[1] as Buffer)
  if (!ttl.ok) return ttl.error
  if (ttl.value < 0n) return INVALID_TTL
  const value = parseDumpPayload(args[2] as Buffer)
  if ('kind' in value) return value

  const deleted = replace && ctx.db.delete(key)
  const now = ctx.clock.nowMs()
  // Redis adds the current time in 64-bit arithmetic; an overflowing TTL wraps to the past.
  const expiresAt = ttl.value === 0n ? 0n : absolute ? ttl.value : BigInt.asIntN(64, ttl.value + BigInt(now))
  if (expiresAt !== 0n && expiresAt <= BigInt(now) && !ctx.server.isReplica()) {
    // Already expired: the key is not created (and a replaced one stays deleted).
    if (deleted) {
      ctx.propagateAs([Buffer.from('DEL'), keyArg])
      ctx.notify('g', 'del', keyArg)
    }
    return OK
  }
  ctx.db.set(key, value, {expiresAt: expiresAt === 0n ? undefined : Number(expiresAt)})
  ctx.notify('g', 'restore', keyArg)
  if (expiresAt !== 0n && !absolute) {
    // Replicas get the absolute expiry, so they expire the key at the same moment.
    ctx.propagateAs([Buffer.from('RESTORE'), keyArg, Buffer.from(String(expiresAt)), ...args.slice(2), Buffer.from('ABSTTL')])
  }
  // objectSetLRUOrLFU: FREQ counts under an LFU policy, IDLETIME under the others.
  if (freq !== undefined && ctx.keyspace.access.lfu) {
    const entry = ctx.db.peek(key)
    if (entry !== undefined) setFrequency(entry, Number(freq), now)
  }
  if (idleSeconds !== undefined && !ctx.keyspace.access.lfu) {
    const entry = ctx.db.peek(key)
    const lruClock = Math.floor(now / 1000) & LRU_CLOCK_MAX
    // An idle time reaching back before the 24-bit LRU clock's zero lands half-way round the clock (objectSetLRUOrLFU).
    const idle = idleSeconds > lruClock ? LRU_CLOCK_MAX - Math.floor(LRU_CLOCK_MAX / 2) : idleSeconds
    if (entry !== undefined) entry.lastAccessSec = Math.floor(now / 1000) - idle
  }
  return OK
}

// LZF compression as liblzf 3.6's lzf_compress does it with Redis's build settings (HLOG 16, VERY_FAST). Its hash
// table is not cleared between calls, but a stale slot can never yield a match, so the output is deterministic and
// equal input gives the bytes real Redis writes.

const HASH_LOG = 16
const MAX_LITERAL = 32
const MAX_OFFSET = 1 << 13
const MAX_REF = (1 << 8) + (1 << 3)
// Slots are valid only when stamped with the current call's generation, so no call has to clear the table.
const hashTable = new Int32Array(1 << HASH_LOG)
const hashStamp = new Uint32Array(1 << HASH_LOG)
let generation = 0

const hashSlot = (h: number): number => ((h >>> (24 - HASH_LOG)) - Math.imul(h, 5)) & ((1 << HASH_LOG) - 1)

/**
 * Compresses `input` into at most `limit` bytes; undefined when it does not fit (the caller then stores the
 * bytes as they are). Mirrors lzf_compress's early give-ups so the same inputs are left uncompressed.
 */
export function lzfCompress(input: Buffer, limit: number): Buffer | undefined {
  const end = input.length
  if (end === 0 || limit === 0) return undefined
  generation = (generation + 1) >>> 0
  if (generation === 0) {
    hashStamp.fill(0)
    generation = 1
  }
  const remember = (slot: number, position: number): number => {
    const previous = hashStamp[slot] === generation ? (hashTable[slot] as number) : -1
    hashStamp[slot] = generation
    hashTable[slot] = position
    return previous
  }
  const out = Buffer.alloc(limit + 1)
  let ip = 0
  let op = 1 // byte 0 is reserved for the first literal run's header
  let lit = 0
  let h = ((input[0] as number) << 8) | (input[1] ?? 0)
  const at = (i: number): number => input[i] as number
  while (ip < end - 2) {
    h = ((h << 8) | at(ip + 2)) >>> 0
    const ref = remember(hashSlot(h), ip)
    const off = ip - ref - 1
    if (ref > 0 && off >= 0 && off < MAX_OFFSET && at(ref) === at(ip) && at(ref + 1) === at(ip + 1) && at(ref + 2) === at(ip + 2)) {
      let len = 2
      const maxlen = Math.min(end - ip - len, MAX_REF)
      out[op - lit - 1] = lit - 1 // close the literal run (or drop its header when empty)
      if (lit === 0) op--
      if (op + 3 + 1 >= limit) return undefined
      let mismatch = false
      if (maxlen > 16) {
        // liblzf first compares 16 bytes unconditionally, which may run past maxlen by a byte or two.
        for (let k = 0; k < 16 && !mismatch; k++) {
          len++
          if (at(ref + len) !== at(ip + len)) mismatch = true
        }
      }
      if (!mismatch) {
        do len++
        while (len < maxlen && at(ref + len) === at(ip + len))
      }
      len -= 2
      ip++
      if (len < 7) out[op++] = (off >> 8) + (len << 5)
      else {
        out[op++] = (off >> 8) + (7 << 5)
        out[op++] = len - 7
      }
      out[op++] = off & 0xff
      lit = 0
      op++
      ip += len + 1
      if (ip >= end - 2) break
      // VERY_FAST: hash the last two positions of the match.
      ip -= 2
      h = (at(ip) << 8) | at(ip + 1)
      for (let k = 0; k < 2; k++) {
        h = ((h << 8) | at(ip + 2)) >>> 0
        remember(hashSlot(h), ip)
        ip++
      }
    } else {
      if (op >= limit) return undefined
      lit++
      out[op++] = at(ip++)
      if (lit === MAX_LITERAL) {
        out[op - lit - 1] = lit - 1
        lit = 0
        op++
      }
    }
  }
  if (op + 3 > limit) return undefined
  while (ip < end) {
    lit++
    out[op++] = at(ip++)
    if (lit === MAX_LITERAL) {
      out[op - lit - 1] = lit - 1
      lit = 0
      op++
    }
  }
  out[op - lit - 1] = lit - 1
  if (lit === 0) op--
  return out.subarray(0, op)
}

/** rdbSaveRawString: integer encoding for short numbers, LZF for strings over 20 bytes when it saves 4+ bytes. */
function dumpString(s: Buffer, compress: boolean): Buffer {
  if (compress && s.length > 20) {
    const packed = lzfCompress(s, s.length - 4)
    if (packed !== undefined) return Buffer.concat([Buffer.from([0xc3]), encodeLength(packed.length), encodeLength(s.length), packed])
  }
  return encodeString(s)
}
