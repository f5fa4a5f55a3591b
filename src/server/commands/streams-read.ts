// XREAD and XREADGROUP (t_stream.c xreadCommand, blocked.c serveClientsBlockedOnStreamKey): served at once when a
// stream has entries past the given ID (or a group read has history or undelivered entries), else parked with
// BLOCK until a write the key's readers are signalled for (XADD, XGROUP DESTROY, the key created, deleted or
// replaced). A group reader whose key is gone or no longer a stream gets UNBLOCKED; one whose group was
// destroyed gets NOGROUP. Inside MULTI (or while served) BLOCK answers as a timeout; from scripts it is refused.

import {keyOf} from '../../common/key.js'
import {NOT_INTEGER, SYNTAX, TIMEOUT_NEGATIVE, WRONGTYPE} from '../../resp/errors.js'
import {array, error, map, NIL_ARRAY, type Reply} from '../../resp/reply.js'
import type {CommandContext, CommandSpec, KeyExtractor} from '../command-spec.js'
import type {ConsumerGroup} from '../keyspace/stream-groups.js'
import {MAX_ID, MIN_ID, parseStreamId, type StreamId} from '../keyspace/stream-id.js'
import {Stream} from '../keyspace/stream.js'
import {isOption, parseInt64} from './args.js'
import {cText, entryReply as entryReplyOf, INVALID_ID, markDirty} from './streams-access.js'
import {consumerFor, createConsumerPropagation, deliverHistory, deliverNew, keyReply, type GroupRead} from './streams-delivery.js'

/** The keys of an XREAD/XREADGROUP call: the first half of what follows STREAMS (db.c xreadGetKeys). */
export const xreadKeys: KeyExtractor = (argv) => {
  for (let i = 1; i < argv.length; i++) {
    if (isOption(argv[i], 'STREAMS')) {
      const rest = argv.length - i - 1
      if (rest === 0 || rest % 2 !== 0) return []
      return Array.from({length: rest / 2}, (_, k) => ({pos: i + 1 + k, flags: ['RO', 'access'] as const}))
    }
  }
  return []
}

const MOVABLE = {first: 0, last: 0, step: 0}

export const streamReadCommands: readonly CommandSpec[] = [
  {name: 'xread', arity: -4, flags: ['readonly', 'blocking', 'movablekeys'], keys: MOVABLE, getKeys: xreadKeys, categories: ['read', 'stream', 'slow', 'blocking'], handler: (ctx, a) => xreadGeneric(ctx, a, false)},
  {name: 'xreadgroup', arity: -7, flags: ['write', 'blocking', 'movablekeys'], keys: MOVABLE, getKeys: xreadKeys, categories: ['write', 'stream', 'slow', 'blocking'], handler: (ctx, a) => xreadGeneric(ctx, a, true)},
]

const DEFAULT_BLOCKED_COUNT = 1000
const LLONG_MAX = 9223372036854775807n
/** Node's timers take at most 2^31-1 ms; a longer BLOCK waits for ever, which no test can tell apart. */
const LONGEST_TIMER = 2147483647

interface ReadRequest {
  timeoutMs: number | undefined
  count: number
  noack: boolean
  groupName: Buffer | undefined
  consumerName: Buffer | undefined
  keys: Buffer[]
  idArgs: Buffer[]
}

