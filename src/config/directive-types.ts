// How each directive's value is validated and normalised (config.c's typed static_configs): booleans,
// integers (with memory units where Redis allows them), enums, and the few directives with their own syntax.

import {validateKeyspaceEvents} from './keyspace-event-flags.js'

export type Validator = (args: string[]) => {value: string} | {error: string}

const BOOL: Validator = (args) => {
  if (args.length !== 1) return {error: 'wrong number of arguments'}
  const v = (args[0] as string).toLowerCase()
  return v === 'yes' || v === 'no' ? {value: v} : {error: "argument must be 'yes' or 'no'"}
}

const UNITS: Record<string, number> = {'': 1, b: 1, k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3}

/** Parses "100", "1k", "1mb" (case-insensitive) like Redis's memtoull; undefined when invalid. */
export function parseMemory(text: string): number | undefined {
  const m = /^(-?\d+)([a-z]*)$/i.exec(text)
  if (!m) return undefined
  const unit = UNITS[(m[2] as string).toLowerCase()]
  return unit === undefined ? undefined : Number(m[1]) * unit
}

const integer = (min: number, max: number, memory = false): Validator => (args) => {
  if (args.length !== 1) return {error: 'wrong number of arguments'}
  const text = args[0] as string
  // memtoull: an empty value is 0, a negative one is no memory value.
  const value = memory ? (text === '' ? 0 : parseMemory(text)) : /^-?\d+$/.test(text) ? Number(text) : undefined
  if (value === undefined || (memory && value < 0)) return {error: memory ? 'argument must be a memory value' : "argument couldn't be parsed into an integer"}
  if (value < min || value > max) return {error: `argument must be between ${min} and ${max} inclusive`}
  return {value: String(value)}
}

/** PERCENT_CONFIG (maxmemory-clients): a memory value, or `N%` of maxmemory with N an integer up to 100. */
const memoryOrPercent: Validator = (args) => {
  if (args.length !== 1) return {error: 'wrong number of arguments'}
  const text = args[0] as string
  const percent = /^(\d+)%$/.exec(text)
  if (percent !== null) {
    const n = Number(percent[1])
    if (n > 100) return {error: 'percentage argument must be less or equal to 100'}
    return {value: n === 0 ? '0' : `${n}%`}
  }
  const value = text === '' ? 0 : parseMemory(text)
  if (value === undefined || value < 0) return {error: 'argument must be a memory or percent value'}
  return {value: String(value)}
}

const oneOf = (...choices: string[]): Validator => (args) => {
  if (args.length !== 1) return {error: 'wrong number of arguments'}
  const v = (args[0] as string).toLowerCase()
  return choices.includes(v) ? {value: v} : {error: `argument(s) must be one of the following: ${choices.join(', ')}`}
}

const text: Validator = (args) => (args.length === 1 ? {value: args[0] as string} : {error: 'wrong number of arguments'})
const words: Validator = (args) => ({value: args.join(' ')})

/** `save <seconds> <changes> [...]`, or `save ""` to disable. */
const save: Validator = (args) => {
  if (args.length === 1 && args[0] === '') return {value: ''}
  const flat = args.flatMap((a) => a.split(' ').filter(Boolean))
  if (flat.length % 2 !== 0 || flat.length === 0 || !flat.every((n) => /^\d+$/.test(n))) return {error: 'Invalid save parameters'}
  return {value: flat.join(' ')}
}

/** `replicaof <host> <port>` or `replicaof no one`; stored as "host port" ("" when none). */
const replicaof: Validator = (args) => {
  const flat = args.length === 1 ? (args[0] as string).split(' ').filter(Boolean) : args
  if (flat.length === 0) return {value: ''}
  if (flat.length !== 2) return {error: 'wrong number of arguments'}
  if ((flat[0] as string).toLowerCase() === 'no' && (flat[1] as string).toLowerCase() === 'one') return {value: ''}
  if (!/^\d+$/.test(flat[1] as string) || Number(flat[1]) > 65535) return {error: 'Invalid master port'}
  return {value: `${flat[0]} ${flat[1]}`}
}

/** OCTAL_CONFIG (unixsocketperm): strtoll base 8, 0..0777, shown in octal. */
const octalPerm: Validator = (args) => {
  if (args.length !== 1) return {error: 'wrong number of arguments'}
  const text = args[0] as string
  if (!/^[+-]?[0-7]+$/.test(text.trim()) || text.trim() !== text.trimEnd()) return {error: "argument couldn't be parsed as an octal number"}
  const value = Number.parseInt(text, 8)
  if (value < 0 || value > 0o777) return {error: 'argument must be between 0 and 777 inclusive'}
  return {value: value.toString(8)}
}

