// The sorted-set group (t_zset.c): ZADD with NX/XX/GT/LT/CH/INCR, scores as doubles (RESP3 double replies),
// ranks, ZRANGE by rank, score or lex with REV/LIMIT/WITHSCORES (the one engine behind every range form, ZRANGESTORE
// included), counts and increments.

import {keyBytes, keyOf} from '../../common/key.js'
import {LIMIT_NEEDS_BY_RANGE, MIN_MAX_NOT_FLOAT, MIN_MAX_NOT_STRING, NOT_FLOAT, SYNTAX, WITHSCORES_WITH_BYLEX} from '../../resp/errors.js'
import {array, bulk, double, error, int, NIL, ZERO, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import {lexAboveMin, lexBelowMax, SortedSet, type LexBound, type ScoredMember} from '../keyspace/sorted-set.js'
import {isOption, parseDouble, parseInt64, type Parsed} from './args.js'
import {clampRange, deleteIfEmpty, isReply, readCollection, writeCollection} from './collection-access.js'

export const sortedSetCommands: readonly CommandSpec[] = [
  {name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, categories: ['write', 'sortedset', 'fast'], handler: (ctx, a) => zaddGeneric(ctx, a)},
  {name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, categories: ['write', 'sortedset', 'fast'], handler: (ctx, a) => zaddGeneric(ctx, [a[0] as Buffer, Buffer.from('INCR'), a[1] as Buffer, a[2] as Buffer])},
  {name: 'zrem', arity: -3, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['write', 'sortedset', 'fast'], handler: zremCommand},
  {name: 'zscore', arity: 3, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'fast'], handler: (ctx, a) => withZset(ctx, a, (z) => scoreReply(z?.score(keyOf(a[1] as Buffer))))},
  {name: 'zcard', arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'fast'], handler: (ctx, a) => withZset(ctx, a, (z) => int(z?.size ?? 0))},
  {name: 'zrank', arity: 3, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'fast'], handler: (ctx, a) => withZset(ctx, a, (z) => rankReply(z, a[1] as Buffer, false))},
  {name: 'zrevrank', arity: 3, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'fast'], handler: (ctx, a) => withZset(ctx, a, (z) => rankReply(z, a[1] as Buffer, true))},
  {name: 'zcount', arity: 4, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'fast'], handler: zcountCommand},
  {name: 'zrange', arity: -4, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'slow'], handler: (ctx, a) => zrangeGeneric(ctx, a)},
  {name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'], keys: {first: 1, last: 2, step: 1}, categories: ['write', 'sortedset', 'slow'], handler: (ctx, a) => zrangeGeneric(ctx, a.slice(1), {destination: a[0] as Buffer})},
]

const scoreReply = (score: number | undefined): Reply => (score === undefined ? NIL : double(score))

export function withZset(ctx: CommandContext, args: readonly Buffer[], answer: (z: SortedSet | undefined) => Reply): Reply {
  const zset = readCollection(ctx, keyOf(args[0] as Buffer), 'zset')
  return isReply(zset) ? zset : answer(zset)
}

function rankReply(zset: SortedSet | undefined, member: Buffer, reverse: boolean): Reply {
  const rank = zset?.rank(keyOf(member))
  if (zset === undefined || rank === undefined) return NIL
  return int(reverse ? zset.size - 1 - rank : rank)
}

function zaddGeneric(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const flags = new Set<string>()
  let i = 1
  for (; i < args.length; i++) {
    const opt = (args[i] as Buffer).toString('latin1').toUpperCase()
    if (!['NX', 'XX', 'GT', 'LT', 'CH', 'INCR'].includes(opt)) break
    flags.add(opt)
  }
  const rest = args.slice(i)
  if (rest.length === 0 || rest.length % 2 !== 0) return SYNTAX
  if (flags.has('NX') && flags.has('XX')) return error('ERR XX and NX options at the same time are not compatible')
  if ((flags.has('GT') && flags.has('LT')) || (flags.has('NX') && (flags.has('GT') || flags.has('LT')))) {
    return error('ERR GT, LT, and/or NX options at the same time are not compatible')
  }
  if (flags.has('INCR') && rest.length > 2) return error('ERR INCR option supports a single increment-element pair')
  const pairs: [number, string][] = []
  for (let j = 0; j < rest.length; j += 2) {
    const score = parseStrictDouble(rest[j] as Buffer, NOT_FLOAT)
    if (!score.ok) return score.error
    pairs.push([score.value, keyOf(rest[j + 1] as Buffer)])
  }
  const key = keyOf(args[0] as Buffer)
  const existing = readCollection(ctx, key, 'zset')
  if (isReply(existing)) return existing
  if (existing === undefined && flags.has('XX')) return flags.has('INCR') ? NIL : ZERO
  const zset = writeCollection(ctx, key, 'zset') as SortedSet
  let added = 0
  let changed = 0
  let result: number | undefined
  for (const [score, member] of pairs) {
    const current = zset.score(member)
    if ((flags.has('NX') && current !== undefined) || (flags.has('XX') && current === undefined)) continue
    const next = flags.has('INCR') ? (current ?? 0) + score : score
    if (Number.isNaN(next)) return error('ERR resulting score is not a number (NaN)')
    if (current !== undefined && ((flags.has('GT') && next <= current) || (flags.has('LT') && next >= current))) continue
    if (zset.add(member, next)) added++
    else if (current !== next) changed++
    result = next
  }
  ctx.db.modified(key)
  ctx.db.deleteIfEmpty(key)
  if (added + changed > 0) ctx.notify('z', flags.has('INCR') ? 'zincr' : 'zadd', args[0] as Buffer)
  if (flags.has('INCR')) return result === undefined ? NIL : double(result)
  return int(flags.has('CH') ? added + changed : added)
}

function zremCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const key = keyOf(args[0] as Buffer)
  const zset = readCollection(ctx, key, 'zset')
  if (isReply(zset)) return zset
  if (zset === undefined) return ZERO
  let removed = 0
  for (const m of args.slice(1)) if (zset.delete(keyOf(m))) removed++
  if (removed > 0) {
    ctx.db.modified(key)
    ctx.notify('z', 'zrem', args[0] as Buffer)
    deleteIfEmpty(ctx, key)
  }
  return int(removed)
}

export interface ScoreBound {
  value: number
  exclusive: boolean
}

export function parseScoreBound(arg: Buffer): ScoreBound | undefined {
  const text = arg.toString('latin1')
  const exclusive = text.startsWith('(')
  const parsed = parseDouble(Buffer.from(exclusive ? text.slice(1) : text))
  return parsed.ok ? {value: parsed.value, exclusive} : undefined
}

export const inScoreRange = (score: number, min: ScoreBound, max: ScoreBound): boolean =>
  (min.exclusive ? score > min.value : score >= min.value) && (max.exclusive ? score < max.value : score <= max.value)

function zcountCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const min = parseScoreBound(args[1] as Buffer)
  const max = parseScoreBound(args[2] as Buffer)
  if (!min || !max) return MIN_MAX_NOT_FLOAT
  // Two binary searches (zslGetRank of both ends), not a walk: O(log n) as in Redis.
  return withZset(ctx, args, (z) => {
    if (z === undefined) return int(0)
    const first = z.firstIndexByScore(min.value, min.exclusive)
    const pastLast = z.firstIndexByScore(max.value, !max.exclusive)
    return int(Math.max(0, pastLast - first))
  })
}

/** How a ZRANGE-family call selects: by rank, score or lex; the legacy commands fix it, ZRANGE takes BYSCORE/BYLEX. */
export type RangeType = 'rank' | 'score' | 'lex'

export interface RangeCall {
  /** Fixed by the command (ZRANGEBYSCORE …); undefined lets BYSCORE/BYLEX choose (ZRANGE, ZRANGESTORE). */
  readonly type?: RangeType
  /** Fixed by the command (ZREVRANGE …); undefined lets REV choose. */
  readonly reverse?: boolean
  /** ZRANGESTORE's destination: the selection is stored there and its size answered. */
  readonly destination?: Buffer
}

/** A C long argument (getLongFromObjectOrReply): the full int64 range, as a JS number for counting. */
export function parseLong(arg: Buffer): Parsed<number> {
  const parsed = parseInt64(arg)
  return parsed.ok ? {ok: true, value: Number(parsed.value)} : parsed
}

/**
 * A double argument as Redis's getDoubleFromObject reads it: parseDouble, plus strtod's range errors (a value that
 * overflows to infinity or underflows to zero is rejected; the literal 'inf' is not an overflow).
 */
export function parseStrictDouble(arg: Buffer, failure: Reply): Parsed<number> {
  const parsed = parseDouble(arg, failure)
  if (!parsed.ok) return parsed
  const text = arg.toString('latin1')
  if (!Number.isFinite(parsed.value) && !/inf/i.test(text)) return {ok: false, error: failure}
  if (parsed.value === 0 && !/^[+-]?0x/i.test(text) && /[1-9]/.test(text.split(/e/i)[0] as string)) return {ok: false, error: failure}
  return parsed
}

/** One lex range end: '-', '+', '[member' or '(member'; undefined for anything else (the empty string included). */
export function parseLexBound(arg: Buffer): LexBound | undefined {
  const first = arg[0]
  if ((first === 0x2d || first === 0x2b) && arg.length === 1) return {kind: first === 0x2d ? '-' : '+'}
  if (first === 0x28 || first === 0x5b) return {kind: 'member', member: keyOf(arg.subarray(1)), exclusive: first === 0x28}
  return undefined
}

/** Members (with scores when asked) as Redis replies with them: RESP2 flattens pairs, RESP3 nests [member, score]. */
export function scoredReply(ctx: CommandContext, entries: readonly ScoredMember[], withScores: boolean): Reply {
  if (!withScores) return array(entries.map((e) => bulk(keyBytes(e.member))))
  if (ctx.client.resp === 3) return array(entries.map((e) => array([bulk(keyBytes(e.member)), double(e.score)])))
  return array(entries.flatMap((e) => [bulk(keyBytes(e.member)), double(e.score)]))
}

