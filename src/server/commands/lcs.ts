// LCS (t_string.c lcsCommand): the longest common subsequence of two string values by dynamic programming,
// as the string itself, its length (LEN), or the matching ranges (IDX, with MINMATCHLEN and WITHMATCHLEN).

import {keyOf} from '../../common/key.js'
import {LCS_LEN_AND_IDX, LCS_NOT_STRINGS, LCS_TABLE_TOO_BIG, LCS_TOO_LONG, SYNTAX} from '../../resp/errors.js'
import {array, bulk, int, map, type Reply} from '../../resp/reply.js'
import type {CommandContext, CommandSpec} from '../command-spec.js'
import {isOption, parseInt64} from './args.js'
import {isReply} from './collection-access.js'

export const lcsCommands: readonly CommandSpec[] = [
  {name: 'lcs', arity: -3, flags: ['readonly'], keys: {first: 1, last: 2, step: 1}, categories: ['read', 'string', 'slow'], handler: lcsCommand},
]

const EMPTY = Buffer.alloc(0)
const UINT32_MAX = 0xffffffff
const DEFAULT_PROTO_MAX_BULK_LEN = 536870912

interface LcsOptions {
  len: boolean
  idx: boolean
  withMatchLen: boolean
  minMatchLen: number
}

function parseLcsOptions(args: readonly Buffer[]): LcsOptions | Reply {
  const options: LcsOptions = {len: false, idx: false, withMatchLen: false, minMatchLen: 0}
  for (let i = 0; i < args.length; i++) {
    const option = args[i] as Buffer
    if (isOption(option, 'IDX')) options.idx = true
    else if (isOption(option, 'LEN')) options.len = true
    else if (isOption(option, 'WITHMATCHLEN')) options.withMatchLen = true
    else if (isOption(option, 'MINMATCHLEN') && i + 1 < args.length) {
      const parsed = parseInt64(args[++i] as Buffer)
      if (!parsed.ok) return parsed.error
      options.minMatchLen = parsed.value < 0n ? 0 : Number(parsed.value)
    } else return SYNTAX
  }
  if (options.len && options.idx) return LCS_LEN_AND_IDX
  return options
}

function lcsCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  // Both keys are looked up (and lazily expired) before either is type-checked; options are parsed after.
  const entryA = ctx.db.lookup(keyOf(args[0] as Buffer))
  const entryB = ctx.db.lookup(keyOf(args[1] as Buffer))
  if ((entryA !== undefined && entryA.value.type !== 'string') || (entryB !== undefined && entryB.value.type !== 'string')) {
    return LCS_NOT_STRINGS
  }
  const a = entryA?.value.type === 'string' ? entryA.value.value : EMPTY
  const b = entryB?.value.type === 'string' ? entryB.value.value : EMPTY
  const options = parseLcsOptions(args.slice(2))
  if (isReply(options)) return options
  if (a.length >= UINT32_MAX - 1 || b.length >= UINT32_MAX - 1) return LCS_TOO_LONG
  // The table holds (|a|+1)·(|b|+1) uint32 cells; Redis refuses more than proto-max-bulk-len bytes of it.
  const configured = Number(ctx.server.getConfig('proto-max-bulk-len'))
  const maxBytes = Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_PROTO_MAX_BULK_LEN
  if ((a.length + 1) * (b.length + 1) * 4 > maxBytes) return LCS_TABLE_TOO_BIG

  // table[i*(|b|+1)+j] = length of the LCS of a[0..i) and b[0..j).
  const width = b.length + 1
  const table = new Uint32Array((a.length + 1) * width)
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1]
    for (let j = 1; j <= b.length; j++) {
      const cell = i * width + j
      if (ai === b[j - 1]) table[cell] = (table[cell - width - 1] as number) + 1
      else {
        const up = table[cell - width] as number
        const left = table[cell - 1] as number
        table[cell] = up > left ? up : left
      }
    }
  }
  const total = table[a.length * width + b.length] as number
  if (options.len) return int(total)

  // Walk back from the end, collecting the subsequence and the ranges where both strings match contiguously.
  const result = Buffer.alloc(total)
  const matches: Reply[] = []
  let remaining = total
  let aStart = a.length // a.length: no range open
  let aEnd = 0
  let bStart = 0
  let bEnd = 0
  let i = a.length
  let j = b.length
  while (i > 0 && j > 0) {
    let emit = false
    if (a[i - 1] === b[j - 1]) {
      result[remaining - 1] = a[i - 1] as number
      if (aStart === a.length) {
        aStart = aEnd = i - 1
        bStart = bEnd = j - 1
      } else if (aStart === i && bStart === j) {
        aStart--
        bStart--
      } else emit = true
      if (aStart === 0 || bStart === 0) emit = true
      remaining--
      i--
      j--
    } else {
      if ((table[(i - 1) * width + j] as number) > (table[i * width + j - 1] as number)) i--
      else j--
      if (aStart !== a.length) emit = true
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1
      if (options.idx && (options.minMatchLen === 0 || matchLen >= options.minMatchLen)) {
        const entry = [array([int(aStart), int(aEnd)]), array([int(bStart), int(bEnd)])]
        if (options.withMatchLen) entry.push(int(matchLen))
        matches.push(array(entry))
      }
      aStart = a.length
    }
  }
  if (options.idx) return map([[bulk('matches'), array(matches)], [bulk('len'), int(total)]])
  return bulk(result)
}
