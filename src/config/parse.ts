// redis.conf syntax (config.c loadServerConfigFromString): one directive per line, arguments split like
// sdssplitargs (quotes and escapes), `include` files, and the redis-server command line
// (`[config file] [--directive value …] [--sentinel]`). Errors carry file, line and Redis's reason.

import {readFileSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {splitArgs} from '../resp/split-args.js'

/** The source name of directives read from standard input (`redis-server -`). */
export const STDIN = '(stdin)'

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(
    readonly file: string | undefined,
    readonly line: number | undefined,
    readonly text: string | undefined,
    readonly reason: string,
  ) {
    super(`${file ?? 'command line'}${line ? `:${line}` : ''}: ${reason}${text ? ` (>>> '${text}')` : ''}`)
  }
}

/** Redis's fatal block, naming the file too so the user knows which one to fix. */
export function formatFatalConfigError(err: ConfigError): string {
  const where = err.file === undefined ? 'Reading the configuration from the command line'
    : err.file === STDIN ? 'Reading the configuration from standard input'
    : `Reading the configuration file ${err.file}`
  return [
    '',
    '*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***',
    err.line === undefined ? where : `${where}, at line ${err.line}`,
    ...(err.text === undefined ? [] : [`>>> '${err.text}'`]),
    err.reason,
    '',
  ].join('\n')
}

/** Splits one config line into arguments; throws on unbalanced quotes. */
export function tokenizeConfigLine(line: string): string[] {
  const args = splitArgs(Buffer.from(line, 'utf8'))
  if (args === undefined) throw new Error('Unbalanced quotes in configuration line')
  return args.map((a) => a.toString('utf8'))
}

export interface Directive {
  name: string
  args: string[]
  /** File the directive came from; undefined for the command line. */
  source: string | undefined
  line?: number
  text: string
}

export interface ParsedArgs {
  configFile?: string
  /** `-` as the first or last argument: the config is also read from standard input (after the file). */
  fromStdin?: boolean
  sentinel: boolean
  directives: Directive[]
}

/**
 * Parses redis-server's argv: an optional config file first, then `--name arg …` groups (every argument
 * up to the next `--x` belongs to the directive, so `--replicaof 127.0.0.1 6379` and `--save ""` work).
 */
export function parseCommandLine(argv: string[]): ParsedArgs {
  const result: ParsedArgs = {sentinel: false, directives: []}
  let i = 0
  // server.c main(): a first argument not starting with '-' is the config file.
  if (argv[0] !== undefined && !argv[0].startsWith('-')) {
    result.configFile = resolve(argv[0])
    i = 1
  }
  const fromArgv: Directive[] = []
  let current: Directive | undefined
  for (; i < argv.length; i++) {
    const arg = argv[i] as string
    // `-` alone, as the very first or the last argument, reads the config from stdin; elsewhere it is a value.
    if (arg === '-' && (i === 0 || i === argv.length - 1)) {
      result.fromStdin = true
      current = undefined
      continue
    }
    if (arg.startsWith('--') && arg.length > 2 && !(current && /^--\d/.test(arg))) {
      const name = arg.slice(2).toLowerCase()
      if (name === 'sentinel') {
        result.sentinel = true
        current = undefined
        continue
      }
      current = {name, args: [], source: undefined, text: arg}
      fromArgv.push(current)
    } else if (current !== undefined) {
      current.args.push(arg)
      current.text += ` ${arg}`
    } else {
      throw new ConfigError(undefined, undefined, arg, `Unexpected argument '${arg}': directives are given as --name value`)
    }
  }
  // Precedence as in loadServerConfig: the file, then stdin, then the options; the last line wins.
  if (result.configFile !== undefined) result.directives.push(...readConfigFile(result.configFile, new Set()))
  if (result.fromStdin) result.directives.push(...parseConfigText(readStdin(), STDIN))
  result.directives.push(...fromArgv)
  return result
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8')
  } catch (cause) {
    // A closed or absent stdin reads as empty, as fgets() at EOF does.
    if (['EAGAIN', 'EOF', 'ENXIO', 'EBADF'].includes((cause as NodeJS.ErrnoException).code ?? '')) return ''
    throw cause
  }
}

/** Reads a config file and the files it includes, in order. */
export function readConfigFile(path: string, seen: Set<string>): Directive[] {
  if (seen.has(path)) throw new ConfigError(path, undefined, undefined, 'include loop')
  seen.add(path)
  let content: string
  try {
    content = readFileSync(path, 'utf8')
  } catch (cause) {
    throw new ConfigError(path, undefined, undefined, `Fatal error, can't open config file '${path}': ${(cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (cause as Error).message}`)
  }
  return parseConfigText(content, path, seen)
}

export function parseConfigText(content: string, path: string | undefined, seen = new Set<string>()): Directive[] {
  const out: Directive[] = []
  content.split('\n').forEach((raw, index) => {
    // sdstrim(line, " \t\r\n"): \v and \f stay, for sdssplitargs to judge.
    const text = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')
    if (text === '' || text.startsWith('#')) return
    let args: string[]
    try {
      args = tokenizeConfigLine(text)
    } catch (cause) {
      throw new ConfigError(path, index + 1, text, (cause as Error).message)
    }
    if (args.length === 0) return
    const name = (args[0] as string).toLowerCase()
    if (name === 'include') {
      if (args.length !== 2) throw new ConfigError(path, index + 1, text, 'Bad directive or wrong number of arguments')
      const target = resolve(path ? dirname(path) : process.cwd(), args[1] as string)
      out.push(...readConfigFile(target, seen))
      return
    }
    out.push({name, args: args.slice(1), source: path, line: index + 1, text})
  })
  return out
}
