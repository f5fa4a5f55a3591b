// The `sentinel …` lines of a sentinel's config file (sentinel.md §2): loaded in Redis's three passes so
// their order does not matter, validated with Redis's error texts, and written back as the lines a flush
// keeps (§2.1).

import {accessSync, constants} from 'node:fs'
import {isIP} from 'node:net'
import {ConfigError, type Directive} from '../config/parse.js'
import {MasterInstance, type Instance} from './instance.js'

export interface SentinelSettings {
  myid: string | undefined
  currentEpoch: number
  announceIp: string
  announcePort: number
  denyScriptsReconfig: boolean
  resolveHostnames: boolean
  announceHostnames: boolean
  sentinelUser: string | undefined
  sentinelPass: string | undefined
  masters: Map<string, MasterInstance>
  /** known-sentinel lines to create once the masters exist: [master, ip, port, runid]. */
  knownSentinels: [string, string, number, string][]
  knownReplicas: [string, string, number][]
}

const PRE_MONITOR = new Set(['announce-ip', 'announce-port', 'deny-scripts-reconfig', 'sentinel-user', 'sentinel-pass', 'current-epoch', 'myid', 'resolve-hostnames', 'announce-hostnames'])

const yesNo = (value: string | undefined): boolean | undefined => {
  const v = value?.toLowerCase()
  return v === 'yes' ? true : v === 'no' ? false : undefined
}

export const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Reads every `sentinel` directive; throws ConfigError naming the file, line and Redis's reason. */
export function loadSentinelSettings(directives: readonly Directive[], now: number): SentinelSettings {
  const settings: SentinelSettings = {
    myid: undefined, currentEpoch: 0, announceIp: '', announcePort: 0, denyScriptsReconfig: true,
    resolveHostnames: false, announceHostnames: false, sentinelUser: undefined, sentinelPass: undefined,
    masters: new Map(), knownSentinels: [], knownReplicas: [],
  }
  const lines = directives.filter((d) => d.name === 'sentinel')
  const sub = (d: Directive) => (d.args[0] ?? '').toLowerCase()
  const passes = [
    lines.filter((d) => PRE_MONITOR.has(sub(d))),
    lines.filter((d) => sub(d) === 'monitor'),
    lines.filter((d) => !PRE_MONITOR.has(sub(d)) && sub(d) !== 'monitor'),
  ]
  for (const pass of passes) for (const d of pass) applyLine(settings, d, now)
  return settings
}

function applyLine(s: SentinelSettings, d: Directive, now: number): void {
  const fail = (reason: string): never => {
    throw new ConfigError(d.source, d.line, d.text, reason)
  }
  const [rawName, ...a] = d.args
  const name = (rawName ?? '').toLowerCase()
  const master = (): MasterInstance => s.masters.get(a[0] ?? '') ?? fail('No such master with specified name.')
  const positive = (text: string | undefined): number => {
    const n = Number(text)
    if (!Number.isInteger(n) || n <= 0) fail('negative or zero time parameter.')
    return n
  }
  const argc = a.length
  switch (true) {
    case name === 'monitor' && argc === 4: {
      const [mname, host, portText, quorumText] = a as [string, string, string, string]
      const quorum = Number(quorumText)
      if (!Number.isInteger(quorum) || quorum <= 0) fail('Quorum must be 1 or greater.')
      // As createSentinelRedisInstance: the address (port, then host) is checked before the name.
      const port = Number(portText)
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail('Invalid port number.')
      if (isIP(host) === 0 && !s.resolveHostnames) fail("Can't resolve instance hostname.")
      if (s.masters.has(mname)) fail('Duplicate master name.')
      s.masters.set(mname, new MasterInstance(mname, host, port, quorum, now))
      return
    }
    case name === 'down-after-milliseconds' && argc === 2:
      master().downAfterMs = positive(a[1])
      return
    case name === 'failover-timeout' && argc === 2:
      master().failoverTimeoutMs = positive(a[1])
      return
    case name === 'parallel-syncs' && argc === 2:
      master().parallelSyncs = Number(a[1]) || 0
      return
    case name === 'notification-script' && argc === 2:
      if (!isExecutable(a[1] as string)) fail('Notification script seems non existing or non executable.')
      master().notificationScript = a[1]
      return
    case name === 'client-reconfig-script' && argc === 2:
      if (!isExecutable(a[1] as string)) fail('Client reconfiguration script seems non existing or non executable.')
      master().clientReconfigScript = a[1]
      return
    case name === 'auth-pass' && argc === 2:
      master().authPass = a[1]
      return
    case name === 'auth-user' && argc === 2:
      master().authUser = a[1]
      return
    case name === 'master-reboot-down-after-period' && argc === 2:
      master().rebootDownAfterMs = Number(a[1]) || 0
      return
    case (name === 'known-replica' || name === 'known-slave') && argc === 3: {
      const m = master()
      if (s.knownReplicas.some(([n, h, p]) => n === m.name && h === a[1] && p === Number(a[2]))) fail('Duplicate hostname and port for replica.')
      s.knownReplicas.push([m.name, a[1] as string, Number(a[2])])
      return
    }
    case name === 'known-sentinel' && (argc === 3 || argc === 4):
      master()
      if (argc === 4) s.knownSentinels.push([a[0] as string, a[1] as string, Number(a[2]), a[3] as string])
      return
    case name === 'current-epoch' && argc === 1:
      s.currentEpoch = Math.max(s.currentEpoch, Number(a[0]) || 0)
      return
    case name === 'config-epoch' && argc === 2: {
      const m = master()
      m.configEpoch = Number(a[1]) || 0
      s.currentEpoch = Math.max(s.currentEpoch, m.configEpoch)
      return
    }
    case name === 'leader-epoch' && argc === 2: {
      const m = master()
      m.votedLeaderEpoch = Number(a[1]) || 0
      return
    }
    case name === 'myid' && argc === 1:
      if ((a[0] as string).length !== 40) fail('Malformed Sentinel id in myid option.')
      s.myid = a[0]
      return
    case name === 'rename-command' && argc === 3:
      master().renamedCommands.set((a[1] as string).toLowerCase(), a[2] as string)
      return
    case name === 'announce-ip' && argc === 1:
      s.announceIp = a[0] as string
      return
    case name === 'announce-port' && argc === 1:
      s.announcePort = Number(a[0]) || 0
      return
    case name === 'deny-scripts-reconfig' && argc === 1:
      s.denyScriptsReconfig = yesNo(a[0]) ?? fail('Please specify yes or no for the deny-scripts-reconfig options.')
      return
    case name === 'resolve-hostnames' && argc === 1:
      s.resolveHostnames = yesNo(a[0]) ?? fail('Please specify yes or no for the resolve-hostnames option.')
      return
    case name === 'announce-hostnames' && argc === 1:
      s.announceHostnames = yesNo(a[0]) ?? fail('Please specify yes or no for the announce-hostnames option.')
      return
    case name === 'sentinel-user' && argc === 1:
      s.sentinelUser = a[0]
      return
    case name === 'sentinel-pass' && argc === 1:
      s.sentinelPass = a[0]
      return
    default:
      fail('Unrecognized sentinel configuration statement.')
  }
}

