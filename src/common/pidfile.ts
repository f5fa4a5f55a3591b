// The pidfile: written at start, removed at clean exit (server.c createPidFile / removePidFile).

import {readFileSync, rmSync, writeFileSync} from 'node:fs'

export function writePidFile(path: string, pid = process.pid): void {
  writeFileSync(path, `${pid}\n`)
}

/** Removes the pidfile only if it still names this process (a restarted node may have replaced it). */
export function removePidFile(path: string, pid = process.pid): void {
  try {
    if (Number(readFileSync(path, 'utf8').trim()) === pid) rmSync(path, {force: true})
  } catch {
    // Already gone.
  }
}
