// The sentinel's monitoring (sentinel.md §4–§8, §10–§12): links to every master, replica and peer
// sentinel; PING, INFO and hello on Redis's periods; replicas discovered from the master's INFO and peers
// from hello messages; subjective and objective down; votes; events logged and published. The failover
// state machine lives in failover.ts.

import {randomBytes, randomInt} from 'node:crypto'
import {spawn} from 'node:child_process'
import {isIP} from 'node:net'
import {rewriteConfigFile} from '../config/rewrite.js'
import type {RespValue} from '../resp/reply-parser.js'
import type {Server} from '../server/server.js'
import {InstanceConnection, replyText} from './connection.js'
import {Failover} from './failover.js'
import {Instance, MasterInstance} from './instance.js'
import {sentinelConfigLines, type SentinelSettings} from './settings.js'

export const HELLO_CHANNEL = '__sentinel__:hello'

/** SENTINEL SIMULATE-FAILURE flags. */
export const SIMFAILURE_CRASH_AFTER_ELECTION = 1
export const SIMFAILURE_CRASH_AFTER_PROMOTION = 2

/** Redis's timing constants (SENTINEL DEBUG can change them). */
export const TIMINGS = {
  'info-period': 10000,
  'ping-period': 1000,
  'ask-period': 1000,
  'publish-period': 2000,
  'default-down-after': 30000,
  'default-failover-timeout': 180000,
  'tilt-trigger': 2000,
  'tilt-period': 30000,
  'slave-reconf-timeout': 10000,
  'min-link-reconnect-period': 15000,
  'election-timeout': 10000,
  'script-max-runtime': 60000,
  'script-retry-delay': 30000,
}

type Level = 'debug' | 'verbose' | 'notice' | 'warning'

export class Sentinel {
  readonly myid: string
  currentEpoch: number
  readonly masters: Map<string, MasterInstance>
  announceIp: string
  announcePort: number
  denyScriptsReconfig: boolean
  resolveHostnames: boolean
  announceHostnames: boolean
  sentinelUser: string | undefined
  sentinelPass: string | undefined
  tiltSinceMs = -1
  readonly failover: Failover
  private lastTickMs = Date.now()
  private timer: NodeJS.Timeout | undefined
  runningScripts = 0
  /** SENTINEL SIMULATE-FAILURE flags (INFO sentinel_simulate_failure_flags). */
  simFailureFlags = 0

  constructor(readonly server: Server, settings: SentinelSettings) {
    const now = Date.now()
    this.myid = settings.myid ?? randomBytes(20).toString('hex')
    this.currentEpoch = settings.currentEpoch
    this.masters = settings.masters
    this.announceIp = settings.announceIp
    this.announcePort = settings.announcePort
    this.denyScriptsReconfig = settings.denyScriptsReconfig
    this.resolveHostnames = settings.resolveHostnames
    this.announceHostnames = settings.announceHostnames
    this.sentinelUser = settings.sentinelUser
    this.sentinelPass = settings.sentinelPass
    for (const [name, host, port] of settings.knownReplicas) {
      const master = this.masters.get(name)
      if (master !== undefined) this.addReplica(master, host, port, now, false)
    }
    for (const [name, host, port, runid] of settings.knownSentinels) {
      const master = this.masters.get(name)
      if (master === undefined || runid === this.myid) continue
      const peer = new Instance('sentinel', runid, host, port, master, now)
      peer.runid = runid
      master.sentinels.set(runid, peer)
    }
    this.failover = new Failover(this)
    if (settings.myid === undefined) this.flush()
  }

  get logger() {
    return this.server.logger
  }

  start(): void {
    this.logger.warning(`Sentinel ID is ${this.myid}`)
    for (const master of this.masters.values()) this.event('warning', '+monitor', master, `quorum ${master.quorum}`)
    this.scheduleTick()
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    for (const master of this.masters.values()) this.closeAll(master)
  }

