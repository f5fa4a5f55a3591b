// Leader election (sentinel.md §8): our own vote (one per epoch, first come, first served) and the
// SENTINEL is-master-down-by-addr requests that collect the peers' down opinions and votes.

import {randomInt} from 'node:crypto'
import type {RespValue} from '../resp/reply-parser.js'
import type {SentinelClock} from './clock.js'
import type {EventSink} from './events.js'
import type {MasterInstance} from './instance.js'
import {TIMINGS} from './timings.js'

/** What the election needs from the sentinel. */
export interface ElectionHost {
  readonly myid: string
  currentEpoch: number
  readonly clock: SentinelClock
  readonly logger: {warning(message: string): void}
  readonly event: EventSink
  flush(): boolean
}

/** Our vote for the leader of `master`'s failover in `epoch` (first come, first served per epoch). */
export function voteLeader(host: ElectionHost, master: MasterInstance, epoch: number, candidate: string): {leader: string | undefined; epoch: number} {
  if (epoch > host.currentEpoch) {
    host.currentEpoch = epoch
    host.flush()
    host.event('warning', '+new-epoch', undefined, String(epoch))
  }
  if (master.votedLeaderEpoch < epoch && host.currentEpoch <= epoch) {
    master.votedLeader = candidate
    master.votedLeaderEpoch = host.currentEpoch
    host.flush()
    host.event('warning', '+vote-for-leader', undefined, `${candidate} ${master.votedLeaderEpoch}`)
    // Voting for another sentinel holds our own failover attempts back.
    if (candidate.toLowerCase() !== host.myid) master.failoverStartMs = host.clock.now() + randomInt(0, 1000)
  }
  return {leader: master.votedLeader, epoch: master.votedLeaderEpoch}
}

/** SENTINEL is-master-down-by-addr to every connected peer while the master is down (forced at a failover start). */
export function askMasterState(host: ElectionHost, master: MasterInstance, now: number, forced: boolean): void {
  for (const peer of master.sentinels.values()) {
    if (now - peer.lastMasterDownReplyMs > TIMINGS['ask-period'] * 5) {
      peer.flags.delete('master_down')
      peer.leader = undefined
    }
    if (!master.flags.has('s_down')) continue
    if (peer.cc === undefined || !peer.cc.connected) continue
    if (!forced && now - peer.lastMasterDownReplyMs < TIMINGS['ask-period']) continue
    const candidate = master.failoverState !== 'none' ? host.myid : '*'
    peer.cc.send(['SENTINEL', 'is-master-down-by-addr', master.host, String(master.port), String(host.currentEpoch), candidate], (reply) => {
      const items = reply?.type === 'array' ? reply.value : undefined
      if (items?.length !== 3) return
      const [down, leader, epoch] = items as [RespValue, RespValue, RespValue]
      if (down.type !== 'int' || leader.type !== 'bulk' || leader.value === null || epoch.type !== 'int') return
      peer.lastMasterDownReplyMs = host.clock.now()
      if (down.value === 1n) peer.flags.add('master_down')
      else peer.flags.delete('master_down')
      const leaderId = leader.value.toString('latin1')
      if (leaderId !== '*') {
        if (peer.leaderEpoch !== Number(epoch.value) || peer.leader !== leaderId) {
          host.logger.warning(`${peer.name} voted for ${leaderId} ${epoch.value}`)
        }
        peer.leader = leaderId
        peer.leaderEpoch = Number(epoch.value)
      }
    })
  }
}
