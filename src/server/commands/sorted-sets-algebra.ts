// Sorted-set algebra (t_zset.c zunionInterDiffGenericCommand): ZUNION/ZINTER/ZDIFF, their STORE forms and
// ZINTERCARD. Inputs may be sorted sets or plain sets (members score 1); a missing key is an empty input.

import {keyOf} from '../../common/key.js'
import {LIMIT_NEGATIVE, noInputKeys, SYNTAX, WEIGHT_NOT_FLOAT, WRONGTYPE} from '../../resp/errors.js'
import {int, type Reply} from '../../resp/reply.js'
import {NO_KEYS, type CommandContext, type CommandSpec, type KeySpec} from '../command-spec.js'
import {compareScored, type ScoredMember} from '../keyspace/sorted-set.js'
import {isOption} from './args.js'
import {isReply} from './collection-access.js'
import {destinationAndNumkeys, numkeysAt} from './keys-of.js'
import {parseLong, parseStrictDouble, scoredReply, storeSortedSet} from './sorted-sets.js'

type Operation = 'union' | 'inter' | 'diff'
type Aggregate = 'sum' | 'min' | 'max'
/** What the call answers: the members, the count stored at a destination, or only the cardinality (ZINTERCARD). */
type Mode = 'reply' | 'store' | 'card'

// The key positions depend on numkeys: COMMAND reports the destination (or nothing) and the movablekeys flag.
const READ = {flags: ['readonly', 'movablekeys'], keys: NO_KEYS, getKeys: numkeysAt(1), categories: ['read', 'sortedset', 'slow']} as const
const DESTINATION: KeySpec = {first: 1, last: 1, step: 1}
const STORE = {flags: ['write', 'denyoom', 'movablekeys'], keys: DESTINATION, getKeys: destinationAndNumkeys, categories: ['write', 'sortedset', 'slow']} as const

export const sortedSetAlgebraCommands: readonly CommandSpec[] = [
  {name: 'zunion', arity: -3, ...READ, handler: (ctx, a) => zsetAlgebra(ctx, 'zunion', a, 'union', 'reply')},
  {name: 'zinter', arity: -3, ...READ, handler: (ctx, a) => zsetAlgebra(ctx, 'zinter', a, 'inter', 'reply')},
  {name: 'zdiff', arity: -3, ...READ, handler: (ctx, a) => zsetAlgebra(ctx, 'zdiff', a, 'diff', 'reply')},
  {name: 'zintercard', arity: -3, ...READ, handler: (ctx, a) => zsetAlgebra(ctx, 'zintercard', a, 'inter', 'card')},
  {name: 'zunionstore', arity: -4, ...STORE, handler: (ctx, a) => zsetAlgebra(ctx, 'zunionstore', a, 'union', 'store')},
  {name: 'zinterstore', arity: -4, ...STORE, handler: (ctx, a) => zsetAlgebra(ctx, 'zinterstore', a, 'inter', 'store')},
  {name: 'zdiffstore', arity: -4, ...STORE, handler: (ctx, a) => zsetAlgebra(ctx, 'zdiffstore', a, 'diff', 'store')},
]

/** One input: its members with scores (a plain set's members score 1), a lookup, and the weight to apply. */
interface Source {
  readonly size: number
  entries(): Iterable<ScoredMember>
  score(member: string): number | undefined
  weight: number
}

const EMPTY: Omit<Source, 'weight'> = {size: 0, entries: () => [], score: () => undefined}

function readSource(ctx: CommandContext, key: Buffer): Source | Reply {
  const entry = ctx.db.lookup(keyOf(key))
  if (entry === undefined) return {...EMPTY, weight: 1}
  const {value} = entry
  if (value.type === 'zset') {
    const zset = value.value
    return {size: zset.size, entries: () => zset, score: (m) => zset.score(m), weight: 1}
  }
  if (value.type === 'set') {
    const members = value.value
    return {
      size: members.size,
      entries: () => [...members].map((member) => ({member, score: 1})),
      score: (m) => (members.has(m) ? 1 : undefined),
      weight: 1,
    }
  }
  return WRONGTYPE
}

