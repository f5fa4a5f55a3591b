// Which arguments of a call are keys, and how the command uses each (db.c getKeysFromCommandWithSpecs).
// Redis 7.0 describes a command's keys with key specs; COMMAND GETKEYS / GETKEYSANDFLAGS walk them, and only when
// they cannot answer (a numkeys that is not a plain count, flags that depend on the arguments) fall back to the
// command's own extractor (CommandSpec.getKeys, Redis's getkeys procs). COMMAND INFO reports the same key specs.

import type {CommandSpec, KeyExtractor, KeyFlag, KeyRef, KeySearch} from '../command-spec.js'
import {parseInt64} from './args.js'

const OW_INSERT: readonly KeyFlag[] = ['OW', 'insert']
const OW_UPDATE: readonly KeyFlag[] = ['OW', 'update']
const RM_DELETE: readonly KeyFlag[] = ['RM', 'delete']
const NOT_KEY: readonly KeyFlag[] = ['not_key']
const RO: readonly KeyFlag[] = ['RO']
const RO_ACCESS: readonly KeyFlag[] = ['RO', 'access']
const RW_ACCESS_DELETE: readonly KeyFlag[] = ['RW', 'access', 'delete']
const RW_ACCESS_UPDATE: readonly KeyFlag[] = ['RW', 'access', 'update']
const RW_DELETE: readonly KeyFlag[] = ['RW', 'delete']
const RW_INSERT: readonly KeyFlag[] = ['RW', 'insert']
const RW_UPDATE: readonly KeyFlag[] = ['RW', 'update']

/** One key at a fixed position. */
const keyAt = (index: number, flags: readonly KeyFlag[], notes?: string): KeySearch => ({
  flags, ...(notes === undefined ? {} : {notes}), begin: {index}, find: {range: {lastKey: 0, keyStep: 1, limit: 0}},
})

/** A numkeys argument at `index`, the keys right after it. */
const countedAt = (index: number, flags: readonly KeyFlag[]): KeySearch => ({
  flags, begin: {index}, find: {keynum: {keyNumIdx: 0, firstKey: 1, keyStep: 1}},
})

/** XREAD/XREADGROUP: the first half of the arguments after STREAMS. */
const streamsKeys = (startFrom: number): KeySearch => ({
  flags: RO_ACCESS, begin: {keyword: 'STREAMS', startFrom}, find: {range: {lastKey: -1, keyStep: 1, limit: 2}},
})

/** EVAL/FCALL: a numkeys argument at 2 and the keys after it, with a note on how they are used. */
const scriptKeys = (flags: readonly KeyFlag[], notes?: string): KeySearch => ({
  ...(notes === undefined ? {} : {notes}), flags, begin: {index: 2}, find: {keynum: {keyNumIdx: 0, firstKey: 1, keyStep: 1}},
})
const SCRIPT_RW = "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"
const SCRIPT_RO = "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"

/** Keys no spec can locate; the command's extractor finds them. */
const unknownKeys = (flags: readonly KeyFlag[], notes: string): KeySearch => ({flags, notes, begin: {unknown: true}, find: {unknown: true}})

/** A key right after `keyword`, searched from `startFrom` (GEORADIUS's STORE and STOREDIST). */
const keyAfter = (keyword: string, startFrom: number, flags: readonly KeyFlag[]): KeySearch => ({
  flags, begin: {keyword, startFrom}, find: {range: {lastKey: 0, keyStep: 1, limit: 0}},
})

const SORT_BY_GET = unknownKeys(RO_ACCESS, "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort")
const SORT_STORE = unknownKeys(OW_UPDATE, "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array")

/**
 * How a command's keys are described, most compactly: the flags of one spec covering its first/last/step range;
 * the first key of that range and the rest with their own flags; or the specs spelled out.
 */
type KeyAccess =
  | readonly KeyFlag[]
  | {readonly first: readonly KeyFlag[]; readonly rest: readonly KeyFlag[]}
  | {readonly specs: readonly KeySearch[]}

/**
 * The Redis 7.0 key specs of the commands we register, by name. A command missing here gets one spec over its
 * first/last/step range, flagged RW access update when it writes and RO access otherwise.
 */