function parseRead(ctx: CommandContext, args: readonly Buffer[], group: boolean): ReadRequest | Reply {
  const name = ctx.argv?.[0]?.toString('latin1') ?? (group ? 'XREADGROUP' : 'XREAD')
  const req: ReadRequest = {timeoutMs: undefined, count: 0, noack: false, groupName: undefined, consumerName: undefined, keys: [], idArgs: []}
  let streamsAt = -1
  for (let i = 0; i < args.length; i++) {
    const more = args.length - i - 1
    const opt = args[i] as Buffer
    if (isOption(opt, 'BLOCK') && more > 0) {
      if (ctx.caller === 'script') return error(`ERR ${name} command is not allowed with BLOCK option from scripts`)
      const n = parseInt64(args[++i] as Buffer)
      if (!n.ok) return error('ERR timeout is not an integer or out of range')
      if (n.value < 0n) return TIMEOUT_NEGATIVE
      if (n.value > 0n && n.value > LLONG_MAX - BigInt(Math.floor(ctx.clock.nowMs()))) return error('ERR timeout is out of range')
      req.timeoutMs = n.value > BigInt(LONGEST_TIMER) ? 0 : Number(n.value)
    } else if (isOption(opt, 'COUNT') && more > 0) {
      const n = parseInt64(args[++i] as Buffer)
      if (!n.ok) return NOT_INTEGER
      req.count = n.value < 0n ? 0 : n.value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n.value)
    } else if (isOption(opt, 'STREAMS') && more > 0) {
      streamsAt = i + 1
      if ((args.length - streamsAt) % 2 !== 0) {
        return error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
      }
      break
    } else if (isOption(opt, 'GROUP') && more >= 2) {
      if (!group) return error('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.')
      req.groupName = args[i + 1] as Buffer
      req.consumerName = args[i + 2] as Buffer
      i += 2
    } else if (isOption(opt, 'NOACK')) {
      if (!group) return error('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.')
      req.noack = true
    } else return SYNTAX
  }
  if (streamsAt < 0) return SYNTAX
  if (group && req.groupName === undefined) return error('ERR Missing GROUP option for XREADGROUP')
  const half = (args.length - streamsAt) / 2
  req.keys = args.slice(streamsAt, streamsAt + half)
  req.idArgs = args.slice(streamsAt + half)
  return req
}

const isDollar = (b: Buffer): boolean => b.length === 1 && b[0] === 0x24
const isGreater = (b: Buffer): boolean => b.length === 1 && b[0] === 0x3e

/** One stream of the call as resolved before serving: the ID to read after (MAX_ID for `>`) and the group. */
interface Target {
  key: Buffer
  after: StreamId
  group: ConsumerGroup | undefined
}

function resolveTargets(ctx: CommandContext, req: ReadRequest): Target[] | Reply {
  const targets: Target[] = []
  for (let i = 0; i < req.keys.length; i++) {
    const key = req.keys[i] as Buffer
    const idArg = req.idArgs[i] as Buffer
    const entry = ctx.db.lookup(keyOf(key))
    if (entry !== undefined && entry.value.type !== 'stream') return WRONGTYPE
    const stream = entry?.value.type === 'stream' ? entry.value.value : undefined
    let group: ConsumerGroup | undefined
    if (req.groupName !== undefined) {
      group = stream?.groups.get(req.groupName.toString('latin1'))
      if (group === undefined) {
        return error(`NOGROUP No such key '${cText(key)}' or consumer group '${cText(req.groupName)}' in XREADGROUP with GROUP option`)
      }
    }
    if (isDollar(idArg)) {
      if (req.groupName !== undefined) {
        return error('ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.')
      }
      targets.push({key, after: stream?.lastId ?? MIN_ID, group})
      continue
    }
    if (isGreater(idArg)) {
      if (req.groupName === undefined) return error('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.')
      targets.push({key, after: MAX_ID, group})
      continue
    }
    const parsed = parseStreamId(idArg, {strict: true})
    if (parsed === undefined) return INVALID_ID
    targets.push({key, after: parsed.id, group})
  }
  return targets
}

/** The whole reply: [[key, entries] …] in RESP2, a map from key to entries in RESP3. */
const readReply = (ctx: CommandContext, served: [Buffer, Reply[]][]): Reply =>
  ctx.client.resp === 2
    ? array(served.map(([key, entries]) => array([keyReply(key), array(entries)])))
    : map(served.map(([key, entries]) => [keyReply(key), array(entries)] as const))

/** What replicas get from a group read: the collected commands, or nothing at all. */
function propagateRead(ctx: CommandContext, commands: Buffer[][]): void {
  if (commands.length > 0) ctx.propagateAs(...commands)
  else ctx.preventPropagation()
}

