// Monitoring (sentinel.md §4–§5): the command and pub/sub links to every master, replica and peer, PING,
// INFO and hello on Redis's periods, link health checks, and what INFO tells: run ids (+reboot), reported
// roles, replicas discovered from the master's INFO, and the replica state the failover reacts to.

import {isIP} from 'node:net'
import type {RespValue} from '../resp/reply-parser.js'
import type {Server} from '../server/server.js'
import type {SentinelClock} from './clock.js'
import {InstanceConnection, replyText} from './connection.js'
import type {EventSink} from './events.js'
import type {Hello} from './hello.js'
import {MasterInstance, type Instance} from './instance.js'
import {HELLO_CHANNEL, TIMINGS} from './timings.js'

/** What the monitoring needs from the sentinel. */
export interface MonitorHost {
  readonly myid: string
  readonly resolveHostnames: boolean
  readonly sentinelUser: string | undefined
  readonly sentinelPass: string | undefined
  readonly server: Pick<Server, 'config'>
  readonly clock: SentinelClock
  readonly inTilt: boolean
  readonly event: EventSink
  readonly failover: {
    replicaReportsMaster(replica: Instance, master: MasterInstance, now: number): void
    replicaReportsReplica(replica: Instance, master: MasterInstance, now: number): void
  }
  command(instance: Instance, args: string[]): string[]
  addReplica(master: MasterInstance, host: string, port: number, now: number, announce: boolean): Instance
}

export class Monitor {
  constructor(private readonly host: MonitorHost, private readonly hello: Hello) {}

  private authArgs(instance: Instance): string[] | undefined {
    const s = this.host
    if (instance.kind === 'sentinel') {
      const pass = s.sentinelPass ?? (s.server.config.requirepass() || undefined)
      if (pass === undefined) return undefined
      return s.sentinelUser !== undefined ? ['AUTH', s.sentinelUser, pass] : ['AUTH', pass]
    }
    const master = instance instanceof MasterInstance ? instance : instance.master
    if (master?.authPass === undefined) return undefined
    return master.authUser !== undefined ? ['AUTH', master.authUser, master.authPass] : ['AUTH', master.authPass]
  }

  /** bind-source-addr: the address the links to instances are opened from ('' for any). */
  private sourceAddress(): string {
    return this.host.server.config.get('bind-source-addr') ?? ''
  }

  reconnect(instance: Instance, now: number): void {
    const s = this.host
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
    const prefix = `sentinel-${s.myid.slice(0, 8)}`
    if (!ccUp) {
      const cc = new InstanceConnection(instance.host, instance.port, {onClose: () => {
        if (instance.cc === cc) instance.cc = undefined
        instance.flags.add('disconnected')
      }}, this.sourceAddress())
      instance.cc = cc
      instance.ccConnectedMs = now
      if (auth !== undefined) cc.send(s.command(instance, auth))
      cc.send(s.command(instance, ['CLIENT', 'SETNAME', `${prefix}-cmd`]))
      this.sendPing(instance, now)
      if (instance.kind !== 'sentinel') this.sendInfo(instance)
    }
    if (!pcUp) {
      const pc = new InstanceConnection(instance.host, instance.port, {
        onMessage: (message) => this.hello.onPubSubMessage(instance, message),
        onClose: () => {
          if (instance.pc === pc) instance.pc = undefined
          instance.flags.add('disconnected')
        },
      }, this.sourceAddress())
      instance.pc = pc
      instance.pcConnectedMs = now
      if (auth !== undefined) pc.send(s.command(instance, auth))
      pc.send(s.command(instance, ['CLIENT', 'SETNAME', `${prefix}-pubsub`]))
      pc.send(s.command(instance, ['SUBSCRIBE', HELLO_CHANNEL]), undefined, false)
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

  sendPeriodicCommands(instance: Instance, now: number): void {
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
    if (now - instance.lastPubMs > TIMINGS['publish-period']) this.hello.send(instance)
  }

  private sendPing(instance: Instance, now: number): void {
    const cc = instance.cc
    if (cc === undefined || cc.isClosed) return
    cc.send(this.host.command(instance, ['PING']), (reply) => this.onPingReply(instance, reply))
    instance.lastPingMs = now
    if (instance.actPingMs === 0) instance.actPingMs = now
  }

  private onPingReply(instance: Instance, reply: RespValue | undefined): void {
    if (reply === undefined) return
    const now = this.host.clock.now()
    const text = replyText(reply) ?? ''
    if (text.startsWith('PONG') || text.startsWith('LOADING') || text.startsWith('MASTERDOWN')) {
      instance.lastAvailMs = now
      instance.actPingMs = 0
    } else if (text.startsWith('BUSY') && instance.flags.has('s_down') && !instance.flags.has('script_kill_sent')) {
      instance.cc?.send(this.host.command(instance, ['SCRIPT', 'KILL']))
      instance.flags.add('script_kill_sent')
    }
    instance.lastPongMs = now
  }

  private sendInfo(instance: Instance): void {
    instance.cc?.send(this.host.command(instance, ['INFO']), (reply) => {
      if (reply?.type === 'bulk' && reply.value !== null) this.refreshInfo(instance, reply.value.toString('latin1'))
      else if (reply?.type === 'verbatim') this.refreshInfo(instance, reply.value.toString('latin1'))
    })
  }

  private refreshInfo(instance: Instance, info: string): void {
    const s = this.host
    const now = s.clock.now()
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
        if (instance.runid !== '' && instance.runid !== value) s.event('notice', '+reboot', instance, '')
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
      s.event('verbose', matches ? '+role-change' : '-role-change', instance, `new reported role is ${role}`)
    }
    if (s.inTilt || master === undefined) return
    if (instance.kind === 'slave' && role === 'master') s.failover.replicaReportsMaster(instance, master, now)
    else if (instance.kind === 'slave' && role === 'slave') s.failover.replicaReportsReplica(instance, master, now)
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
    if (isIP(host) === 0 && !this.host.resolveHostnames) return
    this.host.addReplica(master, host, port, now, true)
  }
}
