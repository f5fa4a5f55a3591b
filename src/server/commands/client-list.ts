// The CLIENT LIST / CLIENT INFO line (networking.c catClientInfoString), field for field as Redis 7.0
// prints it (resp.md §11). Memory fields are estimates: the bundled server has no per-client allocator.

import type {Client, ClientKind} from '../client.js'

/** getClientType: pub/sub is a property of the subscriptions; replica, master and normal come from `kind`. */
export function clientType(client: Client): ClientKind {
  if (client.kind === 'replica' || client.kind === 'master') return client.kind
  if (client.inPubSub) return 'pubsub'
  return 'normal'
}

/** Parses a CLIENT KILL / CLIENT LIST type name; `slave` is an alias of replica. */
export function parseClientType(text: string): ClientKind | undefined {
  switch (text.toLowerCase()) {
    case 'normal': return 'normal'
    case 'pubsub': return 'pubsub'
    case 'replica':
    case 'slave': return 'replica'
    case 'master': return 'master'
    default: return undefined
  }
}

/** The flag letters in Redis's order; 'N' when none applies. */
export function clientFlags(client: Client): string {
  let flags = ''
  if (client.isMonitor) flags += 'O'
  else if (client.kind === 'replica') flags += 'S'
  if (client.kind === 'master') flags += 'M'
  if (client.inPubSub) flags += 'P'
  if (client.blocked !== undefined) flags += 'b'
  if (client.multi !== undefined) flags += 'x'
  if (client.tracking !== undefined) flags += 't'
  if (client.tracking?.brokenRedirect === true) flags += 'R'
  if (client.tracking?.bcast === true) flags += 'B'
  if (client.multi?.aborted === true) flags += 'd'
  if (client.closing) flags += 'c'
  if (client.unixSocket) flags += 'U'
  if (client.noEvict) flags += 'e'
  if (client.noTouch) flags += 'T'
  return flags === '' ? 'N' : flags
}

/** tot-mem (getClientMemoryUsage): what maxmemory-clients counts for the client. */
export const clientTotalMemory = (client: Client): number => 22298 + client.sink.queryBufferBytes() + client.sink.outputBytes()

/** One line without the trailing newline. `currentCommand` is what the calling client is running now. */
export function clientInfoLine(client: Client, nowMs: number, fd: number, currentCommand?: string): string {
  const qbuf = client.sink.queryBufferBytes()
  const omem = client.sink.outputBytes()
  const multiCount = client.multi === undefined ? -1 : client.multi.queue.length
  const fields: [string, string | number][] = [
    ['id', client.id],
    ['addr', client.remoteAddress],
    ['laddr', client.localAddress],
    ['fd', fd],
    ['name', client.name],
    ['age', Math.floor((nowMs - client.createdAtMs) / 1000)],
    ['idle', Math.floor((nowMs - client.lastCommandAtMs) / 1000)],
    ['flags', clientFlags(client)],
    ['db', client.dbIndex],
    ['sub', client.channels.size],
    ['psub', client.patterns.size],
    ['ssub', client.shardChannels.size],
    ['multi', multiCount],
    ['qbuf', qbuf],
    ['qbuf-free', Math.max(0, 20474 - qbuf)],
    ['argv-mem', 0],
    ['multi-mem', 0],
    ['rbs', 16384],
    ['rbp', 16384],
    ['obl', 0],
    ['oll', 0],
    ['omem', omem],
    ['tot-mem', clientTotalMemory(client)],
    ['events', 'r'],
    ['cmd', currentCommand ?? client.lastCommandName],
    ['user', 'default'],
    ['redir', client.tracking?.redirect ?? -1],
    ['resp', client.resp],
  ]
  return fields.map(([k, v]) => `${k}=${v}`).join(' ')
}
