// Consumer group commands (t_stream.c): XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER/HELP, XACK,
// XPENDING, XCLAIM and XAUTOCLAIM. Claims reach replicas as the idempotent XCLAIM … FORCE JUSTID LASTID form,
// never as the command itself.

import {keyOf} from '../../common/key.js'
import {NOT_INTEGER, SYNTAX} from '../../resp/errors.js'
import {array, error, int, NIL, NIL_ARRAY, OK, ONE, ZERO, type Reply} from '../../resp/reply.js'
import type {CommandContext, CommandSpec} from '../command-spec.js'
import {ConsumerGroup, type Consumer, type Nack} from '../keyspace/stream-groups.js'
import {idBuffer, MAX_ID, MIN_ID, type StreamId} from '../keyspace/stream-id.js'
import {Stream} from '../keyspace/stream.js'
import {isOption, parseInt64} from './args.js'
import {helpReply} from './help.js'
import {
  cText, entryReply, idReply, intervalBound, isId, looseId, markDirty, noGroupFor, noSuchGroup, readStream,
  strictId, subcommandSyntaxError,
} from './streams-access.js'
import {consumerFor, setIdPropagation, xclaimPropagation} from './streams-delivery.js'

const SECOND_KEY = {first: 2, last: 2, step: 1}
const GROUP_WRITE = ['write', 'stream', 'slow']

export const streamGroupCommands: readonly CommandSpec[] = [
  {
    name: 'xgroup', arity: -2, flags: [], keys: {first: 0, last: 0, step: 0}, categories: ['slow'], handler: () => SYNTAX,
    subcommands: [
      {name: 'xgroup|create', arity: -5, flags: ['write', 'denyoom'], keys: SECOND_KEY, categories: GROUP_WRITE, handler: (ctx, a) => xgroupCommand(ctx, 'CREATE', a)},
      {name: 'xgroup|setid', arity: -5, flags: ['write'], keys: SECOND_KEY, categories: GROUP_WRITE, handler: (ctx, a) => xgroupCommand(ctx, 'SETID', a)},
      {name: 'xgroup|destroy', arity: 4, flags: ['write'], keys: SECOND_KEY, categories: GROUP_WRITE, handler: (ctx, a) => xgroupCommand(ctx, 'DESTROY', a)},
      {name: 'xgroup|createconsumer', arity: 5, flags: ['write', 'denyoom'], keys: SECOND_KEY, categories: GROUP_WRITE, handler: (ctx, a) => xgroupCommand(ctx, 'CREATECONSUMER', a)},
      {name: 'xgroup|delconsumer', arity: 5, flags: ['write'], keys: SECOND_KEY, categories: GROUP_WRITE, handler: (ctx, a) => xgroupCommand(ctx, 'DELCONSUMER', a)},
      {name: 'xgroup|help', arity: 2, flags: ['loading', 'stale'], keys: {first: 0, last: 0, step: 0}, categories: ['stream', 'slow'], handler: () => helpReply(XGROUP_HELP_HEADER, XGROUP_HELP)},
    ],
  },
  {name: 'xack', arity: -4, flags: ['write', 'fast'], keys: {first: 1, last: 1, step: 1}, categories: ['write', 'stream', 'fast'], handler: xackCommand},
  {name: 'xpending', arity: -3, flags: ['readonly'], keys: {first: 1, last: 1, step: 1}, categories: ['read', 'stream', 'slow'], tips: ['nondeterministic_output'], handler: xpendingCommand},
  {name: 'xclaim', arity: -6, flags: ['write', 'fast'], keys: {first: 1, last: 1, step: 1}, categories: ['write', 'stream', 'fast'], tips: ['nondeterministic_output'], handler: xclaimCommand},
  {name: 'xautoclaim', arity: -6, flags: ['write', 'fast'], keys: {first: 1, last: 1, step: 1}, categories: ['write', 'stream', 'fast'], tips: ['nondeterministic_output'], handler: xautoclaimCommand},
]

