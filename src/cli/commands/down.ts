import {rmSync} from 'node:fs'
import {Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {dirFlag} from '../flags.js'
import {stopNode} from '../../supervisor/process.js'

export default class Down extends RtopoCommand {
  static override summary = 'Stop every node of the topology'
  static override description = 'Stops sentinels first, then replicas, then masters: SIGTERM (the node saves and exits), then SIGKILL after a deadline. --purge also removes the state directory with configs, logs and data.'
  static override examples = ['<%= config.bin %> down', '<%= config.bin %> down --purge']
  static override flags = {
    dir: dirFlag,
    purge: Flags.boolean({description: 'also remove the state directory (configs, logs, data)'}),
  }

  async run(): Promise<{stopped: string[]; purged: boolean}> {
    const {flags} = await this.parse(Down)
    const plan = this.loadPlan(flags.dir)
    const order = [...plan.nodes].sort((a, b) => rank(a) - rank(b))
    const stopped: string[] = []
    for (const node of order) {
      const outcome = await stopNode(node)
      if (outcome !== 'not-running') {
        stopped.push(node.id)
        this.log(`${node.id} (port ${node.port}) ${outcome}`)
      }
    }
    if (stopped.length === 0) this.log('nothing was running')
    if (flags.purge) {
      rmSync(plan.stateDir, {recursive: true, force: true})
      this.log(`removed ${plan.stateDir}`)
    }
    return {stopped, purged: flags.purge}
  }
}

const rank = (node: {kind: string; replicaOf?: string}): number => (node.kind === 'sentinel' ? 0 : node.replicaOf ? 1 : 2)
