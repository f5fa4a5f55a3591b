// ServerConfig: the table of directives shared by the config file loader, argv overrides, CONFIG GET/SET
// and CONFIG REWRITE (config.c static_configs). Values are kept in CONFIG GET form.

import {existsSync, statSync} from 'node:fs'
import {resolve} from 'node:path'
import {cPattern, globMatch} from '../common/glob.js'
import {ALIASES, DEFAULTS} from './defaults.js'
import {IMMUTABLE, validatorFor, type Validator} from './directive-types.js'
import {ConfigError, type Directive, type ParsedArgs} from './parse.js'
import {rewriteConfigFile} from './rewrite.js'
import {displayKeyspaceEvents} from './keyspace-event-flags.js'

interface Definition {
  readonly name: string
  readonly defaultValue: string
  readonly validate: Validator
}

// An alias has no value of its own: it reads and writes its target's (lua-time-limit is busy-reply-threshold).
const DEFINITIONS = new Map<string, Definition>(
  DEFAULTS.filter(([name]) => ALIASES[name] === undefined).map(([name, defaultValue]) => [name, {name, defaultValue, validate: validatorFor(name, defaultValue)}]),
)
/** Directives whose repeated lines add up instead of replacing each other. */
const ACCUMULATING = new Set(['save', 'client-output-buffer-limit'])

/** Directives Redis 7.0 reads and ignores (config.c deprecated_configs). */
const DEPRECATED = new Set(['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands'])

/** HIDDEN_CONFIG in config.c: answered by name, left out of a CONFIG GET pattern. */
const HIDDEN = new Set(['rdb-key-save-delay', 'key-load-delay', 'loading-process-events-interval-bytes'])

const canonical = (name: string): string => ALIASES[name.toLowerCase()] ?? name.toLowerCase()


export type ConfigListener = (name: string, value: string) => void

export class ServerConfig {
  private readonly values = new Map<string, string>()
  /** Names changed from their default (by file, argv or CONFIG SET): what CONFIG REWRITE writes. */
  private readonly explicit = new Set<string>()
  private readonly listeners: ConfigListener[] = []

  private constructor(readonly file: string | undefined) {
    for (const def of DEFINITIONS.values()) this.values.set(def.name, def.defaultValue)
  }

  /** Loads the config file (with includes) then argv overrides; throws ConfigError naming file and line. */
  static load(parsed: ParsedArgs): ServerConfig {
    const config = new ServerConfig(parsed.configFile)
    const seenAccumulating = new Set<string>()
    for (const directive of parsed.directives) config.applyDirective(directive, seenAccumulating)
    return config
  }

  /** A config with defaults and the given overrides (tests, sentinel-side helpers). */
  static fromDirectives(directives: Directive[]): ServerConfig {
    return ServerConfig.load({sentinel: false, directives})
  }

  get configFile(): string {
    return this.file ?? ''
  }

  private applyDirective(directive: Directive, seenAccumulating: Set<string>): void {
    const name = canonical(directive.name)
    const def = DEFINITIONS.get(name)
    const fail = (reason: string): never => {
      throw new ConfigError(directive.source, directive.line, directive.text, reason)
    }
    if (name === 'user') {
      // Redis 7.0's CONFIG REWRITE adds `user default on nopass ~* &* +@all` (or with #<sha256> when requirepass
      // is set): the default user, which requirepass already describes. Other ACL users are not supported.
      if ((directive.args[0] ?? '').toLowerCase() === 'default') return
      fail('ACL users other than default are not supported by rtopo-server')
    }
    if (def === undefined) {
      // config.c deprecated_configs: still accepted in a config (with exactly one argument) and ignored.
      if (DEPRECATED.has(name) && directive.args.length === 1) return
      if (name === 'rename-command') fail('rename-command is not supported by rtopo-server')
      return fail('Bad directive or wrong number of arguments')
    }
    // A bare `save` line is setConfigSaveOption with no arguments: like `save ""`, it clears the save points
    // when it is the first save line (later ones add nothing). Every other directive needs an argument.
    if (directive.args.length === 0 && name === 'save') {
      if (!seenAccumulating.has(name)) this.set1(name, '')
      seenAccumulating.add(name)
      return
    }
    if (directive.args.length === 0) fail('wrong number of arguments')
    const result = def.validate(directive.args)
    if ('error' in result) return fail(result.error)
    if (name === 'appendonly' && result.value === 'yes') fail('appendonly yes is not supported by rtopo-server: it persists with RDB snapshots only')
    if (name === 'dir') {
      const dir = resolve(result.value)
      if (!existsSync(dir) || !statSync(dir).isDirectory()) fail('No such file or directory')
      this.set1(name, dir)
      return
    }
    let value = result.value
    if (ACCUMULATING.has(name) && seenAccumulating.has(name) && value !== '') {
      const previous = this.values.get(name) ?? ''
      value = previous === '' ? value : `${previous} ${value}`
    }
    seenAccumulating.add(name)
    this.set1(name, value)
  }

  private set1(name: string, value: string): void {
    this.values.set(name, value)
    this.explicit.add(name)
  }

  get(name: string): string | undefined {
    // Fast path: callers on the hot path pass the canonical lower-case name.
    return this.values.get(name) ?? this.values.get(canonical(name))
  }

