import {Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag} from '../flags.js'
import {verifyTopology, type VerifyReport} from '../../topology/verify.js'

export default class Verify extends RtopoCommand {
  static override summary = 'Wait for the topology to converge and check it; exits non-zero with what is wrong'
  static override description = `Checks, for every group: exactly one server is a master; every sentinel names it as the master, at the same epoch, without flagging it down; every other server is its replica with the link up and the master's replication offset reached; the master and its replicas have the same DEBUG DIGEST; and no node is stopped, unreachable or paused. It polls until all of that holds or --timeout passes, then prints the verdict. Under a running writer the offsets and digests keep moving, so verify is meant for after a fault has healed.`
  static override examples = ['<%= config.bin %> verify', '<%= config.bin %> verify --timeout 60000', '<%= config.bin %> verify --json']
  static override flags = {
    dir: dirFlag,
    timeout: Flags.integer({description: 'how long to wait for convergence, in ms', default: 30_000, min: 0}),
  }

  async run(): Promise<VerifyReport> {
    const {flags} = await this.parse(Verify)
    const plan = this.loadPlan(flags.dir)
    const started = Date.now()
    const report = await verifyTopology(plan, flags.timeout)
    const elapsed = Date.now() - started
    if (!report.ok) {
      throw new RtopoError(`not converged after ${elapsed} ms:\n${report.problems.map((p) => `  - ${p.group ? `${p.group}: ` : ''}${p.message}`).join('\n')}`, [
        'rtopo status', 'rtopo faults', `rtopo verify --timeout ${Math.max(flags.timeout * 2, 10_000)}`,
      ], 1, {details: {...report}})
    }
    for (const g of report.groups) {
      const sentinels = g.sentinels > 0 ? `; ${g.sentinels} sentinel(s) agree at epoch ${g.epoch}` : ''
      this.log(`${g.name}: ${g.master?.id} (port ${g.master?.port}) is the master; ${g.replicas.length} replica(s) linked at offset ≥ ${g.offset}; digest ${g.digest}${sentinels}`)
    }
    this.log(`verified in ${elapsed} ms`)
    return report
  }
}
