import {Args} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {dirFlag, groupFlag} from '../flags.js'
import {clearFault} from '../../supervisor/faults.js'
import {stopNode} from '../../supervisor/process.js'

export default class Stop extends RtopoCommand {
  static override summary = 'Stop nodes gracefully (SIGTERM, then SIGKILL after a deadline); a paused node is continued first'
  static override examples = ['<%= config.bin %> stop replica-1', '<%= config.bin %> stop all']
  static override args = {node: Args.string({description: 'node selector or all', required: true})}
  static override flags = {dir: dirFlag, group: groupFlag}

  async run(): Promise<{stopped: string[]}> {
    const {args, flags} = await this.parse(Stop)
    const plan = this.loadPlan(flags.dir)
    const nodes = await this.select(plan, args.node, flags.group)
    const stopped: string[] = []
    for (const node of nodes) {
      // A paused node is continued before SIGTERM (stopNode), and its pause timer ended.
      clearFault(plan, node)
      const outcome = await stopNode(node)
      this.log(`${node.id} (port ${node.port}): ${outcome}`)
      if (outcome !== 'not-running') stopped.push(node.id)
    }
    return {stopped}
  }
}