  /**
   * CONFIG GET: every directive (and alias) matching the glob, with its value. As in Redis, an argument
   * without `[`, `*` or `?` (before a NUL) is looked up as a name and answered under the name as given.
   */
  getMatching(pattern: string): [string, string][] {
    // stringmatch(pattern, name, 1): the pattern ends at its first NUL, and matching ignores case.
    const glob = cPattern(pattern)
    if (!/[[*?]/.test(glob)) {
      const value = pattern === glob ? this.get(pattern) : undefined
      return value === undefined ? [] : [[pattern, shown(canonical(pattern), value)]]
    }
    const out: [string, string][] = []
    for (const [name, value] of this.values) if (!HIDDEN.has(name) && globMatch(glob, name, true)) out.push([name, shown(name, value)])
    for (const [alias, target] of Object.entries(ALIASES)) if (globMatch(glob, alias, true)) out.push([alias, this.values.get(target) ?? ''])
    return out
  }

  /** CONFIG SET name value [name value …]: all or nothing; returns Redis's error text on failure. */
  set(pairs: [string, string][]): string | undefined {
    const staged = new Map<string, string>()
    for (const [rawName, rawValue] of pairs) {
      const name = canonical(rawName)
      const def = DEFINITIONS.get(name)
      if (def === undefined) return `ERR Unknown option or number of arguments for CONFIG SET - '${rawName}'`
      if (staged.has(name)) return `ERR CONFIG SET failed (possibly related to argument '${rawName}') - duplicate parameter`
      if (IMMUTABLE.has(name)) return `ERR CONFIG SET failed (possibly related to argument '${rawName}') - can't set immutable config`
      const result = def.validate([rawValue])
      if ('error' in result) return `ERR CONFIG SET failed (possibly related to argument '${rawName}') - ${result.error}`
      if (name === 'dir') {
        const dir = resolve(result.value)
        if (!existsSync(dir)) return `ERR CONFIG SET failed (possibly related to argument '${rawName}') - No such file or directory`
        staged.set(name, dir)
      } else staged.set(name, result.value)
    }
    for (const [name, value] of staged) {
      this.set1(name, value)
      for (const listener of this.listeners) listener(name, value)
    }
    return undefined
  }

  /** REPLICAOF changes which master CONFIG REWRITE records ("host port", or "" for none). */
  setReplicaOf(value: string): void {
    this.set1('replicaof', value)
  }

  onChange(listener: ConfigListener): void {
    this.listeners.push(listener)
  }

  /** CONFIG REWRITE; returns an error text when there is no config file or it cannot be written. */
  rewrite(): string | undefined {
    if (this.file === undefined) return 'ERR The server is running without a config file'
    try {
      rewriteConfigFile(this.file, this.rewriteLines())
      return undefined
    } catch (cause) {
      return `ERR Rewriting config file: ${(cause as Error).message}`
    }
  }

  /** Directive lines for every value that differs from its default (what CONFIG REWRITE keeps). */
  rewriteLines(): Map<string, string[]> {
    const out = new Map<string, string[]>()
    for (const def of DEFINITIONS.values()) {
      const value = this.values.get(def.name) ?? ''
      if (value === def.defaultValue && !this.explicit.has(def.name)) continue
      out.set(def.name, formatDirective(def.name, shown(def.name, value)))
    }
    return out
  }

  // Typed accessors for hot values.
  port(): number { return Number(this.get('port')) }
  bind(): string[] { return (this.get('bind') ?? '').split(' ').filter(Boolean) }
  requirepass(): string { return this.get('requirepass') ?? '' }
  databases(): number { return Number(this.get('databases')) }
  dir(): string { return resolve(this.get('dir') ?? '.') }
  dbfilename(): string { return this.get('dbfilename') ?? 'dump.rdb' }
  timeout(): number { return Number(this.get('timeout')) }
  maxclients(): number { return Number(this.get('maxclients')) }
  loglevel(): 'debug' | 'verbose' | 'notice' | 'warning' { return (this.get('loglevel') ?? 'notice') as 'notice' }
  savePoints(): {seconds: number; changes: number}[] {
    const nums = (this.get('save') ?? '').split(' ').filter(Boolean).map(Number)
    const points: {seconds: number; changes: number}[] = []
    for (let i = 0; i + 1 < nums.length; i += 2) points.push({seconds: nums[i] as number, changes: nums[i + 1] as number})
    return points
  }
  replicaof(): {host: string; port: number} | undefined {
    const [host, port] = (this.get('replicaof') ?? '').split(' ')
    return host && port ? {host, port: Number(port)} : undefined
  }
}

const quote = (value: string): string => (value === '' || /[\s"'\\]/.test(value) ? JSON.stringify(value) : value)

/** Lines a directive is written as in a config file (save and client-output-buffer-limit take one line per entry). */
/** A stored value as CONFIG GET and REWRITE show it (only notify-keyspace-events differs). */
const shown = (name: string, value: string): string => (name === 'notify-keyspace-events' ? displayKeyspaceEvents(value) : value)

function formatDirective(name: string, value: string): string[] {
  if (name === 'save') {
    if (value === '') return ['save ""']
    const nums = value.split(' ')
    const lines: string[] = []
    for (let i = 0; i + 1 < nums.length; i += 2) lines.push(`save ${nums[i]} ${nums[i + 1]}`)
    return lines
  }
  if (name === 'client-output-buffer-limit') {
    const parts = value.split(' ')
    const lines: string[] = []
    for (let i = 0; i + 3 < parts.length; i += 4) lines.push(`${name} ${parts.slice(i, i + 4).join(' ')}`)
    return lines
  }
  if (name === 'replicaof') return value === '' ? [] : [`replicaof ${value}`]
  // rewriteConfigNotifyKeyspaceEventsOption: always quoted (sdscatrepr), even "".
  if (name === 'notify-keyspace-events') return [`${name} "${value}"`]
  if (name === 'bind' || name === 'oom-score-adj-values' || name === 'latency-tracking-info-percentiles') return [`${name} ${value}`]
  return [`${name} ${quote(value)}`]
}
