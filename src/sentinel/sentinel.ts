// The sentinel (sentinel.md §4–§12): its state (id, epoch, monitored masters, announce settings), the tick
// that drives every instance, and the config file flush. The work is done by focused modules: monitoring.ts
// (links, PING, INFO), hello.ts (the hello channel), availability.ts (SDOWN, ODOWN, TILT), election.ts
// (votes), events.ts (events and scripts), failover.ts (the failover state machine); timings.ts holds
// Redis's constants and clock.ts the injected clock.

import {randomBytes, randomInt} from 'node:crypto'
import {rewriteConfigFile} from '../config/rewrite.js'
import type {Server} from '../server/server.js'
import {checkObjectivelyDown, checkSubjectivelyDown, Tilt} from './availability.js'
import {systemSentinelClock, type SentinelClock, type TimerHandle} from './clock.js'
import {askMasterState, voteLeader} from './election.js'
import {SentinelEvents, type EventSink} from './events.js'
import {Failover, type FailoverHost} from './failover.js'
import {Hello} from './hello.js'
import {Instance, MasterInstance} from './instance.js'
import {Monitor} from './monitoring.js'
import {sentinelConfigLines, type SentinelSettings} from './settings.js'

export class Sentinel implements FailoverHost {
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
  readonly failover: Failover
  private readonly tilt: Tilt
  private readonly events: SentinelEvents
  private readonly hello: Hello
  private readonly monitor: Monitor
  private timer: TimerHandle | undefined
  /** SENTINEL SIMULATE-FAILURE flags (INFO sentinel_simulate_failure_flags). */
  simFailureFlags = 0

  constructor(readonly server: Server, settings: SentinelSettings, readonly clock: SentinelClock = systemSentinelClock) {
    this.tilt = new Tilt(clock.now())
    this.events = new SentinelEvents(server, clock)
    const now = clock.now()
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
    this.hello = new Hello(this)
    this.monitor = new Monitor(this, this.hello)
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
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    for (const master of this.masters.values()) this.closeAll(master)
  }

  closeAll(master: MasterInstance): void {
    master.closeLinks()
    for (const r of master.replicas.values()) r.closeLinks()
    for (const s of master.sentinels.values()) s.closeLinks()
  }

  /** Redis re-randomises its tick rate between 10 and 19 Hz so sentinels do not act in lockstep. */
  private scheduleTick(): void {
    this.timer = this.clock.setTimeout(() => {
      this.tick()
      this.scheduleTick()
    }, Math.floor(1000 / randomInt(10, 20)))
  }

  get inTilt(): boolean {
    return this.tilt.active
  }

  /** When TILT mode was entered (-1 when not in TILT). */
  get tiltSinceMs(): number {
    return this.tilt.sinceMs
  }

  get runningScripts(): number {
    return this.events.runningScripts
  }

  private tick(): void {
    const now = this.clock.now()
    this.tilt.tick(now, this.event)
    for (const master of [...this.masters.values()]) {
      this.handleInstance(master, now)
      for (const replica of [...master.replicas.values()]) this.handleInstance(replica, now)
      for (const peer of [...master.sentinels.values()]) this.handleInstance(peer, now)
      if (master.failoverState === 'update_config') this.failover.switchToPromoted(master)
    }
  }

  private handleInstance(instance: Instance, now: number): void {
    this.monitor.reconnect(instance, now)
    this.monitor.sendPeriodicCommands(instance, now)
    if (this.inTilt) return
    checkSubjectivelyDown(instance, now, this.event)
    if (instance instanceof MasterInstance) {
      checkObjectivelyDown(instance, now, this.event)
      if (this.failover.startIfNeeded(instance, now)) this.askMasterState(instance, now, true)
      this.failover.step(instance, now)
      this.askMasterState(instance, now, false)
    }
  }

  /** A command to a master or replica, renamed as that master's rename-command lines say. */
  command(instance: Instance, args: string[]): string[] {
    const master = instance instanceof MasterInstance ? instance : instance.master
    const renamed = master?.renamedCommands.get((args[0] as string).toLowerCase())
    return renamed === undefined ? args : [renamed, ...args.slice(1)]
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

  /** SENTINEL is-master-down-by-addr to every connected peer while the master is down (forced at a failover start). */
  askMasterState(master: MasterInstance, now: number, forced: boolean): void {
    askMasterState(this, master, now, forced)
  }

  /** Our vote for the leader of `master`'s failover in `epoch` (first come, first served per epoch). */
  voteLeader(master: MasterInstance, epoch: number, candidate: string): {leader: string | undefined; epoch: number} {
    return voteLeader(this, master, epoch, candidate)
  }

  sendHello(instance: Instance): void {
    this.hello.send(instance)
  }

  /** Sends a hello everywhere right away (after a promotion), by making every instance's last one old. */
  forceHello(master: MasterInstance): void {
    this.hello.force(master)
  }

  /** A hello from a pub/sub link or from a PUBLISH sent to us (§10). */
  processHello(payload: string): void {
    this.hello.process(payload)
  }

  /** SENTINEL SIMULATE-FAILURE: exits with 99 at the chosen point of a failover, as Redis does. */
  simulatedCrash(flag: number): void {
    if ((this.simFailureFlags & flag) === 0) return
    this.logger.warning('Sentinel CRASH because of SENTINEL simulate-failure')
    this.logger.close?.()
    process.exit(99)
  }

  /** Logs the event at its level, publishes it on the channel named after it, and feeds the notification script. */
  readonly event: EventSink = (level, type, instance, text) => this.events.event(level, type, instance, text)

  runReconfigScript(master: MasterInstance, role: 'leader' | 'observer', from: {host: string; port: number}, to: {host: string; port: number}): void {
    this.events.runReconfigScript(master, role, from, to)
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
