import {Args, Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag, groupFlag} from '../flags.js'
import {describeRule, type Rule} from '../../proxy/rules.js'
import {currentMaster} from '../../topology/inspect.js'
import type {PlannedNode} from '../../topology/plan.js'
import {selectEndpoints} from '../../topology/selectors.js'
import {asRtopoError, proxyRequest} from '../tasks/network-faults.js'
import {followRejoin} from '../tasks/failover-tasks.js'

export interface HealResult {
  healed: Rule[]
}

export default class Heal extends RtopoCommand {
  static override summary = 'End partitions and added latency (all of them, or those touching the given nodes)'
  static override description = 'With sentinels watching, a server that was cut off and is no longer its group\'s master (an old master replaced during the partition) is followed until the sentinels have turned it into a replica of the new master.'
  static override examples = ['<%= config.bin %> heal', '<%= config.bin %> heal master-1', '<%= config.bin %> heal replica-2 --no-wait']
  static override strict = false
  static override args = {nodes: Args.string({description: 'only the faults touching these nodes (selectors, comma-separated or repeated)'})}
  static override flags = {
    dir: dirFlag,
    group: groupFlag,
    wait: Flags.boolean({description: 'wait until a replaced old master rejoins as a replica', default: true, allowNo: true}),
    timeout: Flags.integer({description: 'how long to wait for it, in ms', default: 60_000, min: 1}),
  }

  async run(): Promise<HealResult> {
    const {argv, flags} = await this.parse(Heal)
    const plan = this.loadPlan(flags.dir)
    let endpoints: string[] = []
    try {
      if (argv.length > 0) endpoints = await selectEndpoints(plan, argv as string[], flags.group)
    } catch (cause) {
      throw asRtopoError(cause)
    }
    const healed = ((await proxyRequest(plan, {op: 'heal', endpoints})).removed ?? []) as Rule[]
    if (healed.length === 0) {
      throw new RtopoError(endpoints.length > 0 ? `no partition or latency touches ${endpoints.join(', ')}` : 'nothing is cut or slowed', ['rtopo faults'])
    }
    for (const rule of healed) this.log(`healed: ${describeRule(rule)}`)
    if (flags.wait && plan.nodes.some((n) => n.kind === 'sentinel')) {
      const touched = new Set(healed.flatMap((r) => [...r.nodes, ...r.from]))
      const servers: PlannedNode[] = []
      for (const node of plan.nodes.filter((n) => n.kind === 'server' && touched.has(n.id))) {
        const master = await currentMaster(plan, node.group ?? '')
        if (master && master.id !== node.id) servers.push(node)
      }
      try {
        await followRejoin(this.view(), plan, servers, flags.timeout)
      } catch (cause) {
        throw new RtopoError(`not every server rejoined: ${(cause as Error).message}`, ['rtopo status', 'rtopo verify'])
      }
    }
    return {healed}
  }
}
