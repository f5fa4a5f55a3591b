// ZRANDMEMBER (t_zset.c zrandmemberCommand): one random member, or a count of them — distinct for a positive
// count (the whole set, highest first, when the count reaches its size), with repeats for a negative one.

import {keyBytes, keyOf} from '../../common/key.js'
import {LONG_OUT_OF_RANGE, SYNTAX, VALUE_OUT_OF_RANGE} from '../../resp/errors.js'
import {bulk, EMPTY_ARRAY, NIL, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import type {ScoredMember, SortedSet} from '../keyspace/sorted-set.js'
import {isOption, parseInt64} from './args.js'
import {isReply, readCollection} from './collection-access.js'
import {LONG_MAX, pickByCount} from './random-pick.js'
import {scoredReply} from './sorted-sets.js'

export const sortedSetRandomCommands: readonly CommandSpec[] = [
  {name: 'zrandmember', arity: -2, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'slow'], handler: zrandmemberCommand},
]

function zrandmemberCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  if (args.length === 1) {
    const zset = readCollection(ctx, keyOf(args[0] as Buffer), 'zset')
    if (isReply(zset)) return zset
    if (zset === undefined) return NIL
    return bulk(keyBytes((zset.at(Math.floor(Math.random() * zset.size)) as ScoredMember).member))
  }
  const count = parseInt64(args[1] as Buffer)
  if (!count.ok) return count.error
  if (count.value < -LONG_MAX) return LONG_OUT_OF_RANGE
  if (args.length > 3 || (args.length === 3 && !isOption(args[2], 'WITHSCORES'))) return SYNTAX
  const withScores = args.length === 3
  // WITHSCORES doubles the reply length, so Redis halves the allowed count.
  if (withScores && (count.value < -LONG_MAX / 2n || count.value > LONG_MAX / 2n)) return VALUE_OUT_OF_RANGE
  const zset = readCollection(ctx, keyOf(args[0] as Buffer), 'zset')
  if (isReply(zset)) return zset
  if (zset === undefined || count.value === 0n) return EMPTY_ARRAY
  return scoredReply(ctx, sample(zset, count.value), withScores)
}

/** Redis walks the whole set from its tail when the count reaches the size, so those come highest first. */
const sample = (zset: SortedSet, count: bigint): ScoredMember[] => pickByCount([...zset], count, (all) => [...all].reverse())
