// The failover (sentinel.md §8–§9): start on ODOWN, leader election by epoch votes, choice of the replica
// to promote, SLAVEOF NO ONE, reconfiguration of the other replicas, and the switch of the master entry to
// the promoted address. Also the repairs any sentinel makes from INFO: an old master that came back is
// turned into a replica (+convert-to-slave), a replica following the wrong master is fixed. It sees the
// sentinel only through FailoverHost, the narrow interface below.

import {randomInt} from 'node:crypto'
import {FAILOVER_ORDER, Instance, MasterInstance, type FailoverState} from './instance.js'
import type {SentinelClock} from './clock.js'
import type {EventSink} from './events.js'
import {SIMFAILURE_CRASH_AFTER_ELECTION, SIMFAILURE_CRASH_AFTER_PROMOTION, TIMINGS} from './timings.js'

/** What the failover needs from the sentinel. */
export interface FailoverHost {
  readonly myid: string
  currentEpoch: number
  readonly clock: SentinelClock
  readonly logger: {warning(message: string): void}
  readonly event: EventSink
  /** Our vote for the leader of `master`'s failover in `epoch`. */
  voteLeader(master: MasterInstance, epoch: number, candidate: string): {leader: string | undefined; epoch: number}
  /** SENTINEL SIMULATE-FAILURE: exits at the flagged point. */
  simulatedCrash(flag: number): void
  flush(): boolean
  runReconfigScript(master: MasterInstance, role: 'leader' | 'observer', from: {host: string; port: number}, to: {host: string; port: number}): void
  forceHello(master: MasterInstance): void
  addReplica(master: MasterInstance, host: string, port: number, now: number, announce: boolean): Instance
  /** A command renamed as the master's rename-command lines say. */
  command(instance: Instance, args: string[]): string[]
}

export class Failover {
  constructor(private readonly sentinel: FailoverHost) {}

  private setState(master: MasterInstance, state: FailoverState, now: number): void {
    master.failoverState = state
    master.failoverStateChangeMs = now
  }

  /** Starts a failover when the master is ODOWN and the last attempt is long enough ago. */
  startIfNeeded(master: MasterInstance, now: number): boolean {
    if (!master.flags.has('o_down') || master.flags.has('failover_in_progress')) return false
    if (now - master.failoverStartMs < master.failoverTimeoutMs * 2) {
      if (master.failoverDelayLoggedMs !== master.failoverStartMs) {
        master.failoverDelayLoggedMs = master.failoverStartMs
        const when = ctime(new Date(master.failoverStartMs + master.failoverTimeoutMs * 2))
        this.sentinel.logger.warning(`Next failover delay: I will not start a failover before ${when}`)
      }
      return false
    }
    this.start(master, now)
    return true
  }

  start(master: MasterInstance, now: number): void {
    const s = this.sentinel
    this.setState(master, 'wait_start', now)
    master.flags.add('failover_in_progress')
    master.failoverEpoch = ++s.currentEpoch
    s.event('warning', '+new-epoch', undefined, String(s.currentEpoch))
    s.event('warning', '+try-failover', master, '')
    master.failoverStartMs = now + randomInt(0, 1000)
  }

  step(master: MasterInstance, now: number): void {
    if (!master.flags.has('failover_in_progress')) return
    switch (master.failoverState) {
      case 'wait_start': return this.waitStart(master, now)
      case 'select_slave': return this.selectSlave(master, now)
      case 'send_slaveof_noone': return this.sendSlaveofNoOne(master, now)
      case 'wait_promotion': return this.waitPromotion(master, now)
      case 'reconf_slaves': return this.reconfNextReplica(master, now)
      default:
    }
  }

  /** The leader for `epoch`: the most voted runid with a majority and the quorum, counting our own vote. */
  leaderFor(master: MasterInstance, epoch: number): string | undefined {
    const s = this.sentinel
    const counts = new Map<string, number>()
    for (const peer of master.sentinels.values()) {
      if (peer.leader !== undefined && peer.leaderEpoch === s.currentEpoch) counts.set(peer.leader, (counts.get(peer.leader) ?? 0) + 1)
    }
    let winner: string | undefined
    let maxVotes = 0
    for (const [runid, votes] of counts) {
      if (votes > maxVotes) {
        maxVotes = votes
        winner = runid
      }
    }
    const mine = s.voteLeader(master, epoch, winner ?? s.myid)
    if (mine.leader !== undefined && mine.epoch === epoch) {
      const votes = (counts.get(mine.leader) ?? 0) + 1
      counts.set(mine.leader, votes)
      if (votes > maxVotes) {
        maxVotes = votes
        winner = mine.leader
      }
    }
    const voters = master.sentinels.size + 1
    if (winner !== undefined && (maxVotes < Math.floor(voters / 2) + 1 || maxVotes < master.quorum)) return undefined
    return winner
  }

