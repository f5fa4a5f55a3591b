// SLOWLOG, LATENCY and MEMORY (slowlog.c, latency.c, object.c memoryCommand). Latency monitoring is off in
// the bundled server (as with latency-monitor-threshold 0), so LATENCY answers like a Redis that has no samples.

import {keyOf} from '../../common/key.js'
import {SYNTAX, NOT_INTEGER} from '../../resp/errors.js'
import {bulk, double, EMPTY_ARRAY, error, int, map, NIL, OK, verbatim, type Reply} from '../../resp/reply.js'
import {NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import {DICT_ENTRY, dictTableSize} from '../keyspace/memory.js'
import {isOption, parseInt64} from './args.js'
import {helpReply} from './help.js'

const SLOWLOG_HELP = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
]
const LATENCY_HELP = [
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
]
const MEMORY_HELP = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
]
const LATENCY_DISABLED =
  "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
const MEMORY_DOCTOR_EMPTY =
  "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
const MEMORY_DOCTOR_OK = 'Hi Sam, I can\'t find any memory issue in your instance. I can only account for what occurs on this base.\n'

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const
const ADMIN_CATEGORIES = ['admin', 'slow', 'dangerous'] as const
const HELP_FLAGS = ['loading', 'stale'] as const

const slowlogGetCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  let count = 10
  if (args.length > 1) return error("ERR wrong number of arguments for 'slowlog|get' command")
  if (args.length === 1) {
    const parsed = parseInt64(args[0] as Buffer)
    if (!parsed.ok || parsed.value < -1n) return error('ERR count should be greater than or equal to -1')
    count = parsed.value > 1_000_000_000n ? -1 : Number(parsed.value)
  }
  return ctx.server.slowlog.get(count)
}

const memoryUsageCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (args.length === 3) {
    if (!isOption(args[1], 'SAMPLES')) return SYNTAX
    if (!parseInt64(args[2] as Buffer).ok) return NOT_INTEGER
  } else if (args.length !== 1) {
    return SYNTAX
  }
  const key = keyOf(args[0] as Buffer)
  // The bytes the key is accounted for in used_memory (keyspace/memory.ts).
  return ctx.db.peek(key) === undefined ? NIL : int(ctx.db.keyBytes(key))
}

const memoryStatsCommand = (ctx: CommandContext): Reply => {
  const usage = process.memoryUsage()
  const keys = ctx.keyspace.databases.reduce((n, db) => n + db.size, 0)
  // The same estimate as INFO memory's used_memory (used-memory.ts); the allocator rows show the V8 heap.
  const mem = ctx.server.usedMemory()
  const used = mem.total
  const overhead = used - mem.dataset
  const entries: [Reply, Reply][] = [
    [bulk('peak.allocated'), int(used)],
    [bulk('total.allocated'), int(used)],
    [bulk('startup.allocated'), int(mem.startup)],
    [bulk('replication.backlog'), int(mem.replicationBacklog)],
    [bulk('clients.slaves'), int(mem.clientsReplicas)],
    [bulk('clients.normal'), int(mem.clientsNormal)],
    [bulk('cluster.links'), int(0)],
    [bulk('aof.buffer'), int(0)],
    [bulk('lua.caches'), int(mem.scripts)],
    [bulk('functions.caches'), int(0)],
  ]
  for (const db of ctx.keyspace.databases) {
    if (db.size === 0) continue
    entries.push([bulk(`db.${db.index}`), map([
      [bulk('overhead.hashtable.main'), int(db.size * DICT_ENTRY + dictTableSize(db.size))],
      [bulk('overhead.hashtable.expires'), int(db.volatileKeys.size * DICT_ENTRY + dictTableSize(db.volatileKeys.size))],
      [bulk('overhead.hashtable.slot-to-keys'), int(0)],
    ])])
  }
  entries.push(
    [bulk('overhead.total'), int(overhead)],
    [bulk('keys.count'), int(keys)],
    [bulk('keys.bytes-per-key'), int(keys === 0 ? 0 : Math.floor(mem.dataset / keys))],
    [bulk('dataset.bytes'), int(mem.dataset)],
    [bulk('dataset.percentage'), double(used === 0 ? 0 : (mem.dataset / used) * 100)],
    [bulk('peak.percentage'), double(100)],
    [bulk('allocator.allocated'), int(usage.heapUsed)],
    [bulk('allocator.active'), int(usage.heapTotal)],
    [bulk('allocator.resident'), int(usage.rss)],
    [bulk('allocator-fragmentation.ratio'), double(usage.heapTotal / Math.max(1, usage.heapUsed))],
    [bulk('allocator-fragmentation.bytes'), int(usage.heapTotal - usage.heapUsed)],
    [bulk('allocator-rss.ratio'), double(usage.rss / Math.max(1, usage.heapTotal))],
    [bulk('allocator-rss.bytes'), int(usage.rss - usage.heapTotal)],
    [bulk('rss-overhead.ratio'), double(1)],
    [bulk('rss-overhead.bytes'), int(0)],
    [bulk('fragmentation'), double(usage.rss / Math.max(1, used))],
    [bulk('fragmentation.bytes'), int(usage.rss - used)],
  )
  return map(entries)
}

