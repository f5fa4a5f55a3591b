// The blocking list commands (t_list.c): BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, and LMPOP, which shares
// BLMPOP's parser and pop. Each first tries to serve at once exactly like its non-blocking twin; with no data
// it parks the client (blocking.ts) unless it runs inside EXEC, where it answers as on timeout.
// Whatever they pop is propagated as the plain command (LPOP, RPOP, LMOVE …), never as the blocking one.

import {keyOf} from '../../common/key.js'
import {SYNTAX, WRONGTYPE} from '../../resp/errors.js'
import {array, bulk, NIL, NIL_ARRAY, type Reply} from '../../resp/reply.js'
import type {BlockedOperation} from '../blocking.js'
import type {CommandContext, CommandSpec} from '../command-spec.js'
import {parseBlockingTimeout, parseInteger, parseNumKeys, isOption, type Parsed} from './args.js'
import {deleteIfEmpty, isReply, readCollection} from './collection-access.js'
import {numkeysAt} from './keys-of.js'
import {moveGeneric, parseSide, type Side} from './lists.js'

const BLOCKING = {flags: ['write', 'noscript', 'blocking'], categories: ['write', 'list', 'slow', 'blocking']} as const
const ALL_BUT_TIMEOUT = {first: 1, last: -2, step: 1}
const TWO_KEYS = {first: 1, last: 2, step: 1}
const MOVABLE = {first: 0, last: 0, step: 0}

export const blockingListCommands: readonly CommandSpec[] = [
  {name: 'blpop', arity: -3, keys: ALL_BUT_TIMEOUT, ...BLOCKING, handler: (ctx, a) => blockingPop(ctx, a, 'left')},
  {name: 'brpop', arity: -3, keys: ALL_BUT_TIMEOUT, ...BLOCKING, handler: (ctx, a) => blockingPop(ctx, a, 'right')},
  {name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], categories: BLOCKING.categories, keys: TWO_KEYS, handler: blmoveCommand},
  {name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], categories: BLOCKING.categories, keys: TWO_KEYS, handler: (ctx, a) => blockingMove(ctx, a[0] as Buffer, a[1] as Buffer, 'right', 'left', a[2] as Buffer)},
  {name: 'blmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], categories: BLOCKING.categories, keys: MOVABLE, getKeys: numkeysAt(2), handler: (ctx, a) => multiPop(ctx, a.slice(1), a[0])},
  {name: 'lmpop', arity: -4, flags: ['write', 'movablekeys'], categories: ['write', 'list', 'slow'], keys: MOVABLE, getKeys: numkeysAt(1), handler: (ctx, a) => multiPop(ctx, a, undefined)},
]

/**
 * Pops up to `count` elements from one end of the first non-empty list among `keys` (only `readyKey` when a
 * waiting client is tried; a wrong type there keeps it waiting); undefined when no list has data.
 */
function popFirstNonEmpty(ctx: CommandContext, keys: readonly Buffer[], readyKey: string | undefined, side: Side, count: number): {key: Buffer; values: Buffer[]} | Reply | undefined {
  const candidates = readyKey === undefined ? keys : [Buffer.from(readyKey, 'latin1')]
  for (const keyArg of candidates) {
    const key = keyOf(keyArg)
    const list = readCollection(ctx, key, 'list')
    if (isReply(list)) return readyKey === undefined ? list : undefined
    if (list === undefined || list.length === 0) continue
    const values: Buffer[] = []
    for (let i = Math.min(count, list.length); i > 0; i--) values.push((side === 'left' ? list.shift() : list.pop()) as Buffer)
    ctx.db.modified(key)
    ctx.notify('l', side === 'left' ? 'lpop' : 'rpop', keyArg)
    deleteIfEmpty(ctx, key)
    return {key: keyArg, values}
  }
  return undefined
}

const popCommandName = (side: Side): Buffer => Buffer.from(side === 'left' ? 'LPOP' : 'RPOP')

/**
 * Runs `attempt` now; when it finds no data, blocks on `keys`, or answers `deniedReply` where blocking is
 * denied (EXEC). A wait that times out always gets a nil array, even for BLMOVE (Redis 7.0).
 */
