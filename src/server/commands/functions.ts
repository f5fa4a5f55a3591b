// Redis functions (functions.c): FCALL, FCALL_RO and FUNCTION's subcommands, with Redis 7.0's metadata. The
// libraries live in ctx.scripting.functions; FCALL runs through the scripting engine like EVAL, so BUSY,
// FUNCTION KILL and the replication of a function's effects are EVAL's. FUNCTION LOAD/DELETE/FLUSH/RESTORE
// count as a change (server.dirty++), so save points see them and replicas get the command as it was sent.

import {fcallGateFlags} from '../scripting/gate-flags.js'
import {error, array, bulk, int, map, NIL, OK, set, simple, type Reply} from '../../resp/reply.js'
import {globMatch} from '../../common/glob.js'
import {NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import {pushStringArray, splitKeysAndArgs} from '../scripting/eval-scripts.js'
import {LOAD_TIMEOUT_MS, type RestorePolicy} from '../scripting/functions/functions.js'
import type {FunctionInfo, LibraryInfo} from '../scripting/functions/libraries.js'
import {BUSY_EVAL} from '../scripting/scripting-engine.js'
import {SCRIPT_FLAG_NAMES} from '../scripting/script-flags.js'
import {isOption} from './args.js'
import {helpReply} from './help.js'
import {numkeysAt} from './keys-of.js'

const FCALL_FLAGS = ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'] as const
const SCRIPTING = ['slow', 'scripting']
const WRITE_SCRIPTING = ['write', 'slow', 'scripting']
const ALL_SHARDS = ['request_policy:all_shards', 'response_policy:all_succeeded']

const FUNCTION_HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
]

/** Redis formats these with %s: the text stops at a NUL byte. */
const cText = (b: Buffer): string => {
  const nul = b.indexOf(0)
  return b.toString('latin1', 0, nul < 0 ? b.length : nul)
}

/** addReplySubcommandSyntaxError: the subcommand as it was typed (cut at 128 bytes). */
const syntaxError = (ctx: CommandContext, fallback: string): Reply => {
  const sub = ctx.argv?.[1] === undefined ? fallback : cText(ctx.argv[1]).slice(0, 128)
  return error(`ERR unknown subcommand or wrong number of arguments for '${sub}'. Try FUNCTION HELP.`)
}

/** server.dirty++: the change counts for save points, and the dispatcher propagates the command verbatim. */
const changed = (ctx: CommandContext): void => {
  ctx.keyspace.dirty++
}

const fcall = (readOnly: boolean) => (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  // Like EVAL: the MONITOR line goes out before the commands the function runs, and only its effects replicate.
  ctx.feedMonitor()
  ctx.preventPropagation()
  const engine = ctx.scripting
  const fn = engine.functions.find(cText(args[0] as Buffer))
  if (fn === undefined) return error('ERR Function not found')
  const split = splitKeysAndArgs(args[1] as Buffer, args.slice(2))
  if ('kind' in split) return split.kind === 'error' && split.message.startsWith('ERR value is not') ? error('ERR Bad number of keys provided') : split
  return engine.run({
    caller: ctx.client,
    options: {isEval: false, name: fn.name, flags: fn.flags, readOnlyCommand: readOnly, command: ctx.argv ?? [Buffer.from(readOnly ? 'fcall_ro' : 'fcall'), ...args]},
    dbIndex: ctx.client.dbIndex,
    maySuspend: ctx.caller === 'client',
    state: engine.functions.engine.L,
    nargs: 2,
    pushCall: (T) => {
      engine.functions.engine.pushFunction(T, fn)
      pushStringArray(T, split.keys)
      pushStringArray(T, split.args)
    },
  })
}

function functionLoad(ctx: CommandContext, args: readonly Buffer[]): Reply {
  let replace = false
  let pos = 0
  while (pos < args.length - 1) {
    const option = args[pos++] as Buffer
    if (!isOption(option, 'REPLACE')) return error(`ERR Unknown option given: ${cText(option)}`)
    replace = true
  }
  // The master's FUNCTION LOAD must succeed as it did there: no load timeout (mustObeyClient).
  const created = ctx.scripting.functions.load(args[pos] as Buffer, replace, ctx.caller === 'master' ? 0 : LOAD_TIMEOUT_MS)
  if ('error' in created) return error(`ERR ${created.error}`)
  changed(ctx)
  return bulk(created.name)
}

function functionDelete(ctx: CommandContext, args: readonly Buffer[]): Reply {
  if (!ctx.scripting.functions.delete(cText(args[0] as Buffer))) return error('ERR Library not found')
  changed(ctx)
  return OK
}

function functionFlush(ctx: CommandContext, args: readonly Buffer[]): Reply {
  if (args.length > 1) return syntaxError(ctx, 'flush')
  const mode = args[0]
  if (mode !== undefined && !isOption(mode, 'SYNC') && !isOption(mode, 'ASYNC')) return error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option')
  ctx.scripting.functions.flush()
  changed(ctx)
  return OK
}

const flagsReply = (fn: FunctionInfo): Reply => set(SCRIPT_FLAG_NAMES.filter((f) => fn.flags.set.has(f)).map((f) => simple(f)))

