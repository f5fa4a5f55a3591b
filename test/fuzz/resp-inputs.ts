// Inputs for the RESP fuzzer. Two kinds:
// - 'commands': well-framed requests (random commands built from the target's own COMMAND / COMMAND DOCS,
//   with random and mutated arguments, EVAL/FCALL with random Lua, pipelines, transactions), sent on a long-
//   lived connection and followed by a marker PING;
// - 'raw': bytes that attack the framing (huge and negative lengths, nesting, RESP3 types as requests, inline
//   edge cases, half frames, mutated frames), sent on a fresh connection that is half-closed after them.
// Every input is a pure function of (seed, index) through Rng.forInput, and carries a label saying what it is.

import {encodeCommand} from '../../src/resp/encoder.js'
import {crc64} from '../../src/server/persistence/crc64.js'
import {Rng} from './rng.js'

export interface ArgDoc {
  name: string
  type: string
  token?: string
  optional: boolean
  multiple: boolean
  multipleToken: boolean
  args: ArgDoc[]
}

export interface CommandModel {
  /** Lower case; a subcommand is "container|sub". */
  name: string
  arity: number
  flags: string[]
  args: ArgDoc[] | undefined
  subcommands: CommandModel[]
}

export interface FuzzInput {
  index: number
  kind: 'commands' | 'raw'
  label: string
  bytes: Buffer
  /** Offsets at which the bytes are cut into separate writes (ascending, inside the buffer). */
  splits: number[]
  /** Raw inputs: half-close after writing (else the connection is held open until the server closes it). */
  fin: boolean
  /** Raw inputs whose replies are deterministic: comparable byte for byte with real Redis. */
  comparable: boolean
}

export type Target = 'server' | 'sentinel'

// ---------------------------------------------------------------------------------------------------------
// Values

const INTS = ['0', '1', '-1', '2', '3', '10', '100', '-100', '1000', '65535', '65536', '2147483647', '2147483648', '-2147483648',
  '-2147483649', '4294967295', '4294967296', '9007199254740993', '9223372036854775807', '9223372036854775808',
  '-9223372036854775808', '-9223372036854775809', '99999999999999999999', '01', '+1', ' 1', '1 ', '0x10', '1e3', '', 'abc',
  '-0', '536870911', '536870912', '4611686018427387904']
const SMALL_INTS = ['0', '1', '2', '3', '5', '-1', '-2', '10', '100']
const DOUBLES = ['0', '0.5', '-0.5', '1.5', '-0', '1e308', '1e309', '-1e309', 'inf', '+inf', '-inf', 'nan', 'NaN', '1.7976931348623157e308',
  '5e-324', '.5', '1.', '0x1p3', '1e', '', ' 1', '3.0000000000000000001', '12345678901234567890']
const STRINGS = ['', 'a', 'v', 'hello', 'ü', '\u0000', 'a\u0000b', '\r\n', '*', '?', '[', '[a-', '\\', '"', "'", ' ', 'x'.repeat(65), '-', '+',
  '(', '[a', '(1', '-inf', '+inf', '0-0', '0-1', '*', '$', '>', '1-*', '18446744073709551615-18446744073709551615', '$-1']
const PATTERNS = ['*', 'k*', '?', '[a-z]*', '[', '\\', 'k[0-9]', '*[*', '**********************************a', '[^a]', '[a-']
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', '{t}a', '{t}b', '', 'fz:s']
const TOKENS = ['EX', 'PX', 'EXAT', 'PXAT', 'NX', 'XX', 'GT', 'LT', 'KEEPTTL', 'GET', 'CH', 'INCR', 'WITHSCORES', 'LIMIT', 'BYSCORE', 'BYLEX',
  'REV', 'COUNT', 'MATCH', 'TYPE', 'WITHVALUES', 'STORE', 'BY', 'ASC', 'DESC', 'ALPHA', 'MAXLEN', 'MINID', '~', '=', 'ID', 'BLOCK', 'STREAMS',
  'NOACK', 'JUSTID', 'IDLE', 'TIME', 'RETRYCOUNT', 'FORCE', 'LASTID', 'MKSTREAM', 'ENTRIESREAD', 'LEFT', 'RIGHT', 'BEFORE', 'AFTER',
  'AGGREGATE', 'SUM', 'MIN', 'MAX', 'WEIGHTS', 'RANK', 'MAXLEN', 'REPLACE', 'ABSTTL', 'FREQ', 'DB', 'COPY', 'AUTH', 'SETNAME', 'SCHEDULE',
  'NOSAVE', 'SAVE', 'NOW', 'ABORT', 'LEN', 'IDX', 'MINMATCHLEN', 'WITHMATCHLEN', 'BIT', 'BYTE', 'OVERFLOW', 'WRAP', 'SAT', 'FAIL', 'GET',
  'SET', 'INCRBY', 'u8', 'i64', 'u63', 'i65', '#1', 'NOMKSTREAM', 'DELETE', 'LOAD', 'ASYNC', 'SYNC', 'FLUSH', 'APPEND', 'WITHCODE',
  'LIBRARYNAME', 'ON', 'OFF', 'YES', 'NO', 'SKIP', 'BCAST', 'PREFIX', 'OPTIN', 'OPTOUT', 'NOLOOP', 'REDIRECT', 'USAGE', 'SAMPLES', 'FULL']

