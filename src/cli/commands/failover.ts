import {Flags} from '@oclif/core'
import {Listr} from 'listr2'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag, groupFlag} from '../flags.js'
import {isPaused, readPid} from '../../supervisor/process.js'
import {FailoverWatch} from '../../topology/failover-watch.js'
import {currentMaster, serverStatus} from '../../topology/inspect.js'
import type {PlannedNode, TopologyPlan} from '../../topology/plan.js'
import {awaitSentinelPriorities, coordinatedFailover, preferReplica, sentinelFailover, SwitchoverError} from '../../topology/switchover.js'
import {followFailover, type FailoverOutcome} from '../tasks/failover-tasks.js'
import {faultLoadFlags} from '../load-flags.js'
import {markFault, runFaultWithLoad, type FaultLoad, type FaultLoadResult} from '../tasks/load-fault.js'

export interface FailoverResult extends FaultLoadResult {
  group: string
  oldMaster: {id: string; port: number}
  mode: 'sentinel' | 'coordinated'
  /** master_failover_state values the old master went through (coordinated). */
  states?: string[]
  newMaster?: {id: string; port: number}
  failover?: FailoverOutcome
  elapsedMs: number
}

const live = (node: PlannedNode): boolean => {
  const state = readPid(node)
  return state.state === 'running' && !isPaused(state.pid)
}

export default class Failover extends RtopoCommand {
  static override summary = 'Planned switchover of a group\'s master, followed live'
  static override description = `Without --coordinated, one sentinel runs SENTINEL FAILOVER: it promotes a replica at once, without waiting for the old master to be down, and writes the old master accepted that had not reached the replica are lost. --to picks the replica: the other replicas get replica-priority 0 until the switchover ends (the sentinel reads priorities every 10 s, so this can take that long to start).

With --coordinated, the master itself runs Redis's FAILOVER [TO host port] TIMEOUT ms [FORCE]: it pauses writes, waits until the target has its replication offset, hands over through PSYNC FAILOVER and turns itself into the target's replica, so no acknowledged write is lost. If the target does not catch up within --sync-timeout the master stays master (with --force it is promoted anyway). When sentinels watch the group, a SENTINEL FAILOVER steered to the new master then makes them adopt it at a new epoch, so that clients asking them follow.`
  static override examples = [
    '<%= config.bin %> failover',
    '<%= config.bin %> failover --to replica-2',
    '<%= config.bin %> failover --coordinated',
    '<%= config.bin %> failover --coordinated --to replica-1 --sync-timeout 2000 --force',
    '<%= config.bin %> failover --load --wait-replicas 1',
  ]
  static override flags = {
    dir: dirFlag,
    group: groupFlag,
    to: Flags.string({description: 'the replica to promote (replica-N, a node id or a port)'}),
    coordinated: Flags.boolean({description: 'use the master\'s FAILOVER command, which waits for the replica to catch up', default: false}),
    'sync-timeout': Flags.integer({description: 'with --coordinated: FAILOVER TIMEOUT, how long writes stay paused waiting for the target', default: 10_000, min: 1}),
    force: Flags.boolean({description: 'with --coordinated: FAILOVER FORCE, promote even if the target has not caught up (needs --to)', default: false}),
    timeout: Flags.integer({description: 'how long to follow the switchover, in ms', default: 120_000, min: 1}),
    ...faultLoadFlags,
  }

  async run(): Promise<FailoverResult> {
    const {flags} = await this.parse(Failover)
    const plan = this.loadPlan(flags.dir)
    if (flags.force && !flags.coordinated) throw new RtopoError('--force goes with --coordinated (it is FAILOVER\'s FORCE option)', ['rtopo failover --coordinated --to replica-1 --force'])
    if (flags.force && !flags.to) throw new RtopoError('--force needs --to: FAILOVER FORCE takes an explicit target', ['rtopo failover --coordinated --to replica-1 --force'])
    const group = this.groupName(plan, flags.group)
    const master = await currentMaster(plan, group)
    if (!master || !live(master)) throw new RtopoError(`${group} has no live master to hand over from`, ['rtopo status', 'rtopo verify'])
    const target = flags.to ? await this.target(plan, flags.to, flags.group, master) : undefined
    const sentinels = plan.nodes.filter((n) => n.kind === 'sentinel' && live(n))
    if (!flags.coordinated && sentinels.length === 0) {
      throw new RtopoError('no live sentinel to run SENTINEL FAILOVER', ['rtopo failover --coordinated   # the master\'s own FAILOVER needs no sentinel'])
    }
    const host = {log: (line: string) => this.log(line), json: this.jsonEnabled()}
    return runFaultWithLoad(host, plan, flags, group, (load) => this.switchOver(plan, group, master, target, sentinels, flags, load))
  }