  closeAll(master: MasterInstance): void {
    master.closeLinks()
    for (const r of master.replicas.values()) r.closeLinks()
    for (const s of master.sentinels.values()) s.closeLinks()
  }

  /** Redis re-randomises its tick rate between 10 and 19 Hz so sentinels do not act in lockstep. */
  private scheduleTick(): void {
    this.timer = setTimeout(() => {
      this.tick()
      this.scheduleTick()
    }, Math.floor(1000 / randomInt(10, 20)))
  }

  get inTilt(): boolean {
    return this.tiltSinceMs >= 0
  }

  private tick(): void {
    const now = Date.now()
    const delta = now - this.lastTickMs
    this.lastTickMs = now
    if (delta < 0 || delta > TIMINGS['tilt-trigger']) {
      this.tiltSinceMs = now
      this.event('warning', '+tilt', undefined, '#tilt mode entered')
    } else if (this.inTilt && now - this.tiltSinceMs > TIMINGS['tilt-period']) {
      this.tiltSinceMs = -1
      this.event('warning', '-tilt', undefined, '#tilt mode exited')
    }
    for (const master of [...this.masters.values()]) {
      this.handleInstance(master, now)
      for (const replica of [...master.replicas.values()]) this.handleInstance(replica, now)
      for (const peer of [...master.sentinels.values()]) this.handleInstance(peer, now)
      if (master.failoverState === 'update_config') this.failover.switchToPromoted(master)
    }
  }

  private handleInstance(instance: Instance, now: number): void {
    this.reconnect(instance, now)
    this.sendPeriodicCommands(instance, now)
    if (this.inTilt) return
    this.checkSubjectivelyDown(instance, now)
    if (instance instanceof MasterInstance) {
      this.checkObjectivelyDown(instance, now)
      if (this.failover.startIfNeeded(instance, now)) this.askMasterState(instance, now, true)
      this.failover.step(instance, now)
      this.askMasterState(instance, now, false)
    }
  }

  // ---- links ---------------------------------------------------------------------------------------

  private authArgs(instance: Instance): string[] | undefined {
    if (instance.kind === 'sentinel') {
      const pass = this.sentinelPass ?? (this.server.config.requirepass() || undefined)
      if (pass === undefined) return undefined
      return this.sentinelUser !== undefined ? ['AUTH', this.sentinelUser, pass] : ['AUTH', pass]
    }
    const master = instance instanceof MasterInstance ? instance : instance.master
    if (master?.authPass === undefined) return undefined
    return master.authUser !== undefined ? ['AUTH', master.authUser, master.authPass] : ['AUTH', master.authPass]
  }

  /** A command to a master or replica, renamed as that master's rename-command lines say. */
  command(instance: Instance, args: string[]): string[] {
    const master = instance instanceof MasterInstance ? instance : instance.master
    const renamed = master?.renamedCommands.get((args[0] as string).toLowerCase())
    return renamed === undefined ? args : [renamed, ...args.slice(1)]
  }

  /** bind-source-addr: the address the links to instances are opened from ('' for any). */
  private sourceAddress(): string {
    return this.server.config.get('bind-source-addr') ?? ''
  }