/**
 * Commands and subcommands the fuzzer never sends: they stop, pause or reconfigure the node, or hand the
 * connection over; PFSELFTEST blocks the node by design (most of a second on Redis itself).
 */
const DENY: Record<Target, Set<string>> = {
  server: new Set(['shutdown', 'replicaof', 'slaveof', 'sync', 'psync', 'failover', 'monitor', 'migrate', 'multi', 'exec', 'discard',
    'client|kill', 'client|pause', 'client|reply', 'config|set', 'config|rewrite', 'acl|setuser', 'acl|deluser', 'acl|load', 'acl|save',
    'module', 'module|load', 'module|loadex', 'module|unload', 'debug', 'replconf', 'cluster', 'readonly', 'readwrite', 'asking', 'save', 'bgsave',
    'bgrewriteaof', 'restore-asking', 'pfselftest']),
  sentinel: new Set(['shutdown', 'client|kill', 'client|pause', 'client|reply', 'acl|setuser', 'acl|deluser', 'acl|load', 'acl|save',
    'sentinel|simulate-failure', 'sentinel|debug', 'sentinel|config', 'sentinel|set', 'config|set', 'config|rewrite', 'multi', 'exec',
    'discard', 'monitor', 'replicaof', 'slaveof']),
}

/** DEBUG subcommands that only inspect (the server target enables DEBUG; the others crash, sleep or restart on purpose). */
const DEBUG_SUBCOMMANDS = ['object', 'digest', 'digest-value', 'protocol', 'sdslen', 'listpack', 'quicklist-packed-threshold', 'stringmatch-len',
  'change-repl-id', 'log', 'help', 'jmap', 'htstats', 'htstats-key', 'structsize', 'set-active-expire', 'populate', 'reload', 'ziplist',
  'replybuffer', 'object-encoding']
const PROTOCOL_TYPES = ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false']

export const rngString = (rng: Rng): string =>
  rng.weighted<() => string>([
    [6, () => rng.pick(STRINGS)],
    [2, () => rng.pick(INTS)],
    [2, () => rng.bytes(rng.range(1, 12)).toString('latin1')],
    [1, () => 'x'.repeat(rng.pick([100, 1000, 5000, 70000]))],
    [1, () => rng.pick(TOKENS)],
  ])()

const intValue = (rng: Rng, name: string): string => {
  if (/timeout|milliseconds|block/i.test(name)) return rng.pick(['0.01', '0.05', '1', '10', '-1', 'abc', '0.1', '50'])
  return rng.chance(0.6) ? rng.pick(SMALL_INTS) : rng.pick(INTS)
}

const keyName = (rng: Rng): string => (rng.chance(0.9) ? rng.pick(KEYS) : rng.bytes(rng.range(0, 6)).toString('latin1'))

/** One random value for a documented argument. */
function argValue(rng: Rng, arg: ArgDoc): string[] {
  switch (arg.type) {
    case 'key':
      return [keyName(rng)]
    case 'integer':
      return [intValue(rng, arg.name)]
    case 'double':
      return [/timeout/.test(arg.name) ? rng.pick(['0.01', '0.05', '0', '-1', 'inf', 'nan']) : rng.chance(0.5) ? rng.pick(DOUBLES) : rng.pick(SMALL_INTS)]
    case 'unix-time':
      return [rng.pick(['0', '1', '1700000000', '99999999999', '-1', '9223372036854775807', '2000000000000'])]
    case 'pattern':
      return [rng.pick(PATTERNS)]
    case 'pure-token':
      return []
    case 'oneof':
      return arg.args.length === 0 ? [] : generateArgs(rng, [rng.pick(arg.args)], true)
    case 'block':
      return generateArgs(rng, arg.args, false)
    default:
      // string
      if (/^(id|start|end|group|consumer)$/.test(arg.name)) return [rng.pick(['0', '0-0', '0-1', '$', '>', '*', '1-1', '+', '-', '1-*', '9999999999999-0'])]
      return [rngString(rng)]
  }
}

function generateArgs(rng: Rng, args: readonly ArgDoc[], forced: boolean): string[] {
  const out: string[] = []
  for (const arg of args) {
    if (arg.optional && !forced && rng.chance(0.55)) continue
    const repeat = arg.multiple ? rng.weighted([[6, 1], [3, 2], [1, rng.range(3, 8)]]) : 1
    for (let i = 0; i < repeat; i++) {
      if (arg.token !== undefined && (i === 0 || arg.multipleToken)) out.push(arg.token)
      out.push(...argValue(rng, arg))
    }
  }
  return out
}

/** Arguments for a command without docs: its arity, filled with keys and mixed values. */
function argsFromArity(rng: Rng, command: CommandModel): string[] {
  const n = command.arity > 0 ? command.arity - 1 : -command.arity - 1 + rng.int(4)
  return Array.from({length: n}, (_, i) => (i === 0 && rng.chance(0.6) ? keyName(rng) : rngString(rng)))
}

