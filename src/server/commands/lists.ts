// The list group (t_list.c): pushes and pops at both ends, ranges, LSET/LREM/LTRIM/LINSERT, moves between lists.

import {keyOf} from '../../common/key.js'
import {INDEX_OUT_OF_RANGE, NO_SUCH_KEY, SYNTAX, WRONGTYPE} from '../../resp/errors.js'
import {array, bulk, error, int, NIL, NIL_ARRAY, OK, ZERO, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import type {Deque} from '../keyspace/deque.js'
import {isOption, parseInteger, parseOptionalCount} from './args.js'
import {clampRange, deleteIfEmpty, isReply, parseIndexPair, readCollection, writeCollection} from './collection-access.js'

const WRITE_FAST = {flags: ['write', 'denyoom', 'fast'], categories: ['write', 'list', 'fast']} as const

export const listCommands: readonly CommandSpec[] = [
  {name: 'lpush', arity: -3, keys: FIRST_KEY, ...WRITE_FAST, handler: (ctx, a) => pushGeneric(ctx, a, 'left', false)},
  {name: 'rpush', arity: -3, keys: FIRST_KEY, ...WRITE_FAST, handler: (ctx, a) => pushGeneric(ctx, a, 'right', false)},
  {name: 'lpushx', arity: -3, keys: FIRST_KEY, ...WRITE_FAST, handler: (ctx, a) => pushGeneric(ctx, a, 'left', true)},
  {name: 'rpushx', arity: -3, keys: FIRST_KEY, ...WRITE_FAST, handler: (ctx, a) => pushGeneric(ctx, a, 'right', true)},
  {name: 'lpop', arity: -2, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['write', 'list', 'fast'], handler: (ctx, a) => popGeneric(ctx, a, 'left', 'lpop')},
  {name: 'rpop', arity: -2, flags: ['write', 'fast'], keys: FIRST_KEY, categories: ['write', 'list', 'fast'], handler: (ctx, a) => popGeneric(ctx, a, 'right', 'rpop')},
  {name: 'llen', arity: 2, flags: ['readonly', 'fast'], keys: FIRST_KEY, categories: ['read', 'list', 'fast'], handler: llenCommand},
  {name: 'lrange', arity: 4, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'list', 'slow'], handler: lrangeCommand},
  {name: 'lindex', arity: 3, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'list', 'slow'], handler: lindexCommand},
  {name: 'lset', arity: 4, flags: ['write', 'denyoom'], keys: FIRST_KEY, categories: ['write', 'list', 'slow'], handler: lsetCommand},
  {name: 'lrem', arity: 4, flags: ['write'], keys: FIRST_KEY, categories: ['write', 'list', 'slow'], handler: lremCommand},
  {name: 'ltrim', arity: 4, flags: ['write'], keys: FIRST_KEY, categories: ['write', 'list', 'slow'], handler: ltrimCommand},
  {name: 'linsert', arity: 5, flags: ['write', 'denyoom'], keys: FIRST_KEY, categories: ['write', 'list', 'slow'], handler: linsertCommand},
  {name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], keys: {first: 1, last: 2, step: 1}, categories: ['write', 'list', 'slow'], handler: (ctx, a) => moveGeneric(ctx, a[0] as Buffer, a[1] as Buffer, 'right', 'left')},
  {name: 'lmove', arity: 5, flags: ['write', 'denyoom'], keys: {first: 1, last: 2, step: 1}, categories: ['write', 'list', 'slow'], handler: lmoveCommand},
]

export type Side = 'left' | 'right'

/** LEFT or RIGHT (any case), as LMOVE, LMPOP and BLMOVE take them. */
export const parseSide = (arg: Buffer | undefined): Side | undefined =>
  isOption(arg, 'LEFT') ? 'left' : isOption(arg, 'RIGHT') ? 'right' : undefined

function pushGeneric(ctx: CommandContext, args: readonly Buffer[], side: Side, onlyIfExists: boolean): Reply {
  const key = keyOf(args[0] as Buffer)
  if (onlyIfExists) {
    const existing = readCollection(ctx, key, 'list')
    if (existing === undefined) return ZERO
    if (isReply(existing)) return existing
  }
  const list = writeCollection(ctx, key, 'list')
  if (isReply(list)) return list
  for (let i = 1; i < args.length; i++) {
    const value = args[i] as Buffer
    if (side === 'left') list.unshift(value)
    else list.push(value)
  }
  ctx.db.modified(key)
  ctx.notify('l', side === 'left' ? 'lpush' : 'rpush', args[0] as Buffer)
  return int(list.length)
}

function popGeneric(ctx: CommandContext, args: readonly Buffer[], side: Side, name: string): Reply {
  if (args.length > 2) return error(`ERR wrong number of arguments for '${name}' command`)
  const parsedCount = parseOptionalCount(args[1])
  if (!parsedCount.ok) return parsedCount.error
  const count = parsedCount.value
  const key = keyOf(args[0] as Buffer)
  const list = readCollection(ctx, key, 'list')
  if (isReply(list)) return list
  if (list === undefined) return count === undefined ? NIL : NIL_ARRAY
  const take = Math.min(count ?? 1, list.length)
  const popped: Buffer[] = []
  for (let i = 0; i < take; i++) popped.push((side === 'left' ? list.shift() : list.pop()) as Buffer)
  if (take > 0) {
    ctx.db.modified(key)
    ctx.notify('l', side === 'left' ? 'lpop' : 'rpop', args[0] as Buffer)
    deleteIfEmpty(ctx, key)
  }
  return count === undefined ? bulk(popped[0] as Buffer) : array(popped.map((p) => bulk(p)))
}

function llenCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const list = readCollection(ctx, keyOf(args[0] as Buffer), 'list')
  return isReply(list) ? list : int(list?.length ?? 0)
}

function lrangeCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const indexes = parseIndexPair(args[1] as Buffer, args[2] as Buffer)
  if (isReply(indexes)) return indexes
  const list = readCollection(ctx, keyOf(args[0] as Buffer), 'list')
  if (isReply(list)) return list
  if (list === undefined) return array([])
  const range = clampRange(indexes[0], indexes[1], list.length)
  return array(range ? list.slice(range[0], range[1] + 1).map((v) => bulk(v)) : [])
}

function lindexCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const index = parseInteger(args[1] as Buffer)
  if (!index.ok) return index.error
  const list = readCollection(ctx, keyOf(args[0] as Buffer), 'list')
  if (isReply(list)) return list
  if (list === undefined) return NIL
  const i = index.value < 0 ? list.length + index.value : index.value
  const value = list.at(i)
  return value === undefined ? NIL : bulk(value)
}

function lsetCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const index = parseInteger(args[1] as Buffer)
  if (!index.ok) return index.error
  const key = keyOf(args[0] as Buffer)
  const list = readCollection(ctx, key, 'list')
  if (isReply(list)) return list
  if (list === undefined) return NO_SUCH_KEY
  const i = index.value < 0 ? list.length + index.value : index.value
  if (i < 0 || i >= list.length) return INDEX_OUT_OF_RANGE
  list.setAt(i, args[2] as Buffer)
  ctx.db.modified(key)
  ctx.notify('l', 'lset', args[0] as Buffer)
  return OK
}

function lremCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const count = parseInteger(args[1] as Buffer)
  if (!count.ok) return count.error
  const key = keyOf(args[0] as Buffer)
  const list = readCollection(ctx, key, 'list')
  if (isReply(list)) return list
  if (list === undefined) return ZERO
  const target = args[2] as Buffer
  const limit = count.value === 0 ? Infinity : Math.abs(count.value)
  const fromTail = count.value < 0
  const drop: number[] = []
  for (let k = 0; k < list.length && drop.length < limit; k++) {
    const i = fromTail ? list.length - 1 - k : k
    if ((list.at(i) as Buffer).equals(target)) drop.push(i)
  }
  const removed = drop.length
  if (removed > 0) {
    // A few removals shift in place; many rebuild the list once.
    if (removed <= 16) {
      for (const i of drop.sort((a, b) => b - a)) list.removeAt(i)
    } else {
      const dropped = new Set(drop)
      list.replaceAll(list.toArray().filter((_, i) => !dropped.has(i)))
    }
    ctx.db.modified(key)
    ctx.notify('l', 'lrem', args[0] as Buffer)
    deleteIfEmpty(ctx, key)
  }
  return int(removed)
}

function ltrimCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const indexes = parseIndexPair(args[1] as Buffer, args[2] as Buffer)
  if (isReply(indexes)) return indexes
  const key = keyOf(args[0] as Buffer)
  const list = readCollection(ctx, key, 'list')
  if (isReply(list)) return list
  if (list === undefined) return OK
  const range = clampRange(indexes[0], indexes[1], list.length)
  // Trimmed from both ends: the cost is what is removed, as in Redis.
  if (range === undefined) list.replaceAll([])
  else {
    for (let i = 0; i < range[0]; i++) list.shift()
    while (list.length > range[1] - range[0] + 1) list.pop()
  }
  ctx.db.modified(key)
  ctx.notify('l', 'ltrim', args[0] as Buffer)
  deleteIfEmpty(ctx, key)
  return OK
}

function linsertCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const where = isOption(args[1], 'BEFORE') ? 'before' : isOption(args[1], 'AFTER') ? 'after' : undefined
  if (where === undefined) return SYNTAX
  const key = keyOf(args[0] as Buffer)
  const list = readCollection(ctx, key, 'list')
  if (isReply(list)) return list
  if (list === undefined) return ZERO
  const pivot = args[2] as Buffer
  const at = list.findIndex((v) => v.equals(pivot))
  if (at < 0) return int(-1)
  list.insertAt(where === 'before' ? at : at + 1, args[3] as Buffer)
  ctx.db.modified(key)
  ctx.notify('l', 'linsert', args[0] as Buffer)
  return int(list.length)
}

function lmoveCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const from = parseSide(args[2])
  const to = parseSide(args[3])
  if (from === undefined || to === undefined) return SYNTAX
  return moveGeneric(ctx, args[0] as Buffer, args[1] as Buffer, from, to)
}

/** Moves one element between lists (LMOVE, RPOPLPUSH and the blocking forms); nil when the source is empty. */
export function moveGeneric(ctx: CommandContext, sourceArg: Buffer, destArg: Buffer, from: Side, to: Side): Reply {
  const source = keyOf(sourceArg)
  const dest = keyOf(destArg)
  const list = readCollection(ctx, source, 'list')
  if (isReply(list)) return list
  if (list === undefined) return NIL
  const destEntry = ctx.db.lookup(dest)
  if (destEntry !== undefined && destEntry.value.type !== 'list') return WRONGTYPE
  const value = (from === 'left' ? list.shift() : list.pop()) as Buffer
  ctx.db.modified(source)
  // lmoveGenericCommand: the push (and its event) first, then the pop's event, then the emptied source goes.
  const target = writeCollection(ctx, dest, 'list') as Deque<Buffer>
  to === 'left' ? target.unshift(value) : target.push(value)
  ctx.db.modified(dest)
  ctx.notify('l', to === 'left' ? 'lpush' : 'rpush', destArg)
  ctx.notify('l', from === 'left' ? 'lpop' : 'rpop', sourceArg)
  deleteIfEmpty(ctx, source)
  return bulk(value)
}