const XGROUP_HELP_HEADER = 'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:'
const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
]

type GroupSub = 'CREATE' | 'SETID' | 'DESTROY' | 'CREATECONSUMER' | 'DELCONSUMER'

/** xgroupCommand: `args` start at the key (argv[2] in Redis's numbering). */
function xgroupCommand(ctx: CommandContext, sub: GroupSub, args: readonly Buffer[]): Reply {
  const subArg = ctx.argv?.[1] ?? Buffer.from(sub.toLowerCase())
  const container = ctx.argv?.[0]?.toString('latin1') ?? 'XGROUP'
  const argc = args.length + 2
  let mkstream = false
  let entriesRead = -1n
  for (let i = 3; i < args.length;) {
    if (sub === 'CREATE' && isOption(args[i], 'MKSTREAM')) {
      mkstream = true
      i++
    } else if ((sub === 'CREATE' || sub === 'SETID') && isOption(args[i], 'ENTRIESREAD') && i + 1 < args.length) {
      const n = parseInt64(args[i + 1] as Buffer)
      if (!n.ok) return NOT_INTEGER
      if (n.value < 0n && n.value !== -1n) return error('ERR value for ENTRIESREAD must be positive or -1')
      entriesRead = n.value
      i += 2
    } else return subcommandSyntaxError(container, subArg)
  }
  const keyArg = args[0] as Buffer
  const groupArg = args[1] as Buffer
  const key = keyOf(keyArg)
  const found = readStream(ctx, key)
  if (found !== undefined && !(found instanceof Stream)) return found
  let stream = found
  let group: ConsumerGroup | undefined
  if (!mkstream) {
    if (stream === undefined) {
      return error('ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.')
    }
    group = stream.groups.get(groupArg.toString('latin1'))
    if (group === undefined && (sub === 'SETID' || sub === 'CREATECONSUMER' || sub === 'DELCONSUMER')) return noSuchGroup(groupArg, keyArg)
  }
  switch (sub) {
    case 'CREATE': {
      if (argc > 8) return subcommandSyntaxError(container, subArg)
      const idArg = args[2] as Buffer
      let id: StreamId
      if (idArg.length === 1 && idArg[0] === 0x24) id = stream?.lastId ?? MIN_ID
      else {
        const parsed = strictId(idArg)
        if (!isId(parsed)) return parsed
        id = parsed
      }
      if (stream === undefined) {
        stream = new Stream()
        ctx.db.set(key, {type: 'stream', value: stream})
      }
      const name = groupArg.toString('latin1')
      if (stream.groups.has(name)) return error('BUSYGROUP Consumer Group name already exists')
      stream.groups.set(name, new ConsumerGroup(id, entriesRead))
      markDirty(ctx)
      ctx.notify('t', 'xgroup-create', keyArg)
      return OK
    }
    case 'SETID': {
      if (argc !== 5 && argc !== 7) return subcommandSyntaxError(container, subArg)
      const s = stream as Stream
      const g = group as ConsumerGroup
      const idArg = args[2] as Buffer
      let id: StreamId
      if (idArg.length === 1 && idArg[0] === 0x24) id = s.lastId
      else {
        const parsed = looseId(idArg)
        if (!isId(parsed)) return parsed
        id = parsed
      }
      g.lastId = id
      g.entriesRead = entriesRead
      markDirty(ctx)
      ctx.notify('t', 'xgroup-setid', keyArg)
      return OK
    }
    case 'DESTROY': {
      if (group === undefined) return ZERO
      const s = stream as Stream
      s.groups.delete(groupArg.toString('latin1'))
      markDirty(ctx)
      ctx.notify('t', 'xgroup-destroy', keyArg)
      s.readySignals++
      ctx.keyspace.keyReady(ctx.db.index, key)
      return ONE
    }
    case 'CREATECONSUMER': {
      const g = group as ConsumerGroup
      if (g.consumer(args[2] as Buffer) !== undefined) return ZERO
      consumerFor(ctx, g, args[2] as Buffer, keyArg)
      return ONE
    }
    case 'DELCONSUMER': {
      const g = group as ConsumerGroup
      const consumer = g.consumer(args[2] as Buffer)
      if (consumer === undefined) return ZERO
      const pending = g.deleteConsumer(consumer)
      markDirty(ctx)
      ctx.notify('t', 'xgroup-delconsumer', keyArg)
      return int(pending)
    }
  }
}