  private async switchOver(plan: TopologyPlan, group: string, master: PlannedNode, target: PlannedNode | undefined, sentinels: PlannedNode[], flags: {coordinated: boolean; 'sync-timeout': number; force: boolean; timeout: number}, load: FaultLoad | undefined): Promise<FailoverResult> {
    const started = Date.now()
    const result: FailoverResult = {group, oldMaster: {id: master.id, port: master.port}, mode: flags.coordinated ? 'coordinated' : 'sentinel', elapsedMs: 0}
    try {
      let newMaster = target
      if (flags.coordinated) {
        if (sentinels.length > 0) await this.checkSentinelCanFollow(plan, group, master, target, sentinels[0] as PlannedNode)
        const outcome = await this.runCoordinated(plan, master, target, flags, load)
        result.states = outcome.states
        newMaster = plan.nodes.find((n) => n.port === outcome.newMasterPort)
        if (!newMaster) throw new RtopoError(`${master.id} now follows port ${outcome.newMasterPort}, which is not a node of this topology`, ['rtopo status'])
        result.newMaster = {id: newMaster.id, port: newMaster.port}
      }
      if (sentinels.length > 0) {
        result.failover = await this.runSentinel(plan, group, master, newMaster, sentinels[0] as PlannedNode, flags.timeout, load, !flags.coordinated)
        result.newMaster = result.failover.newMaster
      }
    } catch (cause) {
      if (cause instanceof SwitchoverError) throw new RtopoError(cause.message, ['rtopo status', 'rtopo logs master'])
      throw cause
    }
    result.elapsedMs = Date.now() - started
    this.log(`switchover done in ${result.elapsedMs} ms: ${result.newMaster?.id} (port ${result.newMaster?.port}) is the master of ${group}; ${master.id} is its replica`)
    return result
  }

  private groupName(plan: TopologyPlan, group: string | undefined): string {
    if (group) {
      if (!plan.groups.some((g) => g.name === group)) throw new RtopoError(`no group '${group}' (groups: ${plan.groups.map((g) => g.name).join(', ')})`, ['rtopo status'])
      return group
    }
    if (plan.groups.length > 1) throw new RtopoError(`there are ${plan.groups.length} groups; say which with --group (${plan.groups.map((g) => g.name).join(', ')})`)
    return (plan.groups[0] as {name: string}).name
  }

  private async target(plan: TopologyPlan, selector: string, group: string | undefined, master: PlannedNode): Promise<PlannedNode> {
    const node = (await this.select(plan, selector, group))[0] as PlannedNode
    if (node.kind !== 'server' || node.group !== master.group) throw new RtopoError(`${node.id} is not a server of ${master.group}`, ['rtopo status'])
    if (node.id === master.id) throw new RtopoError(`${node.id} is already the master of ${master.group}`, ['rtopo status'])
    if (!live(node)) throw new RtopoError(`${node.id} (port ${node.port}) is not running or is paused`, [`rtopo start ${node.id}`, `rtopo resume ${node.id}`])
    const status = await serverStatus(node.port, plan.password)
    if (status?.role !== 'slave' || status.masterPort !== master.port || status.linkStatus !== 'up') {
      throw new RtopoError(`${node.id} is not a linked replica of ${master.id} (port ${master.port})`, ['rtopo status', 'rtopo verify'])
    }
    return node
  }

