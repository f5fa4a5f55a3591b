// Sentinel mode of rtopo-server (`rtopo-server sentinel.conf --sentinel`, or rtopo-sentinel): the config file
// is mandatory and writable (the sentinel saves its state there); `sentinel …` lines configure the monitoring,
// the other directives the listener, log and pidfile as for a server.

import {accessSync, constants} from 'node:fs'
import {systemClock} from '../common/clock.js'
import {removePidFile, writePidFile} from '../common/pidfile.js'
import {ServerConfig} from '../config/directives.js'
import {parseCommandLine, type Directive} from '../config/parse.js'
import {ListenError} from '../net/listener.js'
import {Server} from '../server/server.js'
import {announceStartup, enterDir, exitOnConfigError, exitUnlessListening, logListenFailure, startupLogger} from '../server/startup.js'
import {sentinelCommandGroups} from './commands.js'
import {Sentinel} from './sentinel.js'
import {loadSentinelSettings, type SentinelSettings} from './settings.js'

export async function main(argv: readonly string[]): Promise<void> {
  let config: ServerConfig
  let settings: SentinelSettings
  let fromStdin = false
  try {
    const parsed = parseCommandLine([...argv])
    if (parsed.configFile === undefined) {
      process.stderr.write('Sentinel needs config file on disk to save state. Exiting...\n')
      process.exit(1)
    }
    try {
      accessSync(parsed.configFile, constants.W_OK)
    } catch (cause) {
      process.stderr.write(`Sentinel config file ${parsed.configFile} is not writable: ${(cause as Error).message}. Exiting...\n`)
      process.exit(1)
    }
    fromStdin = parsed.fromStdin === true
    const serverDirectives: Directive[] = parsed.directives.filter((d) => d.name !== 'sentinel')
    // A sentinel listens on 26379 unless told otherwise, and never runs in protected mode.
    if (!serverDirectives.some((d) => d.name === 'port')) serverDirectives.unshift({name: 'port', args: ['26379'], source: undefined, text: '--port 26379'})
    config = ServerConfig.load({...parsed, directives: serverDirectives})
    settings = loadSentinelSettings(parsed.directives, Date.now())
  } catch (cause) {
    exitOnConfigError(cause)
  }
  enterDir(config)
  const logger = startupLogger(config, true, fromStdin)
  logger.setRole('X')
  exitUnlessListening(logger, config)

  let sentinel: Sentinel | undefined
  const pidfile = config.get('pidfile') || undefined
  const server = new Server(config, logger, systemClock, (code) => {
    sentinel?.stop()
    if (pidfile) removePidFile(pidfile)
    logger.close?.()
    process.exit(code)
  }, {mode: 'sentinel', commandGroups: sentinelCommandGroups(() => sentinel as Sentinel)})
  if (pidfile) writePidFile(pidfile)
  announceStartup(logger, config, 'sentinel')
  sentinel = new Sentinel(server, settings)
  try {
    await server.start()
  } catch (cause) {
    if (pidfile) removePidFile(pidfile)
    if (cause instanceof ListenError) {
      logListenFailure(logger, config, cause)
    } else {
      logger.warning(`Fatal error: ${(cause as Error).message}. Exiting.`)
    }
    process.exit(1)
  }
  sentinel.start()

  const onSignal = (signal: string) => {
    logger.warning(`Received ${signal} scheduling shutdown...`)
    void server.shutdown()
  }
  process.on('SIGTERM', () => onSignal('SIGTERM'))
  process.on('SIGINT', () => onSignal('SIGINT'))
}
