// The sorted-set group (t_zset.c): ZADD with NX/XX/GT/LT/CH/INCR, scores as doubles (RESP3 double replies),
// ranks, ZRANGE by rank or score with REV/LIMIT/WITHSCORES, counts and increments.

import {keyBytes, keyOf} from '../../common/key.js'
import {MIN_MAX_NOT_FLOAT, NOT_FLOAT, SYNTAX} from '../../resp/errors.js'
import {array, bulk, double, error, int, NIL, ZERO, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import type {ScoredMember, SortedSet} from '../keyspace/sorted-set.js'
import {isOption, parseDouble, parseInteger} from './args.js'
import {clampRange, isReply, parseIndexPair, readCollection, writeCollection} from './collection-access.js'

export const sortedSetCommands: readonly CommandSpec[] = [
  {name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, categories: ['write', 'sortedset', 'fast'], handler: (ctx, a) => zaddGeneric(ctx, a)},
  {name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: FIRST_KEY, categories: ['write', 'sortedset', 'fast'], handler: (ctx, a) => zaddGeneric(ctx, [a[0] as Buffer, Buffer.from('INCR'), a[1] as Buffer, a[2] as Buffer])},
  {name: 'zrem', arity: -3, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['write', 'sortedset', 'fast'], handler: zremCommand},
  {name: 'zscore', arity: 3, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'fast'], handler: (ctx, a) => withZset(ctx, a, (z) => scoreReply(z?.score(keyOf(a[1] as Buffer))))},
  {name: 'zcard', arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'fast'], handler: (ctx, a) => withZset(ctx, a, (z) => int(z?.size ?? 0))},
  {name: 'zrank', arity: 3, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'fast'], handler: (ctx, a) => withZset(ctx, a, (z) => rankReply(z, a[1] as Buffer, false))},
  {name: 'zrevrank', arity: 3, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'fast'], handler: (ctx, a) => withZset(ctx, a, (z) => rankReply(z, a[1] as Buffer, true))},
  {name: 'zcount', arity: 4, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'fast'], handler: zcountCommand},
  {name: 'zrange', arity: -4, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'slow'], handler: zrangeCommand},
]

const scoreReply = (score: number | undefined): Reply => (score === undefined ? NIL : double(score))

function withZset(ctx: CommandContext, args: readonly Buffer[], answer: (z: SortedSet | undefined) => Reply): Reply {
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
    const score = parseDouble(rest[j] as Buffer, NOT_FLOAT)
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
    ctx.db.deleteIfEmpty(key)
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
  return withZset(ctx, args, (z) => int(z ? [...z].filter((e) => inScoreRange(e.score, min, max)).length : 0))
}

function zrangeCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  let byScore = false
  let reverse = false
  let withScores = false
  let limit: [number, number] | undefined
  for (let i = 3; i < args.length; i++) {
    if (isOption(args[i], 'BYSCORE')) byScore = true
    else if (isOption(args[i], 'REV')) reverse = true
    else if (isOption(args[i], 'WITHSCORES')) withScores = true
    else if (isOption(args[i], 'LIMIT') && i + 2 < args.length) {
      const offset = parseInteger(args[++i] as Buffer)
      const count = parseInteger(args[++i] as Buffer)
      if (!offset.ok) return offset.error
      if (!count.ok) return count.error
      limit = [offset.value, count.value]
    } else return SYNTAX
  }
  if (limit && !byScore) return error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX')
  let selected: ScoredMember[]
  const zset = readCollection(ctx, keyOf(args[0] as Buffer), 'zset')
  if (isReply(zset)) return zset
  if (byScore) {
    const [lo, hi] = reverse ? [args[2], args[1]] : [args[1], args[2]]
    const min = parseScoreBound(lo as Buffer)
    const max = parseScoreBound(hi as Buffer)
    if (!min || !max) return MIN_MAX_NOT_FLOAT
    selected = zset ? [...zset].filter((e) => inScoreRange(e.score, min, max)) : []
    if (reverse) selected.reverse()
    if (limit) selected = limit[0] < 0 ? [] : selected.slice(limit[0], limit[1] < 0 ? undefined : limit[0] + limit[1])
  } else {
    const indexes = parseIndexPair(args[1] as Buffer, args[2] as Buffer)
    if (isReply(indexes)) return indexes
    const size = zset?.size ?? 0
    const range = clampRange(indexes[0], indexes[1], size)
    if (!zset || !range) return array([])
    selected = reverse
      ? zset.rangeByRank(size - 1 - range[1], size - 1 - range[0]).reverse()
      : zset.rangeByRank(range[0], range[1])
  }
  if (!withScores) return array(selected.map((e) => bulk(keyBytes(e.member))))
  // RESP2 flattens member/score pairs; RESP3 nests them, as Redis 7.0 does.
  if (ctx.client.resp === 3) return array(selected.map((e) => array([bulk(keyBytes(e.member)), double(e.score)])))
  return array(selected.flatMap((e) => [bulk(keyBytes(e.member)), double(e.score)]))
}