const KEY_ACCESS: Readonly<Record<string, KeyAccess>> = {
  append: RW_INSERT,
  bitcount: RO_ACCESS,
  bitfield: {specs: [keyAt(1, [...RW_ACCESS_UPDATE, 'variable_flags'], 'This command allows both access and modification of the key')]},
  bitop: {first: OW_UPDATE, rest: RO_ACCESS},
  bitpos: RO_ACCESS,
  blmove: {first: RW_ACCESS_DELETE, rest: RW_INSERT},
  blmpop: {specs: [countedAt(2, RW_ACCESS_DELETE)]},
  blpop: RW_ACCESS_DELETE,
  eval: {specs: [scriptKeys(RW_ACCESS_UPDATE, SCRIPT_RW)]},
  eval_ro: {specs: [scriptKeys(RO_ACCESS, SCRIPT_RO)]},
  evalsha: {specs: [scriptKeys(RW_ACCESS_UPDATE)]},
  evalsha_ro: {specs: [scriptKeys(RO_ACCESS)]},
  fcall: {specs: [scriptKeys(RW_ACCESS_UPDATE, SCRIPT_RW)]},
  fcall_ro: {specs: [scriptKeys(RO_ACCESS, SCRIPT_RO)]},
  brpop: RW_ACCESS_DELETE,
  brpoplpush: {first: RW_ACCESS_DELETE, rest: RW_INSERT},
  bzmpop: {specs: [countedAt(2, RW_ACCESS_DELETE)]},
  bzpopmax: RW_ACCESS_DELETE,
  bzpopmin: RW_ACCESS_DELETE,
  copy: {first: RO_ACCESS, rest: OW_UPDATE},
  decr: RW_ACCESS_UPDATE,
  decrby: RW_ACCESS_UPDATE,
  del: RM_DELETE,
  dump: RO_ACCESS,
  exists: RO,
  expire: RW_UPDATE,
  expireat: RW_UPDATE,
  expiretime: RO_ACCESS,
  get: RO_ACCESS,
  getbit: RO_ACCESS,
  getdel: RW_ACCESS_DELETE,
  geoadd: RW_UPDATE,
  georadius: {specs: [keyAt(1, RO_ACCESS), keyAfter('STORE', 6, OW_UPDATE), keyAfter('STOREDIST', 6, OW_UPDATE)]},
  georadiusbymember: {specs: [keyAt(1, RO_ACCESS), keyAfter('STORE', 5, OW_UPDATE), keyAfter('STOREDIST', 5, OW_UPDATE)]},
  geosearchstore: {first: OW_UPDATE, rest: RO_ACCESS},
  getex: {specs: [keyAt(1, RW_ACCESS_UPDATE, 'RW and UPDATE because it changes the TTL')]},
  getrange: RO_ACCESS,
  getset: RW_ACCESS_UPDATE,
  hdel: RW_DELETE,
  hexists: RO,
  hget: RO_ACCESS,
  hgetall: RO_ACCESS,
  hincrby: RW_ACCESS_UPDATE,
  hincrbyfloat: RW_ACCESS_UPDATE,
  hkeys: RO_ACCESS,
  hlen: RO,
  hmget: RO_ACCESS,
  hmset: RW_UPDATE,
  hrandfield: RO_ACCESS,
  hscan: RO_ACCESS,
  hset: RW_UPDATE,
  hsetnx: RW_INSERT,
  hstrlen: RO,
  hvals: RO_ACCESS,
  incr: RW_ACCESS_UPDATE,
  incrby: RW_ACCESS_UPDATE,
  incrbyfloat: RW_ACCESS_UPDATE,
  lcs: RO_ACCESS,
  lindex: RO_ACCESS,
  linsert: RW_INSERT,
  llen: RO,
  lmove: {first: RW_ACCESS_DELETE, rest: RW_INSERT},
  lmpop: {specs: [countedAt(1, RW_ACCESS_DELETE)]},
  lpop: RW_ACCESS_DELETE,
  lpos: RO_ACCESS,
  lpush: RW_INSERT,
  lpushx: RW_INSERT,
  lrange: RO_ACCESS,
  lrem: RW_DELETE,
  lset: RW_UPDATE,
  ltrim: RW_DELETE,
  'memory|usage': RO,
  mget: RO_ACCESS,
  move: RW_ACCESS_UPDATE,
  mset: OW_UPDATE,
  msetnx: OW_INSERT,
  'object|encoding': RO,
  'object|freq': RO,
  'object|idletime': RO,
  'object|refcount': RO,
  persist: RW_UPDATE,
  pexpire: RW_UPDATE,
  pfadd: RW_INSERT,
  pfcount: {specs: [{
    notes: 'RW because it may change the internal representation of the key, and propagate to replicas',
    flags: ['RW', 'access'], begin: {index: 1}, find: {range: {lastKey: -1, keyStep: 1, limit: 0}},
  }]},
  pfdebug: ['RW', 'access'],
  pfmerge: {first: ['RW', 'access', 'insert'], rest: RO_ACCESS},
  pexpireat: RW_UPDATE,
  pexpiretime: RO_ACCESS,
  psetex: OW_UPDATE,
  pttl: RO_ACCESS,
  rename: {first: RW_ACCESS_DELETE, rest: OW_UPDATE},
  renamenx: {first: RW_ACCESS_DELETE, rest: OW_INSERT},
  restore: OW_UPDATE,
  rpop: RW_ACCESS_DELETE,
  rpoplpush: {first: RW_ACCESS_DELETE, rest: RW_INSERT},
  rpush: RW_INSERT,
  rpushx: RW_INSERT,
  sadd: RW_INSERT,
  scard: RO,
  sdiff: RO_ACCESS,
  sdiffstore: {first: OW_UPDATE, rest: RO_ACCESS},
  // Whether SET reads the old value depends on GET: its flags come from setKeys, not from the spec.
  set: {specs: [keyAt(1, [...RW_ACCESS_UPDATE, 'variable_flags'], 'RW and ACCESS due to the optional `GET` argument')]},
  setbit: RW_ACCESS_UPDATE,
  setex: OW_UPDATE,
  setnx: OW_INSERT,
  setrange: RW_UPDATE,
  sinter: RO_ACCESS,
  sintercard: {specs: [countedAt(1, RO_ACCESS)]},
  sinterstore: {first: RW_UPDATE, rest: RO_ACCESS},
  sismember: RO,
  smembers: RO_ACCESS,
  smismember: RO_ACCESS,
  smove: {first: RW_ACCESS_DELETE, rest: RW_INSERT},
  sort: {specs: [keyAt(1, RO_ACCESS), SORT_BY_GET, SORT_STORE]},
  sort_ro: {specs: [keyAt(1, RO_ACCESS), SORT_BY_GET]},
  spop: RW_ACCESS_DELETE,
  spublish: NOT_KEY,
  srandmember: RO_ACCESS,
  srem: RW_DELETE,
  ssubscribe: NOT_KEY,
  sscan: RO_ACCESS,
  strlen: RO,
  substr: RO_ACCESS,
  sunion: RO_ACCESS,
  sunsubscribe: NOT_KEY,
  sunionstore: {first: OW_UPDATE, rest: RO_ACCESS},
  touch: RO,
  ttl: RO_ACCESS,
  type: RO,
  unlink: RM_DELETE,
  watch: RO,
  xack: RW_UPDATE,
  xadd: {specs: [keyAt(1, RW_UPDATE, 'UPDATE instead of INSERT because of the optional trimming feature')]},
  xautoclaim: RW_DELETE,
  xclaim: RW_UPDATE,
  xdel: RW_DELETE,
  'xgroup|create': RW_INSERT,
  'xgroup|createconsumer': RW_INSERT,
  'xgroup|delconsumer': RW_DELETE,
  'xgroup|destroy': RW_DELETE,
  'xgroup|setid': RW_UPDATE,
  xlen: RO,
  xread: {specs: [streamsKeys(1)]},
  xreadgroup: {specs: [streamsKeys(4)]},
  xsetid: RW_UPDATE,
  xtrim: RW_DELETE,
  zadd: RW_UPDATE,
  zcard: RO,
  zcount: RO_ACCESS,
  zdiff: {specs: [countedAt(1, RO_ACCESS)]},
  zdiffstore: {specs: [keyAt(1, OW_UPDATE), countedAt(2, RO_ACCESS)]},
  zincrby: RW_ACCESS_UPDATE,
  zinter: {specs: [countedAt(1, RO_ACCESS)]},
  zintercard: {specs: [countedAt(1, RO_ACCESS)]},
  zinterstore: {specs: [keyAt(1, OW_UPDATE), countedAt(2, RO_ACCESS)]},
  zlexcount: RO_ACCESS,
  zmpop: {specs: [countedAt(1, RW_ACCESS_DELETE)]},
  zmscore: RO_ACCESS,
  zpopmax: RW_ACCESS_DELETE,
  zpopmin: RW_ACCESS_DELETE,
  zrandmember: RO_ACCESS,
  zrange: RO_ACCESS,
  zrangebylex: RO_ACCESS,
  zrangebyscore: RO_ACCESS,
  zrangestore: {first: OW_UPDATE, rest: RO_ACCESS},
  zrank: RO_ACCESS,
  zrem: RW_DELETE,
  zremrangebylex: RW_DELETE,
  zremrangebyrank: RW_DELETE,
  zremrangebyscore: RW_DELETE,
  zrevrange: RO_ACCESS,
  zrevrangebylex: RO_ACCESS,
  zrevrangebyscore: RO_ACCESS,
  zrevrank: RO_ACCESS,
  zscan: RO_ACCESS,
  zscore: RO_ACCESS,
  zunion: {specs: [countedAt(1, RO_ACCESS)]},
  zunionstore: {specs: [keyAt(1, OW_UPDATE), countedAt(2, RO_ACCESS)]},
}

