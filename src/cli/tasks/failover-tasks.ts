// The live views shared by kill, pause, resume, start and failover: a sentinel failover followed event by
// event (+sdown … +switch-master, each with its elapsed ms) and then checked through INFO replication; the
// replicas of a master with no sentinel losing their link; and an old master rejoining as a replica.

import {Listr} from 'listr2'
import {RtopoError} from '../errors.js'
import {isPaused, readPid} from '../../supervisor/process.js'
import {FAILOVER_EVENTS, RECONF_EVENTS, type FailoverWatch, type SeenEvent} from '../../topology/failover-watch.js'
import {currentMaster, serverStatus} from '../../topology/inspect.js'
import {waitUntil} from '../../topology/health.js'
import type {PlannedNode, TopologyPlan} from '../../topology/plan.js'

type ListrOptions = {renderer?: 'silent'; fallbackRendererCondition: boolean}

/** What a command hands to the views: where to print and how listr2 should render. */
export interface ViewHost {
  log(line: string): void
  listrOptions(): ListrOptions
}

export interface FailoverOutcome {
  newMaster?: {id: string; port: number}
  events: SeenEvent[]
  elapsedMs: number
}

export interface FollowOptions {
  timeoutMs: number
  /** A planned switchover (SENTINEL FAILOVER) has no +sdown / +odown. */
  forced?: boolean
  /** The old master stays up (switchover): wait until it too follows the new master. */
  oldMasterRejoins?: boolean
  /** Servers cut off from the new master (a partition): not expected to follow it. */
  cannotFollow?: readonly string[]
}

/** Servers of the group, other than `old`, that run and are not paused. */
const liveOthers = (plan: TopologyPlan, old: PlannedNode): PlannedNode[] =>
  plan.nodes.filter((n) => {
    if (n.kind !== 'server' || n.group !== old.group || n.id === old.id) return false
    const state = readPid(n)
    return state.state === 'running' && !isPaused(state.pid)
  })

const linkedTo = async (plan: TopologyPlan, node: PlannedNode, master: PlannedNode): Promise<boolean> => {
  const s = await serverStatus(node.port, plan.password)
  return s?.role === 'slave' && s.masterPort === master.port && s.linkStatus === 'up'
}

/**
 * Prints each failover event once, as it arrives (so in time order, whichever sentinel published it first),
 * with its elapsed ms, then checks the new master and its replicas.
 */
export async function followFailover(host: ViewHost, plan: TopologyPlan, old: PlannedNode, watch: FailoverWatch, options: FollowOptions): Promise<FailoverOutcome> {
  const started = Date.now()
  const otherReplicas = liveOthers(plan, old).filter((n) => !options.cannotFollow?.includes(n.id))
  const expected = FAILOVER_EVENTS.filter((e) => (otherReplicas.length > 1 || !RECONF_EVENTS.has(e)) && !(options.forced && (e === '+sdown' || e === '+odown')))
  let newMaster: PlannedNode | undefined
  try {
    const switched = await printEventsUntilSeen(host, watch, expected, started + options.timeoutMs)
    const port = Number(switched.message.trim().split(' ').pop())
    newMaster = plan.nodes.find((n) => n.port === port)
    const nm = newMaster
    if (!nm) throw new Error(`the sentinels named port ${port} as the new master, which is not a node of this topology`)
    await new Listr([{
      title: 'verify the new master and its replicas through INFO replication',
      task: async (_: unknown, task: {title: string}) => {
        await waitUntil(async () => (await serverStatus(nm.port, plan.password))?.role === 'master', 30_000, `${nm.id} role:master`)
        const replicas = [...otherReplicas.filter((r) => r.id !== nm.id), ...(options.oldMasterRejoins ? [old] : [])]
        await Promise.all(replicas.map((r) => waitUntil(() => linkedTo(plan, r, nm), 60_000, `${r.id} linked to ${nm.id}`)))
        task.title = `${nm.id} (port ${nm.port}) is role:master; ${replicas.length} replica(s) linked to it`
      },
    }], {...host.listrOptions(), exitOnError: true}).run()
  } catch (cause) {
    throw new RtopoError(`failover not completed: ${(cause as Error).message}`, ['rtopo status', 'rtopo logs sentinel-1'])
  }
  const elapsedMs = Date.now() - started
  host.log(`failover done in ${elapsedMs} ms: new master ${newMaster?.id} (port ${newMaster?.port})`)
  return {newMaster: newMaster && {id: newMaster.id, port: newMaster.port}, events: [...watch.events()], elapsedMs}
}

