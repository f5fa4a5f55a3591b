// Composition of client-side caching: the server side of the Tracking host port, and the points of a command's
// life where Redis consults tracking (processCommand's trackingLimitUsedSlots, call()'s trackingRememberKeys,
// resetClient's end of CLIENT CACHING, afterCommand's pending invalidations).

import {keyOf} from '../common/key.js'
import type {Client} from './client.js'
import type {Caller, CommandSpec} from './command-spec.js'
import type {Dispatcher} from './dispatcher.js'
import {keysOf} from './commands/keys-of.js'
import type {Server} from './server.js'
import {Tracking} from './tracking.js'

/** The script commands whose own keys are not remembered (call() leaves them to the commands they run). */
const SCRIPTS_RO = new Set(['eval_ro', 'evalsha_ro', 'fcall_ro'])
const CLIENT = Buffer.from('client')

export function createTracking(server: Server, requestClient: () => Client | undefined): Tracking {
  return new Tracking({
    clientById: (id) => server.clients.get(id)?.client,
    clients: () => [...server.clients.values()].map((c) => c.client),
    currentClient: () => server.dispatcher.outermostClient ?? requestClient(),
    inCall: () => server.dispatcher.currentCall !== undefined,
    maxKeys: () => Number(server.config.get('tracking-table-max-keys') ?? 1000000),
  })
}

/**
 * After a read-only command of a tracking client (not in BCAST mode): the keys it read are remembered. A read a
 * script makes counts for the script's caller, with the keys its EVAL or FCALL declared (call() passes
 * server.script_caller, whose argv is the script call).
 */
export function rememberReadKeys(tracking: Tracking, dispatcher: Dispatcher, client: Client, spec: CommandSpec, argv: readonly Buffer[], caller: Caller): void {
  if (!spec.flags.includes('readonly') || SCRIPTS_RO.has(spec.name)) return
  const outer = caller === 'script' ? dispatcher.outermostCall : undefined
  const reader = outer?.client ?? client
  const [readSpec, readArgv] = outer?.spec !== undefined && outer.argv !== undefined ? [outer.spec, outer.argv] : [spec, argv]
  const mode = reader.tracking
  if (mode === undefined || mode.bcast) return
  const keys = keysOf(readSpec, readArgv)
  // Shard channels are keys in the key specs only so that cluster clients can route them.
  if (keys.length === 0 || readSpec.flags.includes('pubsub')) return
  tracking.rememberKeys(reader, keys.map((k) => keyOf(readArgv[k.pos] as Buffer)))
}

/**
 * resetClient: CLIENT CACHING applies to the next command, or the whole next transaction; any CLIENT command
 * (CACHING itself) leaves it set.
 */
export function endCachingOverride(client: Client, argv: readonly Buffer[]): void {
  const tracking = client.tracking
  if (tracking === undefined || !tracking.caching || client.multi !== undefined) return
  const name = argv[0]
  if (name !== undefined && name.length === CLIENT.length && name.toString('latin1').toLowerCase() === 'client') return
  tracking.caching = false
}
