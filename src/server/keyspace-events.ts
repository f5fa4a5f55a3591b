// Keyspace notifications (notify.c notifyKeyspaceEvent): an event of a class enabled by
// `notify-keyspace-events` is published as `<event>` on __keyspace@<db>__:<key> (flag K) and as `<key>` on
// __keyevent@<db>__:<event> (flag E). Handlers raise theirs through `ctx.notify`; the keyspace raises
// `expired`, `new` and `keymiss`, the evictor `evicted`, all through this one notifier.

import {
  eventClassBit,
  keyspaceEventsStringToFlags,
  NOTIFY_KEYEVENT,
  NOTIFY_KEYSPACE,
  type EventClass,
} from '../config/keyspace-event-flags.js'
import type {PubSub} from './pubsub.js'

export type {EventClass} from '../config/keyspace-event-flags.js'

export class KeyspaceNotifier {
  private lastText = ''
  private flags = 0

  constructor(
    private readonly setting: () => string | undefined,
    private readonly pubsub: Pick<PubSub, 'publish'>,
  ) {}

  /** The enabled classes, re-read only when the directive's text changed. */
  private currentFlags(): number {
    const text = this.setting() ?? ''
    if (text !== this.lastText) {
      this.lastText = text
      const flags = keyspaceEventsStringToFlags(text)
      this.flags = flags < 0 ? 0 : flags
    }
    return this.flags
  }

  /** True when events of this class would be published (to skip building them). */
  enabled(eventClass: EventClass): boolean {
    return (this.currentFlags() & eventClassBit(eventClass)) !== 0
  }

  /** notifyKeyspaceEvent(type, event, key, dbid); `key` as a latin1 string (the keyspace's form) or bytes. */
  notify(eventClass: EventClass, event: string, key: string | Buffer, dbIndex: number): void {
    const flags = this.currentFlags()
    if ((flags & eventClassBit(eventClass)) === 0) return
    const keyBuf = typeof key === 'string' ? Buffer.from(key, 'latin1') : key
    const eventBuf = Buffer.from(event)
    if (flags & NOTIFY_KEYSPACE) this.pubsub.publish(Buffer.concat([Buffer.from(`__keyspace@${dbIndex}__:`), keyBuf]), eventBuf)
    if (flags & NOTIFY_KEYEVENT) this.pubsub.publish(Buffer.from(`__keyevent@${dbIndex}__:${event}`), keyBuf)
  }
}
