// Planned switchovers behind `rtopo failover`: a sentinel-run SENTINEL FAILOVER (steered to a chosen replica by
// setting replica-priority 0 on the others for its duration, the way operators do it), and the server-run
// FAILOVER of Redis 6.2+, which pauses writes and waits for the target to reach the master's offset first.

import type {Redis} from 'ioredis'
import {fieldsOf, parseInfo, withNode} from './inspect.js'
import type {PlannedNode, TopologyPlan} from './plan.js'

export class SwitchoverError extends Error {
  override readonly name = 'SwitchoverError'
}

const call = async <T>(port: number, password: string | undefined, fn: (c: Redis) => Promise<T>, what: string): Promise<T> => {
  let failure: Error | undefined
  const result = await withNode(port, password, async (c) => {
    try {
      return {value: await fn(c)}
    } catch (cause) {
      failure = cause as Error
      return undefined
    }
  })
  if (failure) throw new SwitchoverError(`${what}: ${failure.message}`)
  if (!result) throw new SwitchoverError(`${what}: port ${port} does not answer`)
  return result.value
}

/** replica-priority of each replica the sentinel lists for the group, by port. */
async function prioritiesSeenBy(sentinelPort: number, group: string): Promise<Map<number, number>> {
  const replicas = await call(sentinelPort, undefined, (c) => c.call('SENTINEL', 'REPLICAS', group) as Promise<string[][]>, `SENTINEL REPLICAS ${group}`)
  const seen = new Map<number, number>()
  for (const flat of replicas) {
    const f = fieldsOf(flat)
    seen.set(Number(f.port), Number(f['slave-priority']))
  }
  return seen
}

/**
 * Makes `target` the only replica the sentinel may promote: replica-priority 0 on every other live server of
 * the group, then waits until the sentinel's INFO refresh (every 10 s) has seen it. Returns the undo.
 */
export async function preferReplica(
  plan: TopologyPlan, others: readonly PlannedNode[], sentinelPort: number, group: string, timeoutMs: number,
): Promise<() => Promise<void>> {
  const previous = new Map<PlannedNode, string>()
  const restore = async () => {
    for (const [node, value] of previous) {
      await withNode(node.port, plan.password, (c) => c.call('CONFIG', 'SET', 'replica-priority', value))
    }
  }
  try {
    for (const node of others) {
      const current = await call(node.port, plan.password, (c) => c.call('CONFIG', 'GET', 'replica-priority') as Promise<string[]>, `CONFIG GET replica-priority on ${node.id}`)
      await call(node.port, plan.password, (c) => c.call('CONFIG', 'SET', 'replica-priority', '0'), `CONFIG SET replica-priority 0 on ${node.id}`)
      previous.set(node, current[1] ?? '100')
    }
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const seen = await prioritiesSeenBy(sentinelPort, group)
      if (others.every((n) => !seen.has(n.port) || seen.get(n.port) === 0)) return restore
      if (Date.now() > deadline) throw new SwitchoverError(`the sentinel on port ${sentinelPort} did not see replica-priority 0 on ${others.map((n) => n.id).join(', ')} within ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 250))
    }
  } catch (cause) {
    await restore()
    throw cause
  }
}

/**
 * Waits until the sentinel's cached replica-priority of each of `replicas` is the server's own. A sentinel only
 * learns a priority from a replica's INFO (every 10 s), and a master's INFO has no slave_priority line: a
 * replica promoted by the master's FAILOVER keeps, in the sentinel's eyes, the priority it last reported as a
 * replica, so a recent priority 0 would make the sentinel refuse it for good (NOGOODSLAVE).
 * Returns the replicas whose own priority is 0, which no sentinel will promote.
 */
export async function awaitSentinelPriorities(
  plan: TopologyPlan, replicas: readonly PlannedNode[], sentinelPort: number, group: string, timeoutMs: number,
): Promise<PlannedNode[]> {
  const own = new Map<PlannedNode, number>()
  for (const node of replicas) {
    const reply = await call(node.port, plan.password, (c) => c.call('CONFIG', 'GET', 'replica-priority') as Promise<string[]>, `CONFIG GET replica-priority on ${node.id}`)
    own.set(node, Number(reply[1] ?? 100))
  }
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const seen = await prioritiesSeenBy(sentinelPort, group)
    const stale = replicas.filter((n) => seen.has(n.port) && seen.get(n.port) !== own.get(n))
    if (stale.length === 0) return replicas.filter((n) => own.get(n) === 0)
    if (Date.now() > deadline) throw new SwitchoverError(`the sentinel on port ${sentinelPort} still has an old replica-priority for ${stale.map((n) => n.id).join(', ')} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** SENTINEL FAILOVER: the sentinel promotes a replica without agreement from the others (a forced failover). */
export async function sentinelFailover(sentinelPort: number, group: string, retryMs = 15_000): Promise<void> {
  const deadline = Date.now() + retryMs
  for (;;) {
    try {
      await call(sentinelPort, undefined, (c) => c.call('SENTINEL', 'FAILOVER', group), `SENTINEL FAILOVER ${group} on port ${sentinelPort}`)
      return
    } catch (cause) {
      // Right after a role change the sentinel may not yet hold a fresh INFO of the replica it should pick.
      if (!(cause instanceof SwitchoverError && cause.message.includes('NOGOODSLAVE')) || Date.now() > deadline) throw cause
      await new Promise((r) => setTimeout(r, 500))
    }
  }
}

export interface CoordinatedOptions {
  /** FAILOVER TIMEOUT: how long the master waits for the target to catch up (and keeps writes paused). */
  syncTimeoutMs: number
  /** FAILOVER FORCE: promote the target even when it has not caught up by the timeout. */
  force: boolean
  /** How long to wait for the whole switchover to end. */
  timeoutMs: number
  /** Called with each master_failover_state the old master reports. */
  onState?: (state: string) => void
}

export interface CoordinatedOutcome {
  /** The server now master (the target, or the replica the master picked). */
  newMasterPort?: number
  states: string[]
}

/** FAILOVER [TO host port] TIMEOUT ms [FORCE] on the master, followed through master_failover_state. */
export async function coordinatedFailover(plan: TopologyPlan, master: PlannedNode, target: PlannedNode | undefined, o: CoordinatedOptions): Promise<CoordinatedOutcome> {
  const args = [...(target ? ['TO', '127.0.0.1', String(target.port)] : []), 'TIMEOUT', String(o.syncTimeoutMs), ...(o.force ? ['FORCE'] : [])]
  await call(master.port, plan.password, (c) => c.call('FAILOVER', ...args), `FAILOVER ${args.join(' ')} on ${master.id}`)
  const states: string[] = []
  const deadline = Date.now() + o.timeoutMs
  for (;;) {
    const fields = await withNode(master.port, plan.password, async (c) => parseInfo(await c.info('replication')))
    const state = fields?.master_failover_state
    if (state !== undefined && states[states.length - 1] !== state) {
      states.push(state)
      o.onState?.(state)
    }
    if (fields && state === 'no-failover' && states.length > 0) {
      if (fields.role === 'slave') return {newMasterPort: Number(fields.master_port), states}
      throw new SwitchoverError(`${master.id} ended the FAILOVER still a master: the target did not catch up within ${o.syncTimeoutMs} ms (see its log; --force promotes anyway)`)
    }
    if (Date.now() > deadline) throw new SwitchoverError(`FAILOVER on ${master.id} did not end within ${o.timeoutMs} ms (last state ${state ?? 'unknown'})`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
