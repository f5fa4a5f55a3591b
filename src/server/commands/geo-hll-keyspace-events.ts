// Keyspace events of the geo and HyperLogLog commands (notify.c notifyKeyspaceEvent): published on
// __keyspace@<db>__:<key> and __keyevent@<db>__:<event> when notify-keyspace-events enables the class
// ('$' strings, 'z' sorted sets, 'g' generic; 'A' all of them).

import type {CommandContext} from '../command-spec.js'

export type EventClass = '$' | 'z' | 'g'

export function notifyKeyspaceEvent(ctx: CommandContext, eventClass: EventClass, event: string, key: Buffer): void {
  const flags = ctx.server.getConfig('notify-keyspace-events') ?? ''
  if (!flags.includes(eventClass) && !flags.includes('A')) return
  const db = ctx.db.index
  if (flags.includes('K')) ctx.pubsub.publish(Buffer.concat([Buffer.from(`__keyspace@${db}__:`), key]), Buffer.from(event))
  if (flags.includes('E')) ctx.pubsub.publish(Buffer.from(`__keyevent@${db}__:${event}`), key)
}
