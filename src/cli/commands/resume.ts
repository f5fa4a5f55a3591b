import {Args, Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag, groupFlag} from '../flags.js'
import {FaultError, resumeNode} from '../../supervisor/faults.js'
import {currentMaster, serverStatus} from '../../topology/inspect.js'
import {followRejoin} from '../tasks/failover-tasks.js'

export interface ResumeResult {
  resumed: {id: string; port: number; pid: number; pausedMs: number}
  role?: string
}

export default class Resume extends RtopoCommand {
  static override summary = 'Continue a paused node (SIGCONT)'
  static override description = 'A paused old master that the sentinels replaced comes back still believing it is master; with sentinels watching, this command waits until they turn it into a replica of the new master (role:slave, link up).'
  static override examples = ['<%= config.bin %> resume master-1', '<%= config.bin %> resume replica-2 --no-wait']
  static override args = {node: Args.string({description: 'which node', required: true})}
  static override flags = {
    dir: dirFlag,
    group: groupFlag,
    wait: Flags.boolean({description: 'wait until a replaced old master rejoins as a replica', default: true, allowNo: true}),
    timeout: Flags.integer({description: 'how long to wait for it, in ms', default: 60_000, min: 1}),
  }

  async run(): Promise<ResumeResult> {
    const {args, flags} = await this.parse(Resume)
    const plan = this.loadPlan(flags.dir)
    const target = await this.selectOne(plan, args.node, flags.group, 'resume')
    let resumed
    try {
      resumed = resumeNode(plan, target)
    } catch (cause) {
      if (cause instanceof FaultError) throw new RtopoError(cause.message, ['rtopo faults', 'rtopo status'])
      throw cause
    }
    this.log(`sent SIGCONT to ${target.id} (port ${target.port}, pid ${resumed.pid}) after ${resumed.pausedMs} ms paused`)
    const result: ResumeResult = {resumed: {id: target.id, port: target.port, ...resumed}}
    if (target.kind !== 'server') return result
    const sentinels = plan.nodes.some((n) => n.kind === 'sentinel')
    if (flags.wait && sentinels) {
      const master = await currentMaster(plan, target.group ?? '')
      if (master && master.id !== target.id) {
        try {
          await followRejoin(this.view(), plan, [target], flags.timeout)
        } catch (cause) {
          throw new RtopoError(`${target.id} did not rejoin: ${(cause as Error).message}`, ['rtopo status', 'rtopo verify'])
        }
      }
    }
    result.role = (await serverStatus(target.port, plan.password))?.role
    return result
  }
}
