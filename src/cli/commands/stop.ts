import {Args} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag, groupFlag} from '../flags.js'
import {stopNode} from '../../supervisor/process.js'
import {selectNodes, SelectorError} from '../../topology/selectors.js'

export default class Stop extends RtopoCommand {
  static override summary = 'Stop nodes gracefully (SIGTERM, then SIGKILL after a deadline)'
  static override examples = ['<%= config.bin %> stop replica-1', '<%= config.bin %> stop all']
  static override args = {node: Args.string({description: 'node selector or all', required: true})}
  static override flags = {dir: dirFlag, group: groupFlag}

  async run(): Promise<{stopped: string[]}> {
    const {args, flags} = await this.parse(Stop)
    const plan = this.loadPlan(flags.dir)
    let nodes
    try {
      nodes = await selectNodes(plan, args.node, flags.group)
    } catch (cause) {
      if (cause instanceof SelectorError) throw new RtopoError(cause.message, ['rtopo status'])
      throw cause
    }
    const stopped: string[] = []
    for (const node of nodes) {
      const outcome = await stopNode(node)
      this.log(`${node.id} (port ${node.port}): ${outcome}`)
      if (outcome !== 'not-running') stopped.push(node.id)
    }
    return {stopped}
  }
}
