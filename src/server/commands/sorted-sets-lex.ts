// Lexicographic ranges of sorted sets (t_zset.c, for members that share one score): ZRANGEBYLEX, ZREVRANGEBYLEX,
// ZLEXCOUNT and ZREMRANGEBYLEX. Ranges are '-', '+', '[member' (inclusive) or '(member' (exclusive).

import {keyOf} from '../../common/key.js'
import {MIN_MAX_NOT_STRING} from '../../resp/errors.js'
import {int, ZERO, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import {lexBelowMax, type LexBound, type SortedSet} from '../keyspace/sorted-set.js'
import {deleteIfEmpty, isReply, readCollection} from './collection-access.js'
import {parseLexBound, withZset, zrangeGeneric} from './sorted-sets.js'

const READ = {flags: ['readonly'], categories: ['read', 'sortedset', 'slow']} as const

export const sortedSetLexCommands: readonly CommandSpec[] = [
  {name: 'zrangebylex', arity: -4, keys: FIRST_KEY, ...READ, handler: (ctx, a) => zrangeGeneric(ctx, a, {type: 'lex', reverse: false})},
  {name: 'zrevrangebylex', arity: -4, keys: FIRST_KEY, ...READ, handler: (ctx, a) => zrangeGeneric(ctx, a, {type: 'lex', reverse: true})},
  {name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'fast'], handler: zlexcountCommand},
  {name: 'zremrangebylex', arity: 4, flags: ['write'], keys: FIRST_KEY, categories: ['write', 'sortedset', 'slow'], handler: zremrangebylexCommand},
]

/** The members of a lex range in ascending order: from the range's first member while below max (Redis's walk). */
function lexRange(zset: SortedSet, min: LexBound, max: LexBound): string[] {
  const members: string[] = []
  for (const {member} of zset.walkFrom(zset.lexRangeStart(min, max, false), 1)) {
    if (!lexBelowMax(member, max)) break
    members.push(member)
  }
  return members
}

/** Both ends parsed before the key is read, as Redis orders its errors. */
function parseRange(args: readonly Buffer[]): [LexBound, LexBound] | Reply {
  const min = parseLexBound(args[1] as Buffer)
  const max = parseLexBound(args[2] as Buffer)
  return min && max ? [min, max] : MIN_MAX_NOT_STRING
}

function zlexcountCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const range = parseRange(args)
  if (isReply(range)) return range
  return withZset(ctx, args, (z) => int(z ? lexRange(z, range[0], range[1]).length : 0))
}

function zremrangebylexCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const range = parseRange(args)
  if (isReply(range)) return range
  const key = keyOf(args[0] as Buffer)
  const zset = readCollection(ctx, key, 'zset')
  if (isReply(zset)) return zset
  if (zset === undefined) return ZERO
  const members = lexRange(zset, range[0], range[1])
  for (const m of members) zset.delete(m)
  if (members.length > 0) {
    ctx.db.modified(key)
    ctx.notify('z', 'zremrangebylex', args[0] as Buffer)
    deleteIfEmpty(ctx, key)
  }
  return int(members.length)
}
