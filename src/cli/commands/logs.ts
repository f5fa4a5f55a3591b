import {createReadStream, existsSync, statSync, watch} from 'node:fs'
import {Args, Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {dirFlag, groupFlag} from '../flags.js'
import {logTail} from '../../supervisor/process.js'

export default class Logs extends RtopoCommand {
  static override enableJsonFlag = false
  static override summary = "Print a node's log; -f follows it"
  static override examples = ['<%= config.bin %> logs sentinel-1', '<%= config.bin %> logs master-1 -f']
  static override args = {node: Args.string({description: 'node selector', required: true})}
  static override flags = {
    dir: dirFlag,
    group: groupFlag,
    follow: Flags.boolean({char: 'f', description: 'keep printing new lines'}),
    lines: Flags.integer({char: 'n', description: 'lines to show', default: 50}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Logs)
    const plan = this.loadPlan(flags.dir)
    const node = await this.selectOne(plan, args.node, flags.group, 'logs')
    if (!node) return
    this.log(logTail(node, flags.lines))
    if (!flags.follow || !existsSync(node.logfile)) return
    let offset = statSync(node.logfile).size
    const file = node.logfile
    await new Promise<void>(() => {
      watch(file, () => {
        const size = statSync(file).size
        if (size <= offset) return
        createReadStream(file, {start: offset, end: size - 1}).pipe(process.stdout, {end: false})
        offset = size
      })
    })
  }
}
