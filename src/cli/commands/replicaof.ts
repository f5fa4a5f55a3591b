import {Args, Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag, groupFlag} from '../flags.js'
import {serverStatus, withNode} from '../../topology/inspect.js'
import {waitUntil} from '../../topology/health.js'
import {LOOPBACK} from '../../topology/render.js'

export default class Replicaof extends RtopoCommand {
  static override summary = 'Wire replication by hand: REPLICAOF host port, or REPLICAOF NO ONE'
  static override description = 'Like typing slaveof in redis-cli: not written to the config file, so a restart undoes it (use CONFIG REWRITE on the node to keep it).'
  static override examples = ['<%= config.bin %> replicaof replica-2 replica-1', '<%= config.bin %> replicaof replica-1 no-one']
  static override args = {
    node: Args.string({description: 'the node to change', required: true}),
    master: Args.string({description: 'the node to replicate from, or no-one', required: true}),
  }
  static override flags = {
    dir: dirFlag,
    group: groupFlag,
    wait: Flags.boolean({description: 'wait until the link is up', default: true, allowNo: true}),
  }

  async run(): Promise<{node: string; master: string | null; role?: string}> {
    const {args, flags} = await this.parse(Replicaof)
    const plan = this.loadPlan(flags.dir)
    const node = await this.selectOne(plan, args.node, flags.group, 'replicaof')
    if (!node || node.kind !== 'server') throw new RtopoError(`${args.node} is not a server`)
    if (args.master === 'no-one' || args.master === 'no one') {
      const reply = await withNode(node.port, plan.password, (c) => c.call('REPLICAOF', 'NO', 'ONE'))
      if (reply === undefined) throw new RtopoError(`${node.id} (port ${node.port}) is not reachable`, ['rtopo status'])
      this.log(`${node.id}: REPLICAOF NO ONE -> ${String(reply)}`)
      return {node: node.id, master: null, role: (await serverStatus(node.port, plan.password))?.role}
    }
    const [master] = await this.select(plan, args.master, flags.group)
    if (!master || master.kind !== 'server') throw new RtopoError(`${args.master} is not a server`)
    if (master.id === node.id) throw new RtopoError('a node cannot replicate from itself')
    const reply = await withNode(node.port, plan.password, (c) => c.call('REPLICAOF', LOOPBACK, String(master.port)))
    if (reply === undefined) throw new RtopoError(`${node.id} (port ${node.port}) is not reachable`, ['rtopo status'])
    this.log(`${node.id}: REPLICAOF ${LOOPBACK} ${master.port} -> ${String(reply)}`)
    if (flags.wait) {
      await waitUntil(async () => (await serverStatus(node.port, plan.password))?.linkStatus === 'up', 30_000, `${node.id} link to ${master.id}`)
      this.log(`${node.id} is linked to ${master.id}`)
    }
    return {node: node.id, master: master.id, role: (await serverStatus(node.port, plan.password))?.role}
  }
}
