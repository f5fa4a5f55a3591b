// What both entry points (server and sentinel mode) do the same way at start-up: Redis's fatal block for a
// bad config, and the first log lines.

import {appendFileSync} from 'node:fs'
import type {Server as NetServer, Socket} from 'node:net'
import {Logger} from '../common/logger.js'
import type {ServerConfig} from '../config/directives.js'
import {ConfigError, formatFatalConfigError} from '../config/parse.js'
import {listen, ListenError, listenUnix, removeUnixSocket, unixSocketPathOf} from '../net/listener.js'
import {REDIS_VERSION} from './version.js'

/**
 * config.c setConfigDirOption: the process works in `dir`, so relative paths (dbfilename, logfile, pidfile,
 * sentinel scripts) resolve from there; CONFIG SET dir moves it again.
 */
export function enterDir(config: ServerConfig): void {
  process.chdir(config.dir())
  config.onChange((name, value) => {
    if (name === 'dir') process.chdir(value)
  })
}

/** A ConfigError ends the process with Redis's fatal block on stderr; anything else is rethrown. */
export function exitOnConfigError(cause: unknown): never {
  if (cause instanceof ConfigError) {
    process.stderr.write(formatFatalConfigError(cause))
    process.exit(1)
  }
  throw cause
}

/** The logger of the process, after Redis's start-up banner. */
export function startupLogger(config: ServerConfig, configLoaded: boolean, fromStdin = false): Logger {
  const logger = new Logger({file: config.get('logfile') || undefined, level: config.loglevel(), role: 'C'})
  if (fromStdin) logger.warning('Reading config from stdin')
  logger.warning('oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo')
  logger.warning(`Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started (rtopo-server)`)
  logger.warning(configLoaded ? 'Configuration loaded' : 'Warning: no config file specified, using the default config. In order to specify a config file use rtopo-server /path/to/redis.conf')
  return logger
}

// The picture of Redis's start-up logo. The drawing and where the text goes next to it follow Redis's
// src/asciilogo.h (Copyright (c) 2009-2012, Salvatore Sanfilippo, BSD 3-clause licence); the code that
// lays it out is ours. `info` names the text printed beside a row, starting at column `at`.
const LOGO_ROWS: readonly {art: string; info?: 'version' | 'mode' | 'port' | 'pid' | 'url'; width?: number}[] = [
  {art: '                _._'},
  {art: "           _.-``__ ''-._"},
  {art: "      _.-``    `.  `_.  ''-._", info: 'version'},
  // One column narrower in Redis's output: its source line has an escaped backslash and one space less.
  {art: "  .-`` .-```.  ```\\/    _.,_ ''-._", width: 68},
  {art: " (    '      ,       .-`  | `,    )", info: 'mode'},
  {art: " |`-._`-...-` __...-.``-._|'` _.-'|", info: 'port'},
  {art: " |    `-._   `._    /     _.-'    |", info: 'pid'},
  {art: "  `-._    `-._  `-./  _.-'    _.-'"},
  {art: " |`-._`-._    `-.__.-'    _.-'_.-'|"},
  {art: " |    `-._`-._        _.-'_.-'    |", info: 'url'},
  {art: "  `-._    `-._`-.__.-'_.-'    _.-'"},
  {art: " |`-._`-._    `-.__.-'    _.-'_.-'|"},
  {art: " |    `-._`-._        _.-'_.-'    |"},
  {art: "  `-._    `-._`-.__.-'_.-'    _.-'"},
  {art: "      `-._    `-.__.-'    _.-'"},
  {art: "          `-._        _.-'"},
  {art: "              `-.__.-'"},
]
const LOGO_WIDTH = 69
const INFO_COLUMN = 40
const URL_COLUMN = 46

export type ServerMode = 'standalone' | 'sentinel'

/** The logo block as redisAsciiArt prints it: 17 rows, then an empty line. */
export function renderLogo(mode: ServerMode, port: number, pid: number): string {
  const texts = {
    version: `Redis ${REDIS_VERSION} (00000000/0) 64 bit`,
    mode: `Running in ${mode} mode`,
    port: `Port: ${port}`,
    pid: `PID: ${pid}`,
    url: 'https://redis.io',
  }
  const rows = LOGO_ROWS.map(({art, info, width}) => {
    if (info === undefined) return art.padEnd(width ?? LOGO_WIDTH)
    const text = art.padEnd(info === 'url' ? URL_COLUMN : INFO_COLUMN) + texts[info]
    // Only the URL row is padded out after its text.
    return info === 'url' ? text.padEnd(LOGO_WIDTH) : text
  })
  return `${rows.join('\n')}\n\n`
}

