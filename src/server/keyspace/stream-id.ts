// Stream entry IDs (t_stream.c streamID): <ms>-<seq>, two unsigned 64-bit halves held as one 128-bit bigint
// (ms << 64 | seq), so IDs compare, increment and sort as plain numbers. Parsing follows
// streamGenericParseIDOrReply: string2ull for each half, `-` / `+` for the extremes, an omitted sequence filled in.

const U64 = (1n << 64n) - 1n

export type StreamId = bigint

export const MIN_ID: StreamId = 0n
export const MAX_ID: StreamId = (1n << 128n) - 1n

export const makeId = (ms: bigint, seq: bigint): StreamId => (ms << 64n) | seq
export const idMs = (id: StreamId): bigint => id >> 64n
export const idSeq = (id: StreamId): bigint => id & U64

export const formatId = (id: StreamId): string => `${idMs(id)}-${idSeq(id)}`
export const idBuffer = (id: StreamId): Buffer => Buffer.from(formatId(id))

/** The ID as the 16-byte big-endian rax key Redis stores (streamEncodeID). */
export function encodeIdKey(id: StreamId): Buffer {
  const buf = Buffer.alloc(16)
  buf.writeBigUInt64BE(idMs(id), 0)
  buf.writeBigUInt64BE(idSeq(id), 8)
  return buf
}

export const decodeIdKey = (buf: Buffer, at = 0): StreamId => makeId(buf.readBigUInt64BE(at), buf.readBigUInt64BE(at + 8))

const INT64_RE = /^-?[1-9][0-9]*$|^0$/
const SPACE = /^[\t\n\v\f\r ]*/

/**
 * util.c string2ull: a strict int64 first (negative refused), then C's strtoull, which takes leading
 * spaces, a sign (a minus negates modulo 2^64) and leading zeros, but nothing after the digits.
 */
export function parseU64(text: string): bigint | undefined {
  if (text.length <= 20 && INT64_RE.test(text)) {
    const n = BigInt(text)
    if (n >= -9223372036854775808n && n <= 9223372036854775807n) return n < 0n ? undefined : n
  }
  const rest = text.slice(SPACE.exec(text)?.[0].length ?? 0)
  const match = /^([+-]?)([0-9]+)$/.exec(rest)
  if (match === null) return undefined
  const value = BigInt(match[2] as string)
  if (value > U64) return undefined
  return match[1] === '-' ? (value === 0n ? 0n : (U64 + 1n - value)) : value
}

export interface ParsedId {
  id: StreamId
  /** False for the `<ms>-*` form (only accepted when `allowSeqStar`). */
  seqGiven: boolean
}

/**
 * Parses an ID argument; undefined when invalid. `strict` refuses `-` and `+`; `missingSeq` fills a bare
 * `<ms>`; `allowSeqStar` accepts `<ms>-*` (XADD). The text stops at a NUL byte, as Redis's C string does.
 */
export function parseStreamId(arg: Buffer, options: {strict?: boolean; missingSeq?: bigint; allowSeqStar?: boolean} = {}): ParsedId | undefined {
  if (arg.length > 127) return undefined
  let text = arg.toString('latin1')
  const nul = text.indexOf('\0')
  if (nul >= 0) text = text.slice(0, nul)
  if (text === '-' || text === '+') {
    if (options.strict === true) return undefined
    return {id: text === '-' ? MIN_ID : MAX_ID, seqGiven: true}
  }
  const dash = text.indexOf('-')
  const ms = parseU64(dash >= 0 ? text.slice(0, dash) : text)
  if (ms === undefined) return undefined
  if (dash < 0) return {id: makeId(ms, options.missingSeq ?? 0n), seqGiven: true}
  const seqText = text.slice(dash + 1)
  if (options.allowSeqStar === true && seqText === '*') return {id: makeId(ms, 0n), seqGiven: false}
  const seq = parseU64(seqText)
  if (seq === undefined) return undefined
  return {id: makeId(ms, seq), seqGiven: true}
}
