// CONFIG GET/SET/REWRITE/RESETSTAT/HELP (config.c configCommand) over the shared directive table
// (ServerConfig), so CONFIG, the file loader and argv overrides agree on names, aliases and validation.

import {keyOf} from '../../common/key.js'
import {error, map, bulk, OK, type Reply} from '../../resp/reply.js'
import {NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import {helpReply} from './help.js'

const CONFIG_HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
]

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const
const ADMIN_CATEGORIES = ['admin', 'slow', 'dangerous'] as const

/** ServerConfig's answers are plain texts; Redis error replies carry a code, ERR unless given. */
const asError = (text: string): Reply => error(/^[A-Z]+ /.test(text) ? text : `ERR ${text}`)

const getCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const seen = new Map<string, string>()
  for (const pattern of args) {
    for (const [name, value] of ctx.config.getMatching(keyOf(pattern))) {
      if (!seen.has(name)) seen.set(name, value)
    }
  }
  return map([...seen].map(([name, value]) => [bulk(name), bulk(Buffer.from(value, 'latin1'))] as const))
}

const setCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (args.length % 2 !== 0) return error("ERR wrong number of arguments for 'config|set' command")
  const pairs: [string, string][] = []
  for (let i = 0; i < args.length; i += 2) pairs.push([keyOf(args[i] as Buffer), keyOf(args[i + 1] as Buffer)])
  const failure = ctx.config.set(pairs)
  return failure === undefined ? OK : asError(failure)
}

const rewriteCommand = (ctx: CommandContext): Reply => {
  try {
    const failure: unknown = ctx.config.rewrite()
    if (typeof failure === 'string') return asError(failure)
  } catch (cause) {
    return asError(`Rewriting config file: ${(cause as Error).message}`)
  }
  ctx.server.logger.notice('CONFIG REWRITE executed with success.')
  return OK
}

const resetstatCommand = (ctx: CommandContext): Reply => {
  ctx.stats.reset()
  return OK
}

const sub = (name: string, arity: number, handler: CommandSpec['handler']): CommandSpec => ({
  name: `config|${name}`, arity, flags: ADMIN, keys: NO_KEYS, categories: ADMIN_CATEGORIES, handler,
})

export const configCommands: readonly CommandSpec[] = [{
  name: 'config',
  arity: -2,
  flags: [],
  keys: NO_KEYS,
  categories: ['slow'],
  handler: () => OK,
  subcommands: [
    sub('get', -3, getCommand),
    sub('set', -4, setCommand),
    sub('rewrite', 2, rewriteCommand),
    sub('resetstat', 2, resetstatCommand),
    {
      name: 'config|help', arity: 2, flags: ['loading', 'stale'], keys: NO_KEYS, categories: ['slow'],
      handler: () => helpReply('CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', CONFIG_HELP),
    },
  ],
}]
