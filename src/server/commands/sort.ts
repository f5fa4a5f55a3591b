// SORT and SORT_RO (sort.c): sort a list, set or sorted set numerically or lexicographically, by its own elements
// or by values found through a BY pattern (`*` replaced by the element, `->field` reading a hash), fetch GET
// patterns for each result, page with LIMIT, and with STORE (SORT only) save the result as a list.

import {keyOf} from '../../common/key.js'
import {SORT_SCORE_NOT_DOUBLE, SYNTAX, WRONGTYPE} from '../../resp/errors.js'
import {array, bulk, int, NIL, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import {Deque} from '../keyspace/deque.js'
import {keyBytes} from '../../common/key.js'
import type {RedisValue} from '../keyspace/values.js'
import {canonicalInt} from '../persistence/listpack.js'
import {isOption, parseInt64} from './args.js'

const CATEGORIES = ['set', 'sortedset', 'list', 'slow', 'dangerous']

// The keys named by BY/GET patterns and STORE's destination move with the arguments: Redis reports only the
// sorted key as the fixed range and flags the command movablekeys.
export const sortCommands: readonly CommandSpec[] = [
  {name: 'sort', arity: -2, flags: ['write', 'denyoom', 'movablekeys'], keys: FIRST_KEY, categories: ['write', ...CATEGORIES], handler: (ctx, a) => sortGeneric(ctx, a, false)},
  {name: 'sort_ro', arity: -2, flags: ['readonly', 'movablekeys'], keys: FIRST_KEY, categories: ['read', ...CATEGORIES], handler: (ctx, a) => sortGeneric(ctx, a, true)},
]

interface SortOptions {
  desc: boolean
  alpha: boolean
  /** BY pattern; sorting is skipped when a BY pattern without `*` was given (BY nosort). */
  by: Buffer | undefined
  dontSort: boolean
  limitStart: bigint
  limitCount: bigint
  gets: Buffer[]
  store: Buffer | undefined
}

interface Item {
  element: Buffer
  score: number
  /** ALPHA with BY: the value compared; undefined when the pattern found nothing (such items sort first). */
  compareWith: Buffer | undefined
}

function parseOptions(args: readonly Buffer[], readonly: boolean): SortOptions | Reply {
  const options: SortOptions = {
    desc: false, alpha: false, by: undefined, dontSort: false, limitStart: 0n, limitCount: -1n, gets: [], store: undefined,
  }
  for (let j = 1; j < args.length; j++) {
    const left = args.length - j - 1
    const arg = args[j] as Buffer
    if (isOption(arg, 'ASC')) options.desc = false
    else if (isOption(arg, 'DESC')) options.desc = true
    else if (isOption(arg, 'ALPHA')) options.alpha = true
    else if (isOption(arg, 'LIMIT') && left >= 2) {
      const start = parseInt64(args[j + 1] as Buffer)
      if (!start.ok) return start.error
      const count = parseInt64(args[j + 2] as Buffer)
      if (!count.ok) return count.error
      options.limitStart = start.value
      options.limitCount = count.value
      j += 2
    } else if (!readonly && isOption(arg, 'STORE') && left >= 1) options.store = args[++j]
    else if (isOption(arg, 'BY') && left >= 1) {
      const pattern = args[++j] as Buffer
      options.by = pattern
      // A constant pattern means "do not sort"; a later BY with a `*` does not undo that (as in Redis).
      if (!cString(pattern).includes(0x2a)) options.dontSort = true
    } else if (isOption(arg, 'GET') && left >= 1) options.gets.push(args[++j] as Buffer)
    else return SYNTAX
  }
  return options
}

function sortGeneric(ctx: CommandContext, args: readonly Buffer[], readonly: boolean): Reply {
  const options = parseOptions(args, readonly)
  if (!('desc' in options)) return options
  const entry = ctx.db.lookup(keyOf(args[0] as Buffer))
  const value = entry?.value
  if (value !== undefined && value.type !== 'list' && value.type !== 'set' && value.type !== 'zset') return WRONGTYPE

  let {by, alpha, dontSort} = options
  const {desc, store} = options
  // An unsorted set would come out in hash order: when it is stored, sort it so replicas get the same list.
  if (dontSort && value?.type === 'set' && store !== undefined) {
    dontSort = false
    alpha = true
    by = undefined
  }

  const length = value === undefined ? 0 : value.type === 'list' ? value.value.length : value.value.size
  const window = limitWindow(options.limitStart, options.limitCount, length)
  let {start, end} = window
  let items: Item[]
  if (dontSort && (value?.type === 'list' || value?.type === 'zset')) {
    // Lists and sorted sets keep their own order (a sorted set's is by score); only the LIMIT window is read.
    items = orderedWindow(value, start, end, desc).map((element) => ({element, score: 0, compareWith: undefined}))
    end -= start
    start = 0
  } else {
    items = elementsOf(value, ctx).map((element) => ({element, score: 0, compareWith: undefined}))
  }

  let conversionError = false
  if (!dontSort) {
    for (const item of items) {
      const sortValue = by === undefined ? item.element : lookupByPattern(ctx, by, item.element)
      if (sortValue === undefined) continue
      if (alpha) {
        if (by !== undefined) item.compareWith = sortValue
      } else {
        const score = parseScore(sortValue)
        if (score === undefined) conversionError = true
        else item.score = score
      }
    }
    const compare = comparator(alpha, by !== undefined, store !== undefined)
    items.sort(desc ? (a, b) => compare(b, a) : compare)
  }

  if (conversionError) return SORT_SCORE_NOT_DOUBLE
  const selected = end >= start ? items.slice(start, end + 1) : []
  const {gets} = options
  if (store === undefined) {
    const out: Reply[] = []
    for (const item of selected) {
      if (gets.length === 0) out.push(bulk(item.element))
      for (const pattern of gets) {
        const found = lookupByPattern(ctx, pattern, item.element)
        out.push(found === undefined ? NIL : bulk(found))
      }
    }
    return array(out)
  }

  const stored: Buffer[] = []
  for (const item of selected) {
    if (gets.length === 0) stored.push(item.element)
    for (const pattern of gets) stored.push(lookupByPattern(ctx, pattern, item.element) ?? Buffer.alloc(0))
  }
  const destination = keyOf(store)
  if (stored.length > 0) {
    ctx.db.set(destination, {type: 'list', value: new Deque(stored)})
    ctx.notify('l', 'sortstore', store)
  } else if (ctx.db.delete(destination)) {
    ctx.notify('g', 'del', store)
  }
  return int(stored.length)
}

/** LIMIT offset count over `length` elements as an inclusive [start, end] (end < start when empty). */
function limitWindow(limitStart: bigint, limitCount: bigint, length: number): {start: number; end: number} {
  const n = BigInt(length)
  const clamp = (v: bigint, lo: bigint, hi: bigint): bigint => (v < lo ? lo : v > hi ? hi : v)
  let start = Number(clamp(limitStart, 0n, n))
  const count = Number(clamp(limitCount, -1n, n))
  let end = count < 0 ? length - 1 : start + count - 1
  if (start >= length) {
    start = length - 1
    end = length - 2
  }
  if (end >= length) end = length - 1
  return {start, end}
}

/** BY nosort on a list or sorted set: the elements of ranks start..end in their own order, from the tail for DESC. */
function orderedWindow(value: Extract<RedisValue, {type: 'list' | 'zset'}>, start: number, end: number, desc: boolean): Buffer[] {
  if (end < start) return []
  const length = value.type === 'list' ? value.value.length : value.value.size
  const from = desc ? length - 1 - end : start
  const to = desc ? length - 1 - start : end
  const slice = value.type === 'list'
    ? value.value.slice(from, to + 1)
    : value.value.rangeByRank(from, to).map((m) => keyBytes(m.member))
  return desc ? slice.reverse() : slice
}

/**
 * Every element in the order Redis holds them: lists in list order, sets of integers (intsets) ascending,
 * other sets in insertion order (Redis's hash order is not reproducible), sorted sets by score.
 */
function elementsOf(value: RedisValue | undefined, ctx: CommandContext): Buffer[] {
  if (value === undefined) return []
  switch (value.type) {
    case 'list':
      return value.value.toArray()
    case 'zset':
      return [...value.value].map((m) => keyBytes(m.member))
    case 'set': {
      const members = [...value.value].map(keyBytes)
      const limit = Number(ctx.server.getConfig('set-max-intset-entries') ?? 512)
      const ints = members.length <= limit ? members.map(canonicalInt) : []
      if (members.length > 0 && members.length <= limit && ints.every((n) => n !== undefined)) {
        return (ints as bigint[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((n) => Buffer.from(String(n)))
      }
      return members
    }
    default:
      return []
  }
}

function comparator(alpha: boolean, byPattern: boolean, storing: boolean): (a: Item, b: Item) => number {
  // Replies use strcoll (C strings, so up to a NUL byte; byte order in the C/C.UTF-8 locales); STORE compares
  // binary-safely so the stored list does not depend on the locale.
  const text = storing ? (a: Buffer, b: Buffer) => Buffer.compare(a, b) : (a: Buffer, b: Buffer) => Buffer.compare(cString(a), cString(b))
  if (!alpha) {
    return (a, b) => (a.score > b.score ? 1 : a.score < b.score ? -1 : Buffer.compare(a.element, b.element))
  }
  if (!byPattern) return (a, b) => text(a.element, b.element)
  return (a, b) => {
    if (a.compareWith === undefined || b.compareWith === undefined) {
      return a.compareWith === b.compareWith ? 0 : a.compareWith === undefined ? -1 : 1
    }
    return text(a.compareWith, b.compareWith)
  }
}

/** The bytes a C string function sees: up to the first NUL. */
function cString(b: Buffer): Buffer {
  const nul = b.indexOf(0)
  return nul < 0 ? b : b.subarray(0, nul)
}

/**
 * lookupKeyByPattern: `#` is the element itself; otherwise the first `*` is replaced by the element and the
 * resulting key is read — a string, or with `->field` after the `*` the field of a hash. Undefined when there is
 * no `*`, no such key, or a key of another type.
 */
function lookupByPattern(ctx: CommandContext, pattern: Buffer, element: Buffer): Buffer | undefined {
  if (pattern[0] === 0x23 && (pattern.length === 1 || pattern[1] === 0)) return element
  const text = cString(pattern)
  const star = text.indexOf(0x2a)
  if (star < 0) return undefined
  const arrow = text.indexOf('->', star + 1)
  // "->" at the very end names no field and stays part of the key name.
  const field = arrow >= 0 && arrow + 2 < text.length ? pattern.subarray(arrow + 2) : undefined
  const postfixEnd = field === undefined ? pattern.length : arrow
  const key = Buffer.concat([pattern.subarray(0, star), element, pattern.subarray(star + 1, postfixEnd)])
  const entry = ctx.db.lookup(keyOf(key))
  if (entry === undefined) return undefined
  if (field !== undefined) return entry.value.type === 'hash' ? entry.value.value.get(keyOf(field)) : undefined
  return entry.value.type === 'string' ? entry.value.value : undefined
}

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d])
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i
const HEX = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?/i
const SPECIAL = /^[+-]?(infinity|inf|nan(\([0-9a-z_]*\))?)/i

/**
 * A sort weight as Redis reads it with strtod: leading white space, decimal or hex floats, inf/infinity, up to
 * the end of the C string. Undefined (a conversion error) when anything is left over, the value is NaN or it is
 * out of range (overflow, or underflow of a non-zero number). An empty string is 0.
 */
export function parseScore(raw: Buffer): number | undefined {
  const text = cString(raw).toString('latin1')
  let i = 0
  while (i < text.length && SPACE.has(text.charCodeAt(i))) i++
  const rest = text.slice(i)
  let consumed: number
  let value: number
  const special = SPECIAL.exec(rest)
  const hex = HEX.exec(rest)
  const decimal = DECIMAL.exec(rest)
  if (special !== null) {
    if (/nan/i.test(special[1] as string)) return undefined
    consumed = special[0].length
    value = rest.startsWith('-') ? -Infinity : Infinity
  } else if (hex !== null && ((hex[2] ?? '') !== '' || (hex[3] ?? '') !== '')) {
    const digits = `${hex[2] ?? ''}${hex[3] ?? ''}`
    const exponent = Number(hex[4] ?? '0') - 4 * (hex[3] ?? '').length
    const mantissa = Number(BigInt(`0x${digits}`))
    value = (hex[1] === '-' ? -1 : 1) * mantissa * 2 ** exponent
    if (!Number.isFinite(value) || (value === 0 && /[1-9a-f]/i.test(digits))) return undefined
    consumed = hex[0].length
  } else if (decimal !== null) {
    consumed = decimal[0].length
    value = Number(decimal[0])
    if (!Number.isFinite(value)) return undefined
    if (value === 0 && /[1-9]/.test(decimal[1] as string)) return undefined
    // glibc reports ERANGE for results that are subnormal too.
    if (value !== 0 && Math.abs(value) < 2.2250738585072014e-308) return undefined
  } else {
    // No conversion: strtod leaves the end pointer at the start, so only the empty string passes (as 0).
    return text.length === 0 ? 0 : undefined
  }
  return consumed === rest.length ? value : undefined
}
