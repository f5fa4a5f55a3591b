// LPOS (t_list.c lposCommand): the index of matching elements in a list, from the head or (negative RANK)
// from the tail, with COUNT for several matches and MAXLEN to bound the scan.

import {keyOf} from '../../common/key.js'
import {LPOS_COUNT_NEGATIVE, LPOS_MAXLEN_NEGATIVE, LPOS_RANK_ZERO, SYNTAX} from '../../resp/errors.js'
import {EMPTY_ARRAY, array, int, NIL, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import {isOption, parseInt64} from './args.js'
import {isReply, readCollection} from './collection-access.js'

const MIN_INT64 = -9223372036854775808n

export const listPositionCommands: readonly CommandSpec[] = [
  {name: 'lpos', arity: -3, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'list', 'slow'], handler: lposCommand},
]

interface LposOptions {
  /** 1-based match to start from, counted from the scan direction. */
  rank: number
  fromTail: boolean
  /** undefined without COUNT (a single integer or nil reply); 0 means every match. */
  count: number | undefined
  /** 0 scans the whole list. */
  maxlen: number
  /** RANK -2^63 overflows in Redis (-rank stays negative), so its COUNT test never stops the scan. */
  countIgnored: boolean
}

function parseLposOptions(args: readonly Buffer[]): LposOptions | Reply {
  const options: LposOptions = {rank: 1, fromTail: false, count: undefined, maxlen: 0, countIgnored: false}
  for (let i = 0; i < args.length; i++) {
    const option = args[i] as Buffer
    const value = args[i + 1]
    if (value === undefined) return SYNTAX
    if (isOption(option, 'RANK')) {
      const rank = parseInt64(value)
      if (!rank.ok) return rank.error
      if (rank.value === 0n) return LPOS_RANK_ZERO
      options.fromTail = rank.value < 0n
      options.countIgnored = rank.value === MIN_INT64
      options.rank = options.countIgnored ? 1 : Number(rank.value < 0n ? -rank.value : rank.value)
    } else if (isOption(option, 'COUNT')) {
      const count = parseInt64(value)
      if (!count.ok || count.value < 0n) return LPOS_COUNT_NEGATIVE
      options.count = Number(count.value)
    } else if (isOption(option, 'MAXLEN')) {
      const maxlen = parseInt64(value)
      if (!maxlen.ok || maxlen.value < 0n) return LPOS_MAXLEN_NEGATIVE
      options.maxlen = Number(maxlen.value)
    } else return SYNTAX
    i++
  }
  return options
}

function lposCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const element = args[1] as Buffer
  const options = parseLposOptions(args.slice(2))
  if (isReply(options)) return options
  const {rank, fromTail, count, maxlen, countIgnored} = options
  const list = readCollection(ctx, keyOf(args[0] as Buffer), 'list')
  if (list === undefined) return count === undefined ? NIL : EMPTY_ARRAY
  if (isReply(list)) return list
  const length = list.length
  const limit = maxlen === 0 ? length : Math.min(maxlen, length)
  const found: Reply[] = []
  let matches = 0
  for (let scanned = 0; scanned < limit; scanned++) {
    const index = fromTail ? length - 1 - scanned : scanned
    if (!(list.at(index) as Buffer).equals(element)) continue
    matches++
    if (matches < rank) continue
    if (count === undefined) return int(index)
    found.push(int(index))
    if (count !== 0 && !countIgnored && matches - rank + 1 >= count) break
  }
  return count === undefined ? NIL : array(found)
}
