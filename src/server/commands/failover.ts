// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] (replication.c failoverCommand): the arguments and
// the checks, in Redis's order; the failover itself runs in server/replication/failover.ts.

import {SYNTAX} from '../../resp/errors.js'
import {error, OK, type Reply} from '../../resp/reply.js'
import {NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import {isOption, parseInt64} from './args.js'

const NOT_AN_INTEGER = error('ERR value is not an integer or out of range')
const LONG_MIN = -(2n ** 63n)
const LONG_MAX = 2n ** 63n - 1n

/** getLongFromObjectOrReply: a 64-bit integer, or the generic integer error. */
const parseLong = (arg: Buffer): bigint | undefined => {
  const parsed = parseInt64(arg)
  return parsed.ok && parsed.value >= LONG_MIN && parsed.value <= LONG_MAX ? parsed.value : undefined
}

const failoverCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const failover = ctx.replication.failover
  if (args.length === 1 && isOption(args[0], 'ABORT')) {
    if (failover.state === 'no-failover') return error('ERR No failover in progress.')
    failover.abort('Failover manually aborted')
    return OK
  }
  let timeoutMs = 0n
  let force = false
  let target: {host: string; port: number} | undefined
  for (let j = 0; j < args.length; j++) {
    const arg = args[j] as Buffer
    if (isOption(arg, 'TIMEOUT') && j + 1 < args.length && timeoutMs === 0n) {
      const value = parseLong(args[j + 1] as Buffer)
      if (value === undefined) return NOT_AN_INTEGER
      if (value <= 0n) return error('ERR FAILOVER timeout must be greater than 0')
      timeoutMs = value
      j++
    } else if (isOption(arg, 'TO') && j + 2 < args.length && target === undefined) {
      const port = parseLong(args[j + 2] as Buffer)
      if (port === undefined) return NOT_AN_INTEGER
      // Redis keeps the port in an int when it looks the replica up.
      target = {host: (args[j + 1] as Buffer).toString('latin1'), port: Number(BigInt.asIntN(32, port))}
      j += 2
    } else if (isOption(arg, 'FORCE') && !force) {
      force = true
    } else {
      return SYNTAX
    }
  }
  if (failover.state !== 'no-failover') return error('ERR FAILOVER already in progress.')
  if (ctx.replication.isReplica()) return error('ERR FAILOVER is not valid when server is a replica.')
  if (ctx.replication.replicaCount() === 0) return error('ERR FAILOVER requires connected replicas.')
  if (force && (timeoutMs === 0n || target === undefined)) return error('ERR FAILOVER with force option requires both a timeout and target HOST and IP.')
  if (target !== undefined) {
    const replica = failover.findReplica(target.host, target.port)
    if (replica === undefined) return error('ERR FAILOVER target HOST and PORT is not a replica.')
    if (replica.state !== 'online') return error('ERR FAILOVER target replica is not online.')
  }
  failover.begin({target, timeoutMs: Number(timeoutMs), force})
  return OK
}

export const failoverCommands: readonly CommandSpec[] = [
  {name: 'failover', arity: -1, flags: ['admin', 'noscript', 'stale'], keys: NO_KEYS, categories: ['admin', 'slow', 'dangerous'], handler: failoverCommand},
]