function mutateArgs(rng: Rng, args: string[]): string[] {
  const out = [...args]
  const times = rng.range(1, 3)
  for (let t = 0; t < times; t++) {
    const at = rng.int(out.length + 1)
    rng.weighted<() => void>([
      [3, () => out.splice(at, 1)],
      [2, () => out.splice(at, 0, rngString(rng))],
      [2, () => out.splice(at, 0, rng.pick(TOKENS))],
      [2, () => out.length > 0 && (out[Math.min(at, out.length - 1)] = rng.pick(INTS))],
      [1, () => out.length > 0 && out.splice(at, 0, out[rng.int(out.length)] as string)],
      [1, () => out.splice(rng.int(out.length + 1))],
      [1, () => out.push(...Array.from({length: rng.range(10, 300)}, () => rng.pick(SMALL_INTS)))],
    ])()
  }
  return out
}

/** Names of argument values that make a command allocate or reply without bound, as real Redis would too. */
function tame(name: string, args: string[]): string[] {
  const clamp = (s: string, max: number): string => {
    const n = Number(s)
    return Number.isFinite(n) && Math.abs(n) > max ? String(Math.sign(n) * max) : s
  }
  if (/^(srandmember|zrandmember|hrandfield|spop|lpop|rpop|lpos)$/.test(name)) return args.map((a) => clamp(a, 2000))
  if (/^(setrange|setbit|bitfield|bitfield_ro|getrange|substr|lrange|zrange|xrange|xrevrange|ltrim|linsert|lindex)$/.test(name)) return args.map((a) => clamp(a, 10_000_000))
  if (name === 'debug') return args.map((a) => clamp(a, 1000))
  if (/^(scan|sscan|hscan|zscan|keys|xadd|xtrim|zrangestore|sort|sort_ro)$/.test(name)) return args.map((a) => clamp(a, 100000))
  return args
}

// ---------------------------------------------------------------------------------------------------------
// Lua

const LUA_VALUES = ['1', '-1', '0', '1.5', '"str"', 'nil', 'true', 'false', "{1, 2, 'x'}", '{ok="fine"}', '{err="boom"}', '{double=1.5}',
  '{big_number="123"}', '{map={a=1}}', '{set={a=true}}', '{{{1}}}', 'KEYS[1]', 'ARGV[1]', '#KEYS', '#ARGV', 'redis.sha1hex("x")',
  "string.rep('x', 1000)", "redis.status_reply('S')", "redis.error_reply('E')", "redis.error_reply('-E')", "cjson.encode({1,2})",
  "cjson.decode('[1,2,{\"a\":3}]')", "cjson.decode('{')", "cmsgpack.pack({1,2,3})", "cmsgpack.unpack('\\147\\1\\2\\3')", "struct.pack('>I', 7)",
  "bit.band(7, 3)", "tostring(1/0)", "math.huge", "-math.huge", "0/0", "2^63", "-2^63", "tonumber('0x10')", "redis.REPL_ALL", "redis.LOG_WARNING",
  "string.format('%d', 3)", "table.concat({'a','b'}, ',')", "select('#', 1, 2)", "unpack({1,2})", "redis.breakpoint()", "redis.debug('x')",
  "redis.setresp(3)", "redis.setresp(2)", "redis.setresp(4)", "redis.set_repl(redis.REPL_NONE)", "redis.replicate_commands()",
  "redis.acl_check_cmd('get', 'x')", "redis.acl_check_cmd('nosuch')", "cjson.decode(string.rep('[', 2000) .. string.rep(']', 2000))",
  "loadstring('return 1')", "pcall(error)", "setmetatable({}, {__index = function() return 1 end})", "rawget(_G, 'x')", 'os.time()', 'os.clock()',
  "string.rep('x', -1)", "('x'):rep(100000)", "string.char(0, 1, 255)", "string.byte('abc', 1, -1)", "coroutine.create(function() end)",
  "error({err='table error'})", "error('plain')", "error()", "error(nil)", "error(1)"]

const LOOP_VALUES = LUA_VALUES.filter((v) => !v.includes('100000'))

function luaCall(rng: Rng, commands: readonly CommandModel[], fn: 'call' | 'pcall'): string {
  const command = rng.pick(commands)
  const args = (command.args ? generateArgs(rng, command.args, false) : argsFromArity(rng, command)).slice(0, 6)
  const name = command.name.split('|')
  const quoted = [...name, ...args].map((a) => `'${Buffer.from(a, 'latin1').toString('latin1').replace(/[\\'\n\r\0]/g, (c) => `\\${c.charCodeAt(0)}`)}'`)
  return `redis.${fn}(${quoted.join(', ')})`
}

