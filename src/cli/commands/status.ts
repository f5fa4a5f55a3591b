import {RtopoCommand} from '../base-command.js'
import {dirFlag} from '../flags.js'
import {inspectTopology, type TopologyStatus} from '../../topology/inspect-all.js'

export default class Status extends RtopoCommand {
  static override summary = 'Show every node: process, observed role, link, offset, lag, and what the sentinels see'
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json']
  static override flags = {dir: dirFlag}

  async run(): Promise<TopologyStatus> {
    const {flags} = await this.parse(Status)
    const plan = this.loadPlan(flags.dir)
    const status = await inspectTopology(plan)
    const groups = [...new Set(status.nodes.map((n) => n.group).filter((g): g is string => g !== undefined))]
    const row = (cells: (string | number | undefined)[]) => cells.map((c, i) => String(c ?? '-').padEnd([14, 7, 8, 8, 18, 6, 9, 5][i] ?? 10)).join(' ').trimEnd()
    for (const group of groups) {
      this.log(`\n${group}`)
      this.log(row(['NODE', 'PORT', 'PID', 'PROCESS', 'ROLE', 'LINK', 'OFFSET', 'LAG']))
      for (const n of status.nodes.filter((x) => x.group === group)) {
        const role = n.role === 'replica' && n.master ? `replica of ${n.master.split(':')[1]}` : n.role
        this.log(row([n.id, n.port, n.pid, n.process, role, n.link, n.offset, n.lag]))
      }
    }
    const sentinels = status.nodes.filter((n) => n.kind === 'sentinel')
    if (sentinels.length > 0) {
      this.log('\nsentinels')
      this.log(row(['NODE', 'PORT', 'PID', 'PROCESS', 'MASTER', 'EPOCH', 'FLAGS']))
      for (const s of sentinels) {
        for (const view of s.sentinel ?? [undefined]) {
          this.log(row([s.id, s.port, s.pid, s.process, view ? `${view.group} ${view.masterPort}` : undefined, view?.epoch, view?.flags]))
        }
      }
    }
    if (status.proxy) {
      this.log(`\nlab proxy  pid ${status.proxy.pid ?? '-'}  ${status.proxy.process}  ${status.proxy.faults.length === 0 ? 'no network faults' : status.proxy.faults.join('; ')}`)
    }
    this.log(`\n${status.engine} engine${plan.fast ? ' · --fast timings' : ''} · ${status.verdict}`)
    return status
  }
}
