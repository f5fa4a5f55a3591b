import {Args, Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag, groupFlag} from '../flags.js'
import {FaultError, pauseNode} from '../../supervisor/faults.js'
import {isPaused, readPid} from '../../supervisor/process.js'
import {FailoverWatch} from '../../topology/failover-watch.js'
import type {PlannedNode, TopologyPlan} from '../../topology/plan.js'
import {followFailover, type FailoverOutcome} from '../tasks/failover-tasks.js'
import {masterAmong, selectFaultTargets, whyNoFailover} from '../tasks/fault-targets.js'
import {faultLoadFlags} from '../load-flags.js'
import {markFault, runFaultWithLoad, type FaultLoad, type FaultLoadResult} from '../tasks/load-fault.js'

interface PausedNode {
  id: string
  port: number
  pid: number
  resumeAt?: number
}

export interface PauseResult extends FaultLoadResult {
  /** The node paused (the master, when it is among several). */
  paused: PausedNode
  /** Every node paused, when the selector named several. */
  pausedNodes?: PausedNode[]
  failover?: FailoverOutcome
}

export default class Pause extends RtopoCommand {
  static override summary = 'Freeze a node, or several at once (SIGSTOP); pausing the master shows the failover live'
  static override description = 'The process keeps its sockets open but answers nothing, like a node stuck in a long GC pause or a frozen VM: clients and replicas time out instead of seeing the connection close. --for MS continues it by itself after MS milliseconds (a small detached timer process does it, even when no rtopo command runs; rtopo down ends it). status shows the node as paused and rtopo faults lists it. Pausing the current master with sentinels present follows the failover as kill master does; rtopo resume then brings the old master back, and the sentinels demote it.'
  static override examples = ['<%= config.bin %> pause master', '<%= config.bin %> pause replica-2 --for 5000', '<%= config.bin %> pause sentinel-1 --no-wait', '<%= config.bin %> pause master --load --client node-redis', '<%= config.bin %> pause sentinel-1,sentinel-2 --for 10000']
  static override args = {node: Args.string({description: 'which node(s): the selectors of kill, a comma list, replicas, sentinels, servers, all', required: true})}
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
    const targets = await selectFaultTargets(plan, args.node, flags.group, 'pause')
    for (const target of targets) {
      const state = readPid(target)
      // Asking a paused node for its role would only wait out the command timeout.
      if (state.state === 'running' && isPaused(state.pid)) throw new RtopoError(`${target.id} (port ${target.port}) is already paused; nothing was paused`, [`rtopo resume ${target.id}`, 'rtopo faults'])
      if (state.state !== 'running') throw new RtopoError(`${target.id} (port ${target.port}) is not running; nothing was paused`, [`rtopo start ${target.id}`])
    }
    const master = await masterAmong(plan, targets)
    const watch = master && flags.wait ? new FailoverWatch(plan, master.group ?? '') : undefined
    const host = {log: (line: string) => this.log(line), json: this.jsonEnabled()}
    const group = flags.group ?? master?.group ?? (targets.find((n) => n.group !== undefined)?.group)
    return runFaultWithLoad(host, plan, flags, group, (load) => this.pauseAndFollow(plan, targets, master, flags.for, flags.timeout, watch, load))
  }

  private async pauseAndFollow(plan: TopologyPlan, targets: PlannedNode[], master: PlannedNode | undefined, forMs: number | undefined, timeoutMs: number, watch: FailoverWatch | undefined, load: FaultLoad | undefined): Promise<PauseResult> {
    const sentinelsWatching = watch ? await watch.start() : 0
    const noFailover = master ? whyNoFailover(plan, master, targets) : undefined
    const paused: PausedNode[] = []
    for (const target of targets) {
      try {
        const fault = pauseNode(plan, target, forMs)
        paused.push({id: target.id, port: target.port, pid: fault.pid, resumeAt: fault.resumeAt})
      } catch (cause) {
        watch?.stop()
        const before = paused.length > 0 ? ` (already paused: ${paused.map((p) => p.id).join(', ')})` : ''
        if (cause instanceof FaultError) throw new RtopoError(`${cause.message}${before}`, ['rtopo faults', 'rtopo status'])
        throw cause
      }
    }
    const primary = master ?? (targets[0] as PlannedNode)
    markFault(load, {kind: 'pause', node: primary.id, port: primary.port})
    watch?.markKill()
    if (watch) load?.workload.attachEvents(watch)
    for (const p of paused) {
      const until = p.resumeAt === undefined ? `; rtopo resume ${p.id} continues it` : `; it resumes by itself in ${forMs} ms`
      this.log(`sent SIGSTOP to ${p.id} (port ${p.port}, pid ${p.pid})${until}`)
    }
    const result: PauseResult = {paused: paused.find((p) => p.id === primary.id) as PausedNode, ...(paused.length > 1 ? {pausedNodes: paused} : {})}
    if (!master || !watch) return result
    if (sentinelsWatching === 0 || noFailover) {
      watch.stop()
      this.log(`${noFailover ?? 'no sentinel is watching: no failover will happen'}; the replicas keep waiting for their master until repl-timeout.`)
      return result
    }
    try {
      result.failover = await followFailover(this.view(), plan, master, watch, {timeoutMs})
    } finally {
      watch.stop()
    }
    this.log(`The old master is still paused: rtopo resume ${master.id} brings it back, and the sentinels turn it into a replica.`)
    return result
  }
}