/**
 * Replaces destination (of any type) with the entries, or deletes it when there are none; answers the count.
 * With `event`, raises it (class z) for a stored result, or `del` for a deleted destination.
 */
export function storeSortedSet(ctx: CommandContext, destination: Buffer, entries: Iterable<ScoredMember>, event?: string): Reply {
  const zset = SortedSet.fromEntries(entries)
  const key = keyOf(destination)
  if (zset.size === 0) {
    if (ctx.db.delete(key) && event !== undefined) ctx.notify('g', 'del', destination)
    return ZERO
  }
  ctx.db.set(key, {type: 'zset', value: zset})
  if (event !== undefined) ctx.notify('z', event, destination)
  return int(zset.size)
}

/**
 * Walks from rank `start` in `step` direction: skips `offset` entries unchecked, then takes up to `limit` (negative:
 * no limit) while `inRange` holds, as Redis's range loops do. A negative offset selects nothing.
 */
function walk(zset: SortedSet, start: number, step: 1 | -1, offset: number, limit: number, inRange: (e: ScoredMember) => boolean): ScoredMember[] {
  const out: ScoredMember[] = []
  if (start < 0 || start >= zset.size || offset < 0) return out
  for (const entry of zset.walkFrom(start + step * offset, step)) {
    if (limit >= 0 && out.length >= limit) break
    if (!inRange(entry)) break
    out.push(entry)
  }
  return out
}

/**
 * ZRANGE and every form built on it (zrangeGenericCommand): args are <src> <min> <max> [options…]. Options are
 * validated, then the range parsed, then the key read, so errors come in Redis's order.
 */
export function zrangeGeneric(ctx: CommandContext, args: readonly Buffer[], call: RangeCall = {}): Reply {
  const store = call.destination !== undefined
  let type = call.type
  let reverse = call.reverse
  let withScores = false
  let offset = 0
  let limit = -1
  for (let i = 3; i < args.length; i++) {
    const arg = args[i] as Buffer
    if (!store && isOption(arg, 'WITHSCORES')) withScores = true
    else if (isOption(arg, 'LIMIT') && args.length - i - 1 >= 2) {
      const parsedOffset = parseLong(args[i + 1] as Buffer)
      if (!parsedOffset.ok) return parsedOffset.error
      const parsedLimit = parseLong(args[i + 2] as Buffer)
      if (!parsedLimit.ok) return parsedLimit.error
      offset = parsedOffset.value
      limit = parsedLimit.value
      i += 2
    } else if (call.reverse === undefined && reverse === undefined && isOption(arg, 'REV')) reverse = true
    else if (call.type === undefined && type === undefined && isOption(arg, 'BYLEX')) type = 'lex'
    else if (call.type === undefined && type === undefined && isOption(arg, 'BYSCORE')) type = 'score'
    else return SYNTAX
  }
  type ??= 'rank'
  reverse ??= false
  // Redis tells LIMIT apart by its count: LIMIT x -1 is the default and allowed with a rank range.
  if (limit !== -1 && type === 'rank') return LIMIT_NEEDS_BY_RANGE
  if (withScores && type === 'lex') return WITHSCORES_WITH_BYLEX
  const [minArg, maxArg] = reverse && type !== 'rank' ? [args[2] as Buffer, args[1] as Buffer] : [args[1] as Buffer, args[2] as Buffer]

  let select: (zset: SortedSet) => ScoredMember[]
  if (type === 'rank') {
    const start = parseLong(minArg)
    if (!start.ok) return start.error
    const stop = parseLong(maxArg)
    if (!stop.ok) return stop.error
    select = (zset) => {
      const range = clampRange(start.value, stop.value, zset.size)
      if (!range) return []
      const last = zset.size - 1
      return reverse ? zset.rangeByRank(last - range[1], last - range[0]).reverse() : zset.rangeByRank(range[0], range[1])
    }
  } else if (type === 'score') {
    const min = parseScoreBound(minArg)
    const max = parseScoreBound(maxArg)
    if (!min || !max) return MIN_MAX_NOT_FLOAT
    const inRange = (e: ScoredMember): boolean => inScoreRange(e.score, min, max)
    select = (zset) => reverse
      ? walk(zset, zset.firstIndexByScore(max.value, !max.exclusive) - 1, -1, offset, limit, inRange)
      : walk(zset, zset.firstIndexByScore(min.value, min.exclusive), 1, offset, limit, inRange)
  } else {
    const min = parseLexBound(minArg)
    const max = parseLexBound(maxArg)
    if (!min || !max) return MIN_MAX_NOT_STRING
    select = (zset) => reverse
      ? walk(zset, zset.lexRangeStart(min, max, true), -1, offset, limit, (e) => lexAboveMin(e.member, min))
      : walk(zset, zset.lexRangeStart(min, max, false), 1, offset, limit, (e) => lexBelowMax(e.member, max))
  }

  const zset = readCollection(ctx, keyOf(args[0] as Buffer), 'zset')
  if (isReply(zset)) return zset
  const selected = zset === undefined ? [] : select(zset)
  if (call.destination !== undefined) return storeSortedSet(ctx, call.destination, selected, 'zrangestore')
  return scoredReply(ctx, selected, withScores)
}
