// What a sentinel knows about the instances it watches (sentinel.md §3): masters by name, their replicas by
// ip:port and the other sentinels by id, with flags, link timings and the last INFO. Also the `%@` text of
// events and the field/value maps of SENTINEL MASTER/REPLICAS/SENTINELS (§13.1).

import type {InstanceConnection} from './connection.js'

export type InstanceKind = 'master' | 'slave' | 'sentinel'

/** Flags in the order Redis prints them. */
export const FLAG_ORDER = [
  's_down', 'o_down', 'master', 'slave', 'sentinel', 'disconnected', 'master_down', 'failover_in_progress',
  'promoted', 'reconf_sent', 'reconf_inprog', 'reconf_done', 'force_failover', 'script_kill_sent',
] as const
export type Flag = (typeof FLAG_ORDER)[number]

export type FailoverState = 'none' | 'wait_start' | 'select_slave' | 'send_slaveof_noone' | 'wait_promotion' | 'reconf_slaves' | 'update_config'
export const FAILOVER_ORDER: readonly FailoverState[] = ['none', 'wait_start', 'select_slave', 'send_slaveof_noone', 'wait_promotion', 'reconf_slaves', 'update_config']

export class Instance {
  readonly flags = new Set<Flag>()
  runid = ''
  /** Command link and (masters, replicas) pub/sub link. */
  cc: InstanceConnection | undefined
  pc: InstanceConnection | undefined
  ccConnectedMs = 0
  pcConnectedMs = 0
  lastReconnectMs = 0
  /** Time of the oldest PING still unanswered; 0 when none is pending. */
  actPingMs: number
  lastPingMs = 0
  /** Last valid PING reply (+PONG, -LOADING, -MASTERDOWN). */
  lastAvailMs: number
  /** Last reply of any kind to PING. */
  lastPongMs: number
  lastPubMs = 0
  sdownSinceMs = 0
  // INFO (masters and replicas)
  infoRefreshMs = 0
  info: string | undefined
  roleReported: 'master' | 'slave'
  roleReportedMs: number
  // replicas
  masterLinkDownMs = 0
  masterLinkUp = false
  slaveMasterHost: string | undefined
  slaveMasterPort = 0
  slavePriority = 100
  slaveReplOffset = 0
  replicaAnnounced = true
  slaveConfChangeMs: number
  masterAddressChangeMs: number
  reconfSentMs = 0
  // sentinels
  /** Last hello from this sentinel; its creation time until one arrives (as Redis's last_hello_time). */
  lastHelloMs: number
  lastMasterDownReplyMs = 0
  leader: string | undefined
  leaderEpoch = 0

  constructor(
    readonly kind: InstanceKind,
    public name: string,
    public host: string,
    public port: number,
    readonly master: MasterInstance | undefined,
    now: number,
  ) {
    this.flags.add(kind)
    this.flags.add('disconnected')
    this.actPingMs = now
    this.lastAvailMs = now
    this.lastPongMs = now
    this.lastHelloMs = now
    this.roleReported = kind === 'slave' ? 'slave' : 'master'
    this.roleReportedMs = now
    this.slaveConfChangeMs = now
    this.masterAddressChangeMs = now
  }

  /** down-after-milliseconds: a master's own setting, which also applies to its replicas and sentinels. */
  downAfter(): number {
    return this.master?.downAfterMs ?? 30000
  }