export function luaSnippet(rng: Rng, commands: readonly CommandModel[]): string {
  // Scripts call what a client may send (not what DENY keeps out, such as PFSELFTEST) and Redis lets scripts call.
  const scriptable = commands.filter((c) => !c.flags.includes('noscript') && !DENY.server.has(c.name))
  const body = rng.weighted<() => string>([
    [5, () => `return ${rng.pick(LUA_VALUES)}`],
    [4, () => `return ${luaCall(rng, scriptable, rng.chance(0.5) ? 'call' : 'pcall')}`],
    [2, () => `local r = ${luaCall(rng, scriptable, 'pcall')}\nreturn type(r) == 'table' and r or {r}`],
    // In a loop, no value of 100 KB: a thousand of them keep Redis itself busy for most of a second.
    [1, () => `local t = {}\nfor i = 1, ${rng.pick(['10', '100', '1000'])} do t[i] = ${rng.pick(LOOP_VALUES)} end\nreturn t`],
    [1, () => `local t = {}\nlocal c = t\nfor i = 1, ${rng.pick(['10', '200', '5000'])} do c[1] = {}; c = c[1] end\nreturn t`],
    [1, () => `return redis.call(${rng.pick(["'ping'", "'nosuch'", "''", '1', 'nil', '{}', "'eval', 'return 1', '0'", "'get'"])})`],
    [1, () => `${rng.pick(LUA_VALUES)}\n${rng.pick(LUA_VALUES)}`],
    [1, () => `x = ${rng.pick(LUA_VALUES)}`],
    [1, () => `return ${rng.pick(LUA_VALUES)} .. ${rng.pick(LUA_VALUES)}`],
    [1, () => `local ok, e = pcall(function() return ${luaCall(rng, scriptable, 'call')} end)\nreturn {tostring(ok), tostring(e)}`],
  ])()
  if (!rng.chance(0.15)) return body
  // A mutated script: syntax errors, stray bytes.
  const chars = [...body]
  const at = rng.int(chars.length + 1)
  rng.weighted<() => void>([
    [2, () => chars.splice(at, 1)],
    [2, () => chars.splice(at, 0, rng.pick(['(', ')', '"', "'", '[[', ']]', 'end', '\0', '\\', '{', '}', ',', '--[[', '#', '\n']))],
    [1, () => chars.splice(at)],
  ])()
  return chars.join('')
}

function evalCommand(rng: Rng, commands: readonly CommandModel[]): string[] {
  const script = luaSnippet(rng, commands)
  const keys = Array.from({length: rng.int(3)}, () => keyName(rng))
  const argv = Array.from({length: rng.int(3)}, () => rngString(rng))
  const numkeys = rng.chance(0.9) ? String(keys.length) : rng.pick(['-1', '99', '2147483648', 'x', '', '1'])
  if (rng.chance(0.2)) {
    const sha = rng.chance(0.5) ? 'a'.repeat(40) : rng.bytes(20).toString('hex')
    return [rng.pick(['EVALSHA', 'EVALSHA_RO']), sha, numkeys, ...keys, ...argv]
  }
  return [rng.pick(['EVAL', 'EVAL', 'EVAL_RO']), script, numkeys, ...keys, ...argv]
}

function functionCommand(rng: Rng, commands: readonly CommandModel[]): string[] {
  const lib = `fzlib${rng.int(3)}`
  const fn = `fzf${rng.int(4)}`
  if (rng.chance(0.5)) {
    const flags = rng.chance(0.5) ? `, flags = {${rng.pick(["'no-writes'", "'allow-oom'", "'allow-stale'", "'no-cluster'", "'bogus'", '1', ''])}}` : ''
    const reg = rng.chance(0.5)
      ? `redis.register_function('${fn}', function(keys, args) ${luaSnippet(rng, commands)} end)`
      : `redis.register_function{function_name='${fn}', callback=function(keys, args) ${luaSnippet(rng, commands)} end${flags}}`
    const header = rng.chance(0.9) ? `#!lua name=${lib}` : rng.pick(['#!lua', '#!js name=x', `#!lua name=${lib} foo=bar`, '', '#!lua name='])
    return ['FUNCTION', 'LOAD', ...(rng.chance(0.6) ? ['REPLACE'] : []), `${header}\n${reg}`]
  }
  const keys = Array.from({length: rng.int(3)}, () => keyName(rng))
  return [rng.pick(['FCALL', 'FCALL_RO']), fn, rng.chance(0.9) ? String(keys.length) : rng.pick(['-1', '5']), ...keys, rngString(rng)]
}

// ---------------------------------------------------------------------------------------------------------
// Commands

function pickCommand(rng: Rng, commands: readonly CommandModel[], target: Target): string[] {
  for (;;) {
    let command = rng.pick(commands)
    let prefix = [command.name]
    if (command.subcommands.length > 0 && rng.chance(0.95)) {
      command = rng.pick(command.subcommands)
      prefix = command.name.split('|')
    }
    if (DENY[target].has(command.name)) {
      if (target === 'server' && command.name === 'debug') {
        const sub = rng.pick(DEBUG_SUBCOMMANDS)
        const rest = sub === 'protocol' ? [rng.pick(PROTOCOL_TYPES)] : sub === 'populate' ? [rng.pick(['10', '100', '-1', 'x']), ...(rng.chance(0.5) ? ['fzp'] : [])] : Array.from({length: rng.int(3)}, () => rng.chance(0.5) ? keyName(rng) : rngString(rng))
        return ['DEBUG', sub, ...rest]
      }
      continue
    }
    let args = command.args ? generateArgs(rng, command.args, false) : argsFromArity(rng, command)
    if (rng.chance(0.25)) args = mutateArgs(rng, args)
    const name = rng.chance(0.1) ? prefix.map((p) => p.toUpperCase()) : prefix
    return [...name, ...tame(command.name.split('|')[0] as string, args)]
  }
}

