// Free loopback ports that stay unique across parallel test processes: the kernel picks an ephemeral
// port, and an exclusive lock file (os.tmpdir()/rtopo-test-ports/<port>) reserves it for this process.

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

const ephemeralPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })

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

/** Reserves one free port on 127.0.0.1 (never 6379/26379). */
export async function freePort(): Promise<number> {
  mkdirSync(lockDir, {recursive: true})
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = await ephemeralPort()
    // Sentinel ports and `--port N` ranges use port+1…; keep clear of the user's defaults.
    if (port === 6379 || port === 26379 || held.has(port)) continue
    if (tryLock(port)) {
      held.add(port)
      return port
    }
  }
  throw new Error('could not reserve a free port after 200 attempts')
}

/**
 * Reserves `count` consecutive free ports (for CLI runs that take a base port and count up).
 * Each port is checked by binding it and locked like freePort().
 */
export async function freePortRange(count: number): Promise<number> {
  mkdirSync(lockDir, {recursive: true})
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000)
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

const canBind = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })

process.on('exit', () => {
  for (const port of held) rmSync(join(lockDir, String(port)), {force: true})
})