  private waitStart(master: MasterInstance, now: number): void {
    const s = this.sentinel
    const leader = this.leaderFor(master, master.failoverEpoch)
    const isLeader = leader !== undefined && leader.toLowerCase() === s.myid
    if (!isLeader && !master.flags.has('force_failover')) {
      const electionTimeout = Math.min(TIMINGS['election-timeout'], master.failoverTimeoutMs)
      if (now - master.failoverStartMs > electionTimeout) {
        s.event('warning', '-failover-abort-not-elected', master, '')
        this.abort(master)
      }
      return
    }
    s.event('warning', '+elected-leader', master, '')
    s.simulatedCrash(SIMFAILURE_CRASH_AFTER_ELECTION)
    this.setState(master, 'select_slave', now)
    s.event('warning', '+failover-state-select-slave', master, '')
  }

  /** The replica to promote (§9): healthy, recently heard from, priority > 0; best priority, offset, runid. */
  selectReplica(master: MasterInstance, now: number): Instance | undefined {
    const maxInfoAge = master.flags.has('s_down') ? 5000 : 30000
    const maxLinkDown = (master.flags.has('s_down') ? now - master.sdownSinceMs : 0) + master.downAfterMs * 10
    const candidates = [...master.replicas.values()].filter((r) =>
      !r.flags.has('s_down') && !r.flags.has('o_down') && !r.flags.has('disconnected') &&
      now - r.lastAvailMs <= 5000 && r.slavePriority !== 0 &&
      r.infoRefreshMs !== 0 && now - r.infoRefreshMs <= maxInfoAge && r.masterLinkDownMs <= maxLinkDown)
    candidates.sort((a, b) => {
      if (a.slavePriority !== b.slavePriority) return a.slavePriority - b.slavePriority
      if (a.slaveReplOffset !== b.slaveReplOffset) return b.slaveReplOffset - a.slaveReplOffset
      if (a.runid === '') return b.runid === '' ? 0 : 1
      if (b.runid === '') return -1
      return a.runid.toLowerCase() < b.runid.toLowerCase() ? -1 : a.runid.toLowerCase() > b.runid.toLowerCase() ? 1 : 0
    })
    return candidates[0]
  }

  private selectSlave(master: MasterInstance, now: number): void {
    const s = this.sentinel
    const replica = this.selectReplica(master, now)
    if (replica === undefined) {
      s.event('warning', '-failover-abort-no-good-slave', master, '')
      this.abort(master)
      return
    }
    replica.flags.add('promoted')
    master.promoted = replica
    s.event('warning', '+selected-slave', replica, '')
    this.setState(master, 'send_slaveof_noone', now)
    s.event('notice', '+failover-state-send-slaveof-noone', replica, '')
  }

  private sendSlaveofNoOne(master: MasterInstance, now: number): void {
    const s = this.sentinel
    const promoted = master.promoted as Instance
    if (promoted.flags.has('disconnected')) {
      if (now - master.failoverStateChangeMs > master.failoverTimeoutMs) {
        s.event('warning', '-failover-abort-slave-timeout', master, '')
        this.abort(master)
      }
      return
    }
    if (!this.sendSlaveOf(promoted, undefined)) return
    s.event('notice', '+failover-state-wait-promotion', promoted, '')
    this.setState(master, 'wait_promotion', now)
  }

  private waitPromotion(master: MasterInstance, now: number): void {
    if (now - master.failoverStateChangeMs > master.failoverTimeoutMs) {
      this.sentinel.event('warning', '-failover-abort-slave-timeout', master, '')
      this.abort(master)
    }
  }

  /** The exact transaction Redis sends: SLAVEOF, CONFIG REWRITE and the client kills, in MULTI/EXEC. */
  sendSlaveOf(replica: Instance, target: {host: string; port: number} | undefined): boolean {
    const cc = replica.cc
    if (cc === undefined || !cc.connected) return false
    const s = this.sentinel
    const slaveof = target === undefined ? ['SLAVEOF', 'NO', 'ONE'] : ['SLAVEOF', target.host, String(target.port)]
    for (const args of [['MULTI'], slaveof, ['CONFIG', 'REWRITE'], ['CLIENT', 'KILL', 'TYPE', 'normal'], ['CLIENT', 'KILL', 'TYPE', 'pubsub'], ['EXEC']]) {
      cc.send(s.command(replica, args))
    }
    return true
  }

