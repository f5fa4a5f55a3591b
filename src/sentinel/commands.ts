// The commands a sentinel answers (sentinel.md §13–§14): SENTINEL and its subcommands, a sentinel's INFO,
// ROLE and PUBLISH (hello messages only), plus the shared connection, CLIENT, pub/sub and COMMAND commands
// of the server. Anything else is an unknown command, as on redis-sentinel.

import {isIP} from 'node:net'
import {cPattern, globMatch} from '../server/keyspace/glob.js'
import {array, bulk, error, int, map, NIL_ARRAY, OK, simple, type Reply} from '../resp/reply.js'
import type {CommandContext, CommandSpec} from '../server/command-spec.js'
import {NO_KEYS} from '../server/command-spec.js'
import {parseInteger} from '../server/commands/args.js'
import {clientCommands} from '../server/commands/client-command.js'
import {commandCommands} from '../server/commands/command-command.js'
import {connectionCommands} from '../server/commands/connection.js'
import {helpReply} from '../server/commands/help.js'
import {pubsubCommands} from '../server/commands/pubsub.js'
import {serverAdminCommands} from '../server/commands/server-admin.js'
import {clientsSection, cpuSection, serverSection} from '../server/info/server-section.js'
import {statsSection} from '../server/info/stats-section.js'
import type {Server} from '../server/server.js'
import {instanceFields, MasterInstance, type Instance} from './instance.js'
import {isExecutable} from './settings.js'
import type {Sentinel} from './sentinel.js'
import {HELLO_CHANNEL, SIMFAILURE_CRASH_AFTER_ELECTION, SIMFAILURE_CRASH_AFTER_PROMOTION, TIMINGS} from './timings.js'

const ADMIN = {flags: ['admin'], keys: NO_KEYS, categories: ['admin', 'slow', 'dangerous']} as const
const SHARED = new Set(['ping', 'auth', 'hello', 'subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe', 'client', 'command', 'shutdown'])
const NOT_IN_SENTINEL_CLIENT = new Set(['client|setinfo', 'client|no-touch'])

/** A number argument as Redis's getLongLongFromObject reads it (string2ll: no spaces, '+', exponent or leading zeros). */
const integer = (arg: Buffer | string | undefined): number | undefined => {
  if (arg === undefined) return undefined
  const parsed = parseInteger(typeof arg === 'string' ? Buffer.from(arg, 'latin1') : arg)
  return parsed.ok ? parsed.value : undefined
}

const fieldsReply = (fields: [string, string][]): Reply => map(fields.map(([k, v]) => [bulk(k), bulk(v)] as const))

/** The command groups of a sentinel process; `sentinel()` is resolved when a command runs. */
export function sentinelCommandGroups(sentinel: () => Sentinel): (server: Server) => (readonly CommandSpec[])[] {
  return (server) => {
    const shared = [...connectionCommands, ...clientCommands, ...pubsubCommands, ...commandCommands, ...serverAdminCommands]
      .filter((spec) => SHARED.has(spec.name))
      .map((spec) => (spec.subcommands === undefined ? spec : {...spec, subcommands: spec.subcommands.filter((sub) => !NOT_IN_SENTINEL_CLIENT.has(sub.name))}))
    return [shared, ownCommands(server, sentinel)]
  }
}

