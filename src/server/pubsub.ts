// Channel, pattern and shard-channel subscriptions and message fan-out (pubsub.c). Replies are RESP2 arrays
// or RESP3 push frames (resp.md §8); the (un)subscribe confirmations are returned pre-encoded so that one
// command can answer with one frame per channel, in order, exactly like Redis's addReplyPubsub*. Shard
// channels (SSUBSCRIBE, SPUBLISH) are pubsub.c's pubSubShardType: their own index, their own count in the
// confirmations, `smessage` frames, and no pattern matching.

import {keyBytes, keyOf} from '../common/key.js'
import {encodeReply} from '../resp/encoder.js'
import {bulk, int, NIL, NONE, push, raw, type Reply} from '../resp/reply.js'
import type {Client} from './client.js'
import {globMatch} from './keyspace/glob.js'

type Kind = 'subscribe' | 'unsubscribe' | 'psubscribe' | 'punsubscribe' | 'ssubscribe' | 'sunsubscribe'

/** pubsub.c's pubsubtype: the global channels or the shard channels. */
interface ChannelType {
  readonly subscribed: Kind
  readonly unsubscribed: Kind
  readonly of: (client: Client) => Set<string>
  readonly count: (client: Client) => number
}

const MESSAGE = bulk('message')
const SMESSAGE = bulk('smessage')
const GLOBAL: ChannelType = {
  subscribed: 'subscribe', unsubscribed: 'unsubscribe',
  of: (client) => client.channels, count: (client) => client.subscriptionCount,
}
const SHARD: ChannelType = {
  subscribed: 'ssubscribe', unsubscribed: 'sunsubscribe',
  of: (client) => client.shardChannels, count: (client) => client.shardChannels.size,
}
const PMESSAGE = bulk('pmessage')

export class PubSub {
  /** channel → subscribers, in subscription order. */
  private readonly channelSubscribers = new Map<string, Set<Client>>()
  /** pattern → subscribers. */
  private readonly patternSubscribers = new Map<string, Set<Client>>()
  /** shard channel → subscribers. */
  private readonly shardSubscribers = new Map<string, Set<Client>>()

  /** SUBSCRIBE: one confirmation frame per channel. */
  subscribe(client: Client, channels: readonly Buffer[]): Reply {
    return this.subscribeTo(GLOBAL, this.channelSubscribers, client, channels)
  }

  /** UNSUBSCRIBE [channel …]: without channels, every channel of the client; with none at all, one nil frame. */
  unsubscribe(client: Client, channels: readonly Buffer[]): Reply {
    return this.unsubscribeFrom(GLOBAL, this.channelSubscribers, client, channels)
  }

  /** SSUBSCRIBE: as SUBSCRIBE, counting shard channels only. */
  ssubscribe(client: Client, channels: readonly Buffer[]): Reply {
    return this.subscribeTo(SHARD, this.shardSubscribers, client, channels)
  }

  /** SUNSUBSCRIBE [shardchannel …]. */
  sunsubscribe(client: Client, channels: readonly Buffer[]): Reply {
    return this.unsubscribeFrom(SHARD, this.shardSubscribers, client, channels)
  }

  psubscribe(client: Client, patterns: readonly Buffer[]): Reply {
    const frames: Reply[] = []
    for (const pattern of patterns) {
      const name = keyOf(pattern)
      if (!client.patterns.has(name)) {
        client.patterns.add(name)
        addTo(this.patternSubscribers, name, client)
      }
      frames.push(confirmation('psubscribe', pattern, client.subscriptionCount))
    }
    return this.framesFor(client, frames)
  }

  punsubscribe(client: Client, patterns: readonly Buffer[]): Reply {
    const names = patterns.length > 0 ? patterns.map(keyOf) : [...client.patterns]
    const frames: Reply[] = names.map((name) => {
      if (client.patterns.delete(name)) removeFrom(this.patternSubscribers, name, client)
      return confirmation('punsubscribe', keyBytes(name), client.subscriptionCount)
    })
    if (frames.length === 0) frames.push(confirmation('punsubscribe', undefined, client.subscriptionCount))
    return this.framesFor(client, frames)
  }

  /** Drops every subscription silently (disconnect, RESET). */
  unsubscribeAll(client: Client): void {
    for (const name of client.channels) removeFrom(this.channelSubscribers, name, client)
    for (const name of client.patterns) removeFrom(this.patternSubscribers, name, client)
    for (const name of client.shardChannels) removeFrom(this.shardSubscribers, name, client)
    client.channels.clear()
    client.patterns.clear()
    client.shardChannels.clear()
  }

  /** PUBLISH: delivers to channel subscribers, then to matching patterns; returns the number of receivers. */
  publish(channel: Buffer, message: Buffer): number {
    let receivers = deliver(this.channelSubscribers, MESSAGE, channel, message)
    if (this.patternSubscribers.size === 0) return receivers
    const channelText = keyOf(channel)
    for (const [pattern, clients] of this.patternSubscribers) {
      if (!globMatch(pattern, channelText)) continue
      const frame = encodedForBoth(push([PMESSAGE, bulk(keyBytes(pattern)), bulk(channel), bulk(message)]))
      for (const client of clients) {
        client.sink.pushNotice(frame[client.resp])
        receivers++
      }
    }
    return receivers
  }