  private abort(master: MasterInstance): void {
    master.flags.delete('failover_in_progress')
    master.flags.delete('force_failover')
    master.failoverState = 'none'
    master.failoverStateChangeMs = this.sentinel.clock.now()
    if (master.promoted !== undefined) {
      master.promoted.flags.delete('promoted')
      master.promoted = undefined
    }
  }

  // ---- reacting to INFO ------------------------------------------------------------------------------

  /** A replica says role:master: our promotion succeeded, or an old master is back and must follow. */
  replicaReportsMaster(replica: Instance, master: MasterInstance, now: number): void {
    const s = this.sentinel
    if (replica.flags.has('promoted') && master.flags.has('failover_in_progress') && master.failoverState === 'wait_promotion') {
      master.configEpoch = master.failoverEpoch
      this.setState(master, 'reconf_slaves', now)
      s.flush()
      s.event('warning', '+promoted-slave', replica, '')
      s.simulatedCrash(SIMFAILURE_CRASH_AFTER_PROMOTION)
      s.event('warning', '+failover-state-reconf-slaves', master, '')
      s.runReconfigScript(master, 'leader', {host: master.host, port: master.port}, {host: replica.host, port: replica.port})
      s.forceHello(master)
      return
    }
    // An instance that reports master while we know another one: demote it once things look settled — but
    // never the replica this failover promoted (a forced failover leaves the old master sane meanwhile).
    const wait = TIMINGS['publish-period'] * 4
    if (!replica.flags.has('promoted') && this.masterLooksSane(master, now) && !replica.flags.has('s_down') && !replica.flags.has('o_down') && now - replica.roleReportedMs > wait &&
      now - replica.sdownSinceMs > wait) {
      if (this.sendSlaveOf(replica, master.currentAddress())) s.event('notice', '+convert-to-slave', replica, '')
    }
  }

  /** A replica reports role:slave: track reconfiguration during a failover, or fix a wrong master address. */
  replicaReportsReplica(replica: Instance, master: MasterInstance, now: number): void {
    const s = this.sentinel
    const address = master.currentAddress()
    const followsMaster = replica.slaveMasterHost === address.host && replica.slaveMasterPort === address.port
    if (!followsMaster && !replica.flags.has('promoted') && master.failoverState === 'none' && this.masterLooksSane(master, now) &&
      !replica.flags.has('s_down') && !replica.flags.has('o_down') &&
      now - replica.slaveConfChangeMs > master.failoverTimeoutMs && now - replica.masterAddressChangeMs > master.failoverTimeoutMs) {
      if (this.sendSlaveOf(replica, address)) s.event('notice', '+fix-slave-config', replica, '')
    }
    const promoted = master.promoted
    if (promoted === undefined || !(replica.flags.has('reconf_sent') || replica.flags.has('reconf_inprog'))) return
    if (replica.flags.has('reconf_sent') && replica.slaveMasterHost === promoted.host && replica.slaveMasterPort === promoted.port) {
      replica.flags.delete('reconf_sent')
      replica.flags.add('reconf_inprog')
      s.event('notice', '+slave-reconf-inprog', replica, '')
    }
    if (replica.flags.has('reconf_inprog') && replica.masterLinkUp) {
      replica.flags.delete('reconf_inprog')
      replica.flags.add('reconf_done')
      s.event('notice', '+slave-reconf-done', replica, '')
    }
  }

  private masterLooksSane(master: MasterInstance, now: number): boolean {
    return master.roleReported === 'master' && !master.flags.has('s_down') && !master.flags.has('o_down') &&
      master.infoRefreshMs !== 0 && now - master.infoRefreshMs < TIMINGS['info-period'] * 2
  }

  // ---- reconfiguring the other replicas ----------------------------------------------------------------

