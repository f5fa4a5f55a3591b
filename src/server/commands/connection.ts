// Connection commands (Redis "connection" group): PING ECHO AUTH HELLO SELECT QUIT RESET.
// Texts and reply shapes follow Redis 7.0 (resp.md §6, §9); CLIENT lives in client-command.ts.

import {keyOf} from '../../common/key.js'
import {
  DB_INDEX_OUT_OF_RANGE,
  NOAUTH_HELLO,
  NOPROTO,
  NOT_INTEGER,
  INT_OUT_OF_RANGE,
  SYNTAX,
  WRONGPASS,
  AUTH_WITHOUT_PASSWORD,
  wrongArity,
} from '../../resp/errors.js'
import {bulk, EMPTY_ARRAY, error, int, map, OK, PONG, push, simple, type Reply} from '../../resp/reply.js'
import type {Client} from '../client.js'
import {NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import {REDIS_VERSION} from '../version.js'
import {parseInt64} from './args.js'
import {isValidClientName, INVALID_CLIENT_NAME} from './client-names.js'

const RESET_REPLY = simple('RESET')

const pingCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (args.length > 1) return wrongArity('ping')
  // A RESP2 subscriber gets PING as a pub/sub frame (pubsub.c: "pong" and the message, or "").
  if (ctx.client.inPubSubContext) return push([bulk('pong'), bulk(args[0] ?? Buffer.alloc(0))])
  return args[0] === undefined ? PONG : bulk(args[0])
}

const authCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (args.length > 2) return SYNTAX
  if (args.length === 1 && !ctx.server.requiresAuth()) return AUTH_WITHOUT_PASSWORD
  const [user, password] = args.length === 1 ? [Buffer.from('default'), args[0] as Buffer] : [args[0] as Buffer, args[1] as Buffer]
  if (!authenticate(ctx, ctx.client, user, password)) return WRONGPASS
  return OK
}

const helloCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const client = ctx.client
  let version: 2 | 3 | undefined
  if (args.length > 0) {
    const parsed = parseInt64(args[0] as Buffer)
    if (!parsed.ok) return error('ERR Protocol version is not an integer or out of range')
    if (parsed.value < 2n || parsed.value > 3n) return NOPROTO
    version = parsed.value === 2n ? 2 : 3
  }
  for (let j = 1; j < args.length; j++) {
    const option = (args[j] as Buffer).toString('latin1').toLowerCase()
    const more = args.length - 1 - j
    if (option === 'auth' && more >= 2) {
      if (!authenticate(ctx, client, args[j + 1] as Buffer, args[j + 2] as Buffer)) return WRONGPASS
      j += 2
    } else if (option === 'setname' && more >= 1) {
      const name = args[j + 1] as Buffer
      if (!isValidClientName(name)) return INVALID_CLIENT_NAME
      client.name = keyOf(name)
      j += 1
    } else {
      return error(`ERR Syntax error in HELLO option '${(args[j] as Buffer).toString('latin1')}'`)
    }
  }
  if (!client.authenticated) return NOAUTH_HELLO
  if (version !== undefined) client.resp = version
  return map([
    [bulk('server'), bulk('redis')],
    [bulk('version'), bulk(REDIS_VERSION)],
    [bulk('proto'), int(client.resp)],
    [bulk('id'), int(client.id)],
    [bulk('mode'), bulk(ctx.server.mode)],
    // A sentinel's HELLO has no role field.
    ...(ctx.server.mode === 'sentinel' ? [] : [[bulk('role'), bulk(ctx.server.isReplica() ? 'replica' : 'master')] as const]),
    [bulk('modules'), EMPTY_ARRAY],
  ])
}

const selectCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const parsed = parseInt64(args[0] as Buffer)
  if (!parsed.ok) return NOT_INTEGER
  // getIntFromObjectOrReply: the value must fit a C int.
  if (parsed.value > 2147483647n || parsed.value < -2147483648n) return INT_OUT_OF_RANGE
  const index = Number(parsed.value)
  if (index < 0 || index >= ctx.keyspace.databases.length) return DB_INDEX_OUT_OF_RANGE
  ctx.client.dbIndex = index
  return OK
}

const quitCommand = (ctx: CommandContext): Reply => {
  ctx.client.closing = true
  return OK
}

const resetCommand = (ctx: CommandContext): Reply => {
  resetClient(ctx, ctx.client)
  return RESET_REPLY
}

const echoCommand = (_ctx: CommandContext, args: readonly Buffer[]): Reply => bulk(args[0] as Buffer)

export const connectionCommands: readonly CommandSpec[] = [
  {name: 'ping', arity: -1, flags: ['fast'], keys: NO_KEYS, categories: ['fast', 'connection'], handler: pingCommand},
  {name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], keys: NO_KEYS, categories: ['fast', 'connection'], handler: echoCommand},
  {name: 'auth', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], keys: NO_KEYS, categories: ['fast', 'connection'], handler: authCommand},
  {name: 'hello', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], keys: NO_KEYS, categories: ['fast', 'connection'], handler: helloCommand},
  {name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], keys: NO_KEYS, categories: ['fast', 'connection'], handler: selectCommand},
  {name: 'quit', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], keys: NO_KEYS, categories: ['fast', 'connection'], handler: quitCommand},
  {name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], keys: NO_KEYS, categories: ['fast', 'connection'], handler: resetCommand},
]

/**
 * Only the `default` user exists (requirepass is its password, acl.c ACLAuthenticateUser). Without
 * requirepass the default user is `nopass`, so any password is accepted for it.
 */
function authenticate(ctx: CommandContext, client: Client, user: Buffer, password: Buffer): boolean {
  if (user.toString('latin1') !== 'default') {
    ctx.stats.aclAccessDeniedAuth++
    return false
  }
  const required = ctx.config.requirepass()
  if (required !== '' && !Buffer.from(required, 'latin1').equals(password)) {
    ctx.stats.aclAccessDeniedAuth++
    return false
  }
  client.authenticated = true
  return true
}

/** RESET (networking.c resetCommand → clearClientConnectionState): back to a fresh connection's state. */
export function resetClient(ctx: CommandContext, client: Client): void {
  client.multi = undefined
  ctx.clients.unwatchAll(client)
  ctx.pubsub.unsubscribeAll(client)
  ctx.tracking.disable(client)
  if (client.isMonitor) ctx.clients.stopMonitor(client)
  if (client.kind === 'pubsub') client.kind = 'normal'
  client.resp = 2
  client.dbIndex = 0
  client.name = ''
  client.repliesOff = false
  client.skipThisReply = false
  client.skipNextReply = false
  client.noEvict = false
  client.noTouch = false
  client.authenticated = !ctx.server.requiresAuth()
}
