import {Args, Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag, groupFlag} from '../flags.js'
import {readPid, waitForExit} from '../../supervisor/process.js'
import {FailoverWatch} from '../../topology/failover-watch.js'
import type {PlannedNode, TopologyPlan} from '../../topology/plan.js'
import {followFailover, followLinksDown, type FailoverOutcome} from '../tasks/failover-tasks.js'
import {masterAmong, selectFaultTargets, whyNoFailover} from '../tasks/fault-targets.js'
import {faultLoadFlags} from '../load-flags.js'
import {markFault, runFaultWithLoad, type FaultLoad, type FaultLoadResult} from '../tasks/load-fault.js'

export interface KillResult extends FaultLoadResult {
  /** The node hit (the master, when it is among several). */
  killed: {id: string; port: number; pid: number; signal: string}
  /** Every node hit, when the selector named several. */
  killedNodes?: {id: string; port: number; pid: number; signal: string}[]
  failover?: FailoverOutcome
}

export default class Kill extends RtopoCommand {
  static override summary = 'Kill a node, or several at once; killing the master shows the failover live'
  static override description = 'Selectors: master (the current master, as the sentinels or the nodes report it), replica, replica-N, sentinel, sentinel-N, a node id or a port; several at once as a comma list or replicas, sentinels, servers, all. After killing the master with sentinels present, each sentinel event is shown as it arrives with its elapsed ms, and the run ends by checking that the new master reports role:master and every live replica is linked to it. When the nodes killed with it leave too few sentinels (quorum, and a majority to elect a leader) or no replica, the replicas are followed as their links go down instead.'
  static override examples = ['<%= config.bin %> kill master', '<%= config.bin %> kill replica-2 --signal TERM', '<%= config.bin %> kill 6380 --no-wait', '<%= config.bin %> kill master --load --wait-replicas 1', '<%= config.bin %> kill master,sentinel-1,sentinel-2   # no quorum left: no failover', '<%= config.bin %> kill replicas']
  static override args = {node: Args.string({description: 'which node(s)', required: true})}
  static override flags = {
    dir: dirFlag,
    group: groupFlag,
    signal: Flags.string({description: 'signal to send', default: 'KILL'}),
    wait: Flags.boolean({description: 'follow the failover (or link loss) after killing the master', default: true, allowNo: true}),
    timeout: Flags.integer({description: 'how long to follow the failover, in ms', default: 120_000}),
    ...faultLoadFlags,
  }

  async run(): Promise<KillResult> {
    const {args, flags} = await this.parse(Kill)
    const plan = this.loadPlan(flags.dir)
    const signal = `SIG${flags.signal.toUpperCase().replace(/^SIG/, '')}` as NodeJS.Signals
    const targets = await selectFaultTargets(plan, args.node, flags.group, 'kill')
    const pids: number[] = []
    const stopped: PlannedNode[] = []
    for (const target of targets) {
      const state = readPid(target)
      if (state.state === 'running') pids.push(state.pid)
      else stopped.push(target)
    }
    if (stopped.length > 0) {
      const names = stopped.map((n) => `${n.id} (port ${n.port})`).join(', ')
      throw new RtopoError(`${names} ${stopped.length > 1 ? 'are' : 'is'} not running; nothing was killed`, stopped.map((n) => `rtopo start ${n.id}`))
    }
    const master = await masterAmong(plan, targets)
    const watch = master && flags.wait ? new FailoverWatch(plan, master.group ?? '') : undefined
    const host = {log: (line: string) => this.log(line), json: this.jsonEnabled()}
    const group = flags.group ?? master?.group ?? (targets.find((n) => n.group !== undefined)?.group)
    return runFaultWithLoad(host, plan, flags, group, (load) => this.killAndFollow(plan, targets, pids, signal, master, flags.wait, flags.timeout, watch, load))
  }

  private async killAndFollow(plan: TopologyPlan, targets: PlannedNode[], pids: number[], signal: NodeJS.Signals, master: PlannedNode | undefined, wait: boolean, timeoutMs: number, watch: FailoverWatch | undefined, load: FaultLoad | undefined): Promise<KillResult> {
    const sentinelsWatching = watch ? await watch.start() : 0
    // Judged before the signals: afterwards the killed nodes are gone from the pid files' view.
    const noFailover = master ? whyNoFailover(plan, master, targets) : undefined
    const killed: KillResult['killedNodes'] = []
    for (const [i, target] of targets.entries()) {
      const pid = pids[i] as number
      try {
        process.kill(pid, signal)
      } catch (cause) {
        watch?.stop()
        const before = killed.length > 0 ? ` (already sent to ${killed.map((k) => k.id).join(', ')})` : ''
        throw new RtopoError(`could not send ${signal} to ${target.id} (pid ${pid}): ${(cause as Error).message}${before}`)
      }
      killed.push({id: target.id, port: target.port, pid, signal})
    }
    const primary = master ?? (targets[0] as PlannedNode)
    markFault(load, {kind: 'kill', node: primary.id, port: primary.port})
    watch?.markKill()
    if (watch) load?.workload.attachEvents(watch)
    for (const k of killed) this.log(`sent ${signal} to ${k.id} (port ${k.port}, pid ${k.pid})`)
    const result: KillResult = {killed: killed.find((k) => k.id === primary.id) as NonNullable<KillResult['killedNodes']>[number], ...(killed.length > 1 ? {killedNodes: killed} : {})}
    if (signal === 'SIGKILL' || signal === 'SIGTERM') for (const k of killed) await waitForExit(k.pid, 10_000)
    if (!master || !wait) return result
    if (sentinelsWatching === 0 || !watch || noFailover) {
      watch?.stop()
      this.log(`${noFailover ?? 'no sentinel is watching: no failover will happen'}. Following the replicas as their links go down:`)
      await followLinksDown(this.view(), plan, master)
      return result
    }
    try {
      result.failover = await followFailover(this.view(), plan, master, watch, {timeoutMs})
    } finally {
      watch.stop()
    }
    this.log(`Bring the old master back with: rtopo start ${master.id}`)
    return result
  }
}