  private reconfNextReplica(master: MasterInstance, now: number): void {
    const s = this.sentinel
    const promoted = master.promoted as Instance
    const replicas = [...master.replicas.values()]
    let inProgress = replicas.filter((r) => r.flags.has('reconf_sent') || r.flags.has('reconf_inprog')).length
    for (const r of replicas) {
      if (inProgress >= master.parallelSyncs) break
      if (r.flags.has('promoted') || r.flags.has('reconf_done')) continue
      if (r.flags.has('reconf_sent') && now - r.reconfSentMs > TIMINGS['slave-reconf-timeout']) {
        s.event('notice', '-slave-reconf-sent-timeout', r, '')
        r.flags.delete('reconf_sent')
        r.flags.add('reconf_done')
        continue
      }
      if (r.flags.has('reconf_sent') || r.flags.has('reconf_inprog')) continue
      if (r.flags.has('disconnected')) continue
      if (this.sendSlaveOf(r, {host: promoted.host, port: promoted.port})) {
        r.flags.add('reconf_sent')
        r.reconfSentMs = now
        s.event('notice', '+slave-reconf-sent', r, '')
        inProgress++
      }
    }
    this.detectEnd(master, now)
  }

  private detectEnd(master: MasterInstance, now: number): void {
    const s = this.sentinel
    const promoted = master.promoted
    if (promoted === undefined || promoted.flags.has('s_down')) return
    let pending = [...master.replicas.values()].filter((r) => !r.flags.has('promoted') && !r.flags.has('reconf_done') && !r.flags.has('s_down')).length
    let timedOut = false
    if (now - master.failoverStateChangeMs > master.failoverTimeoutMs) {
      pending = 0
      timedOut = true
      s.event('warning', '+failover-end-for-timeout', master, '')
    }
    if (pending > 0) return
    s.event('warning', '+failover-end', master, '')
    this.setState(master, 'update_config', now)
    if (!timedOut) return
    for (const r of master.replicas.values()) {
      if (r.flags.has('reconf_done') || r.flags.has('reconf_sent') || r.flags.has('promoted')) continue
      if (this.sendSlaveOf(r, {host: promoted.host, port: promoted.port})) {
        r.flags.add('reconf_sent')
        s.event('notice', '+slave-reconf-sent-be', r, '')
      }
    }
  }

  /** update_config: the master entry moves to the promoted replica (§9 step 7). */
  switchToPromoted(master: MasterInstance): void {
    const promoted = master.promoted
    if (promoted === undefined) return
    const s = this.sentinel
    s.event('warning', '+switch-master', undefined, `${master.name} ${master.host} ${master.port} ${promoted.host} ${promoted.port}`)
    this.resetMasterAndChangeAddress(master, promoted.host, promoted.port)
  }

  /** Points the master entry at a new address; its replicas become the old ones plus the old master. */
  resetMasterAndChangeAddress(master: MasterInstance, host: string, port: number): void {
    const s = this.sentinel
    const now = s.clock.now()
    const oldAddress = {host: master.host, port: master.port}
    const replicaAddresses = [...master.replicas.values()]
      .filter((r) => !(r.host === host && r.port === port))
      .map((r) => ({host: r.host, port: r.port}))
    if (!(oldAddress.host === host && oldAddress.port === port)) replicaAddresses.push(oldAddress)
    for (const r of master.replicas.values()) r.closeLinks()
    master.replicas.clear()
    master.closeLinks()
    master.host = host
    master.port = port
    master.runid = ''
    for (const flag of ['s_down', 'o_down', 'failover_in_progress', 'force_failover', 'script_kill_sent', 'master_down'] as const) master.flags.delete(flag)
    master.failoverState = 'none'
    master.failoverStateChangeMs = now
    // As sentinelResetMaster: "we can failover again ASAP" — the new master may fail right away.
    master.failoverStartMs = 0
    master.promoted = undefined
    master.votedLeader = undefined
    master.actPingMs = now
    master.lastAvailMs = now
    master.lastPongMs = now
    master.infoRefreshMs = 0
    master.roleReported = 'master'
    master.roleReportedMs = now
    for (const peer of master.sentinels.values()) {
      peer.flags.delete('master_down')
      peer.leader = undefined
    }
    for (const address of replicaAddresses) {
      const replica = s.addReplica(master, address.host, address.port, now, false)
      s.event('notice', '+slave', replica, '')
    }
    s.flush()
  }

  /** SENTINEL FAILOVER: a failover now, without agreement (the caller checked a replica exists). */
  force(master: MasterInstance, now: number): void {
    this.start(master, now)
    master.flags.add('force_failover')
    master.failoverStartMs = now
  }

  /** True once the failover state has reached `state` (for callers outside this module). */
  static reached(master: MasterInstance, state: FailoverState): boolean {
    return FAILOVER_ORDER.indexOf(master.failoverState) >= FAILOVER_ORDER.indexOf(state)
  }
}

/** C's ctime() without the newline, in local time: "Mon Nov 23 23:31:48 2026" (day padded with a space). */
function ctime(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const two = (n: number) => String(n).padStart(2, '0')
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`
}