/** The stream and group a command works on, or undefined for either missing (WRONGTYPE as a reply). */
function streamAndGroup(ctx: CommandContext, keyArg: Buffer, groupArg: Buffer): {stream: Stream; group: ConsumerGroup} | undefined | Reply {
  const stream = readStream(ctx, keyOf(keyArg))
  if (stream === undefined) return undefined
  if (!(stream instanceof Stream)) return stream
  const group = stream.groups.get(groupArg.toString('latin1'))
  return group === undefined ? undefined : {stream, group}
}

function xackCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const found = streamAndGroup(ctx, args[0] as Buffer, args[1] as Buffer)
  if (found === undefined) return ZERO
  if (!('group' in found)) return found
  const ids: StreamId[] = []
  for (const arg of args.slice(2)) {
    const id = strictId(arg)
    if (!isId(id)) return id
    ids.push(id)
  }
  let acknowledged = 0
  for (const id of ids) if (found.group.ack(id)) acknowledged++
  markDirty(ctx, acknowledged)
  return int(acknowledged)
}

function xpendingCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const argc = args.length + 1
  if (argc !== 3 && (argc < 6 || argc > 9)) return SYNTAX
  let start = MIN_ID
  let end = MAX_ID
  let count = 0n
  let minIdle = 0n
  let consumerName: Buffer | undefined
  if (argc >= 6) {
    let at = 2
    if (isOption(args[2], 'IDLE')) {
      const n = parseInt64(args[3] as Buffer)
      if (!n.ok) return n.error
      minIdle = n.value
      if (argc < 8) return SYNTAX
      at += 2
    }
    const n = parseInt64(args[at + 2] as Buffer)
    if (!n.ok) return n.error
    count = n.value < 0n ? 0n : n.value
    const s = intervalBound(args[at] as Buffer, 'start')
    if (!isId(s)) return s
    const e = intervalBound(args[at + 1] as Buffer, 'end')
    if (!isId(e)) return e
    start = s
    end = e
    consumerName = args[at + 3]
  }
  const keyArg = args[0] as Buffer
  const groupArg = args[1] as Buffer
  const found = streamAndGroup(ctx, keyArg, groupArg)
  if (found !== undefined && !('group' in found)) return found
  if (found === undefined) return noGroupFor(keyArg, groupArg)
  const {group} = found
  if (argc === 3) {
    if (group.pel.size === 0) return array([ZERO, NIL, NIL, NIL_ARRAY])
    const owners: Reply[] = []
    for (const consumer of group.sortedConsumers()) {
      if (consumer.pel.size > 0) owners.push(array([bulkOf(consumer.name), bulkOf(Buffer.from(String(consumer.pel.size)))]))
    }
    return array([int(group.pel.size), idReply(group.pel.first() as StreamId), idReply(group.pel.last() as StreamId), array(owners)])
  }
  let pel = group.pel
  if (consumerName !== undefined) {
    const consumer = group.consumer(consumerName)
    if (consumer === undefined) return array([])
    pel = consumer.pel
  }
  const now = ctx.clock.nowMs()
  const out: Reply[] = []
  for (const [id, nack] of pel.from(start)) {
    if (count === 0n || id > end) break
    if (minIdle !== 0n && BigInt(now - nack.deliveryTime) < minIdle) continue
    count--
    out.push(array([idReply(id), bulkOf((nack.consumer as Consumer).name), int(Math.max(0, now - nack.deliveryTime)), int(nack.deliveryCount)]))
  }
  return array(out)
}

