// Argument parsers shared by the command groups. Each returns the parsed value or an error Reply,
// so handlers validate everything before they mutate (miniredis style).

import {NOT_FLOAT, NOT_INTEGER, NOT_POSITIVE, TIMEOUT_NEGATIVE, TIMEOUT_NOT_FLOAT} from '../../resp/errors.js'
import type {Reply} from '../../resp/reply.js'

export type Parsed<T> = {ok: true; value: T} | {ok: false; error: Reply}

const INT64_RE = /^-?(0|[1-9][0-9]*)$/
const MAX_INT64 = 9223372036854775807n
const MIN_INT64 = -9223372036854775808n

/**
 * Parses a signed 64-bit integer the way Redis's string2ll does: no spaces, no '+', no leading zeros.
 * Returns a bigint so the full range is exact; use parseInteger for values that fit a double exactly.
 */
export function parseInt64(arg: Buffer): Parsed<bigint> {
  if (arg.length === 0 || arg.length > 20) return {ok: false, error: NOT_INTEGER}
  const text = arg.toString('latin1')
  if (!INT64_RE.test(text) || text === '-0') return {ok: false, error: NOT_INTEGER}
  const value = BigInt(text)
  if (value > MAX_INT64 || value < MIN_INT64) return {ok: false, error: NOT_INTEGER}
  return {ok: true, value}
}

/** Parses an integer into a JS number; values beyond ±2^53 are rejected as out of range. */
export function parseInteger(arg: Buffer, error: Reply = NOT_INTEGER): Parsed<number> {
  const parsed = parseInt64(arg)
  if (!parsed.ok) return {ok: false, error}
  if (parsed.value > BigInt(Number.MAX_SAFE_INTEGER) || parsed.value < BigInt(Number.MIN_SAFE_INTEGER)) {
    return {ok: false, error}
  }
  return {ok: true, value: Number(parsed.value)}
}

/**
 * Parses a double as Redis's getDoubleFromObject / strtold does: decimal or exponent form,
 * 'inf', '+inf', '-inf' (any case); rejects NaN, empty strings and surrounding spaces.
 */
export function parseDouble(arg: Buffer, error: Reply = NOT_FLOAT): Parsed<number> {
  const text = arg.toString('latin1')
  if (text.length === 0 || text !== text.trim()) return {ok: false, error}
  const lower = text.toLowerCase()
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return {ok: true, value: Infinity}
  if (lower === '-inf' || lower === '-infinity') return {ok: true, value: -Infinity}
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) && !/^[+-]?0x[0-9a-f]+$/i.test(text)) return {ok: false, error}
  const value = Number(text)
  if (Number.isNaN(value)) return {ok: false, error}
  return {ok: true, value}
}

/** Case-insensitive comparison of an argument with an ASCII option name. */
export const isOption = (arg: Buffer | undefined, name: string): boolean =>
  arg !== undefined && arg.length === name.length && arg.toString('latin1').toUpperCase() === name

/**
 * Formats a double the way Redis replies with it in RESP2 bulk strings (%.17g, shortest round-trip in 7.0):
 * integers without a fraction, 'inf'/'-inf' for infinities.
 */
export function formatDouble(value: number): string {
  if (value === Infinity) return 'inf'
  if (value === -Infinity) return '-inf'
  if (Object.is(value, -0)) return '-0'
  return String(value).replace(/e\+/, 'e+').replace(/^(-?\d)(\.\d+)?e/, '$1$2e')
}

/** The optional COUNT of LPOP/RPOP/SPOP/ZPOPMIN…: undefined when absent, else a non-negative integer. */
export function parseOptionalCount(arg: Buffer | undefined): Parsed<number | undefined> {
  if (arg === undefined) return {ok: true, value: undefined}
  const parsed = parseInteger(arg)
  if (!parsed.ok || parsed.value < 0) return {ok: false, error: NOT_POSITIVE}
  return parsed
}

const INT64_LIMIT = 2 ** 63

/**
 * The timeout of a blocking command in seconds (Redis getTimeoutFromObjectOrReply): a float, rounded up to
 * whole milliseconds; 0 waits for ever. Returns milliseconds. Redis converts to a 64-bit integer, so a value
 * beyond its range (inf, 1e20) wraps to a negative one and is refused as negative.
 */
export function parseBlockingTimeout(arg: Buffer): Parsed<number> {
  const seconds = parseDouble(arg, TIMEOUT_NOT_FLOAT)
  if (!seconds.ok) return seconds
  const ms = Math.ceil(seconds.value * 1000) + 0 // + 0: -0.0001 s rounds to -0, which means no timeout
  if (!(ms < INT64_LIMIT) || ms < 0) return {ok: false, error: TIMEOUT_NEGATIVE}
  return {ok: true, value: ms}
}

/** The numkeys argument of LMPOP, ZMPOP, SINTERCARD …: an integer from 1 up, else `message`. */
export function parseNumKeys(arg: Buffer, message = 'ERR numkeys should be greater than 0'): Parsed<number> {
  const parsed = parseInteger(arg)
  if (!parsed.ok || parsed.value < 1) return {ok: false, error: {kind: 'error', message}}
  return parsed
}