function ownCommands(server: Server, sentinel: () => Sentinel): CommandSpec[] {
  const masterByName = (arg: Buffer | undefined): MasterInstance | Reply => {
    const master = sentinel().masters.get((arg ?? Buffer.alloc(0)).toString('latin1'))
    return master ?? error('ERR No such master with that name')
  }
  const isReply = (v: unknown): v is Reply => !(v instanceof MasterInstance)
  const now = () => Date.now()

  const sub = (name: string, arity: number, handler: CommandSpec['handler']): CommandSpec => ({name: `sentinel|${name}`, arity, ...ADMIN, handler})
  const withMaster = (answer: (m: MasterInstance, ctx: CommandContext, args: readonly Buffer[]) => Reply): CommandSpec['handler'] => (ctx, args) => {
    const master = masterByName(args[0])
    return isReply(master) ? master : answer(master, ctx, args)
  }

  const isMasterDownByAddr = (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
    const [ipArg, portArg, epochArg, runidArg] = args as [Buffer, Buffer, Buffer, Buffer]
    const port = integer(portArg)
    const epoch = integer(epochArg)
    if (port === undefined || epoch === undefined) return error('ERR value is not an integer or out of range')
    const s = sentinel()
    const ip = ipArg.toString('latin1')
    const master = [...s.masters.values()].find((m) => m.host === ip && m.port === port)
    const down = master !== undefined && master.flags.has('s_down') && !s.inTilt
    let leader = '*'
    let leaderEpoch = 0
    const runid = runidArg.toString('latin1')
    if (master !== undefined && runid !== '*') {
      const vote = s.voteLeader(master, epoch, runid)
      leader = vote.leader ?? '*'
      leaderEpoch = vote.epoch
    }
    return array([int(down ? 1 : 0), bulk(leader), int(leaderEpoch)])
  }

  const monitorCommand = (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
    const [nameArg, ipArg, portArg, quorumArg] = args.map((a) => a.toString('latin1')) as [string, string, string, string]
    const quorum = integer(quorumArg)
    if (quorum === undefined) return error('ERR Invalid quorum')
    const port = integer(portArg)
    if (port === undefined) return error('ERR Invalid port')
    if (quorum <= 0) return error('ERR Quorum must be 1 or greater.')
    const s = sentinel()
    if (isIP(ipArg) === 0 && !s.resolveHostnames) return error('ERR Invalid IP address or hostname specified')
    // createSentinelRedisInstance checks the address (0..65535, as a config line) before the name.
    if (port < 0 || port > 65535) return error('ERR Invalid port number.')
    if (s.masters.has(nameArg)) return error('ERR Duplicate master name.')
    const master = new MasterInstance(nameArg, ipArg, port, quorum, now())
    s.masters.set(nameArg, master)
    s.flush()
    s.event('warning', '+monitor', master, `quorum ${quorum}`)
    return OK
  }

  const setCommand = (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
    const s = sentinel()
    const master = masterByName(args[0])
    if (isReply(master)) return master
    const text = args.map((a) => a.toString('latin1'))
    let changed = false
    let reply: Reply = OK
    for (let i = 1; i < text.length;) {
      const option = (text[i] as string).toLowerCase()
      const value = text[i + 1]
      const invalid = () => error(`ERR Invalid argument '${value ?? ''}' for SENTINEL SET '${text[i]}'`)
      const positive = (): number | undefined => {
        const n = integer(value)
        return n !== undefined && n > 0 ? n : undefined
      }
      if (value === undefined) {
        reply = error(`ERR Unknown option or number of arguments for SENTINEL SET '${text[i]}'`)
        break
      }
      if ((option === 'notification-script' || option === 'client-reconfig-script') && s.denyScriptsReconfig) {
        reply = error('ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration')
        break
      }
      let shown = value
      if (option === 'down-after-milliseconds' || option === 'failover-timeout' || option === 'parallel-syncs' || option === 'quorum') {
        const n = positive()
        if (n === undefined) {
          reply = invalid()
          break
        }
        if (option === 'down-after-milliseconds') master.downAfterMs = n
        else if (option === 'failover-timeout') master.failoverTimeoutMs = n
        else if (option === 'parallel-syncs') master.parallelSyncs = n
        else master.quorum = n
      } else if (option === 'master-reboot-down-after-period') {
        const n = integer(value)
        if (n === undefined || n < 0) {
          reply = invalid()
          break
        }
        master.rebootDownAfterMs = n
      } else if (option === 'notification-script' || option === 'client-reconfig-script') {
        // sentinel.c: access(value, X_OK), relative to the sentinel's working directory (its `dir`).
        if (value !== '' && !isExecutable(value)) {
          reply = error(option === 'notification-script'
            ? 'ERR Notification script seems non existing or non executable'
            : 'ERR Client reconfiguration script seems non existing or non executable')
          break
        }
        if (option === 'notification-script') master.notificationScript = value === '' ? undefined : value
        else master.clientReconfigScript = value === '' ? undefined : value
      } else if (option === 'auth-pass') {
        master.authPass = value === '' ? undefined : value
        shown = '******'
      } else if (option === 'auth-user') {
        master.authUser = value === '' ? undefined : value
      } else if (option === 'rename-command' && text[i + 2] !== undefined) {
        master.renamedCommands.set(value.toLowerCase(), text[i + 2] as string)
        shown = `${value} ${text[i + 2]}`
        i++
      } else {
        reply = error(`ERR Unknown option or number of arguments for SENTINEL SET '${text[i]}'`)
        break
      }
      changed = true
      s.event('warning', '+set', master, `${text[i]} ${shown}`)
      i += 2
    }
    if (changed) s.flush()
    return reply
  }

  const ckquorumCommand = withMaster((m) => {
    const usable = 1 + [...m.sentinels.values()].filter((p) => !p.flags.has('s_down') && !p.flags.has('o_down')).length
    const voters = m.sentinels.size + 1
    const majority = Math.floor(voters / 2) + 1
    if (usable >= m.quorum && usable >= majority) return simple(`OK ${usable} usable Sentinels. Quorum and failover authorization can be reached`)
    // As sentinelCommand's ckquorum: the two reasons are joined by ". " only when both apply.
    const reasons: string[] = []
    if (usable < m.quorum) reasons.push('Not enough available Sentinels to reach the specified quorum for this master')
    if (usable < majority) reasons.push('Not enough available Sentinels to reach the majority and authorize a failover')
    const message = `NOQUORUM ${usable} usable Sentinels. ${reasons.join('. ')}`
    return error(message)
  })

  const failoverCommand = withMaster((m) => {
    const s = sentinel()
    if (m.flags.has('failover_in_progress')) return error('INPROG Failover already in progress')
    if (s.failover.selectReplica(m, now()) === undefined) return error('NOGOODSLAVE No suitable replica to promote')
    s.logger.warning(`Executing user requested FAILOVER of '${m.name}'`)
    s.failover.force(m, now())
    return OK
  })

  const resetCommand = (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
    const s = sentinel()
    // stringmatch(): the pattern ends at its first NUL.
    const pattern = cPattern((args[0] as Buffer).toString('latin1'))
    let count = 0
    for (const m of s.masters.values()) {
      if (!globMatch(pattern, m.name)) continue
      s.closeAll(m)
      for (const r of m.replicas.values()) r.closeLinks()
      m.replicas.clear()
      m.sentinels.clear()
      s.failover.resetMasterAndChangeAddress(m, m.host, m.port)
      m.replicas.clear()
      s.event('warning', '+reset-master', m, '')
      count++
    }
    if (count > 0) s.flush()
    return int(count)
  }

  const removeCommand = withMaster((m) => {
    const s = sentinel()
    s.event('warning', '-monitor', m, '')
    s.closeAll(m)
    s.masters.delete(m.name)
    s.flush()
    return OK
  })

  const infoCacheCommand = (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
    const s = sentinel()
    // Redis collects the requested masters in a dict first: unknown names are skipped, repeated ones count once.
    const names = args.length === 0 ? [...s.masters.keys()] : [...new Set(args.map((a) => a.toString('latin1')))]
    const entry = (i: Instance): Reply => array([int(i.infoRefreshMs === 0 ? 0 : now() - i.infoRefreshMs), i.info === undefined ? {kind: 'nil'} : bulk(i.info)])
    const out: Reply[] = []
    for (const name of names) {
      const m = s.masters.get(name)
      if (m === undefined) continue
      out.push(bulk(name), array([entry(m), ...[...m.replicas.values()].map(entry)]))
    }
    return array(out)
  }

  const configCommand = (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
    const s = sentinel()
    const action = (args[0] as Buffer).toString('latin1').toLowerCase()
    const params: [string, () => string][] = [
      ['resolve-hostnames', () => (s.resolveHostnames ? 'yes' : 'no')],
      ['announce-hostnames', () => (s.announceHostnames ? 'yes' : 'no')],
      ['announce-ip', () => s.announceIp],
      ['announce-port', () => String(s.announcePort)],
      ['sentinel-user', () => s.sentinelUser ?? ''],
      ['sentinel-pass', () => s.sentinelPass ?? ''],
    ]
    if (action === 'get' && args.length === 2) {
      const pattern = cPattern((args[1] as Buffer).toString('latin1'))
      return map(params.filter(([name]) => globMatch(pattern, name, true)).map(([name, value]) => [bulk(name), bulk(value())] as const))
    }
    if (action === 'set' && args.length === 3) {
      const param = (args[1] as Buffer).toString('latin1')
      const value = (args[2] as Buffer).toString('latin1')
      const yesNo = value.toLowerCase() === 'yes' ? true : value.toLowerCase() === 'no' ? false : undefined
      const bad = error(`ERR Invalid value '${value}' to SENTINEL CONFIG SET '${param}'`)
      switch (param.toLowerCase()) {
        case 'resolve-hostnames':
          if (yesNo === undefined) return bad
          s.resolveHostnames = yesNo
          break
        case 'announce-hostnames':
          if (yesNo === undefined) return bad
          s.announceHostnames = yesNo
          break
        case 'announce-ip':
          s.announceIp = value
          break
        case 'announce-port': {
          const port = integer(value)
          if (port === undefined || port < 0 || port > 65535) return bad
          s.announcePort = port
          break
        }
        case 'sentinel-user':
          s.sentinelUser = value === '' ? undefined : value
          break
        case 'sentinel-pass':
          s.sentinelPass = value === '' ? undefined : value
          break
        default:
          return error(`ERR Invalid argument '${param}' to SENTINEL CONFIG SET`)
      }
      s.flush()
      return OK
    }
    return error('ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.')
  }

  const debugCommand = (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
    const timings = TIMINGS as Record<string, number>
    if (args.length === 0) return map(Object.entries(timings).map(([k, v]) => [bulk(k.toUpperCase()), bulk(String(v))] as const))
    // As sentinelSetDebugConfigParameters: an unknown name or a missing value and a bad value have different
    // errors; pairs before the failing one stay applied.
    for (let i = 0; i < args.length; i += 2) {
      const option = (args[i] as Buffer).toString('latin1')
      const name = option.toLowerCase()
      const valueArg = args[i + 1]
      if (!(name in timings) || valueArg === undefined) return error(`ERR Unknown option or number of arguments for SENTINEL DEBUG '${option}'`)
      const value = integer(valueArg)
      if (value === undefined || value <= 0) return error(`ERR Invalid argument '${valueArg.toString('latin1')}' for SENTINEL DEBUG '${option}'`)
      timings[name] = value
    }
    return OK
  }

  // As Redis: the flags are cleared, then set one by one; HELP or an unknown name stops there (flags named
  // before it stay set).
  const simulateFailureCommand = (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
    const s = sentinel()
    s.simFailureFlags = 0
    for (const arg of args) {
      const flag = arg.toString('latin1').toLowerCase()
      if (flag === 'crash-after-election') {
        s.simFailureFlags |= SIMFAILURE_CRASH_AFTER_ELECTION
        s.logger.warning('Failure simulation: this Sentinel will crash after being successfully elected as failover leader')
      } else if (flag === 'crash-after-promotion') {
        s.simFailureFlags |= SIMFAILURE_CRASH_AFTER_PROMOTION
        s.logger.warning('Failure simulation: this Sentinel will crash after promoting the selected replica to master')
      } else if (flag === 'help') {
        return array([bulk('crash-after-election'), bulk('crash-after-promotion')])
      } else {
        return error('ERR Unknown failure simulation specified')
      }
    }
    return OK
  }

  const help = [
    'CKQUORUM <master-name>',
    '    Check if the current Sentinel configuration is able to reach the quorum',
    '    needed to failover a master and the majority needed to authorize the',
    '    failover.',
    'CONFIG SET <param> <value>',
    '    Set a global Sentinel configuration parameter.',
    'CONFIG GET <param>',
    '    Get global Sentinel configuration parameter.',
    'DEBUG [<param> <value> ...]',
    '    Show a list of configurable time parameters and their values (milliseconds).',
    '    Or update current configurable parameters values (one or more).',
    'GET-MASTER-ADDR-BY-NAME <master-name>',
    '    Return the ip and port number of the master with that name.',
    'FAILOVER <master-name>',
    '    Manually failover a master node without asking for agreement from other',
    '    Sentinels',
    'FLUSHCONFIG',
    '    Force Sentinel to rewrite its configuration on disk, including the current',
    '    Sentinel state.',
    'INFO-CACHE <master-name>',
    '    Return last cached INFO output from masters and all its replicas.',
    'IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>',
    "    Check if the master specified by ip:port is down from current Sentinel's",
    '    point of view.',
    'MASTER <master-name>',
    '    Show the state and info of the specified master.',
    'MASTERS',
    '    Show a list of monitored masters and their state.',
    'MONITOR <name> <ip> <port> <quorum>',
    '    Start monitoring a new master with the specified name, ip, port and quorum.',
    'MYID',
    '    Return the ID of the Sentinel instance.',
    'PENDING-SCRIPTS',
    '    Get pending scripts information.',
    'REMOVE <master-name>',
    "    Remove master from Sentinel's monitor list.",
    'REPLICAS <master-name>',
    '    Show a list of replicas for this master and their state.',
    'RESET <pattern>',
    '    Reset masters for specific master name matching this pattern.',
    'SENTINELS <master-name>',
    '    Show a list of Sentinel instances for this master and their state.',
    'SET <master-name> <option> <value> [<option> <value> ...]',
    '    Set configuration parameters for certain masters.',
    'SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]',
    '    Simulate a Sentinel crash.',
  ]

  const subcommands: CommandSpec[] = [
    sub('masters', 2, () => array([...sentinel().masters.values()].map((m) => fieldsReply(instanceFields(m, now()))))),
    sub('master', 3, withMaster((m) => fieldsReply(instanceFields(m, now())))),
    sub('replicas', 3, withMaster((m) => array([...m.replicas.values()].filter((r) => r.replicaAnnounced).map((r) => fieldsReply(instanceFields(r, now())))))),
    sub('slaves', 3, withMaster((m) => array([...m.replicas.values()].filter((r) => r.replicaAnnounced).map((r) => fieldsReply(instanceFields(r, now())))))),
    sub('sentinels', 3, withMaster((m) => array([...m.sentinels.values()].map((p) => fieldsReply(instanceFields(p, now())))))),
    sub('get-master-addr-by-name', 3, (_ctx, args) => {
      const m = sentinel().masters.get((args[0] as Buffer).toString('latin1'))
      if (m === undefined) return NIL_ARRAY
      const address = m.currentAddress()
      return array([bulk(address.host), bulk(String(address.port))])
    }),
    sub('is-master-down-by-addr', 6, isMasterDownByAddr),
    sub('failover', 3, failoverCommand),
    sub('reset', 3, resetCommand),
    sub('monitor', 6, monitorCommand),
    sub('remove', 3, removeCommand),
    sub('set', -5, setCommand),
    sub('ckquorum', 3, ckquorumCommand),
    sub('flushconfig', 2, () => (sentinel().flush() ? OK : error('ERR Failed to save config file. Check server logs.'))),
    sub('myid', 2, () => bulk(sentinel().myid)),
    sub('config', -3, configCommand),
    sub('info-cache', -3, infoCacheCommand),
    sub('pending-scripts', 2, () => array([])),
    sub('simulate-failure', -3, simulateFailureCommand),
    sub('debug', -2, debugCommand),
    {name: 'sentinel|help', arity: 2, flags: ['loading', 'stale'], keys: NO_KEYS, categories: ['slow'], handler: () => helpReply('SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', help)},
  ]

  const infoCommand = (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
    const s = sentinel()
    const sections: [string, string, () => string[]][] = [
      ['server', 'Server', () => serverSection(server, server.config.configFile)],
      ['clients', 'Clients', () => clientsSection(server)],
      // genRedisInfoString's order: Stats comes before CPU.
      ['stats', 'Stats', () => statsSection(server)],
      ['cpu', 'CPU', () => cpuSection()],
      ['sentinel', 'Sentinel', () => [
        `sentinel_masters:${s.masters.size}`,
        `sentinel_tilt:${s.inTilt ? 1 : 0}`,
        `sentinel_tilt_since_seconds:${s.inTilt ? Math.floor((now() - s.tiltSinceMs) / 1000) : -1}`,
        `sentinel_running_scripts:${s.runningScripts}`,
        'sentinel_scripts_queue_length:0',
        `sentinel_simulate_failure_flags:${s.simFailureFlags}`,
        ...[...s.masters.values()].map((m, i) => {
          const status = m.flags.has('o_down') ? 'odown' : m.flags.has('s_down') ? 'sdown' : 'ok'
          return `master${i}:name=${m.name},status=${status},address=${m.host}:${m.port},slaves=${m.replicas.size},sentinels=${m.sentinels.size + 1}`
        }),
      ]],
    ]
    const requested = args.map((a) => a.toString('latin1').toLowerCase())
    const all = requested.length === 0 || requested.some((r) => r === 'all' || r === 'default' || r === 'everything')
    const text = sections
      .filter(([name]) => all || requested.includes(name))
      .map(([, title, lines]) => [`# ${title}`, ...lines()].map((l) => `${l}\r\n`).join(''))
      .join('\r\n')
    return bulk(text)
  }

  const publishCommand = (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
    if ((args[0] as Buffer).toString('latin1') !== HELLO_CHANNEL) return error('ERR Only HELLO messages are accepted by Sentinel instances.')
    sentinel().processHello((args[1] as Buffer).toString('latin1'))
    return int(1)
  }

  const roleCommand = (): Reply => array([bulk('sentinel'), array([...sentinel().masters.keys()].map((name) => bulk(name)))])

  return [
    {name: 'sentinel', arity: -2, ...ADMIN, handler: (_ctx, args) => error(`ERR unknown subcommand '${(args[0] as Buffer).toString('latin1')}'. Try SENTINEL HELP.`), subcommands},
    {name: 'info', arity: -1, flags: ['loading', 'stale'], keys: NO_KEYS, categories: ['slow', 'dangerous'], handler: infoCommand},
    {name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], keys: NO_KEYS, categories: ['admin', 'fast', 'dangerous'], handler: roleCommand},
    {name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast'], keys: NO_KEYS, categories: ['pubsub', 'fast'], handler: publishCommand},
  ]
}