const bulkOf = (b: Buffer): Reply => ({kind: 'bulk', value: b})

/** Moves a NACK to `consumer`, as XCLAIM and XAUTOCLAIM do. */
function claimNack(group: ConsumerGroup, id: StreamId, nack: Nack, consumer: Consumer): void {
  if (nack.consumer !== consumer) {
    nack.consumer?.pel.delete(id)
    consumer.pel.set(id, nack)
    nack.consumer = consumer
  }
  group.pel.set(id, nack)
}

function xclaimCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const keyArg = args[0] as Buffer
  const groupArg = args[1] as Buffer
  const found = streamAndGroup(ctx, keyArg, groupArg)
  if (found !== undefined && !('group' in found)) return found
  if (found === undefined) return noGroupFor(keyArg, groupArg)
  const {stream, group} = found
  const idle = parseInt64(args[3] as Buffer)
  if (!idle.ok) return error('ERR Invalid min-idle-time argument for XCLAIM')
  const minIdle = idle.value < 0n ? 0n : idle.value
  const ids: [StreamId, Buffer][] = []
  let j = 4
  for (; j < args.length; j++) {
    const id = strictId(args[j] as Buffer)
    if (!isId(id)) break
    ids.push([id, args[j] as Buffer])
  }
  const now = ctx.clock.nowMs()
  let force = false
  let justId = false
  let deliveryTime: bigint | undefined
  let retryCount: bigint | undefined
  let lastId = MIN_ID
  for (; j < args.length; j++) {
    const more = args.length - 1 - j
    const opt = args[j] as Buffer
    if (isOption(opt, 'FORCE')) force = true
    else if (isOption(opt, 'JUSTID')) justId = true
    else if (isOption(opt, 'IDLE') && more > 0) {
      const n = parseInt64(args[++j] as Buffer)
      if (!n.ok) return error('ERR Invalid IDLE option argument for XCLAIM')
      deliveryTime = BigInt(now) - n.value
    } else if (isOption(opt, 'TIME') && more > 0) {
      const n = parseInt64(args[++j] as Buffer)
      if (!n.ok) return error('ERR Invalid TIME option argument for XCLAIM')
      deliveryTime = n.value
    } else if (isOption(opt, 'RETRYCOUNT') && more > 0) {
      const n = parseInt64(args[++j] as Buffer)
      if (!n.ok) return error('ERR Invalid RETRYCOUNT option argument for XCLAIM')
      retryCount = n.value
    } else if (isOption(opt, 'LASTID') && more > 0) {
      const id = strictId(args[++j] as Buffer)
      if (!isId(id)) return id
      lastId = id
    } else return error(`ERR Unrecognized XCLAIM option '${cText(opt)}'`)
  }
  const propagate: Buffer[][] = []
  let propagateLastId = false
  if (lastId > group.lastId) {
    group.lastId = lastId
    propagateLastId = true
  }
  const time = deliveryTime === undefined || deliveryTime < 0n || deliveryTime > BigInt(now) ? now : Number(deliveryTime)
  let consumer: Consumer | undefined
  const out: Reply[] = []
  for (const [id, idArg] of ids) {
    let nack = group.pel.get(id)
    const entry = stream.get(id)
    if (entry === undefined) {
      if (nack !== undefined) {
        propagate.push(xclaimPropagation(keyArg, groupArg, group, idArg, nack))
        propagateLastId = false
        markDirty(ctx)
        group.ack(id)
      }
      continue
    }
    if (force && nack === undefined) {
      nack = {deliveryTime: now, deliveryCount: 1n, consumer: undefined}
      group.pel.set(id, nack)
    }
    if (nack === undefined) continue
    if (nack.consumer !== undefined && minIdle !== 0n && BigInt(now - nack.deliveryTime) < minIdle) continue
    consumer ??= consumerFor(ctx, group, args[2] as Buffer, keyArg).consumer
    nack.deliveryTime = time
    if (retryCount !== undefined && retryCount >= 0n) nack.deliveryCount = retryCount
    else if (!justId) nack.deliveryCount++
    claimNack(group, id, nack, consumer)
    out.push(justId ? idReply(id) : entryReply(entry))
    propagate.push(xclaimPropagation(keyArg, groupArg, group, idArg, nack))
    propagateLastId = false
    markDirty(ctx)
  }
  if (propagateLastId) {
    propagate.push(setIdPropagation(keyArg, groupArg, group))
    markDirty(ctx)
  }
  if (propagate.length > 0) ctx.propagateAs(...propagate)
  else ctx.preventPropagation()
  return array(out)
}

