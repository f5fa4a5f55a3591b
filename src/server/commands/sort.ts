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
  /** The element's bytes: list elements as stored; set and sorted set members made on demand (bytesOf). */
  buf: Buffer | undefined
  /** The element as a latin1 string: pattern keys are built from it, and it orders ties binary-safely. */
  str: string
  score: number
  /** ALPHA: the string compared (latin1; up to a NUL for replies); undefined when BY found nothing (sorts first). */
  cmp: string | undefined
}

const itemOf = (buf: Buffer | undefined, str: string): Item => ({buf, str, score: 0, cmp: undefined})
const listItem = (b: Buffer): Item => itemOf(b, (b as Latin1Decoding).latin1Slice(0, b.length))
const bytesOf = (item: Item): Buffer => (item.buf ??= keyBytes(item.str))
type Latin1Decoding = Buffer & {latin1Slice(start: number, end: number): string}

/**
 * A GET or BY pattern split once per command: `#` (the element), no `*` (finds nothing), or the key's text
 * before and after the `*` and the hash field after `->`, so each element costs one string concatenation.
 */
class Pattern {
  readonly self: boolean
  readonly prefix: string | undefined
  readonly suffix: string = ''
  readonly field: string | undefined

  constructor(pattern: Buffer) {
    this.self = pattern[0] === 0x23 && (pattern.length === 1 || pattern[1] === 0)
    const text = cString(pattern)
    const star = this.self ? -1 : text.indexOf(0x2a)
    if (star < 0) return
    const arrow = text.indexOf('->', star + 1)
    // "->" at the very end names no field and stays part of the key name.
    const field = arrow >= 0 && arrow + 2 < text.length ? pattern.subarray(arrow + 2) : undefined
    const postfixEnd = field === undefined ? pattern.length : arrow
    this.prefix = keyOf(pattern.subarray(0, star))
    this.suffix = keyOf(pattern.subarray(star + 1, postfixEnd))
    this.field = field === undefined ? undefined : keyOf(field)
  }
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
    items = orderedWindow(value, start, end, desc)
    end -= start
    start = 0
  } else {
    items = elementsOf(value, ctx)
  }

  let conversionError = false
  if (!dontSort) {
    const byPattern = by === undefined ? undefined : new Pattern(by)
    const n = items.length
    for (let i = 0; i < n; i++) {
      const item = items[i] as Item
      if (byPattern === undefined) {
        if (alpha) item.cmp = store !== undefined ? item.str : cStringText(item.str)
        else {
          const score = item.buf !== undefined ? weightOf(item.buf) : weightOfText(item.str)
          if (score === undefined) conversionError = true
          else item.score = score
        }
        continue
      }
      const sortValue = lookupByPattern(ctx, byPattern, item)
      if (sortValue === undefined) continue
      if (alpha) {
        const text = (sortValue as Latin1Decoding).latin1Slice(0, sortValue.length)
        item.cmp = store !== undefined ? text : cStringText(text)
      } else {
        const score = weightOf(sortValue)
        if (score === undefined) conversionError = true
        else item.score = score
      }
    }
    items.sort(alpha ? (desc ? alphaDesc : alphaAsc) : (desc ? numericDesc : numericAsc))
  }

  if (conversionError) return SORT_SCORE_NOT_DOUBLE
  const gets = options.gets.map((g) => new Pattern(g))
  const last = end >= start ? end : start - 1
  if (store === undefined) {
    const out: Reply[] = []
    for (let i = start; i <= last; i++) {
      const item = items[i] as Item
      if (gets.length === 0) out.push(bulk(bytesOf(item)))
      for (const pattern of gets) {
        const found = lookupByPattern(ctx, pattern, item)
        out.push(found === undefined ? NIL : bulk(found))
      }
    }
    return array(out)
  }

  const stored: Buffer[] = []
  for (let i = start; i <= last; i++) {
    const item = items[i] as Item
    if (gets.length === 0) stored.push(bytesOf(item))
    for (const pattern of gets) stored.push(lookupByPattern(ctx, pattern, item) ?? Buffer.alloc(0))
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
function orderedWindow(value: Extract<RedisValue, {type: 'list' | 'zset'}>, start: number, end: number, desc: boolean): Item[] {
  if (end < start) return []
  const length = value.type === 'list' ? value.value.length : value.value.size
  const from = desc ? length - 1 - end : start
  const to = desc ? length - 1 - start : end
  const slice = value.type === 'list'
    ? value.value.slice(from, to + 1).map(listItem)
    : value.value.rangeByRank(from, to).map((m) => itemOf(undefined, m.member))
  return desc ? slice.reverse() : slice
}

/**
 * Every element in the order Redis holds them: lists in list order, sets of integers (intsets) ascending,
 * other sets in insertion order (Redis's hash order is not reproducible), sorted sets by score.
 */
function elementsOf(value: RedisValue | undefined, ctx: CommandContext): Item[] {
  if (value === undefined) return []
  const out: Item[] = []
  switch (value.type) {
    case 'list':
      return value.value.toArray().map(listItem)
    case 'zset':
      for (const m of value.value) out.push(itemOf(undefined, m.member))
      return out
    case 'set': {
      const limit = Number(ctx.server.getConfig('set-max-intset-entries') ?? 512)
      if (value.value.size > 0 && value.value.size <= limit) {
        const ints = [...value.value].map((m) => canonicalInt(keyBytes(m)))
        if (ints.every((n) => n !== undefined)) {
          return (ints as bigint[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((n) => itemOf(undefined, String(n)))
        }
      }
      for (const m of value.value) out.push(itemOf(undefined, m))
      return out
    }
    default:
      return []
  }
}

// Redis's sortCompare: numeric by weight, ties by the elements' bytes (latin1 strings compare as bytes do);
// ALPHA by the compared strings, missing ones first. DESC swaps the operands (a stable sort keeps ties in order).
const numericAsc = (a: Item, b: Item): number =>
  a.score > b.score ? 1 : a.score < b.score ? -1 : a.str > b.str ? 1 : a.str < b.str ? -1 : 0
const numericDesc = (a: Item, b: Item): number => numericAsc(b, a)
const alphaAsc = (a: Item, b: Item): number => {
  const x = a.cmp
  const y = b.cmp
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? -1 : 1
  return x > y ? 1 : x < y ? -1 : 0
}
const alphaDesc = (a: Item, b: Item): number => alphaAsc(b, a)

/** A latin1 string as strcoll sees it: up to the first NUL. */
function cStringText(s: string): string {
  const nul = s.indexOf('\0')
  return nul < 0 ? s : s.slice(0, nul)
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
function lookupByPattern(ctx: CommandContext, pattern: Pattern, item: Item): Buffer | undefined {
  if (pattern.self) return bytesOf(item)
  if (pattern.prefix === undefined) return undefined
  const entry = ctx.db.lookup(pattern.prefix + item.str + pattern.suffix)
  if (entry === undefined) return undefined
  const value = entry.value
  if (pattern.field !== undefined) return value.type === 'hash' ? value.value.get(pattern.field) : undefined
  return value.type === 'string' ? value.value : undefined
}

const MIN_NORMAL = 2.2250738585072014e-308

/** parseScore's value, with plain integers read from the bytes without a string; other text via weightOfText. */
function weightOf(raw: Buffer): number | undefined {
  const n = raw.length
  if (n > 0 && n <= 15) {
    let i = raw[0] === 0x2d || raw[0] === 0x2b ? 1 : 0
    let v = 0
    if (i < n) {
      for (; i < n; i++) {
        const c = (raw[i] as number) - 0x30
        if (c < 0 || c > 9) break
        v = v * 10 + c
      }
      if (i === n) return raw[0] === 0x2d ? -v : v
    }
  }
  return weightOfText((raw as Latin1Decoding).latin1Slice(0, n), raw)
}

/**
 * parseScore's value for latin1 text: a plain decimal ([+-]digits[.digits][e[+-]digits], all of it) that is
 * zero or a normal double is read by Number, whose rounding is strtod's; anything else goes to parseScore.
 */
function weightOfText(s: string, raw?: Buffer): number | undefined {
  const n = s.length
  let i = 0
  let c = s.charCodeAt(0)
  if (c === 0x2b || c === 0x2d) c = s.charCodeAt(++i)
  let digits = 0
  let nonZero = false
  while (c >= 0x30 && c <= 0x39) {
    if (c !== 0x30) nonZero = true
    digits++
    c = s.charCodeAt(++i)
  }
  if (c === 0x2e) {
    c = s.charCodeAt(++i)
    while (c >= 0x30 && c <= 0x39) {
      if (c !== 0x30) nonZero = true
      digits++
      c = s.charCodeAt(++i)
    }
  }
  let plain = digits > 0
  if (plain && (c === 0x65 || c === 0x45)) {
    c = s.charCodeAt(++i)
    if (c === 0x2b || c === 0x2d) c = s.charCodeAt(++i)
    let expDigits = 0
    while (c >= 0x30 && c <= 0x39) {
      expDigits++
      c = s.charCodeAt(++i)
    }
    plain = expDigits > 0
  }
  if (plain && i === n) {
    const v = Number(s)
    if (v === 0 ? !nonZero : Math.abs(v) >= MIN_NORMAL && Math.abs(v) !== Infinity) return v
  }
  return parseScore(raw ?? keyBytes(s))
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