/** A random command (its argv) for the target. */
export function randomCommand(rng: Rng, commands: readonly CommandModel[], target: Target): string[] {
  if (target === 'server') {
    const r = rng.float()
    if (r < 0.08) return evalCommand(rng, commands)
    if (r < 0.12) return functionCommand(rng, commands)
    if (r < 0.14) return restoreCommand(rng)
  }
  if (target === 'sentinel' && rng.chance(0.3)) return sentinelCommand(rng)
  return pickCommand(rng, commands, target)
}

/** DUMP payloads taken from the target at the start of a run (every type and encoding it has); RESTORE mutates them. */
export const dumpSamples: Buffer[] = []

/** RESTORE of a DUMP payload with a few bytes changed, mostly with its CRC recomputed so the decoder sees it. */
function restoreCommand(rng: Rng): string[] {
  if (dumpSamples.length === 0) return ['RESTORE', keyName(rng), '0', rngString(rng)]
  const bad = Buffer.from(rng.pick(dumpSamples))
  const flips = rng.range(0, 4)
  for (let i = 0; i < flips; i++) {
    const at = rng.int(Math.max(1, bad.length - 10))
    bad[at] = rng.chance(0.5) ? (bad[at] as number) ^ (1 << rng.int(8)) : rng.pick([0, 0xff, 0x7f, 0x80, 0xc0, 0x40, rng.int(256)])
  }
  let payload = bad
  if (rng.chance(0.15)) payload = Buffer.concat([bad.subarray(0, rng.int(bad.length - 10)), bad.subarray(bad.length - 10)])
  if (rng.chance(0.8)) {
    const body = payload.subarray(0, payload.length - 8)
    const crc = Buffer.alloc(8)
    crc.writeBigUInt64LE(crc64(body))
    payload = Buffer.concat([body, crc])
  }
  return ['RESTORE', keyName(rng), rng.pick(['0', '0', '1000', '-1']), payload.toString('latin1'), ...(rng.chance(0.8) ? ['REPLACE'] : [])]
}

const SENTINEL_SUBS = ['MASTERS', 'MASTER', 'REPLICAS', 'SLAVES', 'SENTINELS', 'GET-MASTER-ADDR-BY-NAME', 'RESET', 'FAILOVER', 'CKQUORUM',
  'FLUSHCONFIG', 'MONITOR', 'REMOVE', 'IS-MASTER-DOWN-BY-ADDR', 'INFO-CACHE', 'MYID', 'PENDING-SCRIPTS', 'CONFIG', 'SET', 'HELP', 'NOSUCH', '']

function sentinelCommand(rng: Rng): string[] {
  const sub = rng.pick(SENTINEL_SUBS)
  const name = rng.chance(0.8) ? `fzm${rng.int(3)}` : rngString(rng)
  switch (sub) {
    case 'MONITOR':
      // An address nothing listens on: the sentinel keeps trying it without reaching anything real.
      return ['SENTINEL', 'MONITOR', name, rng.pick(['127.0.0.1', '', 'nosuchhost.invalid', '::1', '999.1.1.1']), rng.pick(['1', '0', '65536', '-1', 'x', '9']), rng.pick(['1', '0', '-1', '2', 'x'])]
    case 'SET': {
      const option = rng.pick(['down-after-milliseconds', 'failover-timeout', 'parallel-syncs', 'quorum', 'auth-pass', 'auth-user', 'rename-command',
        'notification-script', 'client-reconfig-script', 'master-reboot-down-after-period', 'nosuch'])
      return ['SENTINEL', 'SET', name, option, ...(option === 'rename-command' ? [rngString(rng), rngString(rng)] : [rng.chance(0.5) ? rng.pick(INTS) : rngString(rng)])]
    }
    case 'CONFIG':
      return ['SENTINEL', 'CONFIG', rng.pick(['GET', 'get', 'SET', 'x']), rng.pick(['*', 'resolve-hostnames', 'announce-hostnames', 'loglevel', 'announce-port', 'x']),
        ...(rng.chance(0.3) ? ['yes'] : [])].filter((a, i) => !(i === 2 && a.toLowerCase() === 'set' && rng.chance(0.8)) )
    case 'IS-MASTER-DOWN-BY-ADDR':
      return ['SENTINEL', sub, rng.pick(['127.0.0.1', 'x']), rng.pick(INTS), rng.pick(INTS), rng.pick(['*', 'a'.repeat(40), 'x'])]
    default:
      return ['SENTINEL', sub, ...Array.from({length: rng.int(3)}, () => (rng.chance(0.7) ? name : rngString(rng)))]
  }
}

