// Sentinel events (sentinel.md §12): each one is logged at its level, published on the pub/sub channel named
// after it (+sdown, +odown, +switch-master, ...), and fed to the master's notification script; also the
// client-reconfig script, run with Redis's limits.

import {spawn} from 'node:child_process'
import type {Server} from '../server/server.js'
import type {SentinelClock} from './clock.js'
import {MasterInstance, type Instance} from './instance.js'
import {TIMINGS} from './timings.js'

export type Level = 'debug' | 'verbose' | 'notice' | 'warning'

/** Where an event goes: the log, the channel named after it and the notification script. */
export type EventSink = (level: Level, type: string, instance: Instance | undefined, text: string) => void

export class SentinelEvents {
  runningScripts = 0

  constructor(private readonly server: Pick<Server, 'logger' | 'pubsub'>, private readonly clock: SentinelClock) {}

  /** Logs the event at its level, publishes it on the channel named after it, and feeds the notification script. */
  event(level: Level, type: string, instance: Instance | undefined, text: string): void {
    const logger = this.server.logger
    const message = instance === undefined ? text : `${instance.describe()}${text === '' ? '' : ` ${text}`}`
    if (level === 'warning') logger.warning(`${type} ${message}`)
    else if (level === 'notice') logger.notice(`${type} ${message}`)
    else if (level === 'verbose') logger.verbose(`${type} ${message}`)
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
    const timer = this.clock.setTimeout(() => {
      this.event('warning', '-script-timeout', undefined, `${path} ${child.pid ?? 0}`)
      child.kill('SIGKILL')
    }, TIMINGS['script-max-runtime'])
    child.on('error', () => undefined)
    child.on('exit', (code, signal) => {
      this.clock.clearTimeout(timer)
      this.runningScripts--
      if (code !== null && code >= 2) this.event('warning', '-script-error', undefined, `${path} 0 ${code}`)
      else if (signal !== null) this.event('warning', '-script-error', undefined, `${path} ${signal} 0`)
    })
  }
}
