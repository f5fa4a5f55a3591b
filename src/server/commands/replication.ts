// The replication commands (replication.c): REPLICAOF/SLAVEOF, PSYNC and SYNC (a connection turning into a
// replica), REPLCONF (handshake options and ACKs) and WAIT. The state they act on is server/replication/.

import {SYNTAX} from '../../resp/errors.js'
import {error, int, NONE, OK, simple, type Reply} from '../../resp/reply.js'
import {NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import {clientInfoLine} from './client-list.js'
import {isOption, parseInt64, parseInteger} from './args.js'
import {failoverCommands} from './failover.js'

const ADMIN = {categories: ['admin', 'slow', 'dangerous'], keys: NO_KEYS} as const
const SYNC_FLAGS = ['admin', 'noscript', 'no_async_loading', 'no_multi'] as const
const ALREADY_CONNECTED = simple('OK Already connected to specified master')

const replicaofCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (ctx.replication.failover.state !== 'no-failover') return error('ERR REPLICAOF not allowed while failing over.')
  const requester = `user request from '${clientInfoLine(ctx.client, ctx.clock.nowMs(), -1)}'`
  if (isOption(args[0], 'NO') && isOption(args[1], 'ONE')) {
    if (ctx.replication.isReplica()) {
      ctx.replication.becomeMaster()
      ctx.server.logger.notice(`MASTER MODE enabled (${requester})`)
    }
    return OK
  }
  // Only following another master would drop the replicas, this client among them.
  if (ctx.client.kind === 'replica') return error('ERR Command is not valid when client is a replica.')
  const port = parseInt64(args[1] as Buffer)
  if (!port.ok || port.value < 0n || port.value > 65535n) return error('ERR Invalid master port')
  const host = (args[0] as Buffer).toString('latin1')
  const current = ctx.replication.masterAddress
  if (current !== undefined && current.host.toLowerCase() === host.toLowerCase() && current.port === Number(port.value)) {
    ctx.server.logger.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.')
    return ALREADY_CONNECTED
  }
  ctx.replication.becomeReplicaOf(host, Number(port.value))
  ctx.server.logger.notice(`REPLICAOF ${host}:${port.value} enabled (${requester})`)
  return OK
}

/** PSYNC replid offset [FAILOVER]: the FAILOVER form first makes this replica a master (syncCommand). */
const psyncCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (ctx.client.kind === 'replica') return NONE
  const replid = (args[0] as Buffer).toString('latin1')
  if (args.length > 2 && isOption(args[2], 'FAILOVER')) {
    const refused = ctx.replication.acceptFailoverRequest(replid, clientInfoLine(ctx.client, ctx.clock.nowMs(), -1))
    if (refused !== undefined) return refused
  }
  return ctx.replication.psync(ctx.client, replid, (args[1] as Buffer).toString('latin1'), false)
}

const replconfCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (args.length % 2 !== 0) return SYNTAX
  const client = ctx.client
  for (let i = 0; i < args.length; i += 2) {
    const option = (args[i] as Buffer).toString('latin1').toLowerCase()
    const value = args[i + 1] as Buffer
    switch (option) {
      case 'listening-port': {
        const port = parseInteger(value)
        if (!port.ok) return port.error
        client.replicaListeningPort = port.value
        break
      }
      case 'ip-address':
        // Longer than NET_HOST_STR_LEN - 1 is refused, as in replconfCommand.
        if (value.length >= 256) return error(`ERR REPLCONF ip-address provided by replica instance is too long: ${value.length} bytes`)
        client.replicaAnnouncedIp = value.toString('latin1')
        break
      case 'rdb-only': {
        // redis-cli --rdb asks for the snapshot alone; the value is validated like Redis (0 or 1).
        const flag = parseInteger(value)
        if (!flag.ok) return flag.error
        if (flag.value < 0 || flag.value > 1) return error('ERR value is out of range, value must between 0 and 1')
        break
      }
      case 'capa':
        client.replicaCapabilities.add(value.toString('latin1').toLowerCase())
        break
      case 'ack': {
        // Only replicas acknowledge, and an ACK is never answered.
        const offset = parseInt64(value)
        if (offset.ok && client.kind === 'replica') ctx.replication.acknowledge(client, Number(offset.value))
        return NONE
      }
      case 'getack':
        // Sent by a master to its replicas; the master link answers it. A client gets nothing.
        return NONE
      default:
        return error(`ERR Unrecognized REPLCONF option: ${(args[i] as Buffer).toString('latin1')}`)
    }
  }
  return OK
}

const waitCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (ctx.replication.isReplica()) return error('ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.')
  const wanted = parseInteger(args[0] as Buffer)
  if (!wanted.ok) return wanted.error
  const timeout = parseInt64(args[1] as Buffer)
  if (!timeout.ok) return error('ERR timeout is not an integer or out of range')
  if (timeout.value < 0n) return error('ERR timeout is negative')
  const target = ctx.replication.masterReplOffset
  const count = (): Reply => int(ctx.replication.replicasAcknowledging(target))
  const reached = ctx.replication.replicasAcknowledging(target)
  if (reached >= wanted.value || !ctx.mayBlock) return int(reached)
  ctx.replication.requestAcks()
  return ctx.block({
    keys: [],
    serve: () => (ctx.replication.replicasAcknowledging(target) >= wanted.value ? count() : undefined),
    timeoutReply: count,
    timeoutMs: Number(timeout.value),
  })
}

export const replicationCommands: readonly CommandSpec[] = [
  {name: 'replicaof', arity: 3, flags: ['admin', 'noscript', 'stale', 'no_async_loading'], ...ADMIN, handler: replicaofCommand},
  {name: 'slaveof', arity: 3, flags: ['admin', 'noscript', 'stale', 'no_async_loading'], ...ADMIN, handler: replicaofCommand},
  {name: 'psync', arity: -3, flags: SYNC_FLAGS, ...ADMIN, handler: psyncCommand},
  {name: 'sync', arity: 1, flags: SYNC_FLAGS, ...ADMIN, handler: (ctx) => ctx.replication.psync(ctx.client, '?', undefined, true)},
  {name: 'replconf', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], ...ADMIN, handler: replconfCommand},
  ...failoverCommands,
  {name: 'wait', arity: 3, flags: ['noscript'], keys: NO_KEYS, categories: ['slow', 'connection'], handler: waitCommand},
]
