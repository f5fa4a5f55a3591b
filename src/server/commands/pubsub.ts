// Pub/Sub commands (pubsub.c): SUBSCRIBE PSUBSCRIBE UNSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB, and the sharded
// SSUBSCRIBE SUNSUBSCRIBE SPUBLISH. Confirmations are one frame per channel (RESP2 arrays, RESP3 pushes);
// PUBLISH and SPUBLISH are propagated so replicas deliver them too. A shard channel is a key in the key specs
// (flagged not_key, so cluster clients can route it while COMMAND GETKEYS finds no key).

import {denyBlockingSubscribe} from '../../resp/errors.js'
import {array, bulk, bulkArray, error, int, type Reply} from '../../resp/reply.js'
import {ALL_KEYS, FIRST_KEY, NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import {helpReply} from './help.js'

const PUBSUB_HELP = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
]

const SUB_FLAGS = ['pubsub', 'noscript', 'loading', 'stale'] as const
const INFO_FLAGS = ['pubsub', 'loading', 'stale'] as const
const PUBLISH = Buffer.from('publish')
const SPUBLISH = Buffer.from('spublish')

const subscribeCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => ctx.pubsub.subscribe(ctx.client, args)
const psubscribeCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => ctx.pubsub.psubscribe(ctx.client, args)
const unsubscribeCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => ctx.pubsub.unsubscribe(ctx.client, args)
const punsubscribeCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => ctx.pubsub.punsubscribe(ctx.client, args)

/** SSUBSCRIBE: refused inside EXEC (Redis's CLIENT_DENY_BLOCKING; SUBSCRIBE is let through there for compatibility). */
const ssubscribeCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply =>
  ctx.caller === 'exec' ? denyBlockingSubscribe('SSUBSCRIBE') : ctx.pubsub.ssubscribe(ctx.client, args)
const sunsubscribeCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => ctx.pubsub.sunsubscribe(ctx.client, args)

const spublishCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const [channel, message] = args as [Buffer, Buffer]
  const receivers = ctx.pubsub.spublish(channel, message)
  // Outside cluster mode SPUBLISH is forced into the replication stream as PUBLISH is.
  ctx.propagateAs([SPUBLISH, channel, message])
  return int(receivers)
}

const publishCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const [channel, message] = args as [Buffer, Buffer]
  const receivers = ctx.pubsub.publish(channel, message)
  // Redis forceCommandPropagation: PUBLISH always reaches replicas, which deliver it to their subscribers.
  ctx.propagateAs([PUBLISH, channel, message])
  return int(receivers)
}

const channelsCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (args.length > 1) return wrongSubArity('channels')
  return bulkArray(ctx.pubsub.channels(args[0]))
}

const numsubCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply =>
  array(args.flatMap((channel) => [bulk(channel), int(ctx.pubsub.numsub(channel))]))

const shardchannelsCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (args.length > 1) return wrongSubArity('shardchannels')
  return bulkArray(ctx.pubsub.shardChannels(args[0]))
}

const shardnumsubCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply =>
  array(args.flatMap((channel) => [bulk(channel), int(ctx.pubsub.shardNumsub(channel))]))

const sub = (name: string, arity: number, handler: CommandSpec['handler']): CommandSpec => ({
  name: `pubsub|${name}`, arity, flags: INFO_FLAGS, keys: NO_KEYS, categories: ['pubsub', 'slow'], handler,
})

export const pubsubCommands: readonly CommandSpec[] = [
  {name: 'subscribe', arity: -2, flags: SUB_FLAGS, keys: NO_KEYS, categories: ['pubsub', 'slow'], handler: subscribeCommand},
  {name: 'psubscribe', arity: -2, flags: SUB_FLAGS, keys: NO_KEYS, categories: ['pubsub', 'slow'], handler: psubscribeCommand},
  {name: 'unsubscribe', arity: -1, flags: SUB_FLAGS, keys: NO_KEYS, categories: ['pubsub', 'slow'], handler: unsubscribeCommand},
  {name: 'punsubscribe', arity: -1, flags: SUB_FLAGS, keys: NO_KEYS, categories: ['pubsub', 'slow'], handler: punsubscribeCommand},
  {name: 'ssubscribe', arity: -2, flags: SUB_FLAGS, keys: ALL_KEYS, categories: ['pubsub', 'slow'], handler: ssubscribeCommand},
  {name: 'sunsubscribe', arity: -1, flags: SUB_FLAGS, keys: ALL_KEYS, categories: ['pubsub', 'slow'], handler: sunsubscribeCommand},
  {name: 'spublish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast'], keys: FIRST_KEY, categories: ['pubsub', 'fast'], handler: spublishCommand},
  {name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast'], keys: NO_KEYS, categories: ['pubsub', 'fast'], handler: publishCommand},
  {
    name: 'pubsub',
    arity: -2,
    flags: [],
    keys: NO_KEYS,
    categories: ['slow'],
    handler: () => array([]),
    subcommands: [
      sub('channels', -2, channelsCommand),
      sub('numsub', -2, numsubCommand),
      sub('numpat', 2, (ctx) => int(ctx.pubsub.numpat())),
      sub('shardchannels', -2, shardchannelsCommand),
      sub('shardnumsub', -2, shardnumsubCommand),
      {name: 'pubsub|help', arity: 2, flags: ['loading', 'stale'], keys: NO_KEYS, categories: ['slow'], handler: () => helpReply('PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', PUBSUB_HELP)},
    ],
  },
]

/** pubsub.c replies this (not the arity error) when CHANNELS/SHARDCHANNELS get more than one pattern. */
function wrongSubArity(sub: string): Reply {
  return error(`ERR unknown subcommand or wrong number of arguments for '${sub}'. Try PUBSUB HELP.`)
}
