// DEBUG (debug.c) — the subcommands tests and tools use: SLEEP, DIGEST, DIGEST-VALUE, POPULATE, RELOAD,
// SET-ACTIVE-EXPIRE, OBJECT, LOG, ERROR. Refused unless
// enable-debug-command allows it, like Redis 7.0.

import {keyOf} from '../../common/key.js'
import {NO_SUCH_KEY} from '../../resp/errors.js'
import {array, error, OK, simple, type Reply} from '../../resp/reply.js'
import {NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'
import {datasetDigest, valueDigest} from '../digest.js'
import type {Entry} from '../keyspace/values.js'
import {parseInt64} from './args.js'
import {helpReply} from './help.js'
import {stringValue} from '../keyspace/string-value.js'

const DEBUG_NOT_ALLOWED = error(
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
)

const DEBUG_HELP = [
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'POPULATE <count> [<prefix>] [<size>]',
  "    Create <count> string keys named key:<num>. If <prefix> is specified then",
  "    it is used instead of the 'key' prefix. These are not propagated to",
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
]

const wrongArgs = (sub: Buffer): Reply =>
  error(`ERR unknown subcommand or wrong number of arguments for '${sub.toString('latin1')}'. Try DEBUG HELP.`)

const debugCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (!debugAllowed(ctx, ctx.client.remoteAddress)) return DEBUG_NOT_ALLOWED
  const subArg = args[0] as Buffer
  const sub = subArg.toString('latin1').toLowerCase()
  const rest = args.slice(1)
  switch (sub) {
    case 'help':
      return helpReply('DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', DEBUG_HELP)
    case 'sleep':
      if (rest.length !== 1) return wrongArgs(subArg)
      sleepSync(Number.parseFloat(keyOf(rest[0] as Buffer)) || 0)
      return OK
    case 'digest':
      if (rest.length !== 0) return wrongArgs(subArg)
      return simple(datasetDigest(ctx.keyspace))
    case 'digest-value':
      return array(rest.map((k) => simple(valueDigest(ctx.db, keyOf(k)))))
    case 'populate':
      if (rest.length < 1 || rest.length > 3) return wrongArgs(subArg)
      return populate(ctx, rest)
    case 'reload':
      return reload(ctx)
    case 'set-active-expire':
      if (rest.length !== 1) return wrongArgs(subArg)
      ctx.keyspace.activeExpireEnabled = keyOf(rest[0] as Buffer) !== '0'
      return OK
    case 'object':
      if (rest.length !== 1) return wrongArgs(subArg)
      return objectInfo(ctx, rest[0] as Buffer)
    case 'log':
      if (rest.length !== 1) return wrongArgs(subArg)
      ctx.server.logger.warning(`DEBUG LOG: ${keyOf(rest[0] as Buffer)}`)
      return OK
    case 'error':
      if (rest.length !== 1) return wrongArgs(subArg)
      return error(keyOf(rest[0] as Buffer))
    default:
      return wrongArgs(subArg)
  }
}

export const debugCommands: readonly CommandSpec[] = [
  {name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], keys: NO_KEYS, categories: ['admin', 'slow', 'dangerous'], handler: debugCommand},
]

/** enable-debug-command: no (default), yes, or local (loopback clients only). */
function debugAllowed(ctx: CommandContext, remoteAddress: string): boolean {
  const mode = ctx.config.get('enable-debug-command') ?? 'no'
  if (mode === 'yes') return true
  if (mode === 'local') return /^(127\.|::1|::ffff:127\.)/.test(remoteAddress) || remoteAddress.startsWith('[::1]')
  return false
}

/** DEBUG SLEEP blocks the whole server, as in Redis: nothing else runs meanwhile. */
function sleepSync(seconds: number): void {
  if (!(seconds > 0)) return
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000)
}

/** POPULATE count [prefix] [size]: key:<n> = value:<n> (or `size` bytes, zero padded); existing keys are kept. */
function populate(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const count = parseInt64(args[0] as Buffer)
  if (!count.ok || count.value < 0n) return error('ERR value is out of range, must be positive')
  const prefix = args[1] === undefined ? 'key' : keyOf(args[1])
  let size: number | undefined
  if (args[2] !== undefined) {
    const parsed = parseInt64(args[2])
    if (!parsed.ok || parsed.value < 0n) return error('ERR value is out of range, must be positive')
    size = Number(parsed.value)
  }
  for (let j = 0; j < Number(count.value); j++) {
    const key = `${prefix}:${j}`
    if (ctx.db.peek(key) !== undefined) continue
    const text = Buffer.from(`value:${j}`)
    let value = text
    if (size !== undefined && size > 0) {
      value = Buffer.alloc(size)
      text.copy(value, 0, 0, Math.min(size, text.length))
    }
    ctx.db.set(key, stringValue(value))
  }
  return OK
}

function reload(ctx: CommandContext): Reply {
  if (!ctx.persistence.saveNow()) return error('ERR Error trying to save the DB')
  try {
    ctx.persistence.loadAtStartup()
  } catch (cause) {
    return error(`ERR Error trying to load the RDB dump: ${(cause as Error).message}`)
  }
  ctx.server.logger.notice('DB reloaded by DEBUG RELOAD')
  return OK
}

/** DEBUG OBJECT: "Value at:… refcount:1 encoding:… serializedlength:… lru:… lru_seconds_idle:…". */
function objectInfo(ctx: CommandContext, key: Buffer): Reply {
  const entry = ctx.db.entries.get(keyOf(key))
  if (entry === undefined) return NO_SUCH_KEY
  const now = ctx.clock.nowMs()
  const idle = Math.floor(now / 1000) - entry.lastAccessSec
  const lru = entry.lastAccessSec & 0xffffff
  return simple(`Value at:0x${(0x7f0000000000 + keyOf(key).length * 16).toString(16)} refcount:1 encoding:${encodingOf(entry)} serializedlength:${serializedLength(entry)} lru:${lru} lru_seconds_idle:${idle}`)
}

function encodingOf(entry: Entry): string {
  const v = entry.value
  switch (v.type) {
    case 'string': {
      if (v.value.length <= 20 && /^-?(0|[1-9][0-9]*)$/.test(v.value.toString('latin1'))) return 'int'
      return v.value.length <= 44 ? 'embstr' : 'raw'
    }
    case 'list': return 'quicklist'
    case 'hash': return v.value.size <= 128 ? 'listpack' : 'hashtable'
    case 'set': return v.value.size <= 128 && [...v.value].every((m) => /^-?(0|[1-9][0-9]*)$/.test(m)) ? 'intset' : 'hashtable'
    case 'zset': return v.value.size <= 128 ? 'listpack' : 'skiplist'
    case 'stream': return 'stream'
  }
}

function serializedLength(entry: Entry): number {
  const v = entry.value
  if (v.type === 'string') return v.value.length + 1
  let bytes = 1
  if (v.type === 'list') for (const item of v.value) bytes += item.length + 1
  else if (v.type === 'hash') for (const [f, x] of v.value) bytes += f.length + x.length + 2
  else if (v.type === 'set') for (const m of v.value) bytes += m.length + 1
  else if (v.type === 'zset') for (const {member} of v.value) bytes += member.length + 9
  else for (const node of v.value.nodes) bytes += node.bytes + 19
  return bytes
}

