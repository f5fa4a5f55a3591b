// Typed access to collection values for the list/hash/set/zset groups: a lookup that answers WRONGTYPE for
// another type, and creation of the empty collection on first write.

import {WRONGTYPE} from '../../resp/errors.js'
import {parseInteger} from './args.js'
import type {Reply} from '../../resp/reply.js'
import type {CommandContext} from '../command-spec.js'
import {Deque} from '../keyspace/deque.js'
import {SortedSet} from '../keyspace/sorted-set.js'
import type {RedisValue} from '../keyspace/values.js'

type CollectionType = 'list' | 'hash' | 'set' | 'zset'

const empty = (type: CollectionType): RedisValue => {
  switch (type) {
    case 'list': return {type, value: new Deque<Buffer>()}
    case 'hash': return {type, value: new Map<string, Buffer>()}
    case 'set': return {type, value: new Set<string>()}
    case 'zset': return {type, value: new SortedSet()}
  }
}

/** The collection at key for reading: undefined when absent, WRONGTYPE when another type. */
export function readCollection(ctx: CommandContext, key: string, type: 'list'): Deque<Buffer> | undefined | Reply
export function readCollection(ctx: CommandContext, key: string, type: 'hash'): Map<string, Buffer> | undefined | Reply
export function readCollection(ctx: CommandContext, key: string, type: 'set'): Set<string> | undefined | Reply
export function readCollection(ctx: CommandContext, key: string, type: 'zset'): SortedSet | undefined | Reply
export function readCollection(ctx: CommandContext, key: string, type: CollectionType): unknown {
  const entry = ctx.db.lookup(key)
  if (entry === undefined) return undefined
  if (entry.value.type !== type) return WRONGTYPE
  return entry.value.value
}

/** The collection at key for writing, created empty (and stored) when absent. */
export function writeCollection(ctx: CommandContext, key: string, type: 'list'): Deque<Buffer> | Reply
export function writeCollection(ctx: CommandContext, key: string, type: 'hash'): Map<string, Buffer> | Reply
export function writeCollection(ctx: CommandContext, key: string, type: 'set'): Set<string> | Reply
export function writeCollection(ctx: CommandContext, key: string, type: 'zset'): SortedSet | Reply
export function writeCollection(ctx: CommandContext, key: string, type: CollectionType): unknown {
  const entry = ctx.db.lookup(key)
  if (entry !== undefined) return entry.value.type === type ? entry.value.value : WRONGTYPE
  const value = empty(type)
  ctx.db.set(key, value)
  return value.value
}

/** Deletes a collection left empty by the command and raises its `del` event (class g), as Redis does. */
export function deleteIfEmpty(ctx: CommandContext, key: string): boolean {
  if (!ctx.db.deleteIfEmpty(key)) return false
  ctx.notify('g', 'del', key)
  return true
}

export const isReply = (v: unknown): v is Reply => typeof v === 'object' && v !== null && 'kind' in v && typeof (v as {kind: unknown}).kind === 'string'

/** Normalises Redis start/stop ranges (negative from the end) over a length; undefined when empty. */
export function clampRange(start: number, stop: number, length: number): [number, number] | undefined {
  if (start < 0) start = Math.max(0, length + start)
  if (stop < 0) stop = length + stop
  if (stop >= length) stop = length - 1
  if (start > stop || start >= length) return undefined
  return [start, stop]
}

/** Parses the start/stop index arguments of LRANGE, LTRIM, ZRANGE, ZREMRANGEBYRANK …: [start, stop] or the error. */
export function parseIndexPair(startArg: Buffer, stopArg: Buffer): [number, number] | Reply {
  const start = parseInteger(startArg)
  if (!start.ok) return start.error
  const stop = parseInteger(stopArg)
  if (!stop.ok) return stop.error
  return [start.value, stop.value]
}
