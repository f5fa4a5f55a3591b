// A coordinated failover started by FAILOVER (replication.c failoverCommand, updateFailoverStatus,
// abortFailover): the master pauses writes, waits until the target replica (or any replica) has
// acknowledged its whole stream, then turns itself into a replica of it and sends it PSYNC … FAILOVER,
// which makes the target a master. The target's +CONTINUE (or +FULLRESYNC) ends the failover and the
// pause; a refused PSYNC, the timeout without FORCE, or FAILOVER ABORT undo it.

import type {Client} from '../client.js'
import type {ClientPause} from '../client-pause.js'
import type {Logger} from '../../common/logger.js'

export type FailoverState = 'no-failover' | 'waiting-for-sync' | 'failover-in-progress'

/** A replica as the failover looks at it. */
export interface FailoverReplica {
  readonly client: Client
  /** The address it announced with REPLCONF ip-address, else its connection's peer address. */
  readonly ip: string
  readonly listeningPort: number
  readonly state: 'wait_bgsave' | 'online'
  readonly ackOffset: number
}

/** What the failover needs from replication: the replicas, the offset, and the two role changes. */
export interface FailoverHost {
  readonly logger: Logger
  readonly pause: ClientPause
  nowMs(): number
  replicas(): readonly FailoverReplica[]
  masterReplOffset(): number
  /** replicationSetMaster: follow the target, offering our own history to PSYNC with. */
  followTarget(host: string, port: number): void
  /** replicationUnsetMaster: a master again. */
  becomeMaster(): void
}

export interface FailoverRequest {
  readonly target: {host: string; port: number} | undefined
  readonly timeoutMs: number
  readonly force: boolean
}

export class Failover {
  state: FailoverState = 'no-failover'
  private target: {host: string; port: number} | undefined
  /** Wall-clock end of the wait for the replica, 0 without TIMEOUT. */
  endMs = 0
  private force = false

  constructor(private readonly host: FailoverHost) {}

  get active(): boolean {
    return this.state !== 'no-failover'
  }

  /** findReplica: by announced (or peer) address, case-insensitively, and listening port. */
  findReplica(host: string, port: number): FailoverReplica | undefined {
    return this.host.replicas().find((r) => r.ip.toLowerCase() === host.toLowerCase() && r.listeningPort === port)
  }

  /** FAILOVER's checks passed: wait for a caught-up replica with writes paused. */
  begin(request: FailoverRequest): void {
    const {logger, pause} = this.host
    this.target = request.target
    if (request.target !== undefined) logger.notice(`FAILOVER requested to ${request.target.host}:${request.target.port}.`)
    else logger.notice('FAILOVER requested to any replica.')
    this.endMs = request.timeoutMs > 0 ? this.host.nowMs() + request.timeoutMs : 0
    this.force = request.force
    this.state = 'waiting-for-sync'
    pause.pause('failover', Number.POSITIVE_INFINITY, 'write')
  }

  /** updateFailoverStatus: runs in the replication cron and after replicas' ACKs. */
  update(): void {
    if (this.state !== 'waiting-for-sync') return
    const {logger} = this.host
    if (this.endMs !== 0 && this.endMs <= this.host.nowMs()) {
      if (!this.force || this.target === undefined) {
        this.abort('Replica never caught up before timeout')
        return
      }
      logger.notice(`FAILOVER to ${this.target.host}:${this.target.port} time out exceeded, failing over.`)
      this.failOverTo(this.target)
      return
    }
    const offset = this.host.masterReplOffset()
    let replica: FailoverReplica | undefined
    if (this.target !== undefined) {
      replica = this.findReplica(this.target.host, this.target.port)
    } else {
      replica = this.host.replicas().find((r) => r.ackOffset === offset)
      if (replica !== undefined) this.target = {host: replica.ip, port: replica.listeningPort}
    }
    if (replica === undefined || replica.ackOffset !== offset || this.target === undefined) return
    logger.notice(`Failover target ${this.target.host}:${this.target.port} is synced, failing over.`)
    this.failOverTo(this.target)
  }

  private failOverTo(target: {host: string; port: number}): void {
    this.state = 'failover-in-progress'
    this.host.followTarget(target.host, target.port)
  }

  /** The target answered the PSYNC FAILOVER: accepted (+CONTINUE, +FULLRESYNC) ends it, anything else aborts. */
  psyncAnswered(accepted: boolean): void {
    if (this.state !== 'failover-in-progress') return
    if (accepted) this.clear()
    else this.abort('Failover target rejected psync request')
  }

  /** abortFailover: back to master when we already followed the target; the pause ends either way. */
  abort(reason: string): void {
    if (this.state === 'no-failover') return
    const {logger} = this.host
    if (this.target !== undefined) logger.notice(`FAILOVER to ${this.target.host}:${this.target.port} aborted: ${reason}`)
    else logger.notice(`FAILOVER to any replica aborted: ${reason}`)
    if (this.state === 'failover-in-progress') this.host.becomeMaster()
    this.clear()
  }

  /** clearFailoverState. */
  private clear(): void {
    this.endMs = 0
    this.force = false
    this.target = undefined
    this.state = 'no-failover'
    this.host.pause.unpause('failover')
  }
}