const MAX_AUTOCLAIM_COUNT = 576460752303423487n

function xautoclaimCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const idle = parseInt64(args[3] as Buffer)
  if (!idle.ok) return error('ERR Invalid min-idle-time argument for XAUTOCLAIM')
  const minIdle = idle.value < 0n ? 0n : idle.value
  const start = intervalBound(args[4] as Buffer, 'start')
  if (!isId(start)) return start
  let count = 100
  let justId = false
  for (let j = 5; j < args.length; j++) {
    if (isOption(args[j], 'COUNT') && j + 1 < args.length) {
      const n = parseInt64(args[j + 1] as Buffer)
      if (!n.ok || n.value < 1n || n.value > MAX_AUTOCLAIM_COUNT) return error('ERR COUNT must be > 0')
      // Redis allocates 16 bytes per COUNT up front and answers this when the allocation fails.
      if (n.value > 1n << 32n) return error('ERR Insufficient memory, failed allocating transient memory, COUNT too high.')
      count = Number(n.value)
      j++
    } else if (isOption(args[j], 'JUSTID')) justId = true
    else return SYNTAX
  }
  const keyArg = args[0] as Buffer
  const groupArg = args[1] as Buffer
  const found = streamAndGroup(ctx, keyArg, groupArg)
  if (found !== undefined && !('group' in found)) return found
  if (found === undefined) return noGroupFor(keyArg, groupArg)
  const {stream, group} = found
  const now = ctx.clock.nowMs()
  let attempts = count * 10
  let consumer: Consumer | undefined
  const claimed: Reply[] = []
  const deleted: Reply[] = []
  const propagate: Buffer[][] = []
  let last: StreamId | undefined
  let exhausted = true
  const pending = group.pel.from(start)
  while (true) {
    if (attempts-- <= 0 || count <= 0) {
      exhausted = false
      break
    }
    const next = pending.next()
    if (next.done === true) break
    const [id, nack] = next.value
    last = id
    const entry = stream.get(id)
    if (entry === undefined) {
      propagate.push(xclaimPropagation(keyArg, groupArg, group, idBuffer(id), nack))
      markDirty(ctx)
      group.ack(id)
      deleted.push(idReply(id))
      count--
      continue
    }
    if (minIdle !== 0n && BigInt(now - nack.deliveryTime) < minIdle) continue
    consumer ??= consumerFor(ctx, group, args[2] as Buffer, keyArg).consumer
    nack.deliveryTime = now
    if (!justId) nack.deliveryCount++
    claimNack(group, id, nack, consumer)
    claimed.push(justId ? idReply(id) : entryReply(entry))
    count--
    propagate.push(xclaimPropagation(keyArg, groupArg, group, idBuffer(id), nack))
    markDirty(ctx)
  }
  let cursor = MIN_ID
  if (!exhausted) {
    const after = last === undefined ? group.pel.firstFrom(start) : group.pel.firstFrom(last + 1n)
    cursor = after ?? MIN_ID
  }
  if (propagate.length > 0) ctx.propagateAs(...propagate)
  else ctx.preventPropagation()
  return array([idReply(cursor), array(claimed), array(deleted)])
}
