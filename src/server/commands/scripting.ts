// Scripting commands (eval.c, functions.c): EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT's subcommands.
// The engine (scripting/scripting-engine.ts) runs the scripts; these rows hold Redis 7.0's metadata.

import {error, int, array, bulk, OK, type Reply} from '../../resp/reply.js'
import {NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import {helpReply} from './help.js'
import {numkeysAt} from './keys-of.js'
import {evalGateFlags} from '../scripting/gate-flags.js'

const MOVABLE = NO_KEYS
const EVAL_FLAGS = ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'] as const
const EVAL_RO_FLAGS = ['readonly', ...EVAL_FLAGS] as const
const SCRIPTING = ['slow', 'scripting']

const SCRIPT_HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
]

/** EVAL is skip_monitor: its MONITOR line goes out first, before the lines of the commands it runs. */
const evalLike = (sha: boolean, readOnly: boolean) => (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  ctx.feedMonitor()
  ctx.preventPropagation()
  return ctx.scripting.evalCommand(ctx.client, args, {sha, readOnly, maySuspend: ctx.caller === 'client'})
}

const scriptFlush = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const mode = args[0]?.toString('latin1').toLowerCase()
  if (args.length > 1 || (mode !== undefined && mode !== 'sync' && mode !== 'async')) return error('ERR SCRIPT FLUSH only support SYNC|ASYNC option')
  ctx.scripting.evalScripts.flush()
  return OK
}

const scriptExists = (ctx: CommandContext, args: readonly Buffer[]): Reply =>
  array(args.map((sha) => int(ctx.scripting.evalScripts.exists(sha.toString('latin1')) ? 1 : 0)))

const scriptLoad = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const created = ctx.scripting.evalScripts.create(args[0] as Buffer)
  return 'kind' in created ? created : bulk(created.sha)
}

/** The Lua debugger (LDB) is not implemented: only turning it off succeeds. */
const scriptDebug = (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const mode = (args[0] as Buffer).toString('latin1').toLowerCase()
  if (mode === 'no') return OK
  if (mode !== 'yes' && mode !== 'sync') return error('ERR Use SCRIPT DEBUG YES/SYNC/NO')
  return error('ERR SCRIPT DEBUG (the Lua debugger) is not available in rtopo-server')
}

const evalRow = (name: string, sha: boolean, readOnly: boolean): CommandSpec => {
  const spec: CommandSpec = {
    name,
    arity: -3,
    flags: readOnly ? EVAL_RO_FLAGS : EVAL_FLAGS,
    keys: MOVABLE,
    getKeys: numkeysAt(2),
    categories: SCRIPTING,
    handler: evalLike(sha, readOnly),
  }
  return {...spec, gateFlags: evalGateFlags(sha)(spec)}
}

const scriptSub = (name: string, arity: number, flags: CommandSpec['flags'], handler: CommandSpec['handler'], tips?: readonly string[]): CommandSpec =>
  ({name: `script|${name}`, arity, flags, keys: NO_KEYS, categories: SCRIPTING, handler, ...(tips === undefined ? {} : {tips})})
const ALL_NODES = ['request_policy:all_nodes', 'response_policy:all_succeeded']

export const scriptingCommands: readonly CommandSpec[] = [
  evalRow('eval', false, false),
  evalRow('evalsha', true, false),
  evalRow('eval_ro', false, true),
  evalRow('evalsha_ro', true, true),
  {
    name: 'script',
    arity: -2,
    flags: [],
    keys: NO_KEYS,
    categories: ['slow'],
    handler: () => OK,
    subcommands: [
      scriptSub('help', 2, ['loading', 'stale'], () => helpReply('SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', SCRIPT_HELP)),
      scriptSub('flush', -2, ['noscript'], scriptFlush, ALL_NODES),
      scriptSub('exists', -3, ['noscript'], scriptExists, ['request_policy:all_shards', 'response_policy:agg_logical_and']),
      scriptSub('load', 3, ['noscript', 'stale'], scriptLoad, ALL_NODES),
      scriptSub('kill', 2, ['noscript', 'allow_busy'], (ctx) => ctx.scripting.kill(true), ['request_policy:all_shards', 'response_policy:one_succeeded']),
      scriptSub('debug', 3, ['noscript'], scriptDebug),
    ],
  },
]