/** A range spec over legacy positions first..last (last < 0 counts from the end), as Redis derives it. */
const rangeSpec = (first: number, last: number, step: number, flags: readonly KeyFlag[]): KeySearch => ({
  flags, begin: {index: first}, find: {range: {lastKey: last < 0 ? last : last - first, keyStep: step, limit: 0}},
})

/** The Redis 7.0 key specs of a command (COMMAND INFO's key specs, GETKEYS's first source). */
export function keySpecsOf(spec: CommandSpec): readonly KeySearch[] {
  const {first, last, step} = spec.keys
  const access = KEY_ACCESS[spec.name]
  if (access !== undefined && 'specs' in access) return access.specs
  if (first === 0) return []
  if (access === undefined) {
    return [rangeSpec(first, last, step, spec.flags.includes('write') ? RW_ACCESS_UPDATE : RO_ACCESS)]
  }
  if ('first' in access) {
    return [rangeSpec(first, first, 1, access.first), rangeSpec(first + step, last, step, access.rest)]
  }
  return [rangeSpec(first, last, step, access)]
}

/**
 * SET: the key is read as well as overwritten only with GET (db.c setGetKeys); the argument must be exactly
 * three letters, matched without case.
 */
export const setKeys: KeyExtractor = (argv) => {
  const get = argv.slice(3).some((arg) => arg.length === 3 && arg.toString('latin1').toLowerCase() === 'get')
  return [{pos: 1, flags: get ? RW_ACCESS_UPDATE : OW_UPDATE}]
}

