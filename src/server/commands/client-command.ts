// CLIENT and its subcommands (networking.c clientCommand) as Redis 7.0 answers them, plus the 7.2
// additions current clients send (SETINFO, NO-TOUCH), accepted so handshakes see +OK.

import {keyOf} from '../../common/key.js'
import {INVALID_CLIENT_NAME, NO_SUCH_CLIENT, SYNTAX, UNBLOCKED, unknownClientType, unknownSubcommand} from '../../resp/errors.js'
import {bulk, bulkOrNil, error, int, NONE, OK, verbatim, type Reply} from '../../resp/reply.js'
import {timeoutReplyOf} from '../blocking.js'
import type {Client, ClientKind} from '../client.js'
import {NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import {isOption, parseInt64} from './args.js'
import {isValidClientName} from './client-names.js'
import {clientInfoLine, clientType, parseClientType} from './client-list.js'
import {cachingCommand, getredirCommand, trackingCommand, trackinginfoCommand} from './client-tracking.js'
import {helpReply} from './help.js'

const CLIENT_HELP = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
]

const SUB_FLAGS = ['noscript', 'loading', 'stale'] as const
const ADMIN_FLAGS = ['admin', 'noscript', 'loading', 'stale'] as const
const CATEGORIES = ['slow', 'connection'] as const
const ADMIN_CATEGORIES = ['admin', 'slow', 'dangerous', 'connection'] as const

interface KillFilter {
  id?: number
  addr?: string
  laddr?: string
  type?: ClientKind
  user?: string
  skipMe: boolean
}

/** A stable pseudo file descriptor per client (CLIENT LIST fd=). */
const fdOf = (client: Client): number => client.id + 7

const line = (ctx: CommandContext, client: Client, current: string): string =>
  clientInfoLine(client, ctx.clock.nowMs(), fdOf(client), client === ctx.client ? current : undefined)

const listCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  let type: ClientKind | undefined
  let ids: Set<number> | undefined
  if (args.length === 2 && isOption(args[0], 'TYPE')) {
    const text = (args[1] as Buffer).toString('latin1')
    type = parseClientType(text)
    if (type === undefined) return unknownClientType(text)
  } else if (args.length >= 2 && isOption(args[0], 'ID')) {
    ids = new Set()
    for (const arg of args.slice(1)) {
      const id = parseInt64(arg)
      if (!id.ok || id.value <= 0n) return error('ERR Invalid client ID')
      ids.add(Number(id.value))
    }
  } else if (args.length !== 0) {
    return SYNTAX
  }
  let text = ''
  for (const client of ctx.clients.all()) {
    if (type !== undefined && clientType(client) !== type) continue
    if (ids !== undefined && !ids.has(client.id)) continue
    text += `${line(ctx, client, 'client|list')}\n`
  }
  return verbatim(text)
}

const infoCommand = (ctx: CommandContext): Reply => verbatim(`${line(ctx, ctx.client, 'client|info')}\n`)

const killCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (args.length === 1) {
    // Old form: CLIENT KILL ip:port → +OK or an error; the caller may kill itself (after the reply).
    const addr = (args[0] as Buffer).toString('latin1')
    const target = [...ctx.clients.all()].find((client) => client.remoteAddress === addr)
    if (target === undefined) return NO_SUCH_CLIENT
    killClient(target, ctx.client)
    return OK
  }
  const filter = parseKillFilter(args)
  if ('kind' in filter) return filter
  let killed = 0
  for (const client of [...ctx.clients.all()]) {
    if (!matchesKillFilter(client, filter, ctx.client)) continue
    killClient(client, ctx.client)
    killed++
  }
  return int(killed)
}

const setnameCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const name = args[0] as Buffer
  if (!isValidClientName(name)) return INVALID_CLIENT_NAME
  ctx.client.name = keyOf(name)
  return OK
}

const replyCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const mode = (args[0] as Buffer).toString('latin1').toLowerCase()
  const client = ctx.client
  switch (mode) {
    case 'on':
      client.repliesOff = false
      client.skipThisReply = false
      return OK
    case 'off':
      client.repliesOff = true
      return NONE
    case 'skip':
      // SKIP while OFF changes nothing: every reply is dropped already.
      if (!client.repliesOff) client.skipNextReply = true
      return NONE
    default:
      return SYNTAX
  }
}

/** CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the timeout, as networking.c does. */
const pauseCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (args.length > 2) return error(`ERR unknown subcommand or wrong number of arguments for '${(ctx.argv?.[1] as Buffer).toString('latin1')}'. Try CLIENT HELP.`)
  let type: 'write' | 'all' = 'all'
  if (args.length === 2) {
    if (isOption(args[1], 'WRITE')) type = 'write'
    else if (!isOption(args[1], 'ALL')) return error('ERR CLIENT PAUSE mode must be WRITE or ALL')
  }
  const timeout = parseInt64(args[0] as Buffer)
  if (!timeout.ok) return error('ERR timeout is not an integer or out of range')
  if (timeout.value < 0n) return error('ERR timeout is negative')
  ctx.clients.pause(pauseEnd(timeout.value, ctx.clock.nowMs()), type)
  return OK
}

/**
 * The absolute end of a pause: 0 for a zero timeout (already over), else now + timeout in the signed 64-bit
 * arithmetic of mstime_t, where a sum past the maximum wraps negative and so has ended at once too.
 */
const pauseEnd = (timeoutMs: bigint, nowMs: number): number => {
  if (timeoutMs === 0n) return 0
  return Number(BigInt.asIntN(64, timeoutMs + BigInt(nowMs)))
}

