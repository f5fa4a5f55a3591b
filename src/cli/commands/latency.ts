import {Args, Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag, fromFlag, groupFlag} from '../flags.js'
import {describeRule, type Rule} from '../../proxy/rules.js'
import {addRule, resolveSides} from '../tasks/network-faults.js'

export interface LatencyResult {
  rule: Rule
}

export default class Latency extends RtopoCommand {
  static override summary = 'Slow the links between some nodes and the rest (needs up --lab)'
  static override description = 'Every chunk of data between the two sides waits MS milliseconds (plus up to --jitter more) in each direction, in order, as on a slow route: a request and its reply take twice MS longer. Without --from, the other side is every other node and the clients. --oneway delays only what the --from side sends. rtopo heal ends it; --for MS ends it by itself.'
  static override examples = [
    '<%= config.bin %> latency replica-1 200 --from master',
    '<%= config.bin %> latency master 50 --jitter 20 --from clients',
    '<%= config.bin %> latency sentinels 500 --for 30000',
  ]
  static override strict = false
  static override args = {
    nodes: Args.string({description: 'the nodes on one side (selectors), then the delay in ms', required: true}),
  }
  static override flags = {
    dir: dirFlag,
    group: groupFlag,
    from: fromFlag,
    jitter: Flags.integer({description: 'up to this many ms more, at random, per chunk', min: 0, default: 0}),
    oneway: Flags.boolean({description: 'delay only what the --from side sends to the nodes', default: false}),
    for: Flags.integer({description: 'end by itself after this many ms', min: 1, max: 86_400_000}),
  }

  async run(): Promise<LatencyResult> {
    const {argv, flags} = await this.parse(Latency)
    const words = argv as string[]
    const ms = words.at(-1) ?? ''
    if (words.length < 2 || !/^\d+$/.test(ms)) {
      throw new RtopoError(`the last argument must be the delay in ms, a whole number (got '${ms}')`, ['rtopo latency replica-1 200 --from master'])
    }
    const plan = this.loadPlan(flags.dir)
    const sides = await resolveSides(plan, words.slice(0, -1), flags.from, flags.group)
    const rule = await addRule(plan, {
      kind: 'latency', nodes: sides.nodes, from: sides.from, oneway: flags.oneway, delayMs: Number(ms), jitterMs: flags.jitter,
      ...(flags.for ? {until: Date.now() + flags.for} : {}),
    })
    this.log(`${describeRule(rule)}${flags.for ? `, ends in ${flags.for} ms` : ''}`)
    return {rule}
  }
}