/** SORT_RO: only the key it sorts (the keys BY and GET name are patterns, not keys). */
export const sortRoKeys: KeyExtractor = () => [{pos: 1, flags: RO_ACCESS}]

/** Options of SORT and how many arguments follow them, as db.c sortGetKeys skips them looking for STORE. */
const SORT_SKIP: readonly (readonly [string, number])[] = [['limit', 2], ['get', 1], ['by', 1]]

/**
 * SORT: the key it sorts, and the destination after the last STORE (db.c sortGetKeys). Options are skipped with
 * their arguments; the word after STORE is itself read as an option again, as Redis does.
 */
export const sortKeys: KeyExtractor = (argv) => {
  let store: number | undefined
  for (let i = 2; i < argv.length; i++) {
    const word = (argv[i] as Buffer).toString('latin1').toLowerCase()
    const skip = SORT_SKIP.find(([name]) => name === word)
    if (skip !== undefined) i += skip[1]
    else if (word === 'store' && i + 1 < argv.length) store = i + 1
  }
  const keys: KeyRef[] = [{pos: 1, flags: RO_ACCESS}]
  if (store !== undefined) keys.push({pos: store, flags: OW_UPDATE})
  return keys
}

/** Extractors of the commands whose rows live elsewhere and do not carry one. */
const EXTRACTORS: Readonly<Record<string, KeyExtractor>> = {set: setKeys, sort: sortKeys, sort_ro: sortRoKeys}

/** C's atoi (strtol saturating at 64 bits, then truncated to a 32-bit int): what Redis's getkeys procs read. */
function atoi(arg: Buffer): number {
  const digits = /^[\t\n\v\f\r ]*([+-]?[0-9]+)/.exec(arg.toString('latin1'))?.[1]
  if (digits === undefined) return 0
  let value = BigInt(digits)
  if (value > 9223372036854775807n) value = 9223372036854775807n
  if (value < -9223372036854775808n) value = -9223372036854775808n
  return Number(BigInt.asIntN(32, value))
}

/**
 * COMMAND [destination] numkeys key … (db.c genericGetKeys): `count` keys from `firstAt`, every `step`
 * arguments, then the destination when there is one; nothing when numkeys is below 1 or more than the
 * arguments left. These positions carry no flags.
 */
function countedKeys(destinationAt: number, countAt: number, firstAt: number, step: number): KeyExtractor {
  return (argv) => {
    const count = argv[countAt] === undefined ? 0 : atoi(argv[countAt])
    if (count < 1 || count > Math.trunc((argv.length - firstAt) / step)) return []
    const keys: KeyRef[] = []
    for (let i = 0; i < count; i++) keys.push({pos: firstAt + i * step, flags: []})
    if (destinationAt > 0) keys.push({pos: destinationAt, flags: []})
    return keys
  }
}