export function serveOrBlock(ctx: CommandContext, keys: readonly Buffer[], timeoutMs: number, deniedReply: Reply, attempt: BlockedOperation['serve']): Reply {
  const reply = attempt(ctx, undefined)
  if (reply !== undefined) return reply
  if (!ctx.mayBlock) return deniedReply
  return ctx.block({keys: keys.map((k) => keyOf(k)), serve: attempt, timeoutReply: NIL_ARRAY, timeoutMs})
}

function blockingPop(ctx: CommandContext, args: readonly Buffer[], side: Side): Reply {
  const timeout = parseBlockingTimeout(args[args.length - 1] as Buffer)
  if (!timeout.ok) return timeout.error
  const keys = args.slice(0, -1)
  return serveOrBlock(ctx, keys, timeout.value, NIL_ARRAY, (c, readyKey) => {
    const popped = popFirstNonEmpty(c, keys, readyKey, side, 1)
    if (popped === undefined || isReply(popped)) return popped
    c.propagateAs([popCommandName(side), popped.key])
    return array([bulk(popped.key), bulk(popped.values[0] as Buffer)])
  })
}

function blmoveCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const from = parseSide(args[2])
  const to = parseSide(args[3])
  if (from === undefined || to === undefined) return SYNTAX
  return blockingMove(ctx, args[0] as Buffer, args[1] as Buffer, from, to, args[4] as Buffer)
}

function blockingMove(ctx: CommandContext, source: Buffer, destination: Buffer, from: Side, to: Side, timeoutArg: Buffer): Reply {
  const timeout = parseBlockingTimeout(timeoutArg)
  if (!timeout.ok) return timeout.error
  return serveOrBlock(ctx, [source], timeout.value, NIL, (c, readyKey) => {
    const list = readCollection(c, keyOf(source), 'list')
    if (isReply(list)) return readyKey === undefined ? list : undefined
    if (list === undefined || list.length === 0) return undefined
    const moved = moveGeneric(c, source, destination, from, to)
    if (moved !== WRONGTYPE) {
      c.propagateAs([Buffer.from('LMOVE'), source, destination, Buffer.from(from.toUpperCase()), Buffer.from(to.toUpperCase())])
    }
    return moved
  })
}

interface MultiPopArgs {
  keys: Buffer[]
  side: Side
  count: number
}

/** numkeys key… LEFT|RIGHT [COUNT n], checked in Redis's order (numkeys, side, options). */
function parseMultiPop(args: readonly Buffer[]): Parsed<MultiPopArgs> {
  const numkeys = parseNumKeys(args[0] as Buffer)
  if (!numkeys.ok) return numkeys
  const sideAt = 1 + numkeys.value
  if (sideAt >= args.length) return {ok: false, error: SYNTAX}
  const side = parseSide(args[sideAt])
  if (side === undefined) return {ok: false, error: SYNTAX}
  let count: number | undefined
  for (let i = sideAt + 1; i < args.length; i++) {
    if (count === undefined && isOption(args[i], 'COUNT') && i + 1 < args.length) {
      const parsed = parseInteger(args[++i] as Buffer)
      if (!parsed.ok || parsed.value < 1) return {ok: false, error: {kind: 'error', message: 'ERR count should be greater than 0'}}
      count = parsed.value
    } else return {ok: false, error: SYNTAX}
  }
  return {ok: true, value: {keys: args.slice(1, sideAt), side, count: count ?? 1}}
}

/** LMPOP (timeoutArg undefined) and BLMPOP: the reply is [key, [element …]], a nil array when nothing was popped. */
function multiPop(ctx: CommandContext, args: readonly Buffer[], timeoutArg: Buffer | undefined): Reply {
  const parsed = parseMultiPop(args)
  if (!parsed.ok) return parsed.error
  const {keys, side, count} = parsed.value
  const attempt: BlockedOperation['serve'] = (c, readyKey) => {
    const popped = popFirstNonEmpty(c, keys, readyKey, side, count)
    if (popped === undefined || isReply(popped)) return popped
    c.propagateAs([popCommandName(side), popped.key, Buffer.from(String(popped.values.length))])
    return array([bulk(popped.key), array(popped.values.map((v) => bulk(v)))])
  }
  if (timeoutArg === undefined) return attempt(ctx, undefined) ?? NIL_ARRAY
  const timeout = parseBlockingTimeout(timeoutArg)
  if (!timeout.ok) return timeout.error
  return serveOrBlock(ctx, keys, timeout.value, NIL_ARRAY, attempt)
}
