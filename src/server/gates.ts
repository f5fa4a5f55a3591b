// The gates of a command (server.c processCommand), as one ordered list of named checks: each stops the
// command with its own error. They run after lookup and arity and before MULTI queueing or the call. A
// command from a client or the master runs them all; a nested call runs only the gates marked for its
// caller (a script's own: noscript and stale); EXEC's queued commands were gated as part of EXEC itself.

import {
  LOADING,
  MASTERDOWN,
  NOAUTH,
  NOT_ALLOWED_IN_MULTI,
  NOT_ALLOWED_FROM_SCRIPT,
  NOREPLICAS,
  OOM,
  READONLY_REPLICA,
  STALE_SCRIPT_REPLICA,
  pubsubContextOnly,
} from '../resp/errors.js'
import type {Reply} from '../resp/reply.js'
import type {Client} from './client.js'
import type {Caller, CommandFlag, CommandSpec} from './command-spec.js'

/** The server state the gates read. */
export interface GateState {
  requiresAuth(): boolean
  /** A replica with replica-read-only yes. */
  isReadOnlyReplica(): boolean
  /** A replica whose master link is down, with replica-serve-stale-data no. */
  isStaleReplica(): boolean
  /** The dataset is being loaded (LOADING). */
  isLoading(): boolean
  /** maxmemory is set, used memory is over it and eviction could free nothing more (evicts as it checks). */
  isOutOfMemory(): boolean
  /** The BUSY reply while a script (or another long job) runs and yields, else undefined. */
  busyReply(): Reply | undefined
  /** True when the master's stream is being applied (the outermost call's caller is 'master'). */
  isMasterCalling(): boolean
  /** A master with min-replicas-to-write / min-replicas-max-lag set and too few good replicas. */
  lacksGoodReplicas(): boolean
}

export interface Gate {
  /** Names the gate in docs and tests ('noauth', 'readonly' …). */
  readonly name: string
  readonly callers: ReadonlySet<Caller>
  check(client: Client, spec: CommandSpec, state: GateState): Reply | undefined
}

/**
 * The command has the flag, or it is EXEC and a queued command has it (processCommand's mstate.cmd_flags):
 * EXEC is refused as a whole for what its queue would do.
 */
export function hasFlag(client: Client, spec: CommandSpec, flag: CommandFlag): boolean {
  if (spec.flags.includes(flag)) return true
  return spec.name === 'exec' && client.multi !== undefined && client.multi.queue.some((q) => q.flags.includes(flag))
}

/** The command lacks the flag, or it is EXEC and a queued command lacks it (mstate.cmd_inv_flags). */
export function lacksFlag(client: Client, spec: CommandSpec, flag: CommandFlag): boolean {
  if (!spec.flags.includes(flag)) return true
  return spec.name === 'exec' && client.multi !== undefined && client.multi.queue.some((q) => !q.flags.includes(flag))
}

const TOP_LEVEL: ReadonlySet<Caller> = new Set(['client', 'master'])
const SCRIPT: ReadonlySet<Caller> = new Set(['script'])

/** Commands a RESP2 client may send while subscribed. */
const PUBSUB_CONTEXT = new Set(['ping', 'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset', 'ssubscribe', 'sunsubscribe'])
/** Inside MULTI, OOM refuses every command but these (they free memory or end the transaction). */
const OOM_EXEMPT_IN_MULTI = new Set(['exec', 'discard', 'quit', 'reset'])

/** The master (and the commands it runs) is obeyed: never refused as a write on a read-only replica. */
const obeysMaster = (client: Client, state: GateState): boolean => client.kind === 'master' || state.isMasterCalling()

/** In processCommand's order (ACL, cluster and disk-error gates have no counterpart here yet). */
export const GATES: readonly Gate[] = [
  {
    name: 'noauth',
    callers: TOP_LEVEL,
    check: (client, spec, state) => (!client.authenticated && state.requiresAuth() && !spec.flags.includes('no_auth') ? NOAUTH : undefined),
  },
  {
    name: 'no_multi',
    callers: TOP_LEVEL,
    check: (client, spec) => (client.multi !== undefined && spec.flags.includes('no_multi') ? NOT_ALLOWED_IN_MULTI : undefined),
  },
  {
    name: 'oom',
    callers: TOP_LEVEL,
    check: (client, spec, state) => {
      if (!state.isOutOfMemory()) return undefined
      const refusable = hasFlag(client, spec, 'denyoom') || (client.multi !== undefined && !OOM_EXEMPT_IN_MULTI.has(spec.name))
      return refusable ? OOM : undefined
    },
  },
  // deny_write_type (MISCONF after a failed BGSAVE) would come here, then checkGoodReplicasStatus().
  {
    name: 'noreplicas',
    callers: TOP_LEVEL,
    check: (client, spec, state) =>
      !obeysMaster(client, state) && hasFlag(client, spec, 'write') && state.lacksGoodReplicas() ? NOREPLICAS : undefined,
  },
  {
    name: 'readonly',
    callers: TOP_LEVEL,
    check: (client, spec, state) =>
      state.isReadOnlyReplica() && !obeysMaster(client, state) && hasFlag(client, spec, 'write') ? READONLY_REPLICA : undefined,
  },
  {
    name: 'pubsub',
    callers: TOP_LEVEL,
    check: (client, spec) => (client.inPubSubContext && !PUBSUB_CONTEXT.has(spec.name) ? pubsubContextOnly(spec.name) : undefined),
  },
  {
    name: 'masterdown',
    callers: TOP_LEVEL,
    check: (client, spec, state) => (state.isStaleReplica() && lacksFlag(client, spec, 'stale') ? MASTERDOWN : undefined),
  },
  {
    name: 'loading',
    callers: TOP_LEVEL,
    check: (client, spec, state) => (state.isLoading() && lacksFlag(client, spec, 'loading') ? LOADING : undefined),
  },
  {
    name: 'busy',
    callers: TOP_LEVEL,
    check: (_client, spec, state) => (spec.flags.includes('allow_busy') ? undefined : state.busyReply()),
  },
  // A script's own checks on what it calls (script.c scriptCall); the engine adds those that depend on the
  // script (read-only scripts, writes after a non-deterministic command, OOM before the first write).
  {
    name: 'noscript',
    callers: SCRIPT,
    check: (_client, spec) => (spec.flags.includes('noscript') ? NOT_ALLOWED_FROM_SCRIPT : undefined),
  },
  {
    name: 'script-stale',
    callers: SCRIPT,
    check: (_client, spec, state) => (state.isStaleReplica() && !spec.flags.includes('stale') ? STALE_SCRIPT_REPLICA : undefined),
  },
]

/** The gates that apply to each caller, in order. */
export const GATES_BY_CALLER: Readonly<Record<Caller, readonly Gate[]>> = {
  client: GATES.filter((g) => g.callers.has('client')),
  master: GATES.filter((g) => g.callers.has('master')),
  script: GATES.filter((g) => g.callers.has('script')),
  exec: GATES.filter((g) => g.callers.has('exec')),
}