/** numkeys at position `countAt`, the keys right after it: SINTERCARD, ZUNION, ZMPOP, LMPOP, BLMPOP (2) … */
export const numkeysAt = (countAt: number): KeyExtractor => countedKeys(0, countAt, countAt + 1, 1)

/** A destination key at 1, numkeys at 2, then the keys: ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE. */
export const destinationAndNumkeys: KeyExtractor = countedKeys(1, 2, 3, 1)

/** Redis's string2ll, then the cast to int that getKeysUsingKeySpecs applies to numkeys. */
function parseKeyCount(arg: Buffer): number | undefined {
  const parsed = parseInt64(arg)
  if (!parsed.ok || parsed.value < 0n) return undefined
  return Number(BigInt.asIntN(32, parsed.value))
}

/** The argument after the first `keyword` (no case), searched from `startFrom` (negative: backwards from the end). */
function keywordSearch(argv: readonly Buffer[], keyword: string, startFrom: number): number {
  const argc = argv.length
  const start = startFrom > 0 ? startFrom : argc + startFrom
  const end = startFrom > 0 ? argc - 1 : 1
  const wanted = keyword.toLowerCase()
  for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
    if (i >= argc || i < 1) break
    if ((argv[i] as Buffer).toString('latin1').toLowerCase() === wanted) return i + 1
  }
  return 0
}

/**
 * Walks the key specs over a call (db.c getKeysUsingKeySpecs); undefined when a spec does not fit the call (an
 * invalid numkeys, a range beyond the arguments, an incomplete spec), so the caller falls back to the extractor.
 */
export function keysBySpecs(specs: readonly KeySearch[], argv: readonly Buffer[], arity: number): KeyRef[] | undefined {
  const argc = argv.length
  const keys: KeyRef[] = []
  for (const spec of specs) {
    if (spec.flags.includes('not_key')) continue
    let first: number
    if ('unknown' in spec.begin) return undefined
    if ('index' in spec.begin) {
      first = spec.begin.index
    } else {
      first = keywordSearch(argv, spec.begin.keyword, spec.begin.startFrom)
      if (first === 0) continue
    }
    let last: number
    let step: number
    if ('range' in spec.find) {
      const {lastKey, keyStep, limit} = spec.find.range
      step = keyStep
      if (lastKey >= 0) last = first + lastKey
      else if (limit === 0) last = argc + lastKey
      else last = first + (Math.trunc((argc - first) / limit) + lastKey)
    } else if ('keynum' in spec.find) {
      const {keyNumIdx, firstKey, keyStep} = spec.find.keynum
      step = keyStep
      const countArg = argv[first + keyNumIdx]
      if (keyNumIdx >= argc || countArg === undefined) return undefined
      const count = parseKeyCount(countArg)
      if (count === undefined) return undefined
      first += firstKey
      last = first + count - 1
    } else {
      return undefined
    }
    if (last >= argc || last < first || first >= argc) return undefined
    for (let i = first; i <= last; i += Math.max(1, step)) {
      // Only commands of variable arity can get here with too few arguments: they report no key there.
      if ((i >= argc || i < first) && arity < 0) continue
      keys.push({pos: i, flags: spec.flags})
    }
    if (spec.flags.includes('incomplete')) return undefined
  }
  return keys
}

/** The extractor a command falls back on: its row's, or the one kept here for SET. */
function extractorOf(spec: CommandSpec): KeyExtractor | undefined {
  return spec.getKeys ?? EXTRACTORS[spec.name]
}

/** Whether the command takes key arguments at all (db.c doesCommandHaveKeys). */
export function hasKeyArguments(spec: CommandSpec): boolean {
  return extractorOf(spec) !== undefined || keySpecsOf(spec).some((s) => !s.flags.includes('not_key'))
}

/**
 * The keys of a whole call (`argv[0]` is the command name) with their flags (db.c getKeysFromCommandWithSpecs):
 * the key specs when they are reliable, else the command's extractor; empty when the arguments name no key.
 */
export function keysOf(spec: CommandSpec, argv: readonly Buffer[]): readonly KeyRef[] {
  const specs = keySpecsOf(spec)
  const hasSpec = specs.some((s) => !s.flags.includes('not_key'))
  const variableFlags = specs.some((s) => s.flags.includes('variable_flags'))
  if (hasSpec && !variableFlags) {
    const found = keysBySpecs(specs, argv, spec.arity)
    if (found !== undefined) return found
  }
  return extractorOf(spec)?.(argv) ?? []
}