  get address(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`
  }

  /** `%@`: "<type> <name> <ip> <port>", continued with " @ <master> <ip> <port>" for replicas and sentinels. */
  describe(): string {
    const self = `${this.kind} ${this.name} ${this.host} ${this.port}`
    const master = this.master
    return master === undefined ? self : `${self} @ ${master.name} ${master.host} ${master.port}`
  }

  flagText(): string {
    return FLAG_ORDER.filter((f) => this.flags.has(f)).join(',')
  }

  isLinkDown(): boolean {
    return this.cc === undefined || !this.cc.connected || (this.kind !== 'sentinel' && (this.pc === undefined || !this.pc.connected))
  }

  closeLinks(): void {
    const {cc, pc} = this
    this.cc = undefined
    this.pc = undefined
    cc?.close()
    pc?.close()
    this.flags.add('disconnected')
  }
}

export interface MasterSettings {
  quorum: number
  downAfterMs: number
  failoverTimeoutMs: number
  parallelSyncs: number
  authPass: string | undefined
  authUser: string | undefined
  notificationScript: string | undefined
  clientReconfigScript: string | undefined
  rebootDownAfterMs: number
  renamedCommands: Map<string, string>
}

export class MasterInstance extends Instance implements MasterSettings {
  quorum: number
  downAfterMs = 30000
  failoverTimeoutMs = 180000
  parallelSyncs = 1
  authPass: string | undefined
  authUser: string | undefined
  notificationScript: string | undefined
  clientReconfigScript: string | undefined
  rebootDownAfterMs = 0
  renamedCommands = new Map<string, string>()
  configEpoch = 0
  /** The leader this sentinel voted for, and in which epoch. */
  votedLeader: string | undefined
  votedLeaderEpoch = 0
  readonly replicas = new Map<string, Instance>()
  readonly sentinels = new Map<string, Instance>()
  odownSinceMs = 0
  failoverState: FailoverState = 'none'
  failoverEpoch = 0
  failoverStartMs = 0
  failoverStateChangeMs = 0
  failoverDelayLoggedMs = 0
  promoted: Instance | undefined

  constructor(name: string, host: string, port: number, quorum: number, now: number) {
    super('master', name, host, port, undefined, now)
    this.quorum = quorum
  }

  override downAfter(): number {
    return this.downAfterMs
  }

  /** The address clients should use now: the promoted replica once the failover reconfigures replicas. */
  currentAddress(): {host: string; port: number} {
    const promoted = this.promoted
    if (this.flags.has('failover_in_progress') && promoted !== undefined && FAILOVER_ORDER.indexOf(this.failoverState) >= FAILOVER_ORDER.indexOf('reconf_slaves')) {
      return {host: promoted.host, port: promoted.port}
    }
    return {host: this.host, port: this.port}
  }
}

/** The SENTINEL MASTER/REPLICAS/SENTINELS map of an instance: every value a string, in Redis's field order. */
export function instanceFields(instance: Instance, now: number): [string, string][] {
  const fields: [string, string][] = [
    ['name', instance.name],
    ['ip', instance.host],
    ['port', String(instance.port)],
    ['runid', instance.runid],
    ['flags', instance.flagText()],
    ['link-pending-commands', String(instance.cc?.pending ?? 0)],
    ['link-refcount', '1'],
  ]
  const master = instance instanceof MasterInstance ? instance : undefined
  if (master?.flags.has('failover_in_progress')) fields.push(['failover-state', master.failoverState])
  fields.push(
    ['last-ping-sent', String(instance.actPingMs === 0 ? 0 : now - instance.actPingMs)],
    ['last-ok-ping-reply', String(now - instance.lastAvailMs)],
    ['last-ping-reply', String(now - instance.lastPongMs)],
  )
  if (instance.flags.has('s_down')) fields.push(['s-down-time', String(now - instance.sdownSinceMs)])
  if (master?.flags.has('o_down')) fields.push(['o-down-time', String(now - master.odownSinceMs)])
  fields.push(['down-after-milliseconds', String(instance.downAfter())])
  if (instance.kind !== 'sentinel') {
    fields.push(
      ['info-refresh', String(instance.infoRefreshMs === 0 ? 0 : now - instance.infoRefreshMs)],
      ['role-reported', instance.roleReported],
      ['role-reported-time', String(now - instance.roleReportedMs)],
    )
  }
  if (master !== undefined) {
    fields.push(
      ['config-epoch', String(master.configEpoch)],
      ['num-slaves', String(master.replicas.size)],
      ['num-other-sentinels', String(master.sentinels.size)],
      ['quorum', String(master.quorum)],
      ['failover-timeout', String(master.failoverTimeoutMs)],
      ['parallel-syncs', String(master.parallelSyncs)],
    )
    if (master.notificationScript !== undefined) fields.push(['notification-script', master.notificationScript])
    if (master.clientReconfigScript !== undefined) fields.push(['client-reconfig-script', master.clientReconfigScript])
  } else if (instance.kind === 'slave') {
    fields.push(
      ['master-link-down-time', String(instance.masterLinkDownMs)],
      ['master-link-status', instance.masterLinkUp ? 'ok' : 'err'],
      ['master-host', instance.slaveMasterHost ?? '?'],
      ['master-port', String(instance.slaveMasterPort)],
      ['slave-priority', String(instance.slavePriority)],
      ['slave-repl-offset', String(instance.slaveReplOffset)],
      ['replica-announced', instance.replicaAnnounced ? '1' : '0'],
    )
  } else {
    fields.push(
      ['last-hello-message', String(now - instance.lastHelloMs)],
      ['voted-leader', instance.leader ?? '?'],
      ['voted-leader-epoch', String(instance.leaderEpoch)],
    )
  }
  return fields
}