function encode(argv: readonly string[]): Buffer {
  return encodeCommand(argv.map((a) => Buffer.from(a, 'latin1')))
}

function randomSplits(rng: Rng, length: number): number[] {
  if (length < 2 || rng.chance(0.6)) return []
  const n = rng.weighted([[5, 1], [3, rng.range(2, 6)], [1, Math.min(length - 1, rng.range(10, 40))]])
  const cuts = new Set<number>()
  for (let i = 0; i < n; i++) cuts.add(rng.range(1, length - 1))
  return [...cuts].sort((a, b) => a - b)
}

export function commandsInput(rng: Rng, index: number, commands: readonly CommandModel[], target: Target): FuzzInput {
  const shape = rng.weighted([[7, 'one'], [2, 'pipeline'], [1, 'transaction']] as const)
  let argvs: string[][]
  if (shape === 'one') argvs = [randomCommand(rng, commands, target)]
  else if (shape === 'pipeline') argvs = Array.from({length: rng.range(2, 30)}, () => randomCommand(rng, commands, target))
  else argvs = [['MULTI'], ...Array.from({length: rng.range(0, 6)}, () => randomCommand(rng, commands, target)), [rng.chance(0.85) ? 'EXEC' : 'DISCARD']]
  const bytes = Buffer.concat(argvs.map(encode))
  const label = argvs.map((a) => a.slice(0, 2).map((s) => s.slice(0, 20)).join(' ')).slice(0, 4).join(' | ')
  return {index, kind: 'commands', label: `${shape}: ${label}`, bytes, splits: randomSplits(rng, bytes.length), fin: false, comparable: false}
}

// ---------------------------------------------------------------------------------------------------------
// Raw frames

const COUNTS = ['-5', '-1', '0', '1', '2', '3', '10', '11', '1024', '1025', '2147483647', '2147483648', '-2147483649', '99999999999',
  '9223372036854775807', '9223372036854775808', '99999999999999999999', '', '+1', '01', ' 1', '1 ', 'abc', '-0', '1\u0000', '0x1', '1.5', '-']
const LENGTHS = ['-1', '-5', '0', '1', '4', '16384', '16385', '536870912', '536870913', '99999999999', '2147483648', '9223372036854775808',
  '', '+4', '04', ' 4', '4 ', 'x', '-0', '4\u0000']

const deterministicArgv = (rng: Rng): string[] =>
  rng.weighted<() => string[]>([
    [4, () => ['PING']],
    [3, () => ['ECHO', rng.pick(STRINGS)]],
    [2, () => ['PING', rng.pick(STRINGS)]],
    [1, () => ['PING', 'a', 'b']],
    [1, () => ['ECHO']],
    [2, () => [rng.pick(['NOSUCH', 'nosuch', '', '%1', '~2', '#t', 'PINGX', 'x'.repeat(200)]), ...Array.from({length: rng.int(3)}, () => rng.pick(STRINGS))]],
  ])()

const crlf = (s: string): string => `${s}\r\n`

/** One raw fragment; `fragments` are joined into an input and the result may be mutated. */
function rawFragment(rng: Rng): string {
  return rng.weighted<() => string>([
    // a complete valid request
    [4, () => encode(deterministicArgv(rng)).toString('latin1')],
    // odd multibulk count, then maybe what follows
    [4, () => crlf(`*${rng.pick(COUNTS)}`) + (rng.chance(0.5) ? encode(['PING']).toString('latin1').slice(4) : '')],
    // odd bulk length inside a multibulk
    [4, () => `*2\r\n$4\r\nECHO\r\n${crlf(`$${rng.pick(LENGTHS)}`)}${rng.chance(0.6) ? crlf('abcd') : ''}`],
    // a payload shorter or longer than its length
    [2, () => `*2\r\n$4\r\nECHO\r\n$${rng.range(0, 8)}\r\n${'x'.repeat(rng.range(0, 8))}\r\n`],
    // nesting and RESP3 types inside a multibulk
    [3, () => `*${rng.range(1, 3)}\r\n${rng.pick(['*1\r\n$4\r\nPING\r\n', '%1\r\n$1\r\na\r\n$1\r\nb\r\n', '~1\r\n$1\r\na\r\n', '#t\r\n', ',1.5\r\n',
      '(12345\r\n', '_\r\n', '=5\r\ntxt:a\r\n', '|1\r\n$1\r\na\r\n$1\r\nb\r\n', '>1\r\n$1\r\na\r\n', '!3\r\nerr\r\n', '+PING\r\n', '-ERR\r\n', ':1\r\n', '$-1\r\n'])}`],
    // RESP3 types / reply types at the top level (Redis reads them as inline commands)
    [3, () => rng.pick(['%1\r\n$1\r\na\r\n$1\r\nb\r\n', '~1\r\n$4\r\nPING\r\n', '#t\r\n', ',1.5\r\n', '(12345\r\n', '_\r\n', '=5\r\ntxt:a\r\n',
      '|1\r\n+a\r\n+b\r\n', '>2\r\n+a\r\n+b\r\n', '!3\r\nerr\r\n', '+PING\r\n', '-ERR x\r\n', ':1\r\n', '$4\r\nPING\r\n', `${'*'.repeat(rng.range(1, 100))}1\r\n`])],
    // deep nesting
    [1, () => '*1\r\n'.repeat(rng.pick([2, 10, 1000, 20000]))],
    // inline requests
    [6, () => crlfOrLf(rng, inlineLine(rng))],
    // blank lines and stray line ends
    [2, () => rng.pick(['\r\n', '\n', '\r', '\r\r\n', '\n\n\n', '   \r\n', '\t\r\n', '\u0000\r\n', '\r\n\r\n'])],
    // HTTP probes (dropped without a reply)
    [1, () => rng.pick(['POST / HTTP/1.1\r\n', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'host: x\r\n', '*1\r\n$4\r\nPOST\r\n', '*1\r\n$5\r\nHost:\r\n'])],
    // a long header or inline line without its end
    [1, () => rng.pick(['*', '$', '', 'PING ']) + '1'.repeat(rng.pick([1000, 65530, 65536, 65537, 70000, 140000]))],
  ])()
}