/**
 * redisAsciiArt: the logo when `always-show-logo yes` or when the log goes to a terminal (no logfile, no
 * syslog, stdout a tty), otherwise "Running mode=…, port=….". The logo is a raw notice (no log prefix).
 */
export function announceStartup(logger: Logger, config: ServerConfig, mode: ServerMode): void {
  const port = config.port() || Number(config.get('tls-port') ?? 0)
  const logfile = config.get('logfile') || ''
  const showLogo = config.get('always-show-logo') === 'yes'
    || (config.get('syslog-enabled') !== 'yes' && logfile === '' && process.stdout.isTTY === true)
  if (!showLogo) {
    logger.notice(`Running mode=${mode}, port=${port}.`)
    return
  }
  if (config.loglevel() === 'warning') return
  const block = renderLogo(mode, port, process.pid)
  if (logfile !== '') {
    try {
      appendFileSync(logfile, block)
      return
    } catch {
      // As Logger does: fall back to stdout when the logfile cannot be written.
    }
  }
  process.stdout.write(block)
}

/**
 * initServer's listeners: TCP on every bind address unless `port 0`, the unix socket when `unixsocket` is
 * set (mode `unixsocketperm`), and "Configured to not listen anywhere, exiting." when there is neither.
 */
export async function listenConfigured(config: ServerConfig, onSocket: (socket: Socket) => void): Promise<NetServer[]> {
  const port = config.port()
  const servers = port === 0 ? [] : await listen(config.bind(), port, onSocket)
  const path = config.get('unixsocket') || ''
  if (path !== '') {
    try {
      servers.push(await listenUnix(path, Number.parseInt(config.get('unixsocketperm') || '0', 8), onSocket, Number(config.get('tcp-backlog') ?? 511)))
    } catch (cause) {
      for (const server of servers) server.close()
      throw cause
    }
  }
  if (servers.length === 0) throw new ListenError('', 0, undefined, 'Configured to not listen anywhere, exiting.', 'none')
  return servers
}

/** prepareForShutdown: the unix socket file goes away with the server. */
export function closeUnixSocket(config: ServerConfig, logger: Logger): void {
  const path = config.get('unixsocket') || ''
  if (path === '') return
  logger.notice('Removing the unix socket file.')
  removeUnixSocket(path)
}

/** addr and laddr of CLIENT LIST: ip:port, or `<socket path>:0` for the unix socket (connFormatFdAddr). */
export function connectionAddresses(socket: Socket): [string, string] {
  const path = unixSocketPathOf(socket)
  if (path !== undefined) return [`${path}:0`, `${path}:0`]
  return [`${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`, `${socket.localAddress ?? '?'}:${socket.localPort ?? 0}`]
}

/** The start-up failures of initServer, logged as Redis logs them. */
export function logListenFailure(logger: Logger, config: ServerConfig, cause: ListenError): void {
  if (cause.kind === 'none') {
    logger.warning(cause.message)
  } else if (cause.kind === 'unix') {
    logger.warning(`Failed opening Unix socket: ${cause.message}`)
  } else {
    logger.warning(`Warning: ${cause.message}`)
    logger.warning(`Failed listening on port ${config.port()} (TCP), aborting.`)
  }
}

/** The line(s) after the load: TCP ready, and the unix socket's own line. */
export function logReady(logger: Logger, config: ServerConfig): void {
  if (config.port() !== 0) logger.notice('Ready to accept connections')
  const path = config.get('unixsocket') || ''
  if (path !== '') logger.notice(`The server is now ready to accept connections at ${path}`)
}

/** initServer aborts before the logo when neither a TCP port nor a unix socket is configured. */
export function exitUnlessListening(logger: Logger, config: ServerConfig): void {
  if (config.port() !== 0 || Number(config.get('tls-port') ?? 0) !== 0 || (config.get('unixsocket') || '') !== '') return
  logger.warning('Configured to not listen anywhere, exiting.')
  process.exit(1)
}