function libraryReply(library: LibraryInfo, withCode: boolean): Reply {
  const functions = [...library.functions.values()].map((fn) => map([
    [bulk('name'), bulk(fn.name)],
    [bulk('description'), fn.description === undefined ? NIL : bulk(fn.description)],
    [bulk('flags'), flagsReply(fn)],
  ]))
  const entries: [Reply, Reply][] = [
    [bulk('library_name'), bulk(library.name)],
    [bulk('engine'), bulk(library.engine)],
    [bulk('functions'), array(functions)],
  ]
  if (withCode) entries.push([bulk('library_code'), bulk(library.code)])
  return map(entries)
}

function functionList(ctx: CommandContext, args: readonly Buffer[]): Reply {
  let withCode = false
  let pattern: string | undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as Buffer
    if (!withCode && isOption(arg, 'WITHCODE')) {
      withCode = true
      continue
    }
    if (pattern === undefined && isOption(arg, 'LIBRARYNAME')) {
      if (i >= args.length - 1) return error('ERR library name argument was not given')
      pattern = (args[++i] as Buffer).toString('latin1')
      continue
    }
    return error(`ERR Unknown argument ${cText(arg)}`)
  }
  const libraries = [...ctx.scripting.functions.libraries.libraries.values()]
  const listed = pattern === undefined ? libraries : libraries.filter((l) => globMatch(pattern as string, l.name, true))
  return array(listed.map((l) => libraryReply(l, withCode)))
}

function functionStats(ctx: CommandContext): Reply {
  const run = ctx.scripting.running
  if (run !== undefined && run.options.isEval) return BUSY_EVAL
  const running = run === undefined ? NIL : map([
    [bulk('name'), bulk(run.options.name)],
    [bulk('command'), array((run.options.command ?? []).map((a) => bulk(a)))],
    [bulk('duration_ms'), int(Math.floor(run.elapsedMs()))],
  ])
  const libraries = ctx.scripting.functions.libraries
  const lua = map([[bulk('libraries_count'), int(libraries.libraries.size)], [bulk('functions_count'), int(libraries.registeredCount)]])
  return map([[bulk('running_script'), running], [bulk('engines'), map([[bulk('LUA'), lua]])]])
}

const compress = (ctx: CommandContext): boolean => ctx.server.getConfig('rdbcompression') !== 'no'

function functionRestore(ctx: CommandContext, args: readonly Buffer[]): Reply {
  if (args.length > 2) return syntaxError(ctx, 'restore')
  let policy: RestorePolicy = 'append'
  const given = args[1]
  if (given !== undefined) {
    const found = (['append', 'replace', 'flush'] as const).find((p) => isOption(given, p.toUpperCase()))
    if (found === undefined) return error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.')
    policy = found
  }
  const failure = ctx.scripting.functions.restore(args[0] as Buffer, policy)
  if (failure !== undefined) return error(`ERR ${failure}`)
  changed(ctx)
  return OK
}

const sub = (name: string, arity: number, flags: CommandSpec['flags'], categories: string[], handler: CommandSpec['handler'], tips?: string[]): CommandSpec =>
  ({name: `function|${name}`, arity, flags, keys: NO_KEYS, categories, handler, ...(tips === undefined ? {} : {tips})})

/** FCALL and FCALL_RO are gated by the called function's flags. */
const withFcallGateFlags = (spec: CommandSpec): CommandSpec => ({...spec, gateFlags: fcallGateFlags(spec)})

export const functionCommands: readonly CommandSpec[] = [
  withFcallGateFlags({name: 'fcall', arity: -3, flags: FCALL_FLAGS, keys: NO_KEYS, getKeys: numkeysAt(2), categories: SCRIPTING, handler: fcall(false)}),
  withFcallGateFlags({name: 'fcall_ro', arity: -3, flags: ['readonly', ...FCALL_FLAGS], keys: NO_KEYS, getKeys: numkeysAt(2), categories: SCRIPTING, handler: fcall(true)}),
  {
    name: 'function',
    arity: -2,
    flags: [],
    keys: NO_KEYS,
    categories: ['slow'],
    handler: () => OK,
    subcommands: [
      sub('load', -3, ['write', 'denyoom', 'noscript'], WRITE_SCRIPTING, functionLoad, ALL_SHARDS),
      sub('delete', 3, ['write', 'noscript'], WRITE_SCRIPTING, functionDelete, ALL_SHARDS),
      sub('flush', -2, ['write', 'noscript'], WRITE_SCRIPTING, functionFlush, ALL_SHARDS),
      sub('restore', -3, ['write', 'denyoom', 'noscript'], WRITE_SCRIPTING, functionRestore, ALL_SHARDS),
      sub('list', -2, ['noscript'], SCRIPTING, functionList, ['nondeterministic_output_order']),
      sub('dump', 2, ['noscript'], SCRIPTING, (ctx) => bulk(ctx.scripting.functions.dump(compress(ctx)))),
      sub('stats', 2, ['noscript', 'allow_busy'], SCRIPTING, functionStats, ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special']),
      sub('kill', 2, ['noscript', 'allow_busy'], SCRIPTING, (ctx) => ctx.scripting.kill(false), ['request_policy:all_shards', 'response_policy:one_succeeded']),
      sub('help', 2, ['loading', 'stale'], SCRIPTING, () => helpReply('FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', FUNCTION_HELP)),
    ],
  },
]
