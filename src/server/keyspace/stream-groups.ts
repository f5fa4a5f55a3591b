// Consumer groups of a stream (stream.h streamCG, streamConsumer, streamNACK): the group's last delivered ID and
// read counter, its pending entries list (PEL) and its consumers, each with its own PEL sharing the group's NACKs.
// PELs are ID-ordered maps (a sorted key array beside a Map): deliveries append at the end in the common case.

import type {StreamId} from './stream-id.js'

/** An ordered map from stream IDs: O(1) lookups, ordered iteration and seeks by binary search. */
export class IdMap<V> {
  private readonly keys: StreamId[] = []
  private readonly values = new Map<StreamId, V>()

  get size(): number {
    return this.keys.length
  }

  get(id: StreamId): V | undefined {
    return this.values.get(id)
  }

  has(id: StreamId): boolean {
    return this.values.has(id)
  }

  set(id: StreamId, value: V): void {
    if (!this.values.has(id)) {
      const last = this.keys[this.keys.length - 1]
      if (last === undefined || last < id) this.keys.push(id)
      else this.keys.splice(this.lowerBound(id), 0, id)
    }
    this.values.set(id, value)
  }

  delete(id: StreamId): boolean {
    if (!this.values.delete(id)) return false
    const at = this.lowerBound(id)
    if (at === 0) this.keys.shift()
    else this.keys.splice(at, 1)
    return true
  }

  /** The first key >= id. */
  firstFrom(id: StreamId): StreamId | undefined {
    return this.keys[this.lowerBound(id)]
  }

  first(): StreamId | undefined {
    return this.keys[0]
  }

  last(): StreamId | undefined {
    return this.keys[this.keys.length - 1]
  }

  /** Index of the first key >= id. */
  private lowerBound(id: StreamId): number {
    let lo = 0
    let hi = this.keys.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.keys[mid] as StreamId) < id) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Entries with id >= start in order; safe against deletions of already-visited keys. */
  *from(start: StreamId): Generator<[StreamId, V]> {
    let at = this.lowerBound(start)
    while (at < this.keys.length) {
      const id = this.keys[at] as StreamId
      yield [id, this.values.get(id) as V]
      // A deletion of the key just yielded shifts the array: find our place again.
      at = this.keys[at] === id ? at + 1 : this.lowerBound(id + 1n)
    }
  }

  *[Symbol.iterator](): Generator<[StreamId, V]> {
    yield* this.from(0n)
  }
}

/** A pending (delivered, not acknowledged) entry. */
export interface Nack {
  deliveryTime: number
  deliveryCount: bigint
  /** The consumer it was last delivered to; undefined only briefly for XCLAIM FORCE. */
  consumer: Consumer | undefined
}

export class Consumer {
  readonly pel = new IdMap<Nack>()
  constructor(readonly name: Buffer, public seenTime: number) {}
}

const byBytes = (a: Buffer, b: Buffer): number => Buffer.compare(a, b)

export class ConsumerGroup {
  readonly pel = new IdMap<Nack>()
  /** Consumers by name (latin1 of the name bytes). */
  readonly consumers = new Map<string, Consumer>()

  constructor(public lastId: StreamId, public entriesRead: bigint) {}

  /** Consumers in the rax's order: by name bytes. */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => byBytes(a.name, b.name))
  }

  /** Creates a consumer; undefined when one of that name exists. */
  createConsumer(name: Buffer, nowMs: number): Consumer | undefined {
    const key = name.toString('latin1')
    if (this.consumers.has(key)) return undefined
    const consumer = new Consumer(Buffer.from(name), nowMs)
    this.consumers.set(key, consumer)
    return consumer
  }

  consumer(name: Buffer): Consumer | undefined {
    return this.consumers.get(name.toString('latin1'))
  }

  /** Removes a consumer and its pending entries from the group PEL; returns how many it had. */
  deleteConsumer(consumer: Consumer): number {
    const pending = consumer.pel.size
    for (const [id] of consumer.pel) this.pel.delete(id)
    this.consumers.delete(consumer.name.toString('latin1'))
    return pending
  }

  /** Acknowledges one ID; false when it was not pending. */
  ack(id: StreamId): boolean {
    const nack = this.pel.get(id)
    if (nack === undefined) return false
    this.pel.delete(id)
    nack.consumer?.pel.delete(id)
    return true
  }

  clone(): ConsumerGroup {
    const copy = new ConsumerGroup(this.lastId, this.entriesRead)
    const nacks = new Map<Nack, Nack>()
    for (const [id, nack] of this.pel) {
      const fresh: Nack = {deliveryTime: nack.deliveryTime, deliveryCount: nack.deliveryCount, consumer: undefined}
      nacks.set(nack, fresh)
      copy.pel.set(id, fresh)
    }
    for (const consumer of this.consumers.values()) {
      const fresh = new Consumer(consumer.name, consumer.seenTime)
      copy.consumers.set(consumer.name.toString('latin1'), fresh)
      for (const [id, nack] of consumer.pel) {
        const shared = nacks.get(nack) as Nack
        shared.consumer = fresh
        fresh.pel.set(id, shared)
      }
    }
    return copy
  }
}

/** Groups in the rax's order: by name bytes. */
export function sortedGroups(groups: ReadonlyMap<string, ConsumerGroup>): [Buffer, ConsumerGroup][] {
  return [...groups].map(([name, g]) => [Buffer.from(name, 'latin1'), g] as [Buffer, ConsumerGroup]).sort((a, b) => byBytes(a[0], b[0]))
}
