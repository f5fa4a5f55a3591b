import {RtopoCommand} from '../base-command.js'
import {dirFlag} from '../flags.js'
import {activeFaults, type ActiveFault} from '../../supervisor/faults.js'

export default class Faults extends RtopoCommand {
  static override summary = 'List the faults in effect: paused nodes, with the time left of a pause --for'
  static override description = 'A node counts as paused when /proc shows its process stopped (state T), whoever stopped it; the pauses rtopo made also show when they started and, for --for, when their timer resumes them.'
  static override examples = ['<%= config.bin %> faults', '<%= config.bin %> faults --json']
  static override flags = {dir: dirFlag}

  async run(): Promise<{faults: ActiveFault[]}> {
    const {flags} = await this.parse(Faults)
    const plan = this.loadPlan(flags.dir)
    const faults = activeFaults(plan)
    if (faults.length === 0) this.log('no faults in effect')
    const now = Date.now()
    for (const f of faults) {
      const since = Number.isNaN(f.pausedAt) ? 'paused outside rtopo' : `paused ${now - f.pausedAt} ms ago`
      let until = 'until rtopo resume'
      if (f.remainingMs !== undefined) until = f.timerMissing ? `its --for timer is gone: rtopo resume ${f.node}` : `resumes in ${f.remainingMs} ms`
      this.log(`${f.node.padEnd(14)} port ${f.port}  pid ${f.pid}  ${since}, ${until}`)
    }
    return {faults}
  }
}
