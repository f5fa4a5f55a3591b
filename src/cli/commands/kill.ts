import {Args, Flags} from '@oclif/core'
import {Listr} from 'listr2'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag, groupFlag} from '../flags.js'
import {readPid, waitForExit} from '../../supervisor/process.js'
import {FAILOVER_EVENTS, FailoverWatch, RECONF_EVENTS, type SeenEvent} from '../../topology/failover-watch.js'
import {serverStatus} from '../../topology/inspect.js'
import {waitUntil} from '../../topology/health.js'
import type {PlannedNode, TopologyPlan} from '../../topology/plan.js'

export interface KillResult {
  killed: {id: string; port: number; pid: number; signal: string}
  failover?: {newMaster?: {id: string; port: number}; events: SeenEvent[]; elapsedMs: number}
}

export default class Kill extends RtopoCommand {
  static override summary = 'Kill a node; killing the master shows the failover live'
  static override description = 'Selectors: master (the current master, as the sentinels or the nodes report it), replica, replica-N, sentinel, sentinel-N, a node id, or a port. After killing the master with sentinels present, each sentinel event is shown as it arrives with its elapsed ms, and the run ends by checking that the new master reports role:master and every live replica is linked to it.'
  static override examples = ['<%= config.bin %> kill master', '<%= config.bin %> kill replica-2 --signal TERM', '<%= config.bin %> kill 6380 --no-wait']
  static override args = {node: Args.string({description: 'which node', required: true})}
  static override flags = {
    dir: dirFlag,
    group: groupFlag,
    signal: Flags.string({description: 'signal to send', default: 'KILL'}),
    wait: Flags.boolean({description: 'follow the failover (or link loss) after killing the master', default: true, allowNo: true}),
    timeout: Flags.integer({description: 'how long to follow the failover, in ms', default: 120_000}),
  }

  async run(): Promise<KillResult> {
    const {args, flags} = await this.parse(Kill)
    const plan = this.loadPlan(flags.dir)
    const signal = `SIG${flags.signal.toUpperCase().replace(/^SIG/, '')}` as NodeJS.Signals
    const target = (await this.select(plan, args.node, flags.group))[0] as PlannedNode
    const pidState = readPid(target)
    if (pidState.state !== 'running') throw new RtopoError(`${target.id} (port ${target.port}) is not running`, [`rtopo start ${target.id}`])
    const status = target.kind === 'server' ? await serverStatus(target.port, plan.password) : undefined
    const isMaster = status?.role === 'master' && plan.nodes.some((n) => n.kind === 'server' && n.group === target.group && n.id !== target.id)
    const group = target.group ?? ''
    const watch = isMaster && flags.wait ? new FailoverWatch(plan, group) : undefined
    const sentinelsWatching = watch ? await watch.start() : 0
    try {
      process.kill(pidState.pid, signal)
    } catch (cause) {
      watch?.stop()
      throw new RtopoError(`could not send ${signal} to ${target.id} (pid ${pidState.pid}): ${(cause as Error).message}`)
    }
    watch?.markKill()
    this.log(`sent ${signal} to ${target.id} (port ${target.port}, pid ${pidState.pid})`)
    const result: KillResult = {killed: {id: target.id, port: target.port, pid: pidState.pid, signal}}
    if (signal === 'SIGKILL' || signal === 'SIGTERM') await waitForExit(pidState.pid, 10_000)
    if (!isMaster || !flags.wait) return result
    if (sentinelsWatching === 0 || !watch) {
      this.log('no sentinel is watching: no failover will happen. Following the replicas as their links go down:')
      await this.followLinksDown(plan, target)
      return result
    }
    try {
      result.failover = await this.followFailover(plan, target, watch, flags.timeout)
    } finally {
      watch.stop()
    }
    return result
  }

  private async followLinksDown(plan: TopologyPlan, master: PlannedNode): Promise<void> {
    const candidates = plan.nodes.filter((n) => n.kind === 'server' && n.group === master.group && n.id !== master.id && readPid(n).state === 'running')
    // Only the killed node's own replicas lose their link; further down a chain they still follow theirs.
    const statuses = await Promise.all(candidates.map((n) => serverStatus(n.port, plan.password)))
    const replicas = candidates.filter((_, i) => statuses[i]?.masterPort === master.port)
    const started = Date.now()
    await new Listr(replicas.map((r) => ({
      title: `${r.id} (port ${r.port}) loses its link`,
      task: async (_: unknown, task: {title: string}) => {
        await waitUntil(async () => (await serverStatus(r.port, plan.password))?.linkStatus === 'down', 120_000, `${r.id} master_link_status:down`)
        task.title = `${r.id} (port ${r.port}) master_link_status:down after ${Date.now() - started} ms — still a replica, still refusing writes`
      },
    })), {concurrent: true, ...this.listrOptions()}).run()
  }

  private async followFailover(plan: TopologyPlan, old: PlannedNode, watch: FailoverWatch, timeoutMs: number) {
    const started = Date.now()
    const otherReplicas = plan.nodes.filter((n) => n.kind === 'server' && n.group === old.group && n.id !== old.id && readPid(n).state === 'running')
    const expected = FAILOVER_EVENTS.filter((e) => otherReplicas.length > 1 || !RECONF_EVENTS.has(e))
    let newMaster: PlannedNode | undefined
    const tasks: {title: string; task: (ctx: unknown, task: {title: string}) => Promise<void>}[] = expected.map((event) => ({
      title: event,
      task: async (_: unknown, task: {title: string}) => {
        const seen = await watch.waitFor(event, Math.max(1000, timeoutMs - (Date.now() - started)))
        task.title = `${event.padEnd(36)} ${String(seen.elapsedMs).padStart(6)} ms  ${seen.message}`
        if (event === '+switch-master') {
          const port = Number(seen.message.trim().split(' ').pop())
          newMaster = plan.nodes.find((n) => n.port === port)
        }
      },
    }))
    tasks.push({
      title: 'verify the new master and its replicas through INFO replication',
      task: async (_: unknown, task: {title: string}) => {
        if (!newMaster) throw new Error('the sentinels did not name a new master')
        const nm = newMaster
        await waitUntil(async () => (await serverStatus(nm.port, plan.password))?.role === 'master', 30_000, `${nm.id} role:master`)
        const replicas = otherReplicas.filter((r) => r.id !== nm.id)
        await Promise.all(replicas.map((r) => waitUntil(async () => {
          const s = await serverStatus(r.port, plan.password)
          return s?.masterPort === nm.port && s.linkStatus === 'up'
        }, 60_000, `${r.id} linked to ${nm.id}`)))
        task.title = `${nm.id} (port ${nm.port}) is role:master; ${replicas.length} replica(s) linked to it`
      },
    })
    try {
      await new Listr(tasks, {...this.listrOptions(), exitOnError: true}).run()
    } catch (cause) {
      throw new RtopoError(`failover not completed: ${(cause as Error).message}`, ['rtopo status', 'rtopo logs sentinel-1'])
    }
    const elapsedMs = Date.now() - started
    this.log(`failover done in ${elapsedMs} ms: new master ${newMaster?.id} (port ${newMaster?.port}). Bring the old one back with: rtopo start ${old.id}`)
    return {newMaster: newMaster && {id: newMaster.id, port: newMaster.port}, events: [...watch.events()], elapsedMs}
  }
}
