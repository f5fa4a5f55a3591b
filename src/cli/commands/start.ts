import {Args, Flags} from '@oclif/core'
import {Listr} from 'listr2'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag, groupFlag} from '../flags.js'
import {engineForNode} from '../../supervisor/engine.js'
import {isPortFree, portOwner} from '../../supervisor/ports.js'
import {clearStalePidfiles, launchNode, NodeStartError, readPid} from '../../supervisor/process.js'
import {serverStatus} from '../../topology/inspect.js'
import {applyFastProfile} from '../../topology/fast-profile.js'
import {listenPort} from '../../topology/lab-plan.js'
import type {TopologyPlan} from '../../topology/plan.js'
import {labOf, launchProxy, proxyPid} from '../../supervisor/lab-proxy.js'
import {followRejoin} from '../tasks/failover-tasks.js'

export default class Start extends RtopoCommand {
  static override summary = 'Restart stopped nodes from their files'
  static override description = 'A restarted old master comes back as it was configured; with sentinels watching, it is turned into a replica of the new master, and this command waits until it reports role:slave with its link up.'
  static override examples = ['<%= config.bin %> start master-1', '<%= config.bin %> start 6379', '<%= config.bin %> start all', '<%= config.bin %> start proxy']
  static override args = {node: Args.string({description: 'node id, port, all, or proxy (the lab proxy of up --lab)', required: true})}
  static override flags = {
    dir: dirFlag,
    group: groupFlag,
    'redis-bin': Flags.string({description: 'folder holding redis-server and redis-sentinel (engine redis)'}),
  }

  async run(): Promise<{started: {id: string; port: number; pid: number; role?: string}[]}> {
    const {args, flags} = await this.parse(Start)
    const plan = this.loadPlan(flags.dir)
    if (plan.lab && (args.node === 'proxy' || args.node === 'all')) await this.startProxy(plan)
    if (args.node === 'proxy') return {started: []}
    const nodes = await this.select(plan, args.node, flags.group)
    for (const note of clearStalePidfiles(nodes)) this.log(note)
    const stopped = nodes.filter((n) => readPid(n).state !== 'running')
    if (stopped.length === 0) {
      this.log(`${nodes.map((n) => n.id).join(', ')} already running`)
      return {started: []}
    }
    for (const node of stopped) {
      const port = listenPort(plan.lab, node)
      if (!(await isPortFree(port))) {
        const owner = portOwner(port)
        throw new RtopoError(`port ${port} of ${node.id} is in use${owner ? ` by ${owner}` : ''}`)
      }
    }
    const started: {id: string; port: number; pid: number; role?: string}[] = []
    const hasSentinels = plan.nodes.some((n) => n.kind === 'sentinel' && readPid(n).state === 'running')
    // Sentinels first, then servers, as a cluster is normally brought back.
    const ordered = [...stopped].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'sentinel' ? -1 : 1))
    try {
      await new Listr(ordered.map((node) => ({
        title: `start ${node.id} on port ${node.port}`,
        task: async (_: unknown, task: {title: string}) => {
          const pid = await launchNode(engineForNode(plan, node, flags['redis-bin']), node, node.kind === 'server' ? plan.password : undefined)
          started.push({id: node.id, port: node.port, pid})
          await applyFastProfile(plan, node)
          task.title = `${node.id} on port ${node.port} started (pid ${pid})`
        },
      })), {...this.listrOptions()}).run()
    } catch (cause) {
      const tail = cause instanceof NodeStartError ? `\n--- log tail ---\n${cause.logTail}` : ''
      throw new RtopoError(`start failed: ${(cause as Error).message}${tail}`)
    }
    if (hasSentinels) await followRejoin(this.view(), plan, stopped.filter((n) => n.kind === 'server'))
    for (const s of started) s.role = (await serverStatus(s.port, plan.password))?.role
    return {started}
  }

  /** The lab proxy (up --lab) carries every link; it re-applies the rules it had when it stopped. */
  private async startProxy(plan: TopologyPlan): Promise<void> {
    const lab = labOf(plan)
    const running = proxyPid(lab)
    if (running !== undefined) {
      this.log(`lab proxy already running (pid ${running})`)
      return
    }
    try {
      this.log(`lab proxy started (pid ${await launchProxy(plan)})`)
    } catch (cause) {
      throw new RtopoError(`the lab proxy could not start: ${(cause as Error).message}`, [`cat ${lab.proxy.logfile}`])
    }
  }
}
