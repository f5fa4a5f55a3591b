// Runs the built CLI (node bin/run.js) in a temp state dir; teardown runs `rtopo down`, then kills any node
// whose pidfile lies under that dir and whose command line or cwd names it, so a failing test leaves nothing.

import {existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {projectRoot} from './nodes.js'

export interface CliRun {
  exitCode: number
  stdout: string
  stderr: string
}

export class CliSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'rtopo-cli-'))

  async run(...args: string[]): Promise<CliRun> {
    const result = await execa(process.execPath, [join(projectRoot, 'bin', 'run.js'), ...args, '--dir', this.dir], {
      reject: false, cwd: existsSync(this.dir) ? this.dir : tmpdir(), env: {NO_COLOR: '1', OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}, timeout: 180_000,
    })
    return {exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr)}
  }

  /** Starts a long-running command (`logs -f`); the caller must kill it. */
  spawn(...args: string[]) {
    return execa(process.execPath, [join(projectRoot, 'bin', 'run.js'), ...args, '--dir', this.dir], {
      reject: false, cwd: this.dir, env: {NO_COLOR: '1', OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}, timeout: 60_000,
    })
  }

  async json<T>(...args: string[]): Promise<T> {
    const result = await this.run(...args, '--json')
    if (result.exitCode !== 0) throw new Error(`rtopo ${args.join(' ')} failed (${result.exitCode}): ${result.stdout}${result.stderr}`)
    return JSON.parse(result.stdout) as T
  }

  async cleanup(): Promise<void> {
    await this.run('down')
    for (const pid of this.pidsUnderDir()) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    rmSync(this.dir, {recursive: true, force: true})
  }

  private pidsUnderDir(): number[] {
    if (!existsSync(this.dir)) return []
    const pids: number[] = []
    for (const nodeDir of readdirSync(this.dir)) {
      const path = join(this.dir, nodeDir)
      const pidfile = statSync(path).isDirectory() && readdirSync(path).find((f) => f.endsWith('.pid'))
      if (!pidfile) continue
      const pid = Number(readFileSync(join(path, pidfile), 'utf8').trim())
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        if (cmdline.includes(this.dir) || readlinkSync(`/proc/${pid}/cwd`).startsWith(this.dir)) pids.push(pid)
      } catch {
        // Not running.
      }
    }
    return pids
  }
}