  private reconnect(instance: Instance, now: number): void {
    const ccUp = instance.cc !== undefined && !instance.cc.isClosed
    const pcUp = instance.kind === 'sentinel' || (instance.pc !== undefined && !instance.pc.isClosed)
    if (ccUp && pcUp) {
      if (instance.cc?.connected === true && (instance.kind === 'sentinel' || instance.pc?.connected === true)) instance.flags.delete('disconnected')
      this.checkLinkHealth(instance, now)
      return
    }
    instance.flags.add('disconnected')
    if (instance.port === 0 || now - instance.lastReconnectMs < TIMINGS['ping-period']) return
    instance.lastReconnectMs = now
    const auth = this.authArgs(instance)
    const prefix = `sentinel-${this.myid.slice(0, 8)}`
    if (!ccUp) {
      const cc = new InstanceConnection(instance.host, instance.port, {onClose: () => {
        if (instance.cc === cc) instance.cc = undefined
        instance.flags.add('disconnected')
      }}, this.sourceAddress())
      instance.cc = cc
      instance.ccConnectedMs = now
      if (auth !== undefined) cc.send(this.command(instance, auth))
      cc.send(this.command(instance, ['CLIENT', 'SETNAME', `${prefix}-cmd`]))
      this.sendPing(instance, now)
      if (instance.kind !== 'sentinel') this.sendInfo(instance)
    }
    if (!pcUp) {
      const pc = new InstanceConnection(instance.host, instance.port, {
        onMessage: (message) => this.onPubSubMessage(instance, message),
        onClose: () => {
          if (instance.pc === pc) instance.pc = undefined
          instance.flags.add('disconnected')
        },
      }, this.sourceAddress())
      instance.pc = pc
      instance.pcConnectedMs = now
      if (auth !== undefined) pc.send(this.command(instance, auth))
      pc.send(this.command(instance, ['CLIENT', 'SETNAME', `${prefix}-pubsub`]))
      pc.send(this.command(instance, ['SUBSCRIBE', HELLO_CHANNEL]), undefined, false)
    }
  }

  /** Reopens a command link whose PING went unanswered too long, and a pub/sub link that went silent. */
  private checkLinkHealth(instance: Instance, now: number): void {
    const cc = instance.cc
    if (cc !== undefined && now - instance.ccConnectedMs > TIMINGS['min-link-reconnect-period'] && instance.actPingMs !== 0 &&
      now - instance.actPingMs > instance.downAfter() / 2 && now - instance.lastPongMs > instance.downAfter() / 2) {
      cc.close()
    }
    const pc = instance.pc
    if (pc !== undefined && now - instance.pcConnectedMs > TIMINGS['min-link-reconnect-period'] && now - pc.lastActivityMs > TIMINGS['publish-period'] * 3) {
      pc.close()
    }
  }

  private sendPeriodicCommands(instance: Instance, now: number): void {
    const cc = instance.cc
    if (cc === undefined || !cc.connected) return
    if (cc.pending >= 100) return
    const master = instance.master
    let infoPeriod = TIMINGS['info-period']
    if (instance.kind === 'slave' && master !== undefined && (master.flags.has('o_down') || master.flags.has('failover_in_progress') || instance.masterLinkDownMs > 0)) {
      infoPeriod = 1000
    }
    const pingPeriod = Math.min(instance.downAfter(), TIMINGS['ping-period'])
    if (instance.kind !== 'sentinel' && (instance.infoRefreshMs === 0 || now - instance.infoRefreshMs > infoPeriod)) this.sendInfo(instance)
    if (now - instance.lastPongMs > pingPeriod && now - instance.lastPingMs > pingPeriod / 2) this.sendPing(instance, now)
    if (now - instance.lastPubMs > TIMINGS['publish-period']) this.sendHello(instance)
  }

  private sendPing(instance: Instance, now: number): void {
    const cc = instance.cc
    if (cc === undefined || cc.isClosed) return
    cc.send(this.command(instance, ['PING']), (reply) => this.onPingReply(instance, reply))
    instance.lastPingMs = now
    if (instance.actPingMs === 0) instance.actPingMs = now
  }

  private onPingReply(instance: Instance, reply: RespValue | undefined): void {
    if (reply === undefined) return
    const now = Date.now()
    const text = replyText(reply) ?? ''
    if (text.startsWith('PONG') || text.startsWith('LOADING') || text.startsWith('MASTERDOWN')) {
      instance.lastAvailMs = now
      instance.actPingMs = 0
    } else if (text.startsWith('BUSY') && instance.flags.has('s_down') && !instance.flags.has('script_kill_sent')) {
      instance.cc?.send(this.command(instance, ['SCRIPT', 'KILL']))
      instance.flags.add('script_kill_sent')
    }
    instance.lastPongMs = now
  }

