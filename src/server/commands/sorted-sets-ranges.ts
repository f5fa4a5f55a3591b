// Sorted-set range variants (t_zset.c): the legacy ZREVRANGE/ZRANGEBYSCORE/ZREVRANGEBYSCORE forms of ZRANGE,
// removals by rank or score, ZPOPMIN/ZPOPMAX and ZMSCORE.

import {keyBytes, keyOf} from '../../common/key.js'
import {MIN_MAX_NOT_FLOAT} from '../../resp/errors.js'
import {array, bulk, double, error, int, NIL, ZERO, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import type {SortedSet} from '../keyspace/sorted-set.js'
import {parseOptionalCount} from './args.js'
import {clampRange, deleteIfEmpty, isReply, parseIndexPair, readCollection} from './collection-access.js'
import {popEnd} from './sorted-sets-pop.js'
import {inScoreRange, parseScoreBound, zrangeGeneric} from './sorted-sets.js'

const READ = {flags: ['readonly'], categories: ['read', 'sortedset', 'slow']} as const
const WRITE = {flags: ['write'], categories: ['write', 'sortedset', 'slow']} as const

export const sortedSetRangeCommands: readonly CommandSpec[] = [
  {name: 'zrevrange', arity: -4, keys: FIRST_KEY, ...READ, handler: (ctx, a) => zrangeGeneric(ctx, a, {type: 'rank', reverse: true})},
  {name: 'zrangebyscore', arity: -4, keys: FIRST_KEY, ...READ, handler: (ctx, a) => zrangeGeneric(ctx, a, {type: 'score', reverse: false})},
  {name: 'zrevrangebyscore', arity: -4, keys: FIRST_KEY, ...READ, handler: (ctx, a) => zrangeGeneric(ctx, a, {type: 'score', reverse: true})},
  {name: 'zremrangebyrank', arity: 4, keys: FIRST_KEY, ...WRITE, handler: zremrangebyrankCommand},
  {name: 'zremrangebyscore', arity: 4, keys: FIRST_KEY, ...WRITE, handler: zremrangebyscoreCommand},
  {name: 'zpopmin', arity: -2, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['write', 'sortedset', 'fast'], handler: (ctx, a) => zpop(ctx, a, 'min')},
  {name: 'zpopmax', arity: -2, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['write', 'sortedset', 'fast'], handler: (ctx, a) => zpop(ctx, a, 'max')},
  {name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'fast'], handler: zmscoreCommand},
]

function removeMembers(ctx: CommandContext, key: string, zset: SortedSet, members: string[], event: string): Reply {
  for (const m of members) zset.delete(m)
  if (members.length > 0) {
    ctx.db.modified(key)
    ctx.notify('z', event, key)
    deleteIfEmpty(ctx, key)
  }
  return int(members.length)
}

function zremrangebyrankCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const indexes = parseIndexPair(args[1] as Buffer, args[2] as Buffer)
  if (isReply(indexes)) return indexes
  const key = keyOf(args[0] as Buffer)
  const zset = readCollection(ctx, key, 'zset')
  if (isReply(zset)) return zset
  if (zset === undefined) return ZERO
  const range = clampRange(indexes[0], indexes[1], zset.size)
  return removeMembers(ctx, key, zset, range ? zset.rangeByRank(range[0], range[1]).map((e) => e.member) : [], 'zremrangebyrank')
}

function zremrangebyscoreCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const min = parseScoreBound(args[1] as Buffer)
  const max = parseScoreBound(args[2] as Buffer)
  if (!min || !max) return MIN_MAX_NOT_FLOAT
  const key = keyOf(args[0] as Buffer)
  const zset = readCollection(ctx, key, 'zset')
  if (isReply(zset)) return zset
  if (zset === undefined) return ZERO
  const members: string[] = []
  for (const e of zset.walkFrom(zset.firstIndexByScore(min.value, min.exclusive), 1)) {
    if (!inScoreRange(e.score, min, max)) break
    members.push(e.member)
  }
  return removeMembers(ctx, key, zset, members, 'zremrangebyscore')
}

function zpop(ctx: CommandContext, args: readonly Buffer[], end: 'min' | 'max'): Reply {
  if (args.length > 2) return error('ERR syntax error')
  const parsedCount = parseOptionalCount(args[1])
  if (!parsedCount.ok) return parsedCount.error
  const count = parsedCount.value
  const key = keyOf(args[0] as Buffer)
  const zset = readCollection(ctx, key, 'zset')
  if (isReply(zset)) return zset
  if (zset === undefined) return array([])
  const picked = popEnd(ctx, key, zset, end, count ?? 1)
  // RESP3 with a count nests [member, score] pairs; otherwise the reply is flat (Redis 7.0).
  if (ctx.client.resp === 3 && count !== undefined) return array(picked.map((e) => array([bulk(keyBytes(e.member)), double(e.score)])))
  return array(picked.flatMap((e) => [bulk(keyBytes(e.member)), double(e.score)]))
}

function zmscoreCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const zset = readCollection(ctx, keyOf(args[0] as Buffer), 'zset')
  if (isReply(zset)) return zset
  return array(args.slice(1).map((m) => {
    const score = zset?.score(keyOf(m))
    return score === undefined ? NIL : double(score)
  }))
}
