import {Args, Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {dirFlag, fromFlag, groupFlag} from '../flags.js'
import type {CutMode, Rule} from '../../proxy/rules.js'
import {describeRule} from '../../proxy/rules.js'
import {FailoverWatch} from '../../topology/failover-watch.js'
import {addRule, masterCutOff, oldMasterSide, resolveSides} from '../tasks/network-faults.js'
import {followFailover, type FailoverOutcome} from '../tasks/failover-tasks.js'
import {faultLoadFlags} from '../load-flags.js'
import {markFault, runFaultWithLoad, type FaultLoad, type FaultLoadResult} from '../tasks/load-fault.js'
import type {PlannedNode, TopologyPlan} from '../../topology/plan.js'

export interface PartitionResult extends FaultLoadResult {
  rule: Rule
  failover?: FailoverOutcome
}

export default class Partition extends RtopoCommand {
  static override summary = 'Cut the links between some nodes and the rest (needs up --lab); cutting the master off shows the failover live'
  static override description = `The lab proxy stops passing bytes between the two sides; everything else keeps talking. Without --from, the other side is every other node and the clients (the application). Selectors: master, replica-N, sentinel-N, node ids, ports, and the sets sentinels, replicas, servers, clients and all; lists are comma-separated or repeated.

--mode cut (the default) resets the connections that exist and blackholes new ones, as a dropped route looks once the peers notice; reset refuses new connections too; blackhole freezes the existing ones as well, so they resume if the partition heals before either side times out. --oneway cuts only the connections opened from the --from side. --for MS heals by itself (the proxy does it, even when no rtopo command runs).

When the cut leaves the current master without a quorum of sentinels and a replica, the failover is followed live, as kill master does; heal then brings the old master back and the sentinels demote it, and the writes it took meanwhile are gone.`
  static override examples = [
    '<%= config.bin %> partition master --from sentinels,replicas',
    '<%= config.bin %> partition master-1 replica-1 --from all',
    '<%= config.bin %> partition sentinel-1 --for 10000',
    '<%= config.bin %> partition replica-2 --from master --mode blackhole',
    '<%= config.bin %> partition master --from clients',
    '<%= config.bin %> partition master --from sentinels,replicas --for 8000 --load   # the writes the old master takes are lost',
  ]
  static override strict = false
  static override args = {nodes: Args.string({description: 'the nodes on one side (selectors, comma-separated or repeated)', required: true})}
  static override flags = {
    dir: dirFlag,
    group: groupFlag,
    from: fromFlag,
    oneway: Flags.boolean({description: 'cut only the connections opened from the --from side toward the nodes', default: false}),
    mode: Flags.string({description: 'cut, reset or blackhole (see above)', options: ['cut', 'reset', 'blackhole'], default: 'cut'}),
    for: Flags.integer({description: 'heal by itself after this many ms', min: 1, max: 86_400_000}),
    wait: Flags.boolean({description: 'follow the failover when the master is cut off', default: true, allowNo: true}),
    timeout: Flags.integer({description: 'how long to follow the failover, in ms', default: 120_000, min: 1}),
    ...faultLoadFlags,
  }

  async run(): Promise<PartitionResult> {
    const {argv, flags} = await this.parse(Partition)
    const plan = this.loadPlan(flags.dir)
    const sides = await resolveSides(plan, argv as string[], flags.from, flags.group)
    const master = flags.wait ? await masterCutOff(plan, sides, flags.oneway) : undefined
    const host = {log: (line: string) => this.log(line), json: this.jsonEnabled()}
    const hit = master ?? plan.nodes.find((n) => sides.nodes.includes(n.id))
    return runFaultWithLoad(host, plan, flags, flags.group ?? hit?.group, (load) => this.cutAndFollow(plan, sides, master, hit, flags, load))
  }

  private async cutAndFollow(plan: TopologyPlan, sides: Awaited<ReturnType<typeof resolveSides>>, master: PlannedNode | undefined, hit: PlannedNode | undefined, flags: {oneway: boolean; mode: string; for?: number; timeout: number}, load: FaultLoad | undefined): Promise<PartitionResult> {
    const watch = master ? new FailoverWatch(plan, master.group ?? '') : undefined
    const sentinelsWatching = watch ? await watch.start() : 0
    let rule: Rule
    try {
      rule = await addRule(plan, {
        kind: 'cut', nodes: sides.nodes, from: sides.from, oneway: flags.oneway, mode: flags.mode as CutMode,
        ...(flags.for ? {until: Date.now() + flags.for} : {}),
      })
    } catch (cause) {
      watch?.stop()
      throw cause
    }
    if (hit) markFault(load, {kind: 'partition', node: hit.id, port: hit.port})
    watch?.markKill()
    if (watch) load?.workload.attachEvents(watch)
    this.log(`${describeRule(rule)}${flags.for ? `, heals in ${flags.for} ms` : ''}`)
    const result: PartitionResult = {rule}
    if (!master || !watch || sentinelsWatching === 0) return result
    try {
      result.failover = await followFailover(this.view(), plan, master, watch, {timeoutMs: flags.timeout, cannotFollow: oldMasterSide(sides, master)})
    } finally {
      watch.stop()
    }
    this.log(`Heal with: rtopo heal   (${master.id} then rejoins as a replica and drops what it took meanwhile)`)
    return result
  }
}

