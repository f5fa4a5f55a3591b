// Delivering stream entries to a consumer group (t_stream.c streamReplyWithRange with a group, and
// streamReplyWithRangeFromConsumerPEL), and the commands replicas get for it: every new or moved NACK as
// `XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID id`, a NOACK read's new position as
// `XGROUP SETID … ENTRIESREAD n`, a consumer a NOACK read created as `XGROUP CREATECONSUMER`.

import {array, bulk, NIL_ARRAY, type Reply} from '../../resp/reply.js'
import type {CommandContext} from '../command-spec.js'
import type {Consumer, ConsumerGroup, Nack} from '../keyspace/stream-groups.js'
import {idBuffer, MAX_ID, type StreamId} from '../keyspace/stream-id.js'
import type {Stream} from '../keyspace/stream.js'
import {entryReply, idReply, markDirty} from './streams-access.js'

const word = (s: string): Buffer => Buffer.from(s)

export function xclaimPropagation(key: Buffer, groupName: Buffer, group: ConsumerGroup, idArg: Buffer, nack: Nack): Buffer[] {
  return [
    word('XCLAIM'), key, groupName, Buffer.from((nack.consumer as Consumer).name), word('0'), idArg,
    word('TIME'), word(String(nack.deliveryTime)), word('RETRYCOUNT'), word(String(nack.deliveryCount)),
    word('FORCE'), word('JUSTID'), word('LASTID'), idBuffer(group.lastId),
  ]
}

export const setIdPropagation = (key: Buffer, groupName: Buffer, group: ConsumerGroup): Buffer[] =>
  [word('XGROUP'), word('SETID'), key, groupName, idBuffer(group.lastId), word('ENTRIESREAD'), word(String(group.entriesRead))]

export const createConsumerPropagation = (key: Buffer, groupName: Buffer, consumer: Consumer): Buffer[] =>
  [word('XGROUP'), word('CREATECONSUMER'), key, groupName, Buffer.from(consumer.name)]

/**
 * streamLookupConsumer (refreshing its seen time) or streamCreateConsumer (dirty, xgroup-createconsumer event).
 * `created` tells the caller whether it was new.
 */
export function consumerFor(ctx: CommandContext, group: ConsumerGroup, name: Buffer, keyArg: Buffer): {consumer: Consumer; created: boolean} {
  const now = ctx.clock.nowMs()
  const existing = group.consumer(name)
  if (existing !== undefined) {
    existing.seenTime = now
    return {consumer: existing, created: false}
  }
  const consumer = group.createConsumer(name, now) as Consumer
  markDirty(ctx)
  ctx.notify('t', 'xgroup-createconsumer', keyArg)
  return {consumer, created: true}
}

export interface GroupRead {
  key: Buffer
  groupName: Buffer
  group: ConsumerGroup
  consumer: Consumer
  noack: boolean
}

/**
 * New entries after `start` (inclusive) for a group read: moves the group's last ID and read counter, records
 * NACKs (unless NOACK) and adds to `propagate` what replicas need. `count` 0 means all.
 */
export function deliverNew(ctx: CommandContext, stream: Stream, start: StreamId, count: number, read: GroupRead, propagate: Buffer[][]): Reply[] {
  const {group, consumer} = read
  const out: Reply[] = []
  let lastIdMoved = false
  const now = ctx.clock.nowMs()
  for (const entry of stream.range(start, MAX_ID)) {
    if (entry.id > group.lastId) {
      if (group.entriesRead !== -1n && !stream.rangeHasTombstones(entry.id)) group.entriesRead++
      else if (stream.entriesAdded > 0n) group.entriesRead = stream.estimateDistance(entry.id)
      group.lastId = entry.id
      if (read.noack) lastIdMoved = true
    }
    out.push(entryReply(entry))
    if (!read.noack) {
      let nack = group.pel.get(entry.id)
      if (nack === undefined) {
        nack = {deliveryTime: now, deliveryCount: 1n, consumer}
        group.pel.set(entry.id, nack)
        consumer.pel.set(entry.id, nack)
      } else {
        nack.consumer?.pel.delete(entry.id)
        nack.consumer = consumer
        nack.deliveryTime = now
        nack.deliveryCount = 1n
        consumer.pel.set(entry.id, nack)
      }
      propagate.push(xclaimPropagation(read.key, read.groupName, group, idBuffer(entry.id), nack))
    }
    if (count > 0 && out.length === count) break
  }
  if (lastIdMoved) propagate.push(setIdPropagation(read.key, read.groupName, group))
  return out
}

/** A consumer's own pending entries from `start`: deleted entries come as [id, nil]; each delivery is counted. */
export function deliverHistory(ctx: CommandContext, stream: Stream, start: StreamId, count: number, consumer: Consumer): Reply[] {
  const out: Reply[] = []
  const now = ctx.clock.nowMs()
  for (const [id, nack] of consumer.pel.from(start)) {
    if (count > 0 && out.length >= count) break
    const entry = stream.get(id)
    if (entry === undefined) out.push(array([idReply(id), NIL_ARRAY]))
    else {
      out.push(entryReply(entry))
      nack.deliveryTime = now
      nack.deliveryCount++
    }
  }
  return out
}

export const keyReply = (key: Buffer): Reply => bulk(key)
