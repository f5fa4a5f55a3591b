// XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS and XINFO HELP (t_stream.c xinfoCommand), with
// the 7.0 fields: max-deleted-entry-id, entries-added, recorded-first-entry-id, and per group entries-read and lag.

import {keyOf} from '../../common/key.js'
import {NO_SUCH_KEY, WRONGTYPE} from '../../resp/errors.js'
import {array, bulk, int, map, NIL, type Reply} from '../../resp/reply.js'
import type {CommandContext, CommandSpec} from '../command-spec.js'
import {sortedGroups, type Consumer} from '../keyspace/stream-groups.js'
import {encodeIdKey, MAX_ID, MIN_ID} from '../keyspace/stream-id.js'
import {raxNodeCount, type Stream} from '../keyspace/stream.js'
import {isOption, parseInt64} from './args.js'
import {helpReply} from './help.js'
import {entryReply, idReply, noSuchGroup, subcommandSyntaxError} from './streams-access.js'

const SECOND_KEY = {first: 2, last: 2, step: 1}
const READ = ['read', 'stream', 'slow']

export const streamInfoCommands: readonly CommandSpec[] = [
  {
    name: 'xinfo', arity: -2, flags: [], keys: {first: 0, last: 0, step: 0}, categories: ['slow'], handler: () => NIL,
    subcommands: [
      {name: 'xinfo|stream', arity: -3, flags: ['readonly'], keys: SECOND_KEY, categories: READ, handler: xinfoStream},
      {name: 'xinfo|groups', arity: 3, flags: ['readonly'], keys: SECOND_KEY, categories: READ, handler: xinfoGroups},
      {name: 'xinfo|consumers', arity: 4, flags: ['readonly'], keys: SECOND_KEY, categories: READ, tips: ['nondeterministic_output'], handler: xinfoConsumers},
      {name: 'xinfo|help', arity: 2, flags: ['loading', 'stale'], keys: {first: 0, last: 0, step: 0}, categories: ['stream', 'slow'], handler: () => helpReply(HELP_HEADER, HELP)},
    ],
  },
]

const HELP_HEADER = 'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:'
const HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
]

const field = (name: string, value: Reply): readonly [Reply, Reply] => [bulk(name), value]

function streamAt(ctx: CommandContext, keyArg: Buffer): Stream | Reply {
  const entry = ctx.db.lookup(keyOf(keyArg))
  if (entry === undefined) return NO_SUCH_KEY
  return entry.value.type === 'stream' ? entry.value.value : WRONGTYPE
}

const isReplyValue = (v: Stream | Reply): v is Reply => 'kind' in v

const optionalInt = (n: bigint | undefined): Reply => (n === undefined ? NIL : int(n))

function xinfoStream(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const stream = streamAt(ctx, args[0] as Buffer)
  if (isReplyValue(stream)) return stream
  const sub = ctx.argv?.[1]
  const container = ctx.argv?.[0]?.toString('latin1') ?? 'XINFO'
  const options = args.slice(1)
  let full = false
  let count = 10n
  if (options.length > 0) {
    if ((options.length !== 1 && options.length !== 3) || !isOption(options[0], 'FULL')) return subcommandSyntaxError(container, sub)
    full = true
    if (options.length === 3) {
      if (!isOption(options[1], 'COUNT')) return subcommandSyntaxError(container, sub)
      const n = parseInt64(options[2] as Buffer)
      if (!n.ok) return n.error
      count = n.value < 0n ? 10n : n.value
    }
  }
  const head = [
    field('length', int(stream.length)),
    field('radix-tree-keys', int(stream.nodes.length)),
    field('radix-tree-nodes', int(raxNodeCount(stream.nodes.map((n) => encodeIdKey(n.masterId))))),
    field('last-generated-id', idReply(stream.lastId)),
    field('max-deleted-entry-id', idReply(stream.maxDeletedId)),
    field('entries-added', int(stream.entriesAdded)),
    field('recorded-first-entry-id', idReply(stream.firstId)),
  ]
  if (!full) {
    const first = stream.range(MIN_ID, MAX_ID).next()
    const last = stream.range(MIN_ID, MAX_ID, true).next()
    return map([
      ...head,
      field('groups', int(stream.groups.size)),
      field('first-entry', first.done === true ? NIL : entryReply(first.value)),
      field('last-entry', last.done === true ? NIL : entryReply(last.value)),
    ])
  }
  const limited = <T>(items: Iterable<T>): T[] => {
    const out: T[] = []
    for (const item of items) {
      if (count !== 0n && BigInt(out.length) >= count) break
      out.push(item)
    }
    return out
  }
  const entries = limited(stream.range(MIN_ID, MAX_ID)).map(entryReply)
  const groups = sortedGroups(stream.groups).map(([name, group]) => map([
    field('name', bulk(name)),
    field('last-delivered-id', idReply(group.lastId)),
    field('entries-read', group.entriesRead === -1n ? NIL : int(group.entriesRead)),
    field('lag', optionalInt(stream.lag(group))),
    field('pel-count', int(group.pel.size)),
    field('pending', array(limited(group.pel).map(([id, nack]) => array([
      idReply(id), bulk((nack.consumer as Consumer).name), int(nack.deliveryTime), int(nack.deliveryCount),
    ])))),
    field('consumers', array(group.sortedConsumers().map((consumer) => map([
      field('name', bulk(consumer.name)),
      field('seen-time', int(consumer.seenTime)),
      field('pel-count', int(consumer.pel.size)),
      field('pending', array(limited(consumer.pel).map(([id, nack]) => array([idReply(id), int(nack.deliveryTime), int(nack.deliveryCount)])))),
    ])))),
  ]))
  return map([...head, field('entries', array(entries)), field('groups', array(groups))])
}

function xinfoGroups(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const stream = streamAt(ctx, args[0] as Buffer)
  if (isReplyValue(stream)) return stream
  return array(sortedGroups(stream.groups).map(([name, group]) => map([
    field('name', bulk(name)),
    field('consumers', int(group.consumers.size)),
    field('pending', int(group.pel.size)),
    field('last-delivered-id', idReply(group.lastId)),
    field('entries-read', group.entriesRead === -1n ? NIL : int(group.entriesRead)),
    field('lag', optionalInt(stream.lag(group))),
  ])))
}

function xinfoConsumers(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const keyArg = args[0] as Buffer
  const stream = streamAt(ctx, keyArg)
  if (isReplyValue(stream)) return stream
  const group = stream.groups.get((args[1] as Buffer).toString('latin1'))
  if (group === undefined) return noSuchGroup(args[1] as Buffer, keyArg)
  const now = ctx.clock.nowMs()
  return array(group.sortedConsumers().map((consumer) => map([
    field('name', bulk(consumer.name)),
    field('pending', int(consumer.pel.size)),
    field('idle', int(Math.max(0, now - consumer.seenTime))),
  ])))
}
