// What the stream command groups share: the error texts of t_stream.c, typed lookup of stream keys, ID
// arguments with their error replies, entry replies and node limits from the config (stream commands raise
// their class `t` keyspace events through ctx.notify).

import {sanitize, WRONGTYPE} from '../../resp/errors.js'
import {array, bulk, error, type Reply} from '../../resp/reply.js'
import type {CommandContext} from '../command-spec.js'
import {formatId, idBuffer, MAX_ID, MIN_ID, parseStreamId, type StreamId} from '../keyspace/stream-id.js'
import {Stream, type NodeLimits, type StreamEntry} from '../keyspace/stream.js'

export const INVALID_ID = error('ERR Invalid stream ID specified as stream command argument')
export const INVALID_START = error('ERR invalid start ID for the interval')
export const INVALID_END = error('ERR invalid end ID for the interval')

/** An argument as C's `%s` prints it in an error: up to its first NUL, CR/LF as spaces. */
export const cText = (arg: Buffer): string => {
  const text = arg.toString('latin1')
  const nul = text.indexOf('\0')
  return sanitize(nul < 0 ? text : text.slice(0, nul))
}

export const noGroupFor = (key: Buffer, group: Buffer): Reply =>
  error(`NOGROUP No such key '${cText(key)}' or consumer group '${cText(group)}'`)

export const noSuchGroup = (group: Buffer, key: Buffer): Reply =>
  error(`NOGROUP No such consumer group '${cText(group)}' for key name '${cText(key)}'`)

/** addReplySubcommandSyntaxError: the subcommand as typed, the container upper-cased. */
export const subcommandSyntaxError = (container: string, sub: Buffer | undefined): Reply =>
  error(`ERR unknown subcommand or wrong number of arguments for '${cText(sub ?? Buffer.from('')).slice(0, 128)}'. Try ${container.toUpperCase()} HELP.`)

/** The stream at key: undefined when absent, WRONGTYPE for another type. */
export function readStream(ctx: CommandContext, key: string): Stream | undefined | Reply {
  const entry = ctx.db.lookup(key)
  if (entry === undefined) return undefined
  return entry.value.type === 'stream' ? entry.value.value : WRONGTYPE
}

export const isStream = (v: unknown): v is Stream => v instanceof Stream

/** A strict ID (no `-` / `+`), or the invalid-ID reply. */
export function strictId(arg: Buffer, missingSeq = 0n): StreamId | Reply {
  const parsed = parseStreamId(arg, {strict: true, missingSeq})
  return parsed === undefined ? INVALID_ID : parsed.id
}

/** An ID where `-` and `+` are allowed. */
export function looseId(arg: Buffer, missingSeq = 0n): StreamId | Reply {
  const parsed = parseStreamId(arg, {missingSeq})
  return parsed === undefined ? INVALID_ID : parsed.id
}

export const isId = (v: StreamId | Reply): v is StreamId => typeof v === 'bigint'

/**
 * A range bound (streamParseIntervalIDOrReply): `(` makes it exclusive (a strict ID follows), then the start
 * moves up one or the end down one, refused when it would wrap.
 */
export function intervalBound(arg: Buffer, side: 'start' | 'end'): StreamId | Reply {
  const missingSeq = side === 'start' ? 0n : (1n << 64n) - 1n
  const exclusive = arg.length > 1 && arg[0] === 0x28
  const id = exclusive ? strictId(arg.subarray(1), missingSeq) : looseId(arg, missingSeq)
  if (!isId(id) || !exclusive) return id
  if (side === 'start') return id === MAX_ID ? INVALID_START : id + 1n
  return id === MIN_ID ? INVALID_END : id - 1n
}

/** [id, [field, value, …]] */
export const entryReply = (entry: StreamEntry): Reply => {
  const pairs: Reply[] = []
  entry.fields.forEach((f, i) => pairs.push(bulk(f), bulk(entry.values[i] as Buffer)))
  return array([bulk(formatId(entry.id)), array(pairs)])
}

export const idReply = (id: StreamId): Reply => bulk(idBuffer(id))

const numberSetting = (ctx: CommandContext, name: string, fallback: number): number => {
  const value = Number(ctx.server.getConfig(name))
  return Number.isFinite(value) ? value : fallback
}

export const nodeLimits = (ctx: CommandContext): NodeLimits => ({
  maxBytes: numberSetting(ctx, 'stream-node-max-bytes', 4096),
  maxEntries: numberSetting(ctx, 'stream-node-max-entries', 100),
})

/**
 * Counts a change to a stream that Redis makes with server.dirty++ alone (no signalModifiedKey): consumer
 * groups, PELs and read positions, which neither WATCH nor blocked clients see.
 */
export function markDirty(ctx: CommandContext, n = 1): void {
  ctx.keyspace.dirty += n
}