const crlfOrLf = (rng: Rng, line: string): string => line + rng.weighted([[6, '\r\n'], [2, '\n'], [1, '\r\r\n'], [1, '']])

function inlineLine(rng: Rng): string {
  const word = (): string =>
    rng.weighted<() => string>([
      [5, () => rng.pick(['PING', 'ECHO', 'ping', 'echo', 'NOSUCH'])],
      [4, () => rng.pick(STRINGS).replace(/[\r\n]/g, '')],
      [3, () => rng.pick(['"a b"', "'a b'", '"\\x41\\x42"', '"\\x4"', '"\\xZZ"', '"\\n\\r\\t\\b\\a\\\\"', '"a"b', "'a'b", '"', "'", '"abc', "'abc",
        '""', "''", '"\\"', "'\\''", '"\u0000"', "'\\x41'", '"a\\"b"', 'a"b"', '"\\u0041"'])],
      [1, () => rng.bytes(rng.range(1, 8)).toString('latin1').replace(/[\r\n]/g, ' ')],
    ])()
  const words = Array.from({length: rng.range(1, 5)}, word)
  const sep = (): string => rng.weighted([[8, ' '], [1, '  '], [1, '\t'], [1, '\u000b']])
  let line = words.map((w, i) => (i === 0 ? w : sep() + w)).join('')
  if (rng.chance(0.1)) line = rng.pick([' ', '\t']) + line
  if (rng.chance(0.05)) line = 'ECHO ' + 'y'.repeat(rng.pick([1000, 65000, 65535, 65536, 65600, 100000]))
  return line
}

function mutateBytes(rng: Rng, input: Buffer): Buffer {
  const bytes = [...input]
  const times = rng.range(1, 4)
  for (let t = 0; t < times; t++) {
    const at = rng.int(bytes.length + 1)
    rng.weighted<() => void>([
      [3, () => {
        if (bytes.length === 0) return
        const i = Math.min(at, bytes.length - 1)
        bytes[i] = (bytes[i] as number) ^ (1 << rng.int(8))
      }],
      [2, () => bytes.splice(at, 0, rng.pick([13, 10, 0, 0x2a, 0x24, 0x2d, 0x22, 0x27, 0x5c, 0x20, rng.int(256)]))],
      [2, () => bytes.splice(at, 1)],
      [1, () => bytes.splice(at)],
      [1, () => bytes.splice(at, 0, ...bytes.slice(rng.int(bytes.length), rng.int(bytes.length)))],
      [1, () => bytes.splice(at, 0, ...Buffer.from(rng.pick(['\r\n', '*2147483648\r\n', '$99999999999\r\n', '*-5\r\n', '$-1\r\n', '9999'])))],
    ])()
  }
  return Buffer.from(bytes)
}

export function rawInput(rng: Rng, index: number): FuzzInput {
  const parts = Array.from({length: rng.weighted([[5, 1], [3, 2], [2, rng.range(3, 6)]])}, () => rawFragment(rng))
  let bytes: Buffer = Buffer.from(parts.join(''), 'latin1')
  const mutated = rng.chance(0.3)
  if (mutated) bytes = mutateBytes(rng, bytes)
  // Truncated: half a frame.
  const truncated = !mutated && rng.chance(0.1) && bytes.length > 1
  if (truncated) bytes = bytes.subarray(0, rng.range(1, bytes.length - 1))
  const label = `raw${mutated ? ' mutated' : ''}${truncated ? ' truncated' : ''}: ${JSON.stringify(bytes.subarray(0, 48).toString('latin1'))}${bytes.length > 48 ? `…(${bytes.length} bytes)` : ''}`
  const splits = randomSplits(rng, bytes.length)
  const comparable = !hasTimingDependentLine(bytes) && !hasHttpProbeAfterSplit(bytes, splits)
  return {index, kind: 'raw', label, bytes, splits, fin: rng.chance(0.85), comparable}
}

