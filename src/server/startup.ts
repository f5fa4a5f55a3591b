// What both entry points (server and sentinel mode) do the same way at start-up: Redis's fatal block for a
// bad config, and the first log lines.

import {Logger} from '../common/logger.js'
import type {ServerConfig} from '../config/directives.js'
import {ConfigError, formatFatalConfigError} from '../config/parse.js'
import {REDIS_VERSION} from './version.js'

/** A ConfigError ends the process with Redis's fatal block on stderr; anything else is rethrown. */
export function exitOnConfigError(cause: unknown): never {
  if (cause instanceof ConfigError) {
    process.stderr.write(formatFatalConfigError(cause))
    process.exit(1)
  }
  throw cause
}

/** The logger of the process, after Redis's start-up banner. */
export function startupLogger(config: ServerConfig, configLoaded: boolean): Logger {
  const logger = new Logger({file: config.get('logfile') || undefined, level: config.loglevel(), role: 'C'})
  logger.warning('oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo')
  logger.warning(`Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started (rtopo-server)`)
  logger.warning(configLoaded ? 'Configuration loaded' : 'Warning: no config file specified, using the default config. In order to specify a config file use rtopo-server /path/to/redis.conf')
  return logger
}