const memoryDoctorCommand = (ctx: CommandContext): Reply => {
  const keys = ctx.keyspace.databases.reduce((n, db) => n + db.size, 0)
  return verbatim(keys === 0 ? MEMORY_DOCTOR_EMPTY : MEMORY_DOCTOR_OK)
}

const adminSub = (parent: string, name: string, arity: number, handler: CommandSpec['handler'], noscript = true): CommandSpec => ({
  name: `${parent}|${name}`,
  arity,
  flags: noscript ? ADMIN : ['admin', 'loading', 'stale'],
  keys: NO_KEYS,
  categories: ADMIN_CATEGORIES,
  handler,
})
const help = (parent: string, lines: readonly string[], categories: readonly string[] = ['slow']): CommandSpec => ({
  name: `${parent}|help`, arity: 2, flags: HELP_FLAGS, keys: NO_KEYS, categories,
  handler: () => helpReply(`${parent.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`, lines),
})
const container = (name: string, subcommands: CommandSpec[]): CommandSpec => ({
  name, arity: -2, flags: [], keys: NO_KEYS, categories: ['slow'], handler: () => OK, subcommands,
})
const plainSub = (name: string, arity: number, handler: CommandSpec['handler']): CommandSpec => ({
  name, arity, flags: [], keys: NO_KEYS, categories: ['slow'], handler,
})

export const diagnosticCommands: readonly CommandSpec[] = [
  container('slowlog', [
    adminSub('slowlog', 'get', -2, slowlogGetCommand, false),
    adminSub('slowlog', 'len', 2, (ctx) => int(ctx.server.slowlog.len()), false),
    adminSub('slowlog', 'reset', 2, (ctx) => {
      ctx.server.slowlog.reset()
      return OK
    }, false),
    help('slowlog', SLOWLOG_HELP),
  ]),
  container('latency', [
    adminSub('latency', 'latest', 2, () => EMPTY_ARRAY),
    adminSub('latency', 'history', 3, () => EMPTY_ARRAY),
    adminSub('latency', 'reset', -2, () => int(0)),
    adminSub('latency', 'doctor', 2, () => verbatim(LATENCY_DISABLED)),
    adminSub('latency', 'graph', 3, (_ctx, args) => error(`ERR No samples available for event '${(args[0] as Buffer).toString('latin1')}'`)),
    adminSub('latency', 'histogram', -2, () => map([])),
    help('latency', LATENCY_HELP),
  ]),
  container('memory', [
    {name: 'memory|usage', arity: -3, flags: ['readonly'], keys: {first: 2, last: 2, step: 1}, categories: ['read', 'slow'], handler: memoryUsageCommand},
    plainSub('memory|stats', 2, memoryStatsCommand),
    plainSub('memory|doctor', 2, memoryDoctorCommand),
    plainSub('memory|malloc-stats', 2, () => verbatim('Stats not supported for the current allocator')),
    plainSub('memory|purge', 2, () => OK),
    help('memory', MEMORY_HELP),
  ]),
]
