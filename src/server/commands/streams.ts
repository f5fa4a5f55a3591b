// The stream entry commands (t_stream.c): XADD, XTRIM, XDEL, XLEN, XRANGE, XREVRANGE and XSETID. XADD and XTRIM
// share Redis's option parser; replicas get XADD with the ID it generated and `~` trimming rewritten as `=` with
// the length (or first ID) it left, so they end with the same entries.

import {keyOf} from '../../common/key.js'
import {NO_SUCH_KEY, NOT_INTEGER, SYNTAX, WRONGTYPE, wrongArity} from '../../resp/errors.js'
import {array, error, int, NIL, NIL_ARRAY, OK, ZERO, EMPTY_ARRAY, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import {idBuffer, idMs, makeId, MAX_ID, MIN_ID, parseStreamId, type StreamId} from '../keyspace/stream-id.js'
import {Stream, type TrimSpec} from '../keyspace/stream.js'
import {isOption, parseInt64} from './args.js'
import {
  entryReply, idReply, intervalBound, INVALID_ID, isId, nodeLimits, readStream, strictId,
} from './streams-access.js'

const WRITE_FAST = {flags: ['write', 'denyoom', 'fast'], categories: ['write', 'stream', 'fast']} as const

export const streamCommands: readonly CommandSpec[] = [
  {name: 'xadd', arity: -5, ...WRITE_FAST, keys: FIRST_KEY, tips: ['nondeterministic_output'], handler: xaddCommand},
  {name: 'xtrim', arity: -4, flags: ['write'], keys: FIRST_KEY, categories: ['write', 'stream', 'slow'], tips: ['nondeterministic_output'], handler: xtrimCommand},
  {name: 'xdel', arity: -3, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['write', 'stream', 'fast'], handler: xdelCommand},
  {name: 'xlen', arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'stream', 'fast'], handler: xlenCommand},
  {name: 'xrange', arity: -4, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'stream', 'slow'], handler: (ctx, a) => xrangeGeneric(ctx, a, false)},
  {name: 'xrevrange', arity: -4, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'stream', 'slow'], handler: (ctx, a) => xrangeGeneric(ctx, a, true)},
  {name: 'xsetid', arity: -3, ...WRITE_FAST, keys: FIRST_KEY, handler: xsetidCommand},
]

const U64_MAX = (1n << 64n) - 1n

interface AddTrimArgs {
  /** Position (in argv, the command name at 0) of the ID for XADD. */
  idPos: number
  id: StreamId | undefined
  seqGiven: boolean
  noMkstream: boolean
  trim: TrimSpec | undefined
  /** Position of the MAXLEN count / MINID id, which replicas get rewritten. */
  trimArgPos: number
}

/** streamParseAddOrTrimArgsOrReply over the whole argv (argv[0] the name, argv[1] the key). */
function parseAddOrTrim(ctx: CommandContext, argv: readonly Buffer[], xadd: boolean): AddTrimArgs | Reply {
  const out: AddTrimArgs = {idPos: -1, id: undefined, seqGiven: true, noMkstream: false, trim: undefined, trimArgPos: 0}
  let approx = false
  let limit = 0n
  let limitGiven = false
  let i = 2
  for (; i < argv.length; i++) {
    const moreArgs = argv.length - 1 - i
    const opt = argv[i] as Buffer
    if (xadd && opt.length === 1 && opt[0] === 0x2a) break
    if ((isOption(opt, 'MAXLEN') || isOption(opt, 'MINID')) && moreArgs > 0) {
      if (out.trim !== undefined) return error('ERR syntax error, MAXLEN and MINID options at the same time are not compatible')
      const maxlen = isOption(opt, 'MAXLEN')
      approx = false
      const next = argv[i + 1] as Buffer
      if (moreArgs >= 2 && next.length === 1 && next[0] === 0x7e) {
        approx = true
        i++
      } else if (moreArgs >= 2 && next.length === 1 && next[0] === 0x3d) i++
      const arg = argv[i + 1] as Buffer
      if (maxlen) {
        const n = parseInt64(arg)
        if (!n.ok) return n.error
        if (n.value < 0n) return error('ERR The MAXLEN argument must be >= 0.')
        out.trim = {strategy: 'maxlen', maxlen: n.value, minid: 0n, approx, limit: 0n}
      } else {
        const id = strictId(arg)
        if (!isId(id)) return id
        out.trim = {strategy: 'minid', maxlen: 0n, minid: id, approx, limit: 0n}
      }
      i++
      out.trimArgPos = i
    } else if (isOption(opt, 'LIMIT') && moreArgs > 0) {
      const n = parseInt64(argv[i + 1] as Buffer)
      if (!n.ok) return n.error
      if (n.value < 0n) return error('ERR The LIMIT argument must be >= 0.')
      limit = n.value
      limitGiven = true
      i++
    } else if (xadd && isOption(opt, 'NOMKSTREAM')) {
      out.noMkstream = true
    } else if (xadd) {
      const parsed = parseStreamId(opt, {strict: true, allowSeqStar: true})
      if (parsed === undefined) return INVALID_ID
      out.id = parsed.id
      out.seqGiven = parsed.seqGiven
      break
    } else return SYNTAX
  }
  out.idPos = i
  if (limit > 0n && out.trim === undefined) return error('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy')
  if (!xadd && out.trim === undefined) return error('ERR syntax error, XTRIM must be called with a trimming strategy')
  if (out.trim !== undefined) {
    if (ctx.caller === 'master') out.trim.limit = 0n
    else if (limitGiven) {
      if (!out.trim.approx) return error('ERR syntax error, LIMIT cannot be used without the special ~ option')
      out.trim.limit = limit
    } else if (out.trim.approx) {
      let computed = 100n * BigInt(nodeLimits(ctx).maxEntries)
      if (computed <= 0n) computed = 10000n
      if (computed > 1000000n) computed = 1000000n
      out.trim.limit = computed
    }
  }
  return out
}

