// Finds the real Redis 7.0 binaries (the oracle), or says why they are missing so tests can skip visibly.

import {execFileSync} from 'node:child_process'

export interface RealRedis {
  server: string
  sentinel: string
  cli: string | undefined
  version: string
}

const which = (name: string): string | undefined => {
  try {
    return execFileSync('which', [name], {encoding: 'utf8'}).trim() || undefined
  } catch {
    return undefined
  }
}

const found = (() => {
  const server = which('redis-server')
  const sentinel = which('redis-sentinel')
  if (!server || !sentinel) return undefined
  const version = /v=(\d+\.\d+\.\d+)/.exec(execFileSync(server, ['--version'], {encoding: 'utf8'}))?.[1] ?? 'unknown'
  return {server, sentinel, cli: which('redis-cli'), version}
})()

/** The real Redis binaries when installed. */
export const realRedis: RealRedis | undefined = found

/** Why real-Redis tests skip, or undefined when they can run. */
export const realRedisMissing: string | undefined = found
  ? undefined
  : 'redis-server/redis-sentinel 7.0 not on PATH (apt-get install redis-server redis-sentinel redis-tools)'

/** redis-cli path, or undefined. */
export const redisCli: string | undefined = which('redis-cli')
