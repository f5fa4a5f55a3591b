// ZRANDMEMBER (t_zset.c zrandmemberCommand): one random member, or a count of them — distinct for a positive
// count (the whole set, highest first, when the count reaches its size), with repeats for a negative one.

import {keyBytes, keyOf} from '../../common/key.js'
import {LONG_OUT_OF_RANGE, SYNTAX, VALUE_OUT_OF_RANGE} from '../../resp/errors.js'
import {bulk, EMPTY_ARRAY, NIL, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import type {ScoredMember, SortedSet} from '../keyspace/sorted-set.js'
import {isOption, parseInt64} from './args.js'
import {isReply, readCollection} from './collection-access.js'
import {scoredReply} from './sorted-sets.js'

export const sortedSetRandomCommands: readonly CommandSpec[] = [
  {name: 'zrandmember', arity: -2, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'slow'], handler: zrandmemberCommand},
]

const LONG_MAX = 9223372036854775807n

const randomIndex = (size: number): number => Math.floor(Math.random() * size)

function zrandmemberCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  if (args.length === 1) {
    const zset = readCollection(ctx, keyOf(args[0] as Buffer), 'zset')
    if (isReply(zset)) return zset
    if (zset === undefined) return NIL
    return bulk(keyBytes((zset.at(randomIndex(zset.size)) as ScoredMember).member))
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

function sample(zset: SortedSet, count: bigint): ScoredMember[] {
  const size = zset.size
  const wanted = Number(count < 0n ? -count : count)
  // A negative count (and a count of 1) samples the whole set each time, so members may repeat.
  if (count < 0n || wanted === 1) return Array.from({length: wanted}, () => zset.at(randomIndex(size)) as ScoredMember)
  const all = [...zset]
  // Redis walks the whole set from its tail here, so the members come in descending order.
  if (wanted >= size) return all.reverse()
  // A partial Fisher-Yates shuffle: the first `wanted` slots end up a uniform random subset, in random order.
  for (let i = 0; i < wanted; i++) {
    const j = i + randomIndex(size - i)
    const swap = all[i] as ScoredMember
    all[i] = all[j] as ScoredMember
    all[j] = swap
  }
  return all.slice(0, wanted)
}