  private async runCoordinated(plan: TopologyPlan, master: PlannedNode, target: PlannedNode | undefined, flags: {'sync-timeout': number; force: boolean; timeout: number}, load: FaultLoad | undefined) {
    markFault(load, {kind: 'failover', node: master.id, port: master.port})
    const started = Date.now()
    let outcome: Awaited<ReturnType<typeof coordinatedFailover>> | undefined
    const args = `${target ? `TO 127.0.0.1 ${target.port} ` : ''}TIMEOUT ${flags['sync-timeout']}${flags.force ? ' FORCE' : ''}`
    await new Listr([{
      title: `FAILOVER ${args} on ${master.id} (port ${master.port})`,
      task: async (_: unknown, task: {title: string; output?: string}) => {
        outcome = await coordinatedFailover(plan, master, target, {
          syncTimeoutMs: flags['sync-timeout'], force: flags.force, timeoutMs: flags.timeout,
          onState: (state) => {
            task.output = `${state} after ${Date.now() - started} ms`
          },
        })
        const promoted = plan.nodes.find((n) => n.port === outcome?.newMasterPort)
        task.title = `${master.id} went ${outcome.states.join(' → ')} in ${Date.now() - started} ms: ${promoted?.id ?? `port ${outcome.newMasterPort}`} is master, ${master.id} its replica`
      },
    }], {...this.listrOptions(), exitOnError: true}).run()
    return outcome as NonNullable<typeof outcome>
  }

  /**
   * The sentinels adopt the master's pick only if they may promote it: its replica-priority must not be 0, and
   * their cached priority must be current (a promoted replica stops reporting it).
   */
  private async checkSentinelCanFollow(plan: TopologyPlan, group: string, master: PlannedNode, target: PlannedNode | undefined, sentinel: PlannedNode): Promise<void> {
    const replicas = target ? [target] : plan.nodes.filter((n) => n.kind === 'server' && n.group === group && n.id !== master.id && live(n))
    const unpromotable = await awaitSentinelPriorities(plan, replicas, sentinel.port, group, 30_000)
    if (unpromotable.length === 0) return
    const names = unpromotable.map((n) => n.id).join(', ')
    throw new RtopoError(`${names} ${unpromotable.length > 1 ? 'have' : 'has'} replica-priority 0, so the sentinels would never adopt ${target ? 'it' : 'the master\'s pick'} as master`, [
      ...(target ? [] : ['rtopo failover --coordinated --to <a replica with a nonzero priority>']),
      `redis-cli -p ${unpromotable[0]?.port} CONFIG SET replica-priority 100`,
    ])
  }

  /** SENTINEL FAILOVER, steered to `preferred` when given, followed event by event. */
  /** The fault is marked on `load` at SENTINEL FAILOVER when that is the fault itself, not the follow-up of a coordinated one. */
  private async runSentinel(plan: TopologyPlan, group: string, oldMaster: PlannedNode, preferred: PlannedNode | undefined, sentinel: PlannedNode, timeoutMs: number, load: FaultLoad | undefined, isTheFault: boolean): Promise<FailoverOutcome> {
    const others = plan.nodes.filter((n) => n.kind === 'server' && n.group === group && n.id !== oldMaster.id && n.id !== preferred?.id && live(n))
    let restore: (() => Promise<void>) | undefined
    if (preferred && others.length > 0) {
      this.log(`steering ${sentinel.id} to ${preferred.id}: replica-priority 0 on ${others.map((n) => n.id).join(', ')} until the switchover ends`)
      restore = await preferReplica(plan, others, sentinel.port, group, 30_000)
    }
    const watch = new FailoverWatch(plan, group)
    try {
      await watch.start()
      if (isTheFault) markFault(load, {kind: 'failover', node: oldMaster.id, port: oldMaster.port})
      watch.markKill()
      load?.workload.attachEvents(watch)
      await sentinelFailover(sentinel.port, group)
      this.log(`SENTINEL FAILOVER ${group} sent to ${sentinel.id} (port ${sentinel.port})`)
      return await followFailover(this.view(), plan, oldMaster, watch, {timeoutMs, forced: true, oldMasterRejoins: true})
    } finally {
      watch.stop()
      await restore?.()
    }
  }
}