  private sendInfo(instance: Instance): void {
    instance.cc?.send(this.command(instance, ['INFO']), (reply) => {
      if (reply?.type === 'bulk' && reply.value !== null) this.refreshInfo(instance, reply.value.toString('latin1'))
      else if (reply?.type === 'verbatim') this.refreshInfo(instance, reply.value.toString('latin1'))
    })
  }

  // ---- INFO ----------------------------------------------------------------------------------------

  private refreshInfo(instance: Instance, info: string): void {
    const now = Date.now()
    const master = instance instanceof MasterInstance ? instance : instance.master
    instance.info = info
    instance.infoRefreshMs = now
    let role: 'master' | 'slave' | undefined
    let linkDownSeen = false
    const previousMasterHost = instance.slaveMasterHost
    const previousMasterPort = instance.slaveMasterPort
    for (const line of info.split('\r\n')) {
      const colon = line.indexOf(':')
      if (colon < 0) continue
      const key = line.slice(0, colon)
      const value = line.slice(colon + 1)
      if (key === 'run_id' && value.length === 40) {
        if (instance.runid !== '' && instance.runid !== value) this.event('notice', '+reboot', instance, '')
        instance.runid = value
      } else if (key === 'role') {
        if (value === 'master') role = 'master'
        else if (value === 'slave') role = 'slave'
      } else if (/^slave\d+$/.test(key) && instance instanceof MasterInstance) {
        this.discoverReplica(instance, value, now)
      } else if (key === 'master_link_down_since_seconds') {
        instance.masterLinkDownMs = Number(value) * 1000
        linkDownSeen = true
      } else if (key === 'master_host') {
        instance.slaveMasterHost = value
      } else if (key === 'master_port') {
        instance.slaveMasterPort = Number(value)
      } else if (key === 'master_link_status') {
        instance.masterLinkUp = value === 'up'
      } else if (key === 'slave_priority') {
        instance.slavePriority = Number(value)
      } else if (key === 'slave_repl_offset') {
        instance.slaveReplOffset = Number(value)
      } else if (key === 'replica_announced') {
        instance.replicaAnnounced = value !== '0'
      }
    }
    if (!linkDownSeen) instance.masterLinkDownMs = 0
    if (instance.slaveMasterHost !== previousMasterHost || instance.slaveMasterPort !== previousMasterPort) instance.masterAddressChangeMs = now
    if (role === undefined) return
    if (role !== instance.roleReported) {
      instance.roleReported = role
      instance.roleReportedMs = now
      instance.slaveConfChangeMs = now
      const matches = (role === 'master') === (instance.kind === 'master')
      this.event('verbose', matches ? '+role-change' : '-role-change', instance, `new reported role is ${role}`)
    }
    if (this.inTilt || master === undefined) return
    if (instance.kind === 'slave' && role === 'master') this.failover.replicaReportsMaster(instance, master, now)
    else if (instance.kind === 'slave' && role === 'slave') this.failover.replicaReportsReplica(instance, master, now)
  }

  private discoverReplica(master: MasterInstance, value: string, now: number): void {
    let host: string | undefined
    let port: number | undefined
    if (value.includes('=')) {
      for (const part of value.split(',')) {
        const [k, v] = part.split('=')
        if (k === 'ip') host = v
        else if (k === 'port') port = Number(v)
      }
    } else {
      const [h, p] = value.split(',')
      host = h
      port = Number(p)
    }
    if (host === undefined || port === undefined || !Number.isInteger(port)) return
    if (isIP(host) === 0 && !this.resolveHostnames) return
    this.addReplica(master, host, port, now, true)
  }

  addReplica(master: MasterInstance, host: string, port: number, now: number, announce: boolean): Instance {
    const name = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
    const existing = master.replicas.get(name)
    if (existing !== undefined) return existing
    const replica = new Instance('slave', name, host, port, master, now)
    master.replicas.set(name, replica)
    if (announce) {
      this.event('notice', '+slave', replica, '')
      this.flush()
    }
    return replica
  }