function xreadGeneric(ctx: CommandContext, args: readonly Buffer[], groupRead: boolean): Reply {
  const req = parseRead(ctx, args, groupRead)
  if (!('keys' in req)) return req
  const targets = resolveTargets(ctx, req)
  if (!Array.isArray(targets)) return targets
  const served: [Buffer, Reply[]][] = []
  const propagate: Buffer[][] = []
  for (const target of targets) {
    const entry = ctx.db.lookup(keyOf(target.key))
    if (entry === undefined || entry.value.type !== 'stream') continue
    const stream = entry.value.value
    let after = target.after
    let history = false
    if (target.group !== undefined) {
      if (after !== MAX_ID) history = true
      else if (stream.length > 0 && stream.lastValidId() > target.group.lastId) after = target.group.lastId
      else continue
    } else if (stream.length === 0 || stream.lastValidId() <= after) continue
    const start = after + 1n
    if (target.group === undefined) {
      served.push([target.key, rangeAfter(stream, start, req.count)])
      continue
    }
    const {consumer, created} = consumerFor(ctx, target.group, req.consumerName as Buffer, target.key)
    if (created && req.noack) propagate.push(createConsumerPropagation(target.key, req.groupName as Buffer, consumer))
    const read: GroupRead = {key: target.key, groupName: req.groupName as Buffer, group: target.group, consumer, noack: req.noack}
    served.push([target.key, history ? deliverHistory(ctx, stream, start, req.count, consumer) : deliverNew(ctx, stream, start, req.count, read, propagate)])
    markDirty(ctx)
  }
  if (groupRead) propagateRead(ctx, propagate)
  if (served.length > 0) return readReply(ctx, served)
  if (req.timeoutMs === undefined || !ctx.mayBlock) return NIL_ARRAY
  return blockForStreams(ctx, req, targets)
}

function rangeAfter(stream: Stream, start: StreamId, count: number): Reply[] {
  const out: Reply[] = []
  for (const entry of stream.range(start, MAX_ID)) {
    out.push(entryReplyOf(entry))
    if (count > 0 && out.length === count) break
  }
  return out
}

/** Parks the client on the keys; each key keeps the ID it was given first, as blockForKeys does. */
function blockForStreams(ctx: CommandContext, req: ReadRequest, targets: Target[]): Reply {
  const waits = new Map<string, {target: Target; stream: Stream | undefined; signals: number}>()
  for (const target of targets) {
    const key = keyOf(target.key)
    if (waits.has(key)) continue
    const entry = ctx.db.lookup(key)
    const stream = entry?.value.type === 'stream' ? entry.value.value : undefined
    waits.set(key, {target, stream, signals: stream?.readySignals ?? 0})
  }
  const count = req.count > 0 ? req.count : DEFAULT_BLOCKED_COUNT
  return ctx.block({
    keys: [...waits.keys()],
    timeoutReply: NIL_ARRAY,
    timeoutMs: req.timeoutMs ?? 0,
    serve: (c, readyKey) => {
      const wait = readyKey === undefined ? undefined : waits.get(readyKey)
      if (wait === undefined || readyKey === undefined) return undefined
      const entry = c.db.lookup(readyKey)
      if (entry === undefined || entry.value.type !== 'stream') {
        wait.stream = undefined
        return req.groupName !== undefined ? error('UNBLOCKED the stream key no longer exists') : undefined
      }
      const stream = entry.value.value
      if (stream === wait.stream && stream.readySignals === wait.signals) return undefined
      wait.stream = stream
      wait.signals = stream.readySignals
      return serveBlocked(c, req, wait.target.key, wait.target.after, stream, count)
    },
  })
}

function serveBlocked(ctx: CommandContext, req: ReadRequest, key: Buffer, blockedAfter: StreamId, stream: Stream, count: number): Reply | undefined {
  let after = blockedAfter
  let group: ConsumerGroup | undefined
  if (req.groupName !== undefined) {
    group = stream.groups.get(req.groupName.toString('latin1'))
    if (group === undefined) return error('NOGROUP the consumer group this client was blocked on no longer exists')
    after = group.lastId
  }
  if (stream.lastId <= after) return undefined
  const start = after + 1n
  if (group === undefined) return readReply(ctx, [[key, rangeAfter(stream, start, count)]])
  const propagate: Buffer[][] = []
  const {consumer, created} = consumerFor(ctx, group, req.consumerName as Buffer, key)
  if (created && req.noack) propagate.push(createConsumerPropagation(key, req.groupName as Buffer, consumer))
  const entries = deliverNew(ctx, stream, start, count, {key, groupName: req.groupName as Buffer, group, consumer, noack: req.noack}, propagate)
  if (propagate.length > 0) ctx.propagateAs(...propagate)
  return readReply(ctx, [[key, entries]])
}