const onOff = (apply: (client: Client, on: boolean) => void) => (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (isOption(args[0], 'ON')) apply(ctx.client, true)
  else if (isOption(args[0], 'OFF')) apply(ctx.client, false)
  else return SYNTAX
  return OK
}

const setinfoCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const attr = (args[0] as Buffer).toString('latin1').toLowerCase()
  const value = args[1] as Buffer
  if (attr !== 'lib-name' && attr !== 'lib-ver') return error(`ERR Unrecognized option '${(args[0] as Buffer).toString('latin1')}'`)
  if (!isValidClientName(value)) return error(`ERR ${attr} cannot contain spaces, newlines or special characters.`)
  if (attr === 'lib-name') ctx.client.libName = keyOf(value)
  else ctx.client.libVersion = keyOf(value)
  return OK
}

const unblockCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const id = parseInt64(args[0] as Buffer)
  if (!id.ok) return error('ERR value is not an integer or out of range')
  if (args.length > 2 || (args.length === 2 && !isOption(args[1], 'TIMEOUT') && !isOption(args[1], 'ERROR'))) {
    return error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR')
  }
  const target = ctx.clients.byId(Number(id.value))
  if (target?.blocked === undefined) return int(0)
  if (ctx.clients.isPostponed(target)) {
    // A paused client is processed again at once, which postpones it again; ERROR also sends it the error.
    if (isOption(args[1], 'ERROR')) target.sink.push(UNBLOCKED)
    return int(1)
  }
  const reply = isOption(args[1], 'ERROR') ? UNBLOCKED : timeoutReplyOf(target.blocked.operation)
  return int(ctx.clients.unblock(target, reply) ? 1 : 0)
}

const sub = (name: string, arity: number, admin: boolean, handler: CommandSpec['handler']): CommandSpec => ({
  name: `client|${name}`,
  arity,
  flags: admin ? ADMIN_FLAGS : SUB_FLAGS,
  keys: NO_KEYS,
  categories: admin ? ADMIN_CATEGORIES : CATEGORIES,
  handler,
})

const subcommands: CommandSpec[] = [
  sub('id', 2, false, (ctx) => int(ctx.client.id)),
  sub('setname', 3, false, setnameCommand),
  sub('getname', 2, false, (ctx) => (ctx.client.name === '' ? bulkOrNil(null) : bulk(Buffer.from(ctx.client.name, 'latin1')))),
  sub('list', -2, true, listCommand),
  sub('info', 2, false, infoCommand),
  sub('kill', -3, true, killCommand),
  sub('no-evict', 3, true, onOff((c, on) => (c.noEvict = on))),
  sub('no-touch', 3, false, onOff((c, on) => (c.noTouch = on))),
  sub('setinfo', 4, false, setinfoCommand),
  sub('reply', 3, false, replyCommand),
  sub('pause', -3, true, pauseCommand),
  sub('unpause', 2, true, (ctx) => {
    ctx.clients.unpause()
    return OK
  }),
  sub('unblock', -3, true, unblockCommand),
  sub('tracking', -3, false, trackingCommand),
  sub('caching', 3, false, cachingCommand),
  sub('getredir', 2, false, getredirCommand),
  sub('trackinginfo', 2, false, trackinginfoCommand),
  {...sub('help', 2, false, () => helpReply('CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', CLIENT_HELP)), flags: ['loading', 'stale']},
]
export const clientCommands: readonly CommandSpec[] = [{
  name: 'client',
  arity: -2,
  flags: [],
  keys: NO_KEYS,
  categories: ['slow'],
  handler: (_ctx, args) => unknownSubcommand((args[0] as Buffer).toString('latin1'), 'client'),
  subcommands,
}]

/** Killing the caller itself closes it after this reply; anyone else is closed at once. */
function killClient(target: Client, caller: Client): void {
  if (target === caller) caller.closing = true
  else target.sink.close(true)
}

function parseKillFilter(args: readonly Buffer[]): KillFilter | Reply {
  const filter: KillFilter = {skipMe: true}
  if (args.length % 2 !== 0) return SYNTAX
  for (let i = 0; i < args.length; i += 2) {
    const option = (args[i] as Buffer).toString('latin1').toLowerCase()
    const value = (args[i + 1] as Buffer).toString('latin1')
    if (option === 'id') {
      const id = parseInt64(args[i + 1] as Buffer)
      if (!id.ok || id.value <= 0n) return error('ERR client-id should be greater than 0')
      filter.id = Number(id.value)
    } else if (option === 'type') {
      const type = parseClientType(value)
      if (type === undefined) return unknownClientType(value)
      filter.type = type
    } else if (option === 'addr') {
      filter.addr = value
    } else if (option === 'laddr') {
      filter.laddr = value
    } else if (option === 'user') {
      if (value !== 'default') return error(`ERR No such user '${value}'`)
      filter.user = value
    } else if (option === 'skipme') {
      const lower = value.toLowerCase()
      if (lower !== 'yes' && lower !== 'no') return SYNTAX
      filter.skipMe = lower === 'yes'
    } else {
      return SYNTAX
    }
  }
  return filter
}

function matchesKillFilter(client: Client, filter: KillFilter, caller: Client): boolean {
  if (filter.id !== undefined && client.id !== filter.id) return false
  if (filter.addr !== undefined && client.remoteAddress !== filter.addr) return false
  if (filter.laddr !== undefined && client.localAddress !== filter.laddr) return false
  if (filter.type !== undefined && clientType(client) !== filter.type) return false
  if (filter.skipMe && client === caller) return false
  return true
}