/** The event line every live view prints: name, elapsed ms since the fault, the sentinel's message. */
export const eventLine = (e: SeenEvent): string => `${e.event.padEnd(36)} ${String(e.elapsedMs).padStart(6)} ms  ${e.message}`

/** Logs the first occurrence of each expected event as it arrives; resolves with +switch-master once all are in. */
async function printEventsUntilSeen(host: ViewHost, watch: FailoverWatch, expected: readonly string[], deadline: number): Promise<SeenEvent> {
  const wanted = new Set(expected)
  const printed = new Set<string>()
  let cursor = 0
  for (;;) {
    const seen = watch.events()
    for (; cursor < seen.length; cursor++) {
      const e = seen[cursor] as SeenEvent
      if (!wanted.has(e.event) || printed.has(e.event)) continue
      printed.add(e.event)
      host.log(eventLine(e))
    }
    if (printed.size === wanted.size) return seen.find((e) => e.event === '+switch-master') as SeenEvent
    if (Date.now() > deadline) {
      const missing = expected.filter((e) => !printed.has(e))
      throw new Error(`no ${missing.join(', ')} within the timeout`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Without sentinels: the master's own replicas lose their link (further down a chain they keep theirs). */
export async function followLinksDown(host: ViewHost, plan: TopologyPlan, master: PlannedNode): Promise<void> {
  const candidates = liveOthers(plan, master)
  const statuses = await Promise.all(candidates.map((n) => serverStatus(n.port, plan.password)))
  const replicas = candidates.filter((_, i) => statuses[i]?.masterPort === master.port)
  const started = Date.now()
  await new Listr(replicas.map((r) => ({
    title: `${r.id} (port ${r.port}) loses its link`,
    task: async (_: unknown, task: {title: string}) => {
      await waitUntil(async () => (await serverStatus(r.port, plan.password))?.linkStatus === 'down', 120_000, `${r.id} master_link_status:down`)
      task.title = `${r.id} (port ${r.port}) master_link_status:down after ${Date.now() - started} ms — still a replica, still refusing writes`
    },
  })), {concurrent: true, ...host.listrOptions()}).run()
}

/** A server that is not its group's current master is converted by the sentinels (+convert-to-slave). */
export async function followRejoin(host: ViewHost, plan: TopologyPlan, servers: readonly PlannedNode[], timeoutMs = 60_000): Promise<void> {
  for (const node of servers) {
    const master = await currentMaster(plan, node.group ?? '')
    if (!master || master.id === node.id) continue
    const started = Date.now()
    await new Listr([{
      title: `${node.id} rejoins as a replica of ${master.id} (port ${master.port})`,
      task: async (_: unknown, task: {title: string}) => {
        await waitUntil(() => linkedTo(plan, node, master), timeoutMs, `${node.id} to replicate from ${master.id}`)
        task.title = `${node.id} is now role:slave of ${master.id} (port ${master.port}), link up after ${Date.now() - started} ms`
      },
    }], {...host.listrOptions()}).run()
  }
}

/** True when `node` is a server that reports role:master and has other servers in its group to take over. */
export async function isMasterWithPeers(plan: TopologyPlan, node: PlannedNode): Promise<boolean> {
  if (node.kind !== 'server') return false
  const status = await serverStatus(node.port, plan.password)
  return status?.role === 'master' && plan.nodes.some((n) => n.kind === 'server' && n.group === node.group && n.id !== node.id)
}
