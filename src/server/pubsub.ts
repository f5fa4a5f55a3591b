// Channel and pattern subscriptions and message fan-out (pubsub.c). Replies are RESP2 arrays or RESP3 push
// frames (resp.md §8); the (un)subscribe confirmations are returned pre-encoded so that one command can
// answer with one frame per channel, in order, exactly like Redis's addReplyPubsub*.

import {keyBytes, keyOf} from '../common/key.js'
import {encodeReply} from '../resp/encoder.js'
import {bulk, int, NIL, push, raw, type Reply} from '../resp/reply.js'
import type {Client} from './client.js'
import {globMatch} from './keyspace/glob.js'

type Kind = 'subscribe' | 'unsubscribe' | 'psubscribe' | 'punsubscribe'

const MESSAGE = bulk('message')
const PMESSAGE = bulk('pmessage')

export class PubSub {
  /** channel → subscribers, in subscription order. */
  private readonly channelSubscribers = new Map<string, Set<Client>>()
  /** pattern → subscribers. */
  private readonly patternSubscribers = new Map<string, Set<Client>>()

  /** SUBSCRIBE: one confirmation frame per channel. */
  subscribe(client: Client, channels: readonly Buffer[]): Reply {
    const frames: Reply[] = []
    for (const channel of channels) {
      const name = keyOf(channel)
      if (!client.channels.has(name)) {
        client.channels.add(name)
        addTo(this.channelSubscribers, name, client)
      }
      frames.push(confirmation('subscribe', channel, client))
    }
    return this.framesFor(client, frames)
  }

  /** UNSUBSCRIBE [channel …]: without channels, every channel of the client; with none at all, one nil frame. */
  unsubscribe(client: Client, channels: readonly Buffer[]): Reply {
    const names = channels.length > 0 ? channels.map(keyOf) : [...client.channels]
    const frames: Reply[] = names.map((name) => {
      if (client.channels.delete(name)) removeFrom(this.channelSubscribers, name, client)
      return confirmation('unsubscribe', keyBytes(name), client)
    })
    if (frames.length === 0) frames.push(confirmation('unsubscribe', undefined, client))
    return this.framesFor(client, frames)
  }

  psubscribe(client: Client, patterns: readonly Buffer[]): Reply {
    const frames: Reply[] = []
    for (const pattern of patterns) {
      const name = keyOf(pattern)
      if (!client.patterns.has(name)) {
        client.patterns.add(name)
        addTo(this.patternSubscribers, name, client)
      }
      frames.push(confirmation('psubscribe', pattern, client))
    }
    return this.framesFor(client, frames)
  }

  punsubscribe(client: Client, patterns: readonly Buffer[]): Reply {
    const names = patterns.length > 0 ? patterns.map(keyOf) : [...client.patterns]
    const frames: Reply[] = names.map((name) => {
      if (client.patterns.delete(name)) removeFrom(this.patternSubscribers, name, client)
      return confirmation('punsubscribe', keyBytes(name), client)
    })
    if (frames.length === 0) frames.push(confirmation('punsubscribe', undefined, client))
    return this.framesFor(client, frames)
  }

  /** Drops every subscription silently (disconnect, RESET). */
  unsubscribeAll(client: Client): void {
    for (const name of client.channels) removeFrom(this.channelSubscribers, name, client)
    for (const name of client.patterns) removeFrom(this.patternSubscribers, name, client)
    client.channels.clear()
    client.patterns.clear()
  }

  /** PUBLISH: delivers to channel subscribers, then to matching patterns; returns the number of receivers. */
  publish(channel: Buffer, message: Buffer): number {
    let receivers = 0
    const subscribers = this.channelSubscribers.get(keyOf(channel))
    if (subscribers !== undefined && subscribers.size > 0) {
      const frame = encodedForBoth(push([MESSAGE, bulk(channel), bulk(message)]))
      for (const client of subscribers) {
        client.sink.push(frame[client.resp])
        receivers++
      }
    }
    if (this.patternSubscribers.size === 0) return receivers
    const channelText = keyOf(channel)
    for (const [pattern, clients] of this.patternSubscribers) {
      if (!globMatch(pattern, channelText)) continue
      const frame = encodedForBoth(push([PMESSAGE, bulk(keyBytes(pattern)), bulk(channel), bulk(message)]))
      for (const client of clients) {
        client.sink.push(frame[client.resp])
        receivers++
      }
    }
    return receivers
  }

  /** PUBSUB CHANNELS [pattern]: active channels (with at least one subscriber). */
  channels(pattern?: Buffer): Buffer[] {
    const glob = pattern === undefined ? undefined : keyOf(pattern)
    const out: Buffer[] = []
    for (const name of this.channelSubscribers.keys()) {
      if (glob === undefined || globMatch(glob, name)) out.push(keyBytes(name))
    }
    return out
  }

  /** PUBSUB NUMSUB: subscribers of one channel (patterns not counted, as in Redis). */
  numsub(channel: Buffer): number {
    return this.channelSubscribers.get(keyOf(channel))?.size ?? 0
  }

  /** PUBSUB NUMPAT: number of distinct patterns subscribed by any client. */
  numpat(): number {
    return this.patternSubscribers.size
  }

  /** INFO stats pubsub_channels. */
  get channelCount(): number {
    return this.channelSubscribers.size
  }

  /** Confirmation frames become the command's reply, pre-encoded for the client's protocol. */
  private framesFor(client: Client, frames: readonly Reply[]): Reply {
    if (frames.length === 1) return frames[0] as Reply
    return raw(Buffer.concat(frames.map((f) => encodeReply(f, client.resp))))
  }
}

function confirmation(kind: Kind, name: Buffer | undefined, client: Client): Reply {
  return push([bulk(kind), name === undefined ? NIL : bulk(name), int(client.subscriptionCount)])
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
