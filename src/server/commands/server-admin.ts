// Server commands (Redis "server" group): INFO DBSIZE FLUSHDB FLUSHALL SWAPDB TIME LASTSAVE SAVE BGSAVE
// SHUTDOWN MONITOR ROLE. CONFIG, COMMAND, DEBUG and the diagnostics live in their own files.

import {BUSY_EVAL, BUSY_FUNCTION} from '../scripting/scripting-engine.js'
import {DB_INDEX_OUT_OF_RANGE, SYNTAX} from '../../resp/errors.js'
import {bulk, error, int, NONE, OK, simple, verbatim, type Reply} from '../../resp/reply.js'
import {NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import {isOption, parseInt64} from './args.js'

const BGSAVE_IN_PROGRESS = error('ERR Background save already in progress')

const infoCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply =>
  verbatim(ctx.server.info(args.map((a) => a.toString('latin1').toLowerCase())))

const dbsizeCommand = (ctx: CommandContext): Reply => int(ctx.db.size)

/** FLUSHDB/FLUSHALL [ASYNC|SYNC]: both modes free synchronously here (there is no lazyfree thread). */
const flushMode = (args: readonly Buffer[]): Reply | undefined => {
  if (args.length > 1) return SYNTAX
  if (args.length === 1 && !isOption(args[0], 'ASYNC') && !isOption(args[0], 'SYNC')) return SYNTAX
  return undefined
}

const flushdbCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const invalid = flushMode(args)
  if (invalid !== undefined) return invalid
  ctx.keyspace.flushDb(ctx.db.index)
  // Redis always propagates a flush, even of an empty db (server.dirty++).
  ctx.propagateAs([Buffer.from('FLUSHDB'), ...args])
  return OK
}

const flushallCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const invalid = flushMode(args)
  if (invalid !== undefined) return invalid
  ctx.keyspace.flushAll()
  ctx.propagateAs([Buffer.from('FLUSHALL'), ...args])
  // flushAllDataAndResetRDB: with save points configured the empty dataset is saved at once.
  if (ctx.config.savePoints().length > 0 && !ctx.persistence.bgsaveInProgress) ctx.persistence.saveNow()
  return OK
}

const swapdbCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const a = parseInt64(args[0] as Buffer)
  if (!a.ok) return error('ERR invalid first DB index')
  const b = parseInt64(args[1] as Buffer)
  if (!b.ok) return error('ERR invalid second DB index')
  const count = BigInt(ctx.keyspace.databases.length)
  if (a.value < 0n || a.value >= count || b.value < 0n || b.value >= count) return DB_INDEX_OUT_OF_RANGE
  ctx.keyspace.swap(Number(a.value), Number(b.value))
  ctx.propagateAs([Buffer.from('SWAPDB'), ...args])
  return OK
}

const timeCommand = (ctx: CommandContext): Reply => {
  const micros = Math.floor(ctx.clock.nowMs() * 1000) + Math.floor((performance.now() % 1) * 1000)
  return {kind: 'array', items: [bulk(String(Math.floor(micros / 1e6))), bulk(String(micros % 1e6))]}
}

const lastsaveCommand = (ctx: CommandContext): Reply => int(Math.floor(ctx.persistence.lastSaveMs / 1000))

const saveCommand = (ctx: CommandContext): Reply => {
  if (ctx.persistence.bgsaveInProgress) return BGSAVE_IN_PROGRESS
  return ctx.persistence.saveNow() ? OK : error('ERR')
}

const bgsaveCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const schedule = args.length === 1 && isOption(args[0], 'SCHEDULE')
  if (args.length > 1 || (args.length === 1 && !schedule)) return SYNTAX
  const persistence = ctx.persistence
  if (persistence.bgsaveInProgress) {
    if (!schedule) return BGSAVE_IN_PROGRESS
    persistence.bgsaveScheduled = true
    return simple('Background saving scheduled')
  }
  return persistence.backgroundSave() ? simple('Background saving started') : BGSAVE_IN_PROGRESS
}

const shutdownCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const flags = new Set(args.map((a) => a.toString('latin1').toLowerCase()))
  const known = ['nosave', 'save', 'now', 'force', 'abort']
  if ([...flags].some((f) => !known.includes(f)) || flags.size !== args.length) return SYNTAX
  if (flags.has('nosave') && flags.has('save')) return SYNTAX
  if (flags.has('abort')) return flags.size === 1 ? error('ERR No shutdown in progress.') : SYNTAX
  // A timed-out script allows only SHUTDOWN NOSAVE: a save would write its half-done effects.
  const script = ctx.scripting.running
  if (script?.timedOut === true && !flags.has('nosave')) return script.options.isEval ? BUSY_EVAL : BUSY_FUNCTION
  const save = flags.has('nosave') ? false : flags.has('save') ? true : undefined
  const client = ctx.client
  // Success is the connection closing without a reply; a failed final save is reported to the caller.
  void ctx.server.shutdown({save}).then((ok) => {
    if (!ok && !flags.has('force')) client.sink.push(error('ERR Errors trying to SHUTDOWN. Check logs.'))
  })
  return NONE
}

const monitorCommand = (ctx: CommandContext): Reply => {
  // A replica connection or an existing monitor gets no reply at all (replication.c monitorCommand).
  if (ctx.client.kind === 'replica' || ctx.client.isMonitor) return NONE
  ctx.clients.startMonitor(ctx.client)
  return OK
}

const roleCommand = (ctx: CommandContext): Reply => ctx.replication.roleReply()

export const serverAdminCommands: readonly CommandSpec[] = [
  {name: 'info', arity: -1, flags: ['loading', 'stale'], keys: NO_KEYS, categories: ['slow', 'dangerous'], handler: infoCommand},
  {name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], keys: NO_KEYS, categories: ['keyspace', 'read', 'fast'], handler: dbsizeCommand},
  {name: 'flushdb', arity: -1, flags: ['write'], keys: NO_KEYS, categories: ['keyspace', 'write', 'slow', 'dangerous'], handler: flushdbCommand},
  {name: 'flushall', arity: -1, flags: ['write'], keys: NO_KEYS, categories: ['keyspace', 'write', 'slow', 'dangerous'], handler: flushallCommand},
  {name: 'swapdb', arity: 3, flags: ['write', 'fast'], keys: NO_KEYS, categories: ['keyspace', 'write', 'fast', 'dangerous'], handler: swapdbCommand},
  {name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], keys: NO_KEYS, categories: ['fast'], handler: timeCommand},
  {name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], keys: NO_KEYS, categories: ['admin', 'fast', 'dangerous'], handler: lastsaveCommand},
  {name: 'save', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], keys: NO_KEYS, categories: ['admin', 'slow', 'dangerous'], handler: saveCommand},
  {name: 'bgsave', arity: -1, flags: ['admin', 'noscript', 'no_async_loading'], keys: NO_KEYS, categories: ['admin', 'slow', 'dangerous'], handler: bgsaveCommand},
  {name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], keys: NO_KEYS, categories: ['admin', 'slow', 'dangerous'], handler: shutdownCommand},
  {name: 'monitor', arity: 1, flags: ['admin', 'noscript', 'loading', 'stale'], keys: NO_KEYS, categories: ['admin', 'slow', 'dangerous'], handler: monitorCommand},
  {name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], keys: NO_KEYS, categories: ['admin', 'fast', 'dangerous'], handler: roleCommand},
]

