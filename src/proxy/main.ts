// rtopo-proxy <proxy.json>: the lab proxy process. Writes its pidfile once every listener is up, logs each
// rule change, and on SIGTERM/SIGINT closes its listeners and connections and removes its pidfile.

import {appendFileSync, readFileSync, rmSync} from 'node:fs'
import {writeFileAtomic} from '../common/atomic-write.js'
import {formatLogTime} from '../common/logger.js'
import {listenControl} from './control.js'
import {LabProxy, type ProxyConfig} from './proxy.js'

interface ProxyFiles extends ProxyConfig {
  pidfile: string
  logfile: string
}

export async function main(argv: string[]): Promise<void> {
  const file = argv[0]
  if (!file) {
    process.stderr.write('Usage: rtopo-proxy <proxy.json>\n')
    process.exit(1)
  }
  let config: ProxyFiles
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as ProxyFiles
  } catch (cause) {
    process.stderr.write(`rtopo-proxy: cannot read ${file}: ${(cause as Error).message}\n`)
    process.exit(1)
  }
  const log = (line: string) => appendFileSync(config.logfile, `${process.pid}:P ${formatLogTime(new Date())} * ${line}\n`)
  const proxy = new LabProxy(config, log)
  try {
    await proxy.start()
  } catch (cause) {
    log(`could not start: ${(cause as Error).message}`)
    process.stderr.write(`rtopo-proxy: ${(cause as Error).message}\n`)
    process.exit(1)
  }
  const control = await listenControl(proxy, config.control)
  writeFileAtomic(config.pidfile, `${process.pid}\n`)
  log('ready')
  const shutdown = () => {
    log('shutting down')
    proxy.stop()
    control.close()
    rmSync(config.control, {force: true})
    rmSync(config.pidfile, {force: true})
    process.exit(0)
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
}