/** The argv replicas get after `~` trimming: `=` and the length (or first ID, tombstones counted) it left. */
function rewriteApproxTrim(argv: Buffer[], stream: Stream, parsed: AddTrimArgs): void {
  const trim = parsed.trim as TrimSpec
  argv[parsed.trimArgPos - 1] = Buffer.from('=')
  argv[parsed.trimArgPos] = trim.strategy === 'maxlen' ? Buffer.from(String(stream.length)) : idBuffer(stream.edgeId(true, false))
}

const commandArgv = (ctx: CommandContext, name: string, args: readonly Buffer[]): Buffer[] =>
  [ctx.argv?.[0] ?? Buffer.from(name), ...args]

function xaddCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const argv = commandArgv(ctx, 'XADD', args)
  const parsed = parseAddOrTrim(ctx, argv, true)
  if (!('idPos' in parsed)) return parsed
  const fieldPos = parsed.idPos + 1
  const pairsLength = argv.length - fieldPos
  if (pairsLength < 2 || pairsLength % 2 === 1) return wrongArity('xadd')
  if (parsed.id === 0n && parsed.seqGiven) return error('ERR The ID specified in XADD must be greater than 0-0')
  const keyArg = args[0] as Buffer
  const key = keyOf(keyArg)
  let stream = readStream(ctx, key)
  if (stream !== undefined && !(stream instanceof Stream)) return stream
  if (stream === undefined) {
    if (parsed.noMkstream) return NIL
    stream = new Stream()
    ctx.db.set(key, {type: 'stream', value: stream})
  }
  if (stream.lastId === MAX_ID) return error('ERR The stream has exhausted the last possible ID, unable to add more items')
  const id = nextId(ctx, stream, parsed)
  if (id === undefined || id <= stream.lastId) return error('ERR The ID specified in XADD is equal or smaller than the target stream top item')
  const fields: Buffer[] = []
  const values: Buffer[] = []
  for (let i = fieldPos; i < argv.length; i += 2) {
    fields.push(argv[i] as Buffer)
    values.push(argv[i + 1] as Buffer)
  }
  stream.append(id, fields, values, nodeLimits(ctx))
  stream.readySignals++
  ctx.db.modified(key)
  ctx.notify('t', 'xadd', keyArg)
  const propagated = [...argv]
  if (parsed.trim !== undefined) {
    if (stream.trim(parsed.trim) > 0) ctx.notify('t', 'xtrim', keyArg)
    if (parsed.trim.approx) rewriteApproxTrim(propagated, stream, parsed)
  }
  if (parsed.id === undefined || !parsed.seqGiven) propagated[parsed.idPos] = idBuffer(id)
  ctx.propagateAs(propagated)
  return idReply(id)
}

/** The ID XADD adds: generated from the clock for `*`, the next sequence for `<ms>-*`; undefined on overflow. */
function nextId(ctx: CommandContext, stream: Stream, parsed: AddTrimArgs): StreamId | undefined {
  if (parsed.id !== undefined) {
    if (parsed.seqGiven) return parsed.id
    if (idMs(stream.lastId) === idMs(parsed.id)) {
      if ((stream.lastId & U64_MAX) === U64_MAX) return undefined
      return stream.lastId + 1n
    }
    return parsed.id
  }
  const now = BigInt(Math.floor(ctx.clock.nowMs()))
  if (now > idMs(stream.lastId)) return makeId(now, 0n)
  return stream.lastId === MAX_ID ? 0n : stream.lastId + 1n
}

function xtrimCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const argv = commandArgv(ctx, 'XTRIM', args)
  const parsed = parseAddOrTrim(ctx, argv, false)
  if (!('idPos' in parsed)) return parsed
  const keyArg = args[0] as Buffer
  const key = keyOf(keyArg)
  const stream = readStream(ctx, key)
  if (stream === undefined) return ZERO
  if (!(stream instanceof Stream)) return stream
  const trim = parsed.trim as TrimSpec
  const removed = stream.trim(trim)
  if (removed > 0) {
    ctx.notify('t', 'xtrim', keyArg)
    const propagated = [...argv]
    if (trim.approx) rewriteApproxTrim(propagated, stream, parsed)
    ctx.db.modified(key)
    ctx.keyspace.dirty += removed - 1
    ctx.propagateAs(propagated)
  }
  return int(removed)
}

function xdelCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const keyArg = args[0] as Buffer
  const key = keyOf(keyArg)
  const stream = readStream(ctx, key)
  if (stream === undefined) return ZERO
  if (!(stream instanceof Stream)) return stream
  const ids: StreamId[] = []
  for (const arg of args.slice(1)) {
    const id = strictId(arg)
    if (!isId(id)) return id
    ids.push(id)
  }
  let deleted = 0
  let firstDeleted = false
  for (const id of ids) {
    if (!stream.delete(id)) continue
    if (id === stream.firstId) firstDeleted = true
    if (id > stream.maxDeletedId) stream.maxDeletedId = id
    deleted++
  }
  if (deleted > 0) {
    if (stream.length === 0) stream.firstId = MIN_ID
    else if (firstDeleted) stream.firstId = stream.edgeId(true, true)
    ctx.db.modified(key)
    ctx.keyspace.dirty += deleted - 1
    ctx.notify('t', 'xdel', keyArg)
  }
  return int(deleted)
}

function xlenCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const stream = readStream(ctx, keyOf(args[0] as Buffer))
  if (stream === undefined) return ZERO
  return stream instanceof Stream ? int(stream.length) : stream
}

function xrangeGeneric(ctx: CommandContext, args: readonly Buffer[], rev: boolean): Reply {
  const start = intervalBound(args[rev ? 2 : 1] as Buffer, 'start')
  if (!isId(start)) return start
  const end = intervalBound(args[rev ? 1 : 2] as Buffer, 'end')
  if (!isId(end)) return end
  let count = -1n
  for (let j = 3; j < args.length; j++) {
    if (isOption(args[j], 'COUNT') && j + 1 < args.length) {
      const n = parseInt64(args[j + 1] as Buffer)
      if (!n.ok) return NOT_INTEGER
      count = n.value < 0n ? 0n : n.value
      j++
    } else return SYNTAX
  }
  const stream = readStream(ctx, keyOf(args[0] as Buffer))
  if (stream === undefined) return EMPTY_ARRAY
  if (!(stream instanceof Stream)) return stream
  if (count === 0n) return NIL_ARRAY
  const out: Reply[] = []
  for (const entry of stream.range(start, end, rev)) {
    out.push(entryReply(entry))
    if (count > 0n && BigInt(out.length) === count) break
  }
  return array(out)
}

function xsetidCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const id = strictId(args[1] as Buffer)
  if (!isId(id)) return id
  let entriesAdded = -1n
  let maxDeleted = MIN_ID
  for (let i = 2; i < args.length; i += 2) {
    const more = i + 1 < args.length
    if (isOption(args[i], 'ENTRIESADDED') && more) {
      const n = parseInt64(args[i + 1] as Buffer)
      if (!n.ok) return n.error
      if (n.value < 0n) return error('ERR entries_added must be positive')
      entriesAdded = n.value
    } else if (isOption(args[i], 'MAXDELETEDID') && more) {
      const parsed = strictId(args[i + 1] as Buffer)
      if (!isId(parsed)) return parsed
      if (id < parsed) return error('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id')
      maxDeleted = parsed
    } else return SYNTAX
  }
  const keyArg = args[0] as Buffer
  const key = keyOf(keyArg)
  const entry = ctx.db.lookup(key)
  if (entry === undefined) return NO_SUCH_KEY
  if (entry.value.type !== 'stream') return WRONGTYPE
  const stream = entry.value.value
  if (stream.length > 0) {
    if (id < stream.lastValidId()) return error('ERR The ID specified in XSETID is smaller than the target stream top item')
    if (entriesAdded !== -1n && BigInt(stream.length) > entriesAdded) return error('ERR The entries_added specified in XSETID is smaller than the target stream length')
  }
  stream.lastId = id
  if (entriesAdded !== -1n) stream.entriesAdded = entriesAdded
  if (maxDeleted !== MIN_ID) stream.maxDeletedId = maxDeleted
  ctx.keyspace.dirty++
  ctx.notify('t', 'xsetid', keyArg)
  return OK
}