  // ---- down detection ------------------------------------------------------------------------------

  private checkSubjectivelyDown(instance: Instance, now: number): void {
    let elapsed = 0
    if (instance.actPingMs !== 0) elapsed = now - instance.actPingMs
    else if (instance.flags.has('disconnected')) elapsed = now - instance.lastAvailMs
    const downAfter = instance.downAfter()
    const masterReportsReplica = instance.kind === 'master' && instance.roleReported === 'slave' &&
      now - instance.roleReportedMs > downAfter + 2 * TIMINGS['info-period']
    const master = instance instanceof MasterInstance ? instance : undefined
    const rebootDown = master !== undefined && master.rebootDownAfterMs > 0 && now - instance.lastAvailMs > master.rebootDownAfterMs &&
      instance.flags.has('master_down')
    if (elapsed > downAfter || masterReportsReplica || rebootDown) {
      if (!instance.flags.has('s_down')) {
        this.event('warning', '+sdown', instance, '')
        instance.sdownSinceMs = now
        instance.flags.add('s_down')
      }
    } else if (instance.flags.has('s_down')) {
      this.event('warning', '-sdown', instance, '')
      instance.flags.delete('s_down')
      instance.flags.delete('script_kill_sent')
    }
  }

  private checkObjectivelyDown(master: MasterInstance, now: number): void {
    let quorum = 0
    let odown = false
    if (master.flags.has('s_down')) {
      quorum = 1
      for (const peer of master.sentinels.values()) if (peer.flags.has('master_down')) quorum++
      if (quorum >= master.quorum) odown = true
    }
    if (odown && !master.flags.has('o_down')) {
      this.event('warning', '+odown', master, `#quorum ${quorum}/${master.quorum}`)
      master.flags.add('o_down')
      master.odownSinceMs = now
    } else if (!odown && master.flags.has('o_down')) {
      this.event('warning', '-odown', master, '')
      master.flags.delete('o_down')
    }
  }

  /** SENTINEL is-master-down-by-addr to every connected peer while the master is down (forced at a failover start). */
  askMasterState(master: MasterInstance, now: number, forced: boolean): void {
    for (const peer of master.sentinels.values()) {
      if (now - peer.lastMasterDownReplyMs > TIMINGS['ask-period'] * 5) {
        peer.flags.delete('master_down')
        peer.leader = undefined
      }
      if (!master.flags.has('s_down')) continue
      if (peer.cc === undefined || !peer.cc.connected) continue
      if (!forced && now - peer.lastMasterDownReplyMs < TIMINGS['ask-period']) continue
      const candidate = master.failoverState !== 'none' ? this.myid : '*'
      peer.cc.send(['SENTINEL', 'is-master-down-by-addr', master.host, String(master.port), String(this.currentEpoch), candidate], (reply) => {
        const items = reply?.type === 'array' ? reply.value : undefined
        if (items?.length !== 3) return
        const [down, leader, epoch] = items as [RespValue, RespValue, RespValue]
        if (down.type !== 'int' || leader.type !== 'bulk' || leader.value === null || epoch.type !== 'int') return
        peer.lastMasterDownReplyMs = Date.now()
        if (down.value === 1n) peer.flags.add('master_down')
        else peer.flags.delete('master_down')
        const leaderId = leader.value.toString('latin1')
        if (leaderId !== '*') {
          if (peer.leaderEpoch !== Number(epoch.value) || peer.leader !== leaderId) {
            this.logger.warning(`${peer.name} voted for ${leaderId} ${epoch.value}`)
          }
          peer.leader = leaderId
          peer.leaderEpoch = Number(epoch.value)
        }
      })
    }
  }

