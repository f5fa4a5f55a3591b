import {Args, Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag, groupFlag} from '../flags.js'
import {readPid, waitForExit} from '../../supervisor/process.js'
import {FailoverWatch} from '../../topology/failover-watch.js'
import type {PlannedNode, TopologyPlan} from '../../topology/plan.js'
import {followFailover, followLinksDown, isMasterWithPeers, type FailoverOutcome} from '../tasks/failover-tasks.js'
import {faultLoadFlags} from '../load-flags.js'
import {markFault, runFaultWithLoad, type FaultLoad, type FaultLoadResult} from '../tasks/load-fault.js'

export interface KillResult extends FaultLoadResult {
  killed: {id: string; port: number; pid: number; signal: string}
  failover?: FailoverOutcome
}

export default class Kill extends RtopoCommand {
  static override summary = 'Kill a node; killing the master shows the failover live'
  static override description = 'Selectors: master (the current master, as the sentinels or the nodes report it), replica, replica-N, sentinel, sentinel-N, a node id, or a port. After killing the master with sentinels present, each sentinel event is shown as it arrives with its elapsed ms, and the run ends by checking that the new master reports role:master and every live replica is linked to it.'
  static override examples = ['<%= config.bin %> kill master', '<%= config.bin %> kill replica-2 --signal TERM', '<%= config.bin %> kill 6380 --no-wait', '<%= config.bin %> kill master --load --wait-replicas 1']
  static override args = {node: Args.string({description: 'which node', required: true})}
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
    const target = await this.selectOne(plan, args.node, flags.group, 'kill', 'rtopo stop all   # every node, gracefully')
    const pidState = readPid(target)
    if (pidState.state !== 'running') throw new RtopoError(`${target.id} (port ${target.port}) is not running`, [`rtopo start ${target.id}`])
    const isMaster = await isMasterWithPeers(plan, target)
    const group = target.group ?? ''
    const watch = isMaster && flags.wait ? new FailoverWatch(plan, group) : undefined
    const host = {log: (line: string) => this.log(line), json: this.jsonEnabled()}
    return runFaultWithLoad(host, plan, flags, flags.group ?? target.group, (load) => this.killAndFollow(plan, target, pidState.pid, signal, isMaster, flags.wait, flags.timeout, watch, load))
  }

  private async killAndFollow(plan: TopologyPlan, target: PlannedNode, pid: number, signal: NodeJS.Signals, isMaster: boolean, wait: boolean, timeoutMs: number, watch: FailoverWatch | undefined, load: FaultLoad | undefined): Promise<KillResult> {
    const sentinelsWatching = watch ? await watch.start() : 0
    try {
      process.kill(pid, signal)
    } catch (cause) {
      watch?.stop()
      throw new RtopoError(`could not send ${signal} to ${target.id} (pid ${pid}): ${(cause as Error).message}`)
    }
    markFault(load, {kind: 'kill', node: target.id, port: target.port})
    watch?.markKill()
    if (watch) load?.workload.attachEvents(watch)
    this.log(`sent ${signal} to ${target.id} (port ${target.port}, pid ${pid})`)
    const result: KillResult = {killed: {id: target.id, port: target.port, pid, signal}}
    if (signal === 'SIGKILL' || signal === 'SIGTERM') await waitForExit(pid, 10_000)
    if (!isMaster || !wait) return result
    if (sentinelsWatching === 0 || !watch) {
      this.log('no sentinel is watching: no failover will happen. Following the replicas as their links go down:')
      await followLinksDown(this.view(), plan, target)
      return result
    }
    try {
      result.failover = await followFailover(this.view(), plan, target, watch, {timeoutMs})
    } finally {
      watch.stop()
    }
    this.log(`Bring the old master back with: rtopo start ${target.id}`)
    return result
  }
}