const outputBufferLimit: Validator = (args) => {
  const flat = args.flatMap((a) => a.split(' ').filter(Boolean))
  if (flat.length % 4 !== 0) return {error: 'Wrong number of arguments in buffer limit configuration.'}
  for (let i = 0; i < flat.length; i += 4) {
    const cls = (flat[i] as string).toLowerCase()
    if (!['normal', 'replica', 'slave', 'pubsub', 'master'].includes(cls)) return {error: 'Invalid client class specified in buffer limit configuration.'}
    if ([flat[i + 1], flat[i + 2], flat[i + 3]].some((v) => parseMemory(v as string) === undefined)) {
      return {error: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.'}
    }
  }
  return {value: flat.join(' ')}
}

const MEMORY = new Set([
  'maxmemory', 'proto-max-bulk-len', 'client-query-buffer-limit', 'repl-backlog-size', 'active-defrag-ignore-bytes',
  'auto-aof-rewrite-min-size', 'maxmemory-clients', 'stream-node-max-bytes', 'hash-max-listpack-value',
  'zset-max-listpack-value', 'hll-sparse-max-bytes', 'cluster-link-sendbuf-limit',
])

const ENUMS: Record<string, string[]> = {
  loglevel: ['debug', 'verbose', 'notice', 'warning'],
  'maxmemory-policy': ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'],
  appendfsync: ['always', 'everysec', 'no'],
  supervised: ['upstart', 'systemd', 'auto', 'no'],
  'repl-diskless-load': ['disabled', 'on-empty-db', 'swapdb'],
  'enable-debug-command': ['yes', 'no', 'local'],
  'enable-protected-configs': ['yes', 'no', 'local'],
  'enable-module-command': ['yes', 'no', 'local'],
  'shutdown-on-sigint': ['default', 'save', 'nosave', 'now', 'force'],
  'shutdown-on-sigterm': ['default', 'save', 'nosave', 'now', 'force'],
  'oom-score-adj': ['no', 'yes', 'relative', 'absolute'],
  'propagation-error-behavior': ['ignore', 'panic', 'panic-on-replicas'],
  'sanitize-dump-payload': ['no', 'yes', 'clients'],
  'cluster-preferred-endpoint-type': ['ip', 'hostname', 'unknown-endpoint'],
  'acl-pubsub-default': ['allchannels', 'resetchannels'],
  'syslog-facility': ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'],
}

const RANGES: Record<string, [number, number]> = {
  port: [0, 65535],
  'tls-port': [0, 65535],
  databases: [1, 2147483647],
  maxclients: [1, 4294967295],
  timeout: [0, 2147483647],
  hz: [0, 2147483647],
  'replica-announce-port': [0, 65535],
  'list-max-listpack-size': [-2147483648, 2147483647],
  'slowlog-log-slower-than': [-1, Number.MAX_SAFE_INTEGER],
  'proto-max-bulk-len': [1024 * 1024, Number.MAX_SAFE_INTEGER],
  'client-query-buffer-limit': [1024 * 1024, Number.MAX_SAFE_INTEGER],
  'repl-backlog-size': [1, Number.MAX_SAFE_INTEGER],
  'maxmemory-samples': [1, 2147483647],
  'maxmemory-eviction-tenacity': [0, 100],
  'lfu-log-factor': [0, 2147483647],
  'lfu-decay-time': [0, 2147483647],
  // DEBUG_CONFIG integers of config.c: microseconds slept per key while saving / loading an RDB.
  'rdb-key-save-delay': [-2147483648, 2147483647],
  'key-load-delay': [-2147483648, 2147483647],
  'loading-process-events-interval-bytes': [1024, 2147483647],
}

const SPECIAL: Record<string, Validator> = {
  save,
  replicaof,
  bind: words,
  'client-output-buffer-limit': outputBufferLimit,
  'oom-score-adj-values': words,
  'latency-tracking-info-percentiles': words,
  'notify-keyspace-events': validateKeyspaceEvents,
  unixsocketperm: octalPerm,
  'maxmemory-clients': memoryOrPercent,
}

/** The validator for a directive, inferred from its default where the type is plain. */
export function validatorFor(name: string, defaultValue: string): Validator {
  const special = SPECIAL[name]
  if (special) return special
  const choices = ENUMS[name]
  if (choices) return oneOf(...choices)
  if (defaultValue === 'yes' || defaultValue === 'no') return BOOL
  if (/^-?\d+$/.test(defaultValue)) {
    const [min, max] = RANGES[name] ?? [MEMORY.has(name) ? 0 : -2147483648, Number.MAX_SAFE_INTEGER]
    return integer(min, max, MEMORY.has(name))
  }
  return text
}

/** Directives CONFIG SET refuses (config.c IMMUTABLE_CONFIG / PROTECTED_CONFIG). */
export const IMMUTABLE = new Set([
  'daemonize', 'databases', 'pidfile', 'logfile', 'supervised', 'cluster-enabled', 'unixsocket', 'unixsocketperm',
  'io-threads', 'io-threads-do-reads', 'tcp-backlog', 'syslog-enabled', 'syslog-ident', 'syslog-facility', 'aclfile',
  'cluster-config-file', 'disable-thp', 'always-show-logo', 'set-proc-title', 'enable-debug-command',
  'enable-protected-configs', 'enable-module-command', 'appendfilename', 'appenddirname', 'cluster-port',
])
