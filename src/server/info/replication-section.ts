// INFO replication and ROLE for this server (replication.md §12-13). The replication module plugs its
// live state in through useReplicationInfo(); until it does, a server is a fresh master with no backlog.

import {randomBytes} from 'node:crypto'
import {array, bulk, int, type Reply} from '../../resp/reply.js'

/** One connected replica as the master sees it (INFO slave<N>, ROLE). */
export interface ReplicaView {
  readonly ip: string
  readonly port: number
  readonly state: 'wait_bgsave' | 'send_bulk' | 'online'
  readonly ackOffset: number
  readonly lagSec: number
}

/** What the replication engine exposes to INFO and ROLE. */
export interface ReplicationInfoSource {
  /** The lines of the section after `# Replication`, in Redis's order. */
  infoLines(): string[]
  /** The ROLE reply. */
  roleReply(): Reply
  /** 'master' or 'slave', as INFO's role field prints it. */
  role(): 'master' | 'slave'
}

export const NULL_REPLID = '0'.repeat(40)

/** A master's view: fresh replid, offsets and backlog as given (defaults: a master that never had replicas). */
export class MasterReplicationInfo implements ReplicationInfoSource {
  replid = randomBytes(20).toString('hex')
  replid2 = NULL_REPLID
  masterReplOffset = 0
  secondReplOffset = -1
  backlogActive = false
  backlogFirstByteOffset = 0
  backlogHistlen = 0
  replicas: ReplicaView[] = []

  constructor(private readonly backlogSize: () => number) {}

  role(): 'master' {
    return 'master'
  }

  infoLines(): string[] {
    return [
      'role:master',
      `connected_slaves:${this.replicas.length}`,
      ...this.replicas.map((r, i) => `slave${i}:ip=${r.ip},port=${r.port},state=${r.state},offset=${r.ackOffset},lag=${r.lagSec}`),
      ...replicationTail(this),
    ]
  }

  roleReply(): Reply {
    const online = this.replicas.filter((r) => r.state === 'online')
    return array([
      bulk('master'),
      int(this.masterReplOffset),
      array(online.map((r) => array([bulk(r.ip), bulk(String(r.port)), bulk(String(r.ackOffset))]))),
    ])
  }

  get backlogSizeBytes(): number {
    return this.backlogSize()
  }
}

/** The fields every instance prints after its role-specific ones (master_failover_state … repl_backlog_histlen). */
export function replicationTail(state: {
  failoverState?: string
  replid: string
  replid2: string
  masterReplOffset: number
  secondReplOffset: number
  backlogActive: boolean
  backlogSizeBytes: number
  backlogFirstByteOffset: number
  backlogHistlen: number
}): string[] {
  return [
    `master_failover_state:${state.failoverState ?? 'no-failover'}`,
    `master_replid:${state.replid}`,
    `master_replid2:${state.replid2}`,
    `master_repl_offset:${state.masterReplOffset}`,
    `second_repl_offset:${state.secondReplOffset}`,
    `repl_backlog_active:${state.backlogActive ? 1 : 0}`,
    `repl_backlog_size:${state.backlogSizeBytes}`,
    `repl_backlog_first_byte_offset:${state.backlogFirstByteOffset}`,
    `repl_backlog_histlen:${state.backlogHistlen}`,
  ]
}

const sources = new WeakMap<object, ReplicationInfoSource>()

/** The replication engine registers its live view of `server` here. */
export function useReplicationInfo(server: object, source: ReplicationInfoSource): void {
  sources.set(server, source)
}

/** The registered view, or a master default created on first use. */
export function replicationInfoFor(server: object, backlogSize: () => number): ReplicationInfoSource {
  let source = sources.get(server)
  if (source === undefined) {
    source = new MasterReplicationInfo(backlogSize)
    sources.set(server, source)
  }
  return source
}
