// COMMAND and its subcommands (commands.c / server.c commandCommand): the whole table, COUNT, INFO, DOCS,
// LIST [FILTERBY], GETKEYS, GETKEYSANDFLAGS — all read from the same CommandSpec rows the dispatcher uses.

import {keyOf} from '../../common/key.js'
import {SYNTAX} from '../../resp/errors.js'
import {array, bulk, error, int, map, NIL, set, simple, type Reply} from '../../resp/reply.js'
import type {CommandContext, CommandSpec, KeyFlag} from '../command-spec.js'
import type {CommandTable} from '../command-table.js'
import {NO_KEYS} from '../command-spec.js'
import {globMatch} from '../keyspace/glob.js'
import {helpReply} from './help.js'
import {hasKeyArguments, keysOf, keySpecsOf} from './keys-of.js'

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

const lookupFull = (table: CommandTable, name: Buffer): CommandSpec | undefined => {
  const [parent, sub] = keyOf(name).toLowerCase().split('|', 2)
  const spec = table.get(parent ?? '')
  if (spec === undefined || sub === undefined) return spec
  return spec.subcommands?.find((s) => s.name === `${parent}|${sub}`)
}

const infoCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const table = ctx.server.commands
  if (args.length === 0) return array([...table.all()].map(commandEntry))
  return array(args.map((name) => {
    const spec = lookupFull(table, name)
    return spec === undefined ? NIL : commandEntry(spec)
  }))
}

const docsCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const table = ctx.server.commands
  const specs = args.length === 0 ? [...table.all()] : args.map((name) => lookupFull(table, name)).filter((s): s is CommandSpec => s !== undefined)
  return map(specs.map((spec) => [bulk(spec.name), commandDocs(spec)] as const))
}

const listCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const names = allNames(ctx.server.commands.all())
  if (args.length === 0) return array(names.map((n) => bulk(n.name)))
  if (args.length !== 3 || (args[0] as Buffer).toString('latin1').toLowerCase() !== 'filterby') return SYNTAX
  const kind = (args[1] as Buffer).toString('latin1').toLowerCase()
  const value = (args[2] as Buffer).toString('latin1')
  let keep: (spec: CommandSpec) => boolean
  if (kind === 'module') keep = () => false
  else if (kind === 'aclcat') keep = (spec) => (spec.categories ?? []).includes(value.toLowerCase())
  // Redis matches nocase itself; lower-casing the pattern first would also fold escaped class members.
  else if (kind === 'pattern') keep = (spec) => globMatch(value, spec.name, true)
  else return SYNTAX
  return array(names.filter(keep).map((n) => bulk(n.name)))
}

// COMMAND GETKEYS checks in Redis's order: a known command (a container needs a known subcommand), one that
// takes keys, the arity, then whether these arguments name any key.
const getkeysCommand = (withFlags: boolean) => (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const table = ctx.server.commands
  const spec = table.lookup(args[0] as Buffer)
  const target = spec !== undefined && (spec.subcommands ?? []).length > 0 && args.length > 1
    ? table.lookupSubcommand(spec, args[1] as Buffer)
    : spec
  if (target === undefined) return error('ERR Invalid command specified')
  if (!hasKeyArguments(target)) return error('ERR The command has no key arguments')
  const arity = target.arity
  if ((arity >= 0 && args.length !== arity) || args.length < -arity) {
    return error('ERR Invalid number of arguments specified for command')
  }
  const keys = keysOf(target, args)
  if (keys.length === 0) {
    return target.flags.includes('no_mandatory_keys') ? array([]) : error('ERR Invalid arguments specified for command')
  }
  if (!withFlags) return array(keys.map((k) => bulk(args[k.pos] as Buffer)))
  return array(keys.map((k) => array([bulk(args[k.pos] as Buffer), keyFlagsReply(k.flags)])))
}

const sub = (name: string, arity: number, handler: CommandSpec['handler']): CommandSpec => ({
  name: `command|${name}`, arity, flags: SUB_FLAGS, keys: NO_KEYS, categories: SUB_CATEGORIES, handler,
})

export const commandCommands: readonly CommandSpec[] = [{
  name: 'command',
  arity: -1,
  flags: ['loading', 'stale'],
  keys: NO_KEYS,
  categories: ['slow', 'connection'],
  handler: (ctx) => infoCommand(ctx, []),
  subcommands: [
    sub('count', 2, (ctx) => int(ctx.server.commands.size)),
    sub('info', -2, infoCommand),
    sub('docs', -2, docsCommand),
    sub('list', -2, listCommand),
    sub('getkeys', -4, getkeysCommand(false)),
    sub('getkeysandflags', -4, getkeysCommand(true)),
    sub('help', 2, () => helpReply('COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', COMMAND_HELP)),
  ],
}]

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
    set((spec.tips ?? []).map((t) => bulk(t))),
    set(keySpecs(spec)),
    set((spec.subcommands ?? []).map(commandEntry)),
  ])
}

/** Redis lists key-spec flags in this order, whatever order a spec names them in. */
const KEY_FLAG_ORDER: readonly KeyFlag[] = ['RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags']

function keyFlagsReply(flags: readonly KeyFlag[]): Reply {
  return set(KEY_FLAG_ORDER.filter((f) => flags.includes(f)).map((f) => simple(f)))
}

/** {type, spec: {…}} of a begin_search or find_keys: numbers as integers, words as bulk strings. */
function searchReply([type, fields]: [string, [string, number | string][]]): Reply {
  const spec = map(fields.map(([name, value]) => [bulk(name), typeof value === 'number' ? int(value) : bulk(value)] as const))
  return map([[bulk('type'), bulk(type)], [bulk('spec'), spec]])
}

/** COMMAND INFO's key specs (server.c addReplyCommandKeySpecs). */
function keySpecs(spec: CommandSpec): Reply[] {
  return keySpecsOf(spec).map((ks) => {
    const entries: [Reply, Reply][] = []
    if (ks.notes !== undefined) entries.push([bulk('notes'), bulk(ks.notes)])
    entries.push([bulk('flags'), keyFlagsReply(ks.flags)])
    entries.push([bulk('begin_search'), searchReply(
      'index' in ks.begin ? ['index', [['index', ks.begin.index]]]
        : 'keyword' in ks.begin ? ['keyword', [['keyword', ks.begin.keyword], ['startfrom', ks.begin.startFrom]]]
          : ['unknown', []],
    )])
    entries.push([bulk('find_keys'), searchReply(
      'range' in ks.find ? ['range', [['lastkey', ks.find.range.lastKey], ['keystep', ks.find.range.keyStep], ['limit', ks.find.range.limit]]]
        : 'keynum' in ks.find ? ['keynum', [['keynumidx', ks.find.keynum.keyNumIdx], ['firstkey', ks.find.keynum.firstKey], ['keystep', ks.find.keynum.keyStep]]]
          : ['unknown', []],
    )])
    return map(entries)
  })
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
