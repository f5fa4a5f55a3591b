// Checks ports before anything starts: a busy port is named, with the process that holds it when /proc tells.

import {readdirSync, readFileSync, readlinkSync} from 'node:fs'
import {createServer} from 'node:net'

export const isPortFree = (port: number, host = '127.0.0.1'): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({port, host, exclusive: true}, () => server.close(() => resolve(true)))
  })

/**
 * The first base port, from `from` on, where `count` consecutive ports are all free and valid (below 65536,
 * never 6379/26379), for a suggestion after a busy port; undefined when none is found.
 */
export async function freeBaseFrom(from: number, count: number, avoid: ReadonlySet<number> = new Set()): Promise<number | undefined> {
  const start = Math.max(1024, Math.min(from, 65536 - count))
  const bases = [...baseRange(start, 65536 - count, count), ...baseRange(1024, start, count)]
  for (const base of bases) {
    const ports = Array.from({length: count}, (_, i) => base + i)
    if (ports.some((p) => p === 6379 || p === 26379 || avoid.has(p))) continue
    let free = true
    for (const p of ports) {
      if (!(await isPortFree(p))) {
        free = false
        break
      }
    }
    if (free) return base
  }
  return undefined
}

function* baseRange(from: number, to: number, step: number): Generator<number> {
  for (let base = from; base < to; base += step) yield base
}

/** "pid 123 (redis-server)" for the process listening on a TCP port, when it can be found. */
export function portOwner(port: number): string | undefined {
  try {
    const hex = port.toString(16).toUpperCase().padStart(4, '0')
    const inodes = new Set<string>()
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/)
        if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A') inodes.add(cols[9] as string)
      }
    }
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      let fds: string[]
      try {
        fds = readdirSync(`/proc/${pid}/fd`)
      } catch {
        continue
      }
      for (const fd of fds) {
        try {
          const target = readlinkSync(`/proc/${pid}/fd/${fd}`)
          const inode = /socket:\[(\d+)\]/.exec(target)?.[1]
          if (inode && inodes.has(inode)) return `pid ${pid} (${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()})`
        } catch {
          // The fd closed while we looked.
        }
      }
    }
  } catch {
    // No /proc: the owner stays unknown.
  }
  return undefined
}