  /** Our vote for the leader of `master`'s failover in `epoch` (first come, first served per epoch). */
  voteLeader(master: MasterInstance, epoch: number, candidate: string): {leader: string | undefined; epoch: number} {
    if (epoch > this.currentEpoch) {
      this.currentEpoch = epoch
      this.flush()
      this.event('warning', '+new-epoch', undefined, String(epoch))
    }
    if (master.votedLeaderEpoch < epoch && this.currentEpoch <= epoch) {
      master.votedLeader = candidate
      master.votedLeaderEpoch = this.currentEpoch
      this.flush()
      this.event('warning', '+vote-for-leader', undefined, `${candidate} ${master.votedLeaderEpoch}`)
      // Voting for another sentinel holds our own failover attempts back.
      if (candidate.toLowerCase() !== this.myid) master.failoverStartMs = Date.now() + randomInt(0, 1000)
    }
    return {leader: master.votedLeader, epoch: master.votedLeaderEpoch}
  }

  // ---- hello ---------------------------------------------------------------------------------------

  sendHello(instance: Instance): void {
    const cc = instance.cc
    const master = instance instanceof MasterInstance ? instance : instance.master
    if (cc === undefined || !cc.connected || master === undefined) return
    const address = master.currentAddress()
    const ip = this.announceIp !== '' ? this.announceIp : cc.localAddress ?? '127.0.0.1'
    const port = this.announcePort !== 0 ? this.announcePort : this.server.config.port()
    const payload = [ip, port, this.myid, this.currentEpoch, master.name, address.host, address.port, master.configEpoch].join(',')
    cc.send(this.command(instance, ['PUBLISH', HELLO_CHANNEL, payload]), (reply) => {
      if (reply !== undefined && reply.type !== 'error') instance.lastPubMs = Date.now()
    })
  }

  /** Sends a hello everywhere right away (after a promotion), by making every instance's last one old. */
  forceHello(master: MasterInstance): void {
    master.lastPubMs = 0
    for (const r of master.replicas.values()) r.lastPubMs = 0
    for (const s of master.sentinels.values()) s.lastPubMs = 0
  }

  private onPubSubMessage(instance: Instance, message: RespValue): void {
    const items = message.type === 'array' || message.type === 'push' ? message.value ?? [] : []
    const kind = replyText(items[0])
    if (kind !== 'message' || replyText(items[1]) !== HELLO_CHANNEL) return
    const payload = replyText(items[2])
    if (payload === undefined || payload.includes(this.myid)) return
    this.processHello(payload)
  }

  /** A hello from a pub/sub link or from a PUBLISH sent to us (§10). */
  processHello(payload: string): void {
    const fields = payload.split(',')
    if (fields.length !== 8) return
    const [ip, portText, runid, epochText, name, masterIp, masterPortText, configEpochText] = fields as [string, string, string, string, string, string, string, string]
    const master = this.masters.get(name)
    if (master === undefined || runid === this.myid) return
    const now = Date.now()
    const port = Number(portText)
    let peer = [...master.sentinels.values()].find((s) => s.host === ip && s.port === port && s.runid === runid)
    if (peer === undefined) {
      let switched = false
      for (const m of this.masters.values()) {
        const old = m.sentinels.get(runid)
        if (old !== undefined && (old.host !== ip || old.port !== port)) {
          old.closeLinks()
          m.sentinels.delete(runid)
          switched = true
          this.event('notice', '+sentinel-address-switch', m, `ip ${ip} port ${port} for ${runid}`)
        }
      }
      for (const m of this.masters.values()) {
        for (const [id, other] of m.sentinels) {
          if (other.host === ip && other.port === port && id !== runid) {
            this.event('notice', '+sentinel-invalid-addr', other, '')
            other.closeLinks()
            m.sentinels.delete(id)
          }
        }
      }
      peer = new Instance('sentinel', runid, ip, port, master, now)
      peer.runid = runid
      master.sentinels.set(runid, peer)
      if (!switched) this.event('notice', '+sentinel', peer, '')
      this.flush()
    }
    const epoch = Number(epochText)
    if (epoch > this.currentEpoch) {
      this.currentEpoch = epoch
      this.flush()
      this.event('warning', '+new-epoch', undefined, String(epoch))
    }
    const configEpoch = Number(configEpochText)
    const masterPort = Number(masterPortText)
    if (configEpoch > master.configEpoch) {
      master.configEpoch = configEpoch
      if (master.host !== masterIp || master.port !== masterPort) {
        const old = {host: master.host, port: master.port}
        this.event('warning', '+config-update-from', peer, '')
        this.event('warning', '+switch-master', undefined, `${master.name} ${old.host} ${old.port} ${masterIp} ${masterPort}`)
        this.failover.resetMasterAndChangeAddress(master, masterIp, masterPort)
        this.runReconfigScript(master, 'observer', old, {host: masterIp, port: masterPort})
      }
    }
    peer.lastHelloMs = now
  }

