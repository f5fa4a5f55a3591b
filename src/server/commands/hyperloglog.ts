// The HyperLogLog group (hyperloglog.c): PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST over HLL strings whose
// bytes are Redis's (src/server/hll/), so GET, DUMP, RDB files and replicas see exactly what Redis would store.

import {keyOf} from '../../common/key.js'
import {WRONGTYPE} from '../../resp/errors.js'
import {array, bulk, error, int, OK, ONE, simple, ZERO, type Reply} from '../../resp/reply.js'
import {ALL_KEYS, FIRST_KEY, NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import type {Entry} from '../keyspace/values.js'
import {addElement} from '../hll/hll-add.js'
import {estimate, mergeInto, rawHistogram, registerHistogram} from '../hll/hll-count.js'
import {
  denseSet, encodingOf, getDenseRegister, HLL_DENSE, HLL_HDR_SIZE, HLL_REGISTERS, INVALID_HLL_MESSAGE, invalidateCache,
  isCacheValid, isValidHll, NOT_AN_HLL_MESSAGE, readCachedCardinality, writeCachedCardinality,
} from '../hll/hll-format.js'
import {createHll, isXZero, isZero, sparseSet, sparseToDense, valLen, valValue, xzeroLen, zeroLen} from '../hll/hll-sparse.js'
import {pfselftestCommand} from './hyperloglog-selftest.js'
import {stringValue} from '../keyspace/string-value.js'

export const hyperloglogCommands: readonly CommandSpec[] = [
  {name: 'pfadd', arity: -2, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, categories: ['write', 'hyperloglog', 'fast'], handler: pfaddCommand},
  {name: 'pfcount', arity: -2, flags: ['readonly'], keys: ALL_KEYS, categories: ['read', 'hyperloglog', 'slow'], handler: pfcountCommand},
  {name: 'pfmerge', arity: -2, flags: ['write', 'denyoom'], keys: ALL_KEYS, categories: ['write', 'hyperloglog', 'slow'], handler: pfmergeCommand},
  {name: 'pfdebug', arity: 3, flags: ['write', 'denyoom', 'admin'], keys: {first: 2, last: 2, step: 1}, categories: ['write', 'hyperloglog', 'admin', 'slow', 'dangerous'], handler: pfdebugCommand},
  {name: 'pfselftest', arity: 1, flags: ['admin'], keys: NO_KEYS, categories: ['hyperloglog', 'admin', 'slow', 'dangerous'], handler: pfselftestCommand},
]

const INVALID_HLL = error(INVALID_HLL_MESSAGE)
const NOT_AN_HLL = error(NOT_AN_HLL_MESSAGE)
const PFCOUNT_NAME = Buffer.from('pfcount')

/** The key's HLL entry: undefined when absent, an error reply when it is not a string holding a valid HLL. */
function lookupHll(ctx: CommandContext, key: string): Entry | undefined | Reply {
  const entry = ctx.db.lookup(key)
  if (entry === undefined) return undefined
  if (entry.value.type !== 'string') return WRONGTYPE
  return isValidHll(entry.value.value) ? entry : NOT_AN_HLL
}

const isReply = (v: unknown): v is Reply => typeof v === 'object' && v !== null && 'kind' in v
const hllOf = (entry: Entry): Buffer => (entry.value as {value: Buffer}).value

function sparseMaxBytes(ctx: CommandContext): number {
  const value = Number(ctx.config.get('hll-sparse-max-bytes'))
  return Number.isFinite(value) ? value : 3000
}

/** Replaces the HLL string of an existing entry (TTL kept); the caller decides whether the key counts as modified. */
function storeHll(entry: Entry, hll: Buffer): void {
  entry.value = stringValue(hll)
}

/** A uint64 cardinality as the long long Redis replies with. */
const cardinalityReply = (card: bigint): Reply => {
  const signed = BigInt.asIntN(64, card)
  return int(signed >= -9007199254740991n && signed <= 9007199254740991n ? Number(signed) : signed)
}

function pfaddCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const key = keyOf(args[0] as Buffer)
  const entry = lookupHll(ctx, key)
  if (isReply(entry)) return entry
  // Work on a copy: the stored Buffer may be shared with the request that SET it or the replication stream.
  let hll = entry === undefined ? createHll() : Buffer.from(hllOf(entry))
  let updated = entry === undefined ? 1 : 0
  const maxBytes = sparseMaxBytes(ctx)
  for (let i = 1; i < args.length; i++) {
    const result = addElement(hll, args[i] as Buffer, maxBytes)
    if (result === undefined) {
      // Redis has changed the value in place by then, without counting it as a change.
      if (entry !== undefined) storeHll(entry, hll)
      return INVALID_HLL
    }
    hll = result.hll
    if (result.changed) updated++
  }
  if (updated === 0) return ZERO
  invalidateCache(hll)
  if (entry === undefined) ctx.db.set(key, stringValue(hll))
  else {
    storeHll(entry, hll)
    ctx.db.modified(key)
  }
  ctx.keyspace.dirty += updated - 1
  ctx.notify('$', 'pfadd', args[0] as Buffer)
  return ONE
}

function pfcountCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  if (args.length > 1) {
    // The cardinality of the union, in one byte per register; no cache is read or written.
    const max = new Uint8Array(HLL_REGISTERS)
    for (const keyArg of args) {
      const entry = lookupHll(ctx, keyOf(keyArg))
      if (entry === undefined) continue
      if (isReply(entry)) return entry
      if (!mergeInto(max, hllOf(entry))) return INVALID_HLL
    }
    return cardinalityReply(estimate(rawHistogram(max)))
  }
  const key = keyOf(args[0] as Buffer)
  const entry = lookupHll(ctx, key)
  if (entry === undefined) return ZERO
  if (isReply(entry)) return entry
  const current = hllOf(entry)
  if (isCacheValid(current)) return cardinalityReply(readCachedCardinality(current))
  const histogram = registerHistogram(current)
  if (histogram === undefined) return INVALID_HLL
  const card = estimate(histogram)
  const hll = Buffer.from(current)
  writeCachedCardinality(hll, card)
  storeHll(entry, hll)
  ctx.db.modified(key)
  // A read-only command, but the cached cardinality changed the string: Redis propagates the call as it came.
  ctx.propagateAs(ctx.argv ?? [PFCOUNT_NAME, ...args])
  return cardinalityReply(card)
}

function pfmergeCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const max = new Uint8Array(HLL_REGISTERS)
  let useDense = false
  for (const keyArg of args) {
    const entry = lookupHll(ctx, keyOf(keyArg))
    if (entry === undefined) continue
    if (isReply(entry)) return entry
    if (encodingOf(hllOf(entry)) === HLL_DENSE) useDense = true
    if (!mergeInto(max, hllOf(entry))) return INVALID_HLL
  }
  const key = keyOf(args[0] as Buffer)
  // The destination was checked above (it is the first source); now looked up for writing (no keymiss).
  const entry = ctx.db.lookupQuiet(key)
  let hll: Buffer | undefined = entry === undefined ? createHll() : Buffer.from(hllOf(entry))
  if (useDense) {
    hll = sparseToDense(hll)
    if (hll === undefined) return INVALID_HLL
  }
  const maxBytes = sparseMaxBytes(ctx)
  for (let i = 0; i < HLL_REGISTERS; i++) {
    const value = max[i]!
    if (value === 0) continue
    if (encodingOf(hll) === HLL_DENSE) denseSet(hll, i, value)
    else hll = sparseSet(hll, i, value, maxBytes)?.hll ?? hll
  }
  invalidateCache(hll)
  if (entry === undefined) ctx.db.set(key, stringValue(hll))
  else {
    storeHll(entry, hll)
    ctx.db.modified(key)
  }
  // A merge is a mass add: Redis reports it as pfadd.
  ctx.notify('$', 'pfadd', args[0] as Buffer)
  return OK
}

/** PFDEBUG DECODE: the sparse opcodes as text (z:len, Z:len, v:value,len). */
function decodeSparse(hll: Buffer): string {
  const parts: string[] = []
  for (let p = HLL_HDR_SIZE; p < hll.length;) {
    const op = hll[p]!
    if (isZero(op)) {
      parts.push(`z:${zeroLen(op)}`)
      p++
    } else if (isXZero(op)) {
      parts.push(`Z:${xzeroLen(op, hll[p + 1])}`)
      p += 2
    } else {
      parts.push(`v:${valValue(op)},${valLen(op)}`)
      p++
    }
  }
  return parts.join(' ')
}

function pfdebugCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const subcommand = (args[0] as Buffer).toString('latin1')
  const entry = lookupHll(ctx, keyOf(args[1] as Buffer))
  if (entry === undefined) return error('ERR The specified key does not exist')
  if (isReply(entry)) return entry
  const hll = hllOf(entry)
  const name = subcommand.toLowerCase()
  /** Converts a sparse value to dense in place; Redis counts it as a change (for propagation) without signalling the key. */
  const toDense = (): Buffer | undefined => {
    const dense = sparseToDense(Buffer.from(hll))
    if (dense !== undefined) {
      storeHll(entry, dense)
      ctx.keyspace.dirty++
    }
    return dense
  }
  if (name === 'getreg') {
    const dense = encodingOf(hll) === HLL_DENSE ? hll : toDense()
    if (dense === undefined) return INVALID_HLL
    const registers: Reply[] = []
    for (let i = 0; i < HLL_REGISTERS; i++) registers.push(int(getDenseRegister(dense, HLL_HDR_SIZE, i)))
    return array(registers)
  }
  if (name === 'decode') {
    if (encodingOf(hll) !== 1) return error('ERR HLL encoding is not sparse')
    return bulk(decodeSparse(hll))
  }
  if (name === 'encoding') return simple(encodingOf(hll) === HLL_DENSE ? 'dense' : 'sparse')
  if (name === 'todense') {
    if (encodingOf(hll) === HLL_DENSE) return ZERO
    return toDense() === undefined ? INVALID_HLL : ONE
  }
  return error(`ERR Unknown PFDEBUG subcommand '${subcommand}'`)
}