/** Redis's first read of a connection takes at most this much; later bytes may come in another read. */
const FIRST_READ = 16 * 1024

/**
 * An HTTP probe ("POST" or "Host:" as a command) drops the connection without writing the replies still
 * queued, so the replies to the requests before it are seen only when the server read them in an earlier
 * read than the whole probe: with a write split before the end of the probe's line, or a probe ending past
 * the first read (Redis reads 16 KB first, Node 64 KB at a time), that depends on timing and read sizes.
 */
export function hasHttpProbeAfterSplit(bytes: Buffer, splits: readonly number[]): boolean {
  const text = bytes.toString('latin1').toLowerCase()
  for (const word of ['post', 'host:']) {
    for (let at = text.indexOf(word, 1); at >= 0; at = text.indexOf(word, at + 1)) {
      const lf = text.indexOf('\n', at)
      const end = lf < 0 ? text.length : lf + 1
      if (end > FIRST_READ || splits.some((cut) => cut < end)) return true
    }
  }
  return false
}

/** Redis refuses an inline line or a header only while more than this many bytes are buffered without its end. */
const INLINE_MAX = 64 * 1024
/**
 * How far past 64 KB a line can end and still be served. Redis checks the length after each read, and its
 * reads have sizes that depend on timing: the first read of a connection takes at most 16 KB, later ones as
 * much as the greedily grown query buffer holds (up to its length plus 32 KB), so the read that crosses 64 KB
 * can bring the line's end with it as far as about 160 KB. On 7.0.15 a line written at once on a fresh
 * connection is served up to 81910 bytes; lines of 100007 and 115008 bytes, and a bulk header of 135545
 * bytes ('invalid bulk length' instead of 'too big bulk count string'), were served or parsed whole when
 * their bytes were already waiting. Lines ending in that band are not compared.
 */
export const TIMING_BAND_END = 168 * 1024

/** Whether a line (from the start or an LF to the next CR or LF) ends in the band where Redis's answer depends on timing. */
export function hasTimingDependentLine(bytes: Buffer): boolean {
  let start = 0
  while (start < bytes.length) {
    const lf = bytes.indexOf(0x0a, start)
    const cr = bytes.indexOf(0x0d, start)
    for (const end of [lf, cr]) {
      if (end >= 0 && end - start > INLINE_MAX - 2 && end - start <= TIMING_BAND_END) return true
    }
    if (lf < 0) return false
    start = lf + 1
  }
  return false
}

/** Input number `index` of the run seeded with `seed`. */
export function generateInput(seed: number, index: number, commands: readonly CommandModel[], target: Target, rawShare = 0.35): FuzzInput {
  const rng = Rng.forInput(seed, index)
  return rng.chance(rawShare) ? rawInput(rng, index) : commandsInput(rng, index, commands, target)
}

// ---------------------------------------------------------------------------------------------------------
// The target's command table, from COMMAND and COMMAND DOCS replies (as ioredis returns them).

type Nested = string | number | null | Nested[]

const pairsOf = (flat: Nested): Map<string, Nested> => {
  const map = new Map<string, Nested>()
  if (!Array.isArray(flat)) return map
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1] as Nested)
  return map
}

function argDoc(flat: Nested): ArgDoc {
  const m = pairsOf(flat)
  const flags = (m.get('flags') as Nested[] | undefined)?.map(String) ?? []
  return {
    name: String(m.get('name') ?? ''),
    type: String(m.get('type') ?? 'string'),
    token: m.has('token') ? String(m.get('token')) : undefined,
    optional: flags.includes('optional'),
    multiple: flags.includes('multiple'),
    multipleToken: flags.includes('multiple_token'),
    args: ((m.get('arguments') as Nested[] | undefined) ?? []).map(argDoc),
  }
}

/** Builds the command models from `COMMAND` and `COMMAND DOCS` replies. */
export function commandModels(info: Nested[], docs: Nested[] | undefined): CommandModel[] {
  const docMap = new Map<string, Map<string, Nested>>()
  const addDocs = (flat: Nested): void => {
    if (!Array.isArray(flat)) return
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const doc = pairsOf(flat[i + 1] as Nested)
      docMap.set(String(flat[i]).toLowerCase(), doc)
      if (doc.has('subcommands')) addDocs(doc.get('subcommands') as Nested)
    }
  }
  if (docs) addDocs(docs)
  const model = (entry: Nested): CommandModel => {
    const e = entry as Nested[]
    const name = String(e[0]).toLowerCase()
    const doc = docMap.get(name)
    return {
      name,
      arity: Number(e[1]),
      flags: ((e[2] as Nested[]) ?? []).map(String),
      args: doc ? ((doc.get('arguments') as Nested[] | undefined) ?? []).map(argDoc) : undefined,
      subcommands: ((e[9] as Nested[] | undefined) ?? []).map(model),
    }
  }
  return info.filter(Array.isArray).map(model).sort((a, b) => (a.name < b.name ? -1 : 1))
}
