// COMMAND and its subcommands (commands.c / server.c commandCommand): the whole table, COUNT, INFO, DOCS,
// LIST [FILTERBY], GETKEYS, GETKEYSANDFLAGS — all read from the same CommandSpec rows the dispatcher uses.

import {keyOf} from '../../common/key.js'
import {SYNTAX} from '../../resp/errors.js'
import {array, bulk, error, int, map, NIL, set, simple, type Reply} from '../../resp/reply.js'
import type {CommandContext, CommandSpec} from '../command-spec.js'
import {NO_KEYS} from '../command-spec.js'
import {globMatch} from '../keyspace/glob.js'
import type {Server} from '../server.js'
import {helpReply} from './help.js'

const COMMAND_HELP = [
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
]

const SUB_FLAGS = ['loading', 'stale'] as const
const SUB_CATEGORIES = ['slow', 'connection'] as const

/** Redis's doc groups, from the ACL categories a command carries. */
const GROUP_BY_CATEGORY: Record<string, string> = {
  string: 'string', list: 'list', hash: 'hash', set: 'set', sortedset: 'sorted-set', keyspace: 'generic',
  pubsub: 'pubsub', transaction: 'transactions', connection: 'connection', bitmap: 'bitmap', geo: 'geo',
  hyperloglog: 'hyperloglog', stream: 'stream', scripting: 'scripting',
}

export function commandCommands(server: Server): readonly CommandSpec[] {
  // The table is built from these very groups, so it is read when a command runs, not now.
  const table = {
    get size() { return server.commands.size },
    all: () => server.commands.all(),
    get: (name: string) => server.commands.get(name),
    lookup: (arg: Buffer) => server.commands.lookup(arg),
    lookupSubcommand: (spec: CommandSpec, arg: Buffer) => server.commands.lookupSubcommand(spec, arg),
  }

  const lookupFull = (name: Buffer): CommandSpec | undefined => {
    const [parent, sub] = keyOf(name).toLowerCase().split('|', 2)
    const spec = table.get(parent ?? '')
    if (spec === undefined || sub === undefined) return spec
    return spec.subcommands?.find((s) => s.name === `${parent}|${sub}`)
  }

  const infoCommand = (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
    if (args.length === 0) return array([...table.all()].map(commandEntry))
    return array(args.map((name) => {
      const spec = lookupFull(name)
      return spec === undefined ? NIL : commandEntry(spec)
    }))
  }

  const docsCommand = (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
    const specs = args.length === 0 ? [...table.all()] : args.map(lookupFull).filter((s): s is CommandSpec => s !== undefined)
    return map(specs.map((spec) => [bulk(spec.name), commandDocs(spec)] as const))
  }

  const listCommand = (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
    const names = allNames(table.all())
    if (args.length === 0) return array(names.map((n) => bulk(n.name)))
    if (args.length !== 3 || (args[0] as Buffer).toString('latin1').toLowerCase() !== 'filterby') return SYNTAX
    const kind = (args[1] as Buffer).toString('latin1').toLowerCase()
    const value = (args[2] as Buffer).toString('latin1')
    let keep: (spec: CommandSpec) => boolean
    if (kind === 'module') keep = () => false
    else if (kind === 'aclcat') keep = (spec) => (spec.categories ?? []).includes(value.toLowerCase())
    else if (kind === 'pattern') keep = (spec) => globMatch(value.toLowerCase(), spec.name, true)
    else return SYNTAX
    return array(names.filter(keep).map((n) => bulk(n.name)))
  }

  const getkeysCommand = (withFlags: boolean) => (_ctx: CommandContext, args: readonly Buffer[]): Reply => {
    const spec = table.lookup(args[0] as Buffer)
    if (spec === undefined) return error('ERR Invalid command specified')
    let target = spec
    if (spec.subcommands !== undefined && spec.subcommands.length > 0 && args.length > 1) {
      target = table.lookupSubcommand(spec, args[1] as Buffer) ?? spec
    }
    const arity = target.arity
    if ((arity >= 0 && args.length !== arity) || args.length < -arity) {
      return error('ERR Invalid number of arguments specified for command')
    }
    const positions = keyPositions(target, args.length)
    if (positions.length === 0) return error('ERR The command has no key arguments')
    const keys = positions.map((i) => args[i] as Buffer)
    if (!withFlags) return array(keys.map((k) => bulk(k)))
    const flags = keySpecFlags(target)
    return array(keys.map((k) => array([bulk(k), set(flags.map((f) => simple(f)))])))
  }

  const sub = (name: string, arity: number, handler: CommandSpec['handler']): CommandSpec => ({
    name: `command|${name}`, arity, flags: SUB_FLAGS, keys: NO_KEYS, categories: SUB_CATEGORIES, handler,
  })

  return [{
    name: 'command',
    arity: -1,
    flags: ['loading', 'stale'],
    keys: NO_KEYS,
    categories: ['slow', 'connection'],
    handler: (ctx) => infoCommand(ctx, []),
    subcommands: [
      sub('count', 2, () => int(table.size)),
      sub('info', -2, infoCommand),
      sub('docs', -2, docsCommand),
      sub('list', -2, listCommand),
      sub('getkeys', -4, getkeysCommand(false)),
      sub('getkeysandflags', -4, getkeysCommand(true)),
      sub('help', 2, () => helpReply('COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', COMMAND_HELP)),
    ],
  }]
}