  /** SENTINEL SIMULATE-FAILURE: exits with 99 at the chosen point of a failover, as Redis does. */
  simulatedCrash(flag: number): void {
    if ((this.simFailureFlags & flag) === 0) return
    this.logger.warning('Sentinel CRASH because of SENTINEL simulate-failure')
    this.logger.close?.()
    process.exit(99)
  }

  // ---- events, scripts, flush ----------------------------------------------------------------------

  /** Logs the event at its level, publishes it on the channel named after it, and feeds the notification script. */
  event(level: Level, type: string, instance: Instance | undefined, text: string): void {
    const message = instance === undefined ? text : `${instance.describe()}${text === '' ? '' : ` ${text}`}`
    if (level === 'warning') this.logger.warning(`${type} ${message}`)
    else if (level === 'notice') this.logger.notice(`${type} ${message}`)
    else if (level === 'verbose') this.logger.verbose(`${type} ${message}`)
    if (level !== 'debug') this.server.pubsub.publish(Buffer.from(type), Buffer.from(message, 'latin1'))
    const master = instance instanceof MasterInstance ? instance : instance?.master
    if (level === 'warning' && master?.notificationScript !== undefined) this.runScript([master.notificationScript, type, message])
  }

  runReconfigScript(master: MasterInstance, role: 'leader' | 'observer', from: {host: string; port: number}, to: {host: string; port: number}): void {
    if (master.clientReconfigScript === undefined) return
    this.runScript([master.clientReconfigScript, master.name, role, 'start', from.host, String(from.port), to.host, String(to.port)])
  }

  /** Runs a configured script with Redis's limits: at most 16 at once, killed after the maximum runtime. */
  private runScript(argv: string[]): void {
    if (this.runningScripts >= 16) return
    const [path, ...args] = argv as [string, ...string[]]
    let child
    try {
      child = spawn(path, args, {stdio: 'ignore'})
    } catch {
      this.event('warning', '-script-error', undefined, `${path} 99 0`)
      return
    }
    this.runningScripts++
    const timer = setTimeout(() => {
      this.event('warning', '-script-timeout', undefined, `${path} ${child.pid ?? 0}`)
      child.kill('SIGKILL')
    }, TIMINGS['script-max-runtime'])
    child.on('error', () => undefined)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      this.runningScripts--
      if (code !== null && code >= 2) this.event('warning', '-script-error', undefined, `${path} 0 ${code}`)
      else if (signal !== null) this.event('warning', '-script-error', undefined, `${path} ${signal} 0`)
    })
  }

  /** Saves the sentinel state into its config file (§2.1). */
  flush(): boolean {
    const file = this.server.config.configFile
    if (file === '') return false
    try {
      const lines = new Map([...this.server.config.rewriteLines(), ...sentinelConfigLines(this)])
      rewriteConfigFile(file, lines)
      this.logger.notice('Sentinel new configuration saved on disk')
      return true
    } catch (cause) {
      this.logger.warning(`WARNING: Sentinel was not able to save the new configuration on disk!!!: ${(cause as Error).message}`)
      return false
    }
  }
}
