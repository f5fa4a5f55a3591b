import {RtopoCommand} from '../base-command.js'
import {dirFlag} from '../flags.js'
import {activeFaults, type ActiveFault} from '../../supervisor/faults.js'
import {describeRule, type Rule} from '../../proxy/rules.js'
import {proxyRequest} from '../tasks/network-faults.js'

export default class Faults extends RtopoCommand {
  static override summary = 'List the faults in effect: paused nodes, partitions and added latency, with the time left of those given --for'
  static override description = 'A node counts as paused when /proc shows its process stopped (state T), whoever stopped it; the pauses rtopo made also show when they started and, for --for, when their timer resumes them. Partitions and latency (up --lab) are read from the lab proxy itself, so what is listed is what is in force; a proxy that does not answer is an error.'
  static override examples = ['<%= config.bin %> faults', '<%= config.bin %> faults --json']
  static override flags = {dir: dirFlag}

  async run(): Promise<{faults: ActiveFault[]; network: Rule[]}> {
    const {flags} = await this.parse(Faults)
    const plan = this.loadPlan(flags.dir)
    const faults = activeFaults(plan)
    const network = plan.lab ? ((await proxyRequest(plan, {op: 'list'})).rules ?? []) : []
    if (faults.length === 0 && network.length === 0) this.log('no faults in effect')
    const now = Date.now()
    for (const rule of network) this.log(`${describeRule(rule)}, ${rule.until === undefined ? 'until rtopo heal' : `ends in ${Math.max(0, rule.until - now)} ms`}`)
    for (const f of faults) {
      const since = Number.isNaN(f.pausedAt) ? 'paused outside rtopo' : `paused ${now - f.pausedAt} ms ago`
      let until = 'until rtopo resume'
      if (f.remainingMs !== undefined) until = f.timerMissing ? `its --for timer is gone: rtopo resume ${f.node}` : `resumes in ${f.remainingMs} ms`
      this.log(`${f.node.padEnd(14)} port ${f.port}  pid ${f.pid}  ${since}, ${until}`)
    }
    return {faults, network}
  }
}
