import {rmSync} from 'node:fs'
import {Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag} from '../flags.js'
import {clearAllFaults, waitForTimersGone} from '../../supervisor/faults.js'
import {stopProxy} from '../../supervisor/lab-proxy.js'
import {stopNode} from '../../supervisor/process.js'

export default class Down extends RtopoCommand {
  static override summary = 'Stop every node of the topology'
  static override description = 'Stops sentinels first, then replicas, then masters: SIGTERM (the node saves and exits), then SIGKILL after a deadline. A paused node is continued first (a stopped process ignores SIGTERM until then), the timers of pause --for are ended, and the lab proxy (up --lab) is stopped last. --purge also removes the state directory with configs, logs and data.'
  static override examples = ['<%= config.bin %> down', '<%= config.bin %> down --purge']
  static override flags = {
    dir: dirFlag,
    purge: Flags.boolean({description: 'also remove the state directory (configs, logs, data)'}),
  }

  async run(): Promise<{stopped: string[]; purged: boolean}> {
    const {flags} = await this.parse(Down)
    const plan = this.loadPlan(flags.dir)
    const order = [...plan.nodes].sort((a, b) => rank(a) - rank(b))
    const timers = clearAllFaults(plan)
    if (timers > 0) this.log(`ended ${timers} pause timer(s)`)
    const stopped: string[] = []
    for (const node of order) {
      const outcome = await stopNode(node)
      if (outcome !== 'not-running') {
        stopped.push(node.id)
        this.log(`${node.id} (port ${node.port}) ${outcome}`)
      }
    }
    const proxy = await stopProxy(plan)
    if (proxy !== 'not-running') {
      stopped.push('proxy')
      this.log(`lab proxy ${proxy}`)
    }
    if (stopped.length === 0) this.log('nothing was running')
    const left = await waitForTimersGone(plan.stateDir)
    if (left.length > 0) throw new RtopoError(`pause timer(s) still running: pid ${left.join(', ')}`, [`kill ${left.join(' ')}`])
    if (flags.purge) {
      rmSync(plan.stateDir, {recursive: true, force: true})
      this.log(`removed ${plan.stateDir}`)
    }
    return {stopped, purged: flags.purge}
  }
}

const rank = (node: {kind: string; replicaOf?: string}): number => (node.kind === 'sentinel' ? 0 : node.replicaOf ? 1 : 2)
