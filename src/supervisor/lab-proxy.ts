// The failure lab's proxy process (proxy/main.ts) for a topology started with --lab: its config, launch,
// stop and the control requests the fault commands send it. A proxy that does not answer is an error, never
// a silent pass: no rule can be in force then, and the nodes cannot reach each other at all.

import {existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync} from 'node:fs'
import {connect} from 'node:net'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {writeFileAtomic} from '../common/atomic-write.js'
import type {ControlReply, ControlRequest} from '../proxy/control.js'
import type {ProxyConfig} from '../proxy/proxy.js'
import type {LabPlan} from '../topology/lab-plan.js'
import type {TopologyPlan} from '../topology/plan.js'
import {isAlive, isOurProcess, waitForExit} from './process.js'

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

export class LabProxyError extends Error {
  override readonly name = 'LabProxyError'
}

export function labOf(plan: TopologyPlan): LabPlan {
  if (!plan.lab) throw new LabProxyError('this topology was started without --lab, so it has no proxy to cut or slow links (rtopo down, then rtopo up --lab …)')
  return plan.lab
}

/** The proxy's pid when it runs (checked through /proc like a node's), else undefined. */
export function proxyPid(lab: LabPlan): number | undefined {
  if (!existsSync(lab.proxy.pidfile)) return undefined
  const pid = Number(readFileSync(lab.proxy.pidfile, 'utf8').trim())
  return Number.isInteger(pid) && pid > 0 && isOurProcess(pid, lab.proxy) ? pid : undefined
}

export function writeProxyConfig(plan: TopologyPlan): void {
  const lab = labOf(plan)
  mkdirSync(lab.proxy.dir, {recursive: true})
  const sources: Record<string, string> = {}
  for (const [node, address] of Object.entries(lab.sources)) sources[address] = node
  const config: ProxyConfig & {pidfile: string; logfile: string} = {
    control: lab.proxy.control, rulesFile: lab.proxy.rulesFile, pidfile: lab.proxy.pidfile, logfile: lab.proxy.logfile,
    links: plan.nodes.map((n) => ({node: n.id, listen: n.port, upstream: lab.ownPorts[n.id] as number})),
    sources,
  }
  writeFileAtomic(lab.proxy.conf, `${JSON.stringify(config, null, 2)}\n`)
}

/** Starts the proxy detached; resolves with its pid once its control socket answers. */
export async function launchProxy(plan: TopologyPlan, timeoutMs = 10_000): Promise<number> {
  const lab = labOf(plan)
  const running = proxyPid(lab)
  if (running !== undefined) return running
  rmSync(lab.proxy.pidfile, {force: true})
  writeProxyConfig(plan)
  const outPath = join(lab.proxy.dir, 'proxy.out')
  const out = openSync(outPath, 'a')
  const child = execa(process.execPath, [join(packageRoot, 'bin', 'rtopo-proxy.js'), lab.proxy.conf], {
    cwd: lab.proxy.dir, detached: true, cleanup: false, reject: false, stdin: 'ignore', stdout: out as unknown as 1, stderr: out as unknown as 2,
  })
  child.unref()
  child.catch(() => {})
  closeSync(out)
  const pid = child.pid
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (pid === undefined || !isAlive(pid) || child.exitCode !== null) {
      const why = existsSync(outPath) ? readFileSync(outPath, 'utf8').trim().split('\n').slice(-5).join('\n') : ''
      throw new LabProxyError(`the lab proxy exited during start-up${why ? `: ${why}` : ''}`)
    }
    if (proxyPid(lab) === pid) {
      try {
        await request(plan, {op: 'list'})
        return pid
      } catch {
        // not listening yet
      }
    }
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL')
      throw new LabProxyError(`the lab proxy did not start within ${timeoutMs} ms (see ${lab.proxy.logfile})`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

export async function stopProxy(plan: TopologyPlan): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!plan.lab) return 'not-running'
  const pid = proxyPid(plan.lab)
  if (pid === undefined) {
    rmSync(plan.lab.proxy.pidfile, {force: true})
    return 'not-running'
  }
  process.kill(pid, 'SIGTERM')
  if (await waitForExit(pid, 5000)) return 'stopped'
  process.kill(pid, 'SIGKILL')
  await waitForExit(pid, 5000)
  rmSync(plan.lab.proxy.pidfile, {force: true})
  return 'killed'
}

/** One control request; rejects when the proxy does not answer or refuses it. */
export async function request(plan: TopologyPlan, req: ControlRequest, timeoutMs = 3000): Promise<Extract<ControlReply, {ok: true}>> {
  const lab = labOf(plan)
  const reply = await new Promise<ControlReply>((resolve, reject) => {
    const socket = connect(lab.proxy.control)
    let buffered = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new LabProxyError(`the lab proxy did not answer within ${timeoutMs} ms (see ${lab.proxy.logfile})`))
    }, timeoutMs)
    socket.setEncoding('utf8')
    socket.on('connect', () => socket.write(`${JSON.stringify(req)}\n`))
    socket.on('data', (chunk: string) => {
      buffered += chunk
      const at = buffered.indexOf('\n')
      if (at < 0) return
      clearTimeout(timer)
      socket.end()
      try {
        resolve(JSON.parse(buffered.slice(0, at)) as ControlReply)
      } catch (cause) {
        reject(new LabProxyError(`the lab proxy sent a bad reply: ${(cause as Error).message}`))
      }
    })
    socket.on('error', (cause) => {
      clearTimeout(timer)
      reject(new LabProxyError(`the lab proxy is not running (${(cause as Error).message}); restart it with rtopo start proxy`))
    })
  })
  if (!reply.ok) throw new LabProxyError(`the lab proxy refused: ${reply.error}`)
  return reply
}
