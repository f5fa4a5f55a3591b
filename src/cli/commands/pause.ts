import {Args, Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag, groupFlag} from '../flags.js'
import {FaultError, pauseNode} from '../../supervisor/faults.js'
import {isPaused, readPid} from '../../supervisor/process.js'
import {FailoverWatch} from '../../topology/failover-watch.js'
import type {PlannedNode, TopologyPlan} from '../../topology/plan.js'
import {followFailover, isMasterWithPeers, type FailoverOutcome} from '../tasks/failover-tasks.js'
import {faultLoadFlags} from '../load-flags.js'
import {markFault, runFaultWithLoad, type FaultLoad, type FaultLoadResult} from '../tasks/load-fault.js'

export interface PauseResult extends FaultLoadResult {
  paused: {id: string; port: number; pid: number; resumeAt?: number}
  failover?: FailoverOutcome
}

export default class Pause extends RtopoCommand {
  static override summary = 'Freeze a node (SIGSTOP); pausing the master shows the failover live'
  static override description = 'The process keeps its sockets open but answers nothing, like a node stuck in a long GC pause or a frozen VM: clients and replicas time out instead of seeing the connection close. --for MS continues it by itself after MS milliseconds (a small detached timer process does it, even when no rtopo command runs; rtopo down ends it). status shows the node as paused and rtopo faults lists it. Pausing the current master with sentinels present follows the failover as kill master does; rtopo resume then brings the old master back, and the sentinels demote it.'
  static override examples = ['<%= config.bin %> pause master', '<%= config.bin %> pause replica-2 --for 5000', '<%= config.bin %> pause sentinel-1 --no-wait', '<%= config.bin %> pause master --load --client node-redis']
  static override args = {node: Args.string({description: 'which node (the selectors of kill)', required: true})}
  static override flags = {
    dir: dirFlag,
    group: groupFlag,
    for: Flags.integer({description: 'resume the node by itself after this many ms', min: 1, max: 86_400_000}),
    wait: Flags.boolean({description: 'follow the failover after pausing the master', default: true, allowNo: true}),
    timeout: Flags.integer({description: 'how long to follow the failover, in ms', default: 120_000, min: 1}),
    ...faultLoadFlags,
  }

  async run(): Promise<PauseResult> {
    const {args, flags} = await this.parse(Pause)
    const plan = this.loadPlan(flags.dir)
    const target = await this.selectOne(plan, args.node, flags.group, 'pause')
    const state = readPid(target)
    // Asking a paused node for its role would only wait out the command timeout.
    if (state.state === 'running' && isPaused(state.pid)) throw new RtopoError(`${target.id} (port ${target.port}) is already paused`, [`rtopo resume ${target.id}`, 'rtopo faults'])
    const isMaster = await isMasterWithPeers(plan, target)
    const watch = isMaster && flags.wait ? new FailoverWatch(plan, target.group ?? '') : undefined
    const host = {log: (line: string) => this.log(line), json: this.jsonEnabled()}
    return runFaultWithLoad(host, plan, flags, flags.group ?? target.group, (load) => this.pauseAndFollow(plan, target, flags.for, flags.timeout, watch, load))
  }

  private async pauseAndFollow(plan: TopologyPlan, target: PlannedNode, forMs: number | undefined, timeoutMs: number, watch: FailoverWatch | undefined, load: FaultLoad | undefined): Promise<PauseResult> {
    const sentinelsWatching = watch ? await watch.start() : 0
    let fault
    try {
      fault = pauseNode(plan, target, forMs)
    } catch (cause) {
      watch?.stop()
      if (cause instanceof FaultError) throw new RtopoError(cause.message, ['rtopo faults', 'rtopo status'])
      throw cause
    }
    markFault(load, {kind: 'pause', node: target.id, port: target.port})
    watch?.markKill()
    if (watch) load?.workload.attachEvents(watch)
    const until = fault.resumeAt === undefined ? `; rtopo resume ${target.id} continues it` : `; it resumes by itself in ${forMs} ms`
    this.log(`sent SIGSTOP to ${target.id} (port ${target.port}, pid ${fault.pid})${until}`)
    const result: PauseResult = {paused: {id: target.id, port: target.port, pid: fault.pid, resumeAt: fault.resumeAt}}
    if (!watch) return result
    if (sentinelsWatching === 0) {
      watch.stop()
      this.log('no sentinel is watching: no failover will happen; the replicas keep waiting for their master until repl-timeout.')
      return result
    }
    try {
      result.failover = await followFailover(this.view(), plan, target, watch, {timeoutMs})
    } finally {
      watch.stop()
    }
    this.log(`The old master is still paused: rtopo resume ${target.id} brings it back, and the sentinels turn it into a replica.`)
    return result
  }
}