function allNames(specs: Iterable<CommandSpec>): CommandSpec[] {
  const out: CommandSpec[] = []
  for (const spec of specs) {
    out.push(spec)
    out.push(...(spec.subcommands ?? []))
  }
  return out
}

/** [name, arity, flags, first, last, step, categories, tips, key specs, subcommands] (Redis 7.0). */
export function commandEntry(spec: CommandSpec): Reply {
  const {first, last, step} = spec.keys
  return array([
    bulk(spec.name),
    int(spec.arity),
    set(spec.flags.map((f) => simple(f))),
    int(first),
    int(last),
    int(step),
    set((spec.categories ?? []).map((c) => simple(`@${c}`))),
    set([]),
    set(keySpecs(spec)),
    set((spec.subcommands ?? []).map(commandEntry)),
  ])
}

/** One key spec per key range, derived from first/last/step (begin_search index, find_keys range). */
function keySpecs(spec: CommandSpec): Reply[] {
  const {first, last, step} = spec.keys
  if (first === 0) return []
  return [map([
    [bulk('flags'), set(keySpecFlags(spec).map((f) => simple(f)))],
    [bulk('begin_search'), map([[bulk('type'), bulk('index')], [bulk('spec'), map([[bulk('index'), int(first)]])]])],
    [bulk('find_keys'), map([
      [bulk('type'), bulk('range')],
      [bulk('spec'), map([[bulk('lastkey'), int(last < 0 ? last : last - first)], [bulk('keystep'), int(step)], [bulk('limit'), int(0)]])],
    ])],
  ])]
}

function keySpecFlags(spec: CommandSpec): string[] {
  return spec.flags.includes('write') ? ['RW', 'access', 'update'] : ['RO', 'access']
}

/** Argument positions of the keys (argv indexes, 0 = command name) for a call with `argc` arguments. */
export function keyPositions(spec: CommandSpec, argc: number): number[] {
  const {first, last, step} = spec.keys
  if (first === 0) return []
  const end = last < 0 ? argc + last : Math.min(last, argc - 1)
  const positions: number[] = []
  for (let i = first; i <= end; i += Math.max(1, step)) positions.push(i)
  return positions
}

function commandDocs(spec: CommandSpec): Reply {
  const categories = spec.categories ?? []
  const group = categories.map((c) => GROUP_BY_CATEGORY[c]).find((g) => g !== undefined) ?? 'server'
  const entries: [Reply, Reply][] = [
    [bulk('summary'), bulk(`The ${spec.name.toUpperCase().replace('|', ' ')} command`)],
    [bulk('since'), bulk('1.0.0')],
    [bulk('group'), bulk(group)],
  ]
  if (spec.subcommands !== undefined && spec.subcommands.length > 0) {
    entries.push([bulk('subcommands'), map(spec.subcommands.map((s) => [bulk(s.name), commandDocs(s)] as const))])
  }
  return map(entries)
}