/** The state a flush writes: `sentinel X` option → its lines, in Redis's order (§2.1). */
export function sentinelConfigLines(s: Omit<SentinelSettings, 'knownSentinels' | 'knownReplicas'> & {myid: string}): Map<string, string[]> {
  const out = new Map<string, string[]>()
  const add = (option: string, line: string) => {
    const key = `sentinel ${option}`
    out.set(key, [...(out.get(key) ?? []), line])
  }
  add('myid', `sentinel myid ${s.myid}`)
  if (!s.denyScriptsReconfig) add('deny-scripts-reconfig', 'sentinel deny-scripts-reconfig no')
  if (s.resolveHostnames) add('resolve-hostnames', 'sentinel resolve-hostnames yes')
  if (s.announceHostnames) add('announce-hostnames', 'sentinel announce-hostnames yes')
  for (const m of s.masters.values()) {
    const address = m.currentAddress()
    add('monitor', `sentinel monitor ${m.name} ${address.host} ${address.port} ${m.quorum}`)
    if (m.downAfterMs !== 30000) add('down-after-milliseconds', `sentinel down-after-milliseconds ${m.name} ${m.downAfterMs}`)
    if (m.failoverTimeoutMs !== 180000) add('failover-timeout', `sentinel failover-timeout ${m.name} ${m.failoverTimeoutMs}`)
    if (m.parallelSyncs !== 1) add('parallel-syncs', `sentinel parallel-syncs ${m.name} ${m.parallelSyncs}`)
    if (m.notificationScript !== undefined) add('notification-script', `sentinel notification-script ${m.name} ${m.notificationScript}`)
    if (m.clientReconfigScript !== undefined) add('client-reconfig-script', `sentinel client-reconfig-script ${m.name} ${m.clientReconfigScript}`)
    if (m.authPass !== undefined) add('auth-pass', `sentinel auth-pass ${m.name} ${m.authPass}`)
    if (m.authUser !== undefined) add('auth-user', `sentinel auth-user ${m.name} ${m.authUser}`)
    if (m.rebootDownAfterMs !== 0) add('master-reboot-down-after-period', `sentinel master-reboot-down-after-period ${m.name} ${m.rebootDownAfterMs}`)
    add('config-epoch', `sentinel config-epoch ${m.name} ${m.configEpoch}`)
    add('leader-epoch', `sentinel leader-epoch ${m.name} ${m.votedLeaderEpoch}`)
    for (const r of m.replicas.values()) {
      // A replica at the master's own address is the old master after a switch: Redis writes that one.
      const same = r.host === address.host && r.port === address.port
      add('known-replica', `sentinel known-replica ${m.name} ${same ? m.host : r.host} ${same ? m.port : r.port}`)
    }
    for (const sentinel of m.sentinels.values() as IterableIterator<Instance>) {
      if (sentinel.runid !== '') add('known-sentinel', `sentinel known-sentinel ${m.name} ${sentinel.host} ${sentinel.port} ${sentinel.runid}`)
    }
    for (const [command, renamed] of m.renamedCommands) add('rename-command', `sentinel rename-command ${m.name} ${command} ${renamed}`)
  }
  add('current-epoch', `sentinel current-epoch ${s.currentEpoch}`)
  if (s.announceIp !== '') add('announce-ip', `sentinel announce-ip "${s.announceIp}"`)
  if (s.announcePort !== 0) add('announce-port', `sentinel announce-port ${s.announcePort}`)
  if (s.sentinelUser !== undefined) add('sentinel-user', `sentinel sentinel-user ${s.sentinelUser}`)
  if (s.sentinelPass !== undefined) add('sentinel-pass', `sentinel sentinel-pass ${s.sentinelPass}`)
  return out
}
