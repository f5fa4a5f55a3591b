// Debian's chromium for the report tests: where it is (or why the tests skip), and a runner that gives each
// run its own profile directory, a hard timeout, and kills the whole process group it started, so no browser
// process outlives a test.

import {spawn} from 'node:child_process'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const which = (name: string): string | undefined => {
  try {
    return execFileSync('which', [name], {encoding: 'utf8'}).trim() || undefined
  } catch {
    return undefined
  }
}

/** The chromium binary when installed. */
export const chromium: string | undefined = which('chromium') ?? which('chromium-browser')

/** Why browser tests skip, or undefined when they can run. */
export const chromiumMissing: string | undefined = chromium ? undefined : 'chromium not on PATH (apt-get install chromium)'

export interface ChromiumResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

const killGroup = (pid: number | undefined): void => {
  if (pid === undefined) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Runs headless chromium with `args` and the given URL; rejects after `timeoutMs` (the process group is killed
 * first). The profile lives in a fresh temp directory that is removed afterwards.
 */
export async function runChromium(args: string[], url: string, timeoutMs = 60_000): Promise<ChromiumResult> {
  if (!chromium) throw new Error(chromiumMissing)
  const profile = mkdtempSync(join(tmpdir(), 'rtopo-chromium-'))
  const child = spawn(chromium, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check',
    '--disable-extensions', '--disable-background-networking', '--disable-sync', '--mute-audio', '--hide-scrollbars',
    `--user-data-dir=${profile}`, ...args, url,
  ], {detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, DBUS_SESSION_BUS_ADDRESS: 'disabled:'}})
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  try {
    return await new Promise<ChromiumResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        killGroup(child.pid)
        reject(new Error(`chromium did not finish within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`))
      }, timeoutMs)
      child.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
      child.once('close', (code, signal) => {
        clearTimeout(timer)
        resolve({code, signal, stdout, stderr})
      })
    })
  } finally {
    killGroup(child.pid)
    rmSync(profile, {recursive: true, force: true})
  }
}
