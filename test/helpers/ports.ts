// Free loopback ports that stay unique across parallel test processes: a port that binds, below the
// kernel's ephemeral range, and an exclusive lock file (os.tmpdir()/rtopo-test-ports/<port>) reserves it
// for this process.

import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const lockDir = join(tmpdir(), 'rtopo-test-ports')
const held = new Set<number>()

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const tryLock = (port: number): boolean => {
  const path = join(lockDir, String(port))
  try {
    writeFileSync(path, String(process.pid), {flag: 'wx'})
    return true
  } catch {
    const owner = Number(readFileSync(path, 'utf8'))
    if (owner && !isAlive(owner)) {
      rmSync(path, {force: true})
      return tryLock(port)
    }
    return false
  }
}

// The kernel hands out local ports of outgoing connections from this range; a port range for a later
// listen must lie below it, or a client socket opened meanwhile can take one of its ports.
const ephemeralRangeStart = (): number => {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
    return Number.isInteger(start) && start > 12000 ? start : 32768
  } catch {
    return 32768
  }
}

/**
 * Reserves `count` consecutive free ports (for CLI runs that take a base port and count up), below the
 * ephemeral range so that no outgoing connection takes one before the run listens on it.
 * Each port is checked by binding it and locked like freePort().
 */
export async function freePortRange(count: number): Promise<number> {
  mkdirSync(lockDir, {recursive: true})
  const low = 10000
  const span = ephemeralRangeStart() - count - low
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = low + Math.floor(Math.random() * span)
    const ports = Array.from({length: count}, (_, i) => base + i)
    if (ports.some((p) => p === 6379 || p === 26379 || held.has(p))) continue
    const locked: number[] = []
    let ok = true
    for (const port of ports) {
      if (!(await canBind(port)) || !tryLock(port)) {
        ok = false
        break
      }
      locked.push(port)
    }
    if (ok) {
      for (const p of locked) held.add(p)
      return base
    }
    for (const p of locked) rmSync(join(lockDir, String(p)), {force: true})
  }
  throw new Error(`could not reserve ${count} consecutive free ports`)
}

/** Reserves one free port on 127.0.0.1 (never 6379/26379), below the ephemeral range like freePortRange(). */
export async function freePort(): Promise<number> {
  return freePortRange(1)
}

const canBind = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })

process.on('exit', () => {
  for (const port of held) rmSync(join(lockDir, String(port)), {force: true})
})