/** Folds value into an aggregate; a sum of +inf and -inf is 0, and a NaN operand never wins MIN/MAX (Redis). */
function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === 'sum') {
    const sum = target + value
    return Number.isNaN(sum) ? 0 : sum
  }
  if (how === 'min') return value < target ? value : target
  return value > target ? value : target
}

/**
 * args start at the destination (STORE forms) or at numkeys. Validation follows Redis: numkeys, the input keys'
 * types, then the options; a STORE replaces its destination whatever its type, or deletes it when the result is empty.
 */
function zsetAlgebra(ctx: CommandContext, command: string, args: readonly Buffer[], op: Operation, mode: Mode): Reply {
  const numkeysIndex = mode === 'store' ? 1 : 0
  const parsedCount = parseLong(args[numkeysIndex] as Buffer)
  if (!parsedCount.ok) return parsedCount.error
  const numkeys = parsedCount.value
  if (numkeys < 1) return noInputKeys(command)
  if (numkeys > args.length - numkeysIndex - 1) return SYNTAX

  const sources: Source[] = []
  let j = numkeysIndex + 1
  for (; j < numkeysIndex + 1 + numkeys; j++) {
    const source = readSource(ctx, args[j] as Buffer)
    if (isReply(source)) return source
    sources.push(source)
  }

  let how: Aggregate = 'sum'
  let withScores = false
  let limit = 0
  const scoring = op !== 'diff' && mode !== 'card'
  while (j < args.length) {
    const remaining = args.length - j
    const arg = args[j] as Buffer
    if (scoring && remaining >= numkeys + 1 && isOption(arg, 'WEIGHTS')) {
      j++
      for (const source of sources) {
        const weight = parseStrictDouble(args[j++] as Buffer, WEIGHT_NOT_FLOAT)
        if (!weight.ok) return weight.error
        source.weight = weight.value
      }
    } else if (scoring && remaining >= 2 && isOption(arg, 'AGGREGATE')) {
      const name = args[j + 1] as Buffer
      if (isOption(name, 'SUM')) how = 'sum'
      else if (isOption(name, 'MIN')) how = 'min'
      else if (isOption(name, 'MAX')) how = 'max'
      else return SYNTAX
      j += 2
    } else if (mode === 'reply' && isOption(arg, 'WITHSCORES')) {
      withScores = true
      j++
    } else if (mode === 'card' && remaining >= 2 && isOption(arg, 'LIMIT')) {
      const parsed = parseLong(args[j + 1] as Buffer)
      if (!parsed.ok || parsed.value < 0) return LIMIT_NEGATIVE
      limit = parsed.value
      j += 2
    } else return SYNTAX
  }

  // Union and intersection visit the inputs smallest first (a stable sort, as glibc's qsort merge sort is).
  if (op !== 'diff') sources.sort((a, b) => a.size - b.size)
  const result = new Map<string, number>()
  const [first, ...others] = sources as [Source, ...Source[]]
  if (op === 'inter') {
    let cardinality = 0
    if (first.size > 0) {
      for (const {member, score} of first.entries()) {
        let total = first.weight * score
        if (Number.isNaN(total)) total = 0
        let inAll = true
        for (const other of others) {
          const found = other.score(member)
          if (found === undefined) {
            inAll = false
            break
          }
          total = aggregate(total, found * other.weight, how)
        }
        if (!inAll) continue
        if (mode === 'card') {
          cardinality++
          if (limit > 0 && cardinality >= limit) break
        } else result.set(member, total)
      }
    }
    if (mode === 'card') return int(cardinality)
  } else if (op === 'union') {
    for (const source of sources) {
      for (const {member, score} of source.entries()) {
        let weighted = source.weight * score
        if (Number.isNaN(weighted)) weighted = 0
        const current = result.get(member)
        result.set(member, current === undefined ? weighted : aggregate(current, weighted, how))
      }
    }
  } else {
    for (const {member, score} of first.entries()) {
      if (!others.some((other) => other.score(member) !== undefined)) result.set(member, score)
    }
  }

  const entries = [...result].map(([member, score]) => ({member, score}))
  if (mode === 'store') return storeSortedSet(ctx, args[0] as Buffer, entries, `z${op}store`)
  return scoredReply(ctx, entries.sort(compareScored), withScores)
}
