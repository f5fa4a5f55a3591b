// rtopo-server entry point, like redis-server: [config file] [-] [--directive value …] [--sentinel].
// Loads the config (fatal block on a bad line), logs Redis's start-up lines, writes the pidfile, serves,
// and shuts down cleanly on SIGTERM/SIGINT (saving when save points are set).

import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {systemClock} from '../common/clock.js'
import {removePidFile, writePidFile} from '../common/pidfile.js'
import {ServerConfig} from '../config/directives.js'
import {parseCommandLine} from '../config/parse.js'
import {ListenError} from '../net/listener.js'
import {Server} from './server.js'
import {REDIS_VERSION} from './version.js'
import {announceStartup, enterDir, exitOnConfigError, exitUnlessListening, logListenFailure, logReady, startupLogger} from './startup.js'

export async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--version') || argv.includes('-v')) {
    process.stdout.write(`Redis server v=${REDIS_VERSION} sha=00000000:0 malloc=libc bits=64 build=rtopo\n`)
    return
  }
  let parsed
  let config: ServerConfig
  try {
    parsed = parseCommandLine([...argv])
    if (parsed.sentinel) {
      await runSentinel([...argv])
      return
    }
    config = ServerConfig.load(parsed)
  } catch (cause) {
    exitOnConfigError(cause)
  }
  enterDir(config)
  const logger = startupLogger(config, argv.length > 0, parsed.fromStdin === true)
  logger.setRole('M')
  exitUnlessListening(logger, config)

  const pidfile = config.get('pidfile') || undefined
  const server = new Server(config, logger, systemClock, (code) => {
    if (pidfile) removePidFile(pidfile)
    logger.close?.()
    process.exit(code)
  })
  if (pidfile) writePidFile(pidfile)
  announceStartup(logger, config, 'standalone')
  logger.warning('Server initialized')
  // Installed before the load: a signal during the start-up load ends the process without saving, as in Redis.
  const onSignal = (signal: string) => {
    logger.warning(server.isLoading() ? 'Received shutdown signal during loading, scheduling shutdown.' : `Received ${signal} scheduling shutdown...`)
    void server.shutdown().then((ok) => {
      if (!ok) logger.warning('SIGTERM received but errors trying to shut down the server, check the logs for more information')
    })
  }
  process.on('SIGTERM', () => onSignal('SIGTERM'))
  process.on('SIGINT', () => onSignal('SIGINT'))
  try {
    await server.start()
  } catch (cause) {
    if (pidfile) removePidFile(pidfile)
    if (cause instanceof ListenError) {
      logListenFailure(logger, config, cause)
    } else {
      logger.warning(`Fatal error loading the DB: ${(cause as Error).message}. Exiting.`)
    }
    process.exit(1)
  }
  logReady(logger, config)
}

/** Sentinel mode lives in its own module; it is loaded only when asked for. */
async function runSentinel(argv: string[]): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url))
  const sentinelMain = join(here, '..', 'sentinel', 'main.js')
  if (!existsSync(sentinelMain)) {
    process.stderr.write('rtopo-server: sentinel mode is not available in this build yet; use redis-sentinel (rtopo --engine redis)\n')
    process.exit(1)
  }
  const module = (await import(sentinelMain)) as {main: (args: string[]) => Promise<void>}
  await module.main(argv)
}
