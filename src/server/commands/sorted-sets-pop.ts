// Popping sorted-set members (t_zset.c genericZpopCommand): the primitive behind ZPOPMIN/ZPOPMAX, ZMPOP, and the
// exports the blocking forms (BZPOPMIN/BZPOPMAX, BZMPOP) reuse when a key has members to serve.

import {keyBytes, keyOf} from '../../common/key.js'
import {COUNT_NOT_POSITIVE, NUMKEYS_NOT_POSITIVE, SYNTAX} from '../../resp/errors.js'
import {array, bulk, double, NIL_ARRAY, type Reply} from '../../resp/reply.js'
import {NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import type {ScoredMember, SortedSet} from '../keyspace/sorted-set.js'
import {isOption, parseInt64} from './args.js'
import {deleteIfEmpty, isReply, readCollection} from './collection-access.js'
import {numkeysAt} from './keys-of.js'

export type PopEnd = 'min' | 'max'

export const sortedSetPopCommands: readonly CommandSpec[] = [
  {name: 'zmpop', arity: -4, flags: ['write', 'movablekeys'], keys: NO_KEYS, getKeys: numkeysAt(1), categories: ['write', 'sortedset', 'slow'], handler: zmpopCommand},
]

/** Removes up to count members from the min or max end (in popping order), deleting the key when it empties. */
export function popEnd(ctx: CommandContext, key: string, zset: SortedSet, end: PopEnd, count: number): ScoredMember[] {
  const n = Math.min(count, zset.size)
  const picked = end === 'min' ? zset.rangeByRank(0, n - 1) : zset.rangeByRank(zset.size - n, zset.size - 1).reverse()
  for (const e of picked) zset.delete(e.member)
  if (picked.length > 0) {
    ctx.db.modified(key)
    ctx.notify('z', end === 'min' ? 'zpopmin' : 'zpopmax', key)
    deleteIfEmpty(ctx, key)
  }
  return picked
}

/** The first key that exists among keys (Redis skips missing keys and stops at the first present one). */
function firstPresent(ctx: CommandContext, keys: readonly Buffer[]): {key: Buffer; zset: SortedSet} | Reply | undefined {
  for (const key of keys) {
    const zset = readCollection(ctx, keyOf(key), 'zset')
    if (zset === undefined) continue
    return isReply(zset) ? zset : {key, zset}
  }
  return undefined
}

const popCommandName = (end: PopEnd): Buffer => Buffer.from(end === 'min' ? 'ZPOPMIN' : 'ZPOPMAX')

/**
 * ZMPOP/BZMPOP: pops up to count members from the first existing key, answering [key, [[member, score]…]] (nested in
 * RESP2 and RESP3). A first existing key of another type answers WRONGTYPE; undefined when no key exists (ZMPOP
 * then replies nil, BZMPOP blocks). Propagated as ZPOPMIN/ZPOPMAX key count, as Redis does.
 */
export function popFromSortedSets(ctx: CommandContext, keys: readonly Buffer[], end: PopEnd, count: number): Reply | undefined {
  const found = firstPresent(ctx, keys)
  if (found === undefined || isReply(found)) return found
  const picked = popEnd(ctx, keyOf(found.key), found.zset, end, count)
  ctx.propagateAs([popCommandName(end), found.key, Buffer.from(String(count))])
  return array([bulk(found.key), array(picked.map((e) => array([bulk(keyBytes(e.member)), double(e.score)])))])
}

/**
 * BZPOPMIN/BZPOPMAX: pops one member from the first existing key, answering [key, member, score]. WRONGTYPE when the
 * first existing key is not a sorted set; undefined when no key exists (the caller blocks). Propagated as
 * ZPOPMIN/ZPOPMAX key.
 */
export function popOneFromSortedSets(ctx: CommandContext, keys: readonly Buffer[], end: PopEnd): Reply | undefined {
  const found = firstPresent(ctx, keys)
  if (found === undefined || isReply(found)) return found
  const [popped] = popEnd(ctx, keyOf(found.key), found.zset, end, 1) as [ScoredMember]
  ctx.propagateAs([popCommandName(end), found.key])
  return array([bulk(found.key), bulk(keyBytes(popped.member)), double(popped.score)])
}

export interface MultiPopArgs {
  readonly keys: readonly Buffer[]
  readonly end: PopEnd
  readonly count: number
}

/** numkeys key [key …] MIN|MAX [COUNT count] of ZMPOP and BZMPOP (zmpopGenericCommand's checks, in its order). */
export function parseMultiPopArgs(args: readonly Buffer[]): MultiPopArgs | Reply {
  const numkeys = parseInt64(args[0] as Buffer)
  if (!numkeys.ok || numkeys.value < 1n) return NUMKEYS_NOT_POSITIVE
  if (numkeys.value >= BigInt(args.length - 1)) return SYNTAX
  const whereIndex = Number(numkeys.value) + 1
  const where = args[whereIndex] as Buffer
  const end: PopEnd | undefined = isOption(where, 'MIN') ? 'min' : isOption(where, 'MAX') ? 'max' : undefined
  if (end === undefined) return SYNTAX
  let count: number | undefined
  for (let j = whereIndex + 1; j < args.length; j++) {
    if (count === undefined && isOption(args[j], 'COUNT') && j + 1 < args.length) {
      const parsed = parseInt64(args[++j] as Buffer)
      if (!parsed.ok || parsed.value < 1n) return COUNT_NOT_POSITIVE
      // A count beyond 2^53 exceeds any set's size; clamped so the propagated ZPOPMIN count stays a valid integer.
      count = Math.min(Number(parsed.value), Number.MAX_SAFE_INTEGER)
    } else return SYNTAX
  }
  return {keys: args.slice(1, whereIndex), end, count: count ?? 1}
}

function zmpopCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const parsed = parseMultiPopArgs(args)
  if (isReply(parsed)) return parsed
  return popFromSortedSets(ctx, parsed.keys, parsed.end, parsed.count) ?? NIL_ARRAY
}