  /** SPUBLISH: shard-channel subscribers only (shard pub/sub ignores patterns). */
  spublish(channel: Buffer, message: Buffer): number {
    return deliver(this.shardSubscribers, SMESSAGE, channel, message)
  }

  /** PUBSUB CHANNELS [pattern]: active channels (with at least one subscriber). */
  channels(pattern?: Buffer): Buffer[] {
    return matching(this.channelSubscribers, pattern)
  }

  /** PUBSUB SHARDCHANNELS [pattern]. */
  shardChannels(pattern?: Buffer): Buffer[] {
    return matching(this.shardSubscribers, pattern)
  }

  /** PUBSUB NUMSUB: subscribers of one channel (patterns not counted, as in Redis). */
  numsub(channel: Buffer): number {
    return this.channelSubscribers.get(keyOf(channel))?.size ?? 0
  }

  /** PUBSUB SHARDNUMSUB: subscribers of one shard channel. */
  shardNumsub(channel: Buffer): number {
    return this.shardSubscribers.get(keyOf(channel))?.size ?? 0
  }

  /** PUBSUB NUMPAT: number of distinct patterns subscribed by any client. */
  numpat(): number {
    return this.patternSubscribers.size
  }

  /** INFO stats pubsub_channels. */
  get channelCount(): number {
    return this.channelSubscribers.size
  }

  /** INFO stats pubsubshard_channels. */
  get shardChannelCount(): number {
    return this.shardSubscribers.size
  }

  private subscribeTo(type: ChannelType, index: Map<string, Set<Client>>, client: Client, channels: readonly Buffer[]): Reply {
    const frames: Reply[] = []
    const mine = type.of(client)
    for (const channel of channels) {
      const name = keyOf(channel)
      if (!mine.has(name)) {
        mine.add(name)
        addTo(index, name, client)
      }
      frames.push(confirmation(type.subscribed, channel, type.count(client)))
    }
    return this.framesFor(client, frames)
  }

  private unsubscribeFrom(type: ChannelType, index: Map<string, Set<Client>>, client: Client, channels: readonly Buffer[]): Reply {
    const mine = type.of(client)
    const names = channels.length > 0 ? channels.map(keyOf) : [...mine]
    const frames: Reply[] = names.map((name) => {
      if (mine.delete(name)) removeFrom(index, name, client)
      return confirmation(type.unsubscribed, keyBytes(name), type.count(client))
    })
    if (frames.length === 0) frames.push(confirmation(type.unsubscribed, undefined, type.count(client)))
    return this.framesFor(client, frames)
  }

  /**
   * Confirmation frames become the command's reply, pre-encoded for the client's protocol. Redis sends them
   * as pushes, so a client with CLIENT REPLY OFF or SKIP still gets them.
   */
  private framesFor(client: Client, frames: readonly Reply[]): Reply {
    if (client.repliesOff || client.skipThisReply) {
      for (const frame of frames) client.sink.pushNotice(frame)
      return NONE
    }
    if (frames.length === 1) return frames[0] as Reply
    return raw(Buffer.concat(frames.map((f) => encodeReply(f, client.resp))))
  }
}

function confirmation(kind: Kind, name: Buffer | undefined, count: number): Reply {
  return push([bulk(kind), name === undefined ? NIL : bulk(name), int(count)])
}

/** One message to a channel's subscribers; returns how many got it. */
function deliver(index: Map<string, Set<Client>>, type: Reply, channel: Buffer, message: Buffer): number {
  const subscribers = index.get(keyOf(channel))
  if (subscribers === undefined || subscribers.size === 0) return 0
  const frame = encodedForBoth(push([type, bulk(channel), bulk(message)]))
  for (const client of subscribers) client.sink.pushNotice(frame[client.resp])
  return subscribers.size
}

/** The channels of an index matching a glob (all without one). */
function matching(index: Map<string, Set<Client>>, pattern: Buffer | undefined): Buffer[] {
  const glob = pattern === undefined ? undefined : keyOf(pattern)
  const out: Buffer[] = []
  for (const name of index.keys()) {
    if (glob === undefined || globMatch(glob, name)) out.push(keyBytes(name))
  }
  return out
}

/** Encodes a message once per protocol, so a fan-out to many clients does not re-encode. */
function encodedForBoth(frame: Reply): Record<2 | 3, Reply> {
  return {2: raw(encodeReply(frame, 2)), 3: raw(encodeReply(frame, 3))}
}

function addTo(index: Map<string, Set<Client>>, name: string, client: Client): void {
  let clients = index.get(name)
  if (clients === undefined) {
    clients = new Set()
    index.set(name, clients)
  }
  clients.add(client)
}

function removeFrom(index: Map<string, Set<Client>>, name: string, client: Client): void {
  const clients = index.get(name)
  if (clients === undefined) return
  clients.delete(client)
  if (clients.size === 0) index.delete(name)
}
