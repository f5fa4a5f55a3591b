import {Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag, groupFlag} from '../flags.js'
import {reportFlag, workloadFlags, workloadGroup, workloadOptions} from '../load-flags.js'
import {auditSummary, saveReport, showLive, writeSamples} from '../tasks/load-view.js'
import {startWorkload} from '../../lab/workload.js'
import type {AuditReport} from '../../lab/types.js'

export interface LoadResult {
  group: string
  audit: AuditReport
  /** The HTML report written for --report. */
  reportPath?: string
}

export default class Load extends RtopoCommand {
  static override summary = 'Run an application workload through the sentinels and audit it'
  static override description = `Opens --clients connections in Sentinel mode (ioredis, or node-redis's createSentinel), as an application would, and writes unique keys at --rate (max: as fast as replies come back), reading keys acknowledged earlier when --mix asks for reads. A line per second shows throughput, errors and the p99 latency of that second. It ends after --duration seconds or on Ctrl-C, then reads every acknowledged write back from the master the sentinels name and prints the audit: writes acknowledged, failed and LOST (acknowledged but missing on the master), stale reads, the longest unavailability window and latency percentiles. Break the topology from another terminal meanwhile (rtopo kill master, rtopo pause master) to watch what the application sees.`
  static override examples = [
    '<%= config.bin %> load --duration 10',
    '<%= config.bin %> load --clients 8 --rate max --mix 80:20 --read-from replicas',
    '<%= config.bin %> load --client node-redis --wait-replicas 1 --json',
  ]

  static override flags = {
    dir: dirFlag,
    group: groupFlag,
    duration: Flags.string({description: 'seconds to run; without it the workload runs until Ctrl-C'}),
    report: reportFlag,
    ...workloadFlags,
  }

  async run(): Promise<LoadResult> {
    const {flags} = await this.parse(Load)
    const plan = this.loadPlan(flags.dir)
    const group = workloadGroup(plan, flags.group)
    const durationMs = flags.duration === undefined ? undefined : parseDuration(flags.duration)
    const options = workloadOptions(plan, flags, group, durationMs)
    let workload
    try {
      workload = await startWorkload(plan, options)
    } catch (cause) {
      throw new RtopoError((cause as Error).message, ['rtopo status', 'rtopo verify'])
    }
    const until = durationMs === undefined ? 'Ctrl-C ends it' : `for ${durationMs / 1000} s (Ctrl-C ends it earlier)`
    if (!this.jsonEnabled()) this.log(`load on ${group}: ${options.clients} ${options.client} client(s), rate ${options.rate}, set:get ${options.mix.set}:${options.mix.get}, keys ${workload.keyPrefix}*, ${until}`)
    const stopLive = showLive({log: (l) => this.log(l), json: this.jsonEnabled()}, workload)
    let onSignal: (() => void) | undefined
    const interrupted = new Promise<void>((resolve) => {
      onSignal = resolve
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await Promise.race([workload.finished, interrupted])
    if (onSignal) {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
    stopLive()
    if (!this.jsonEnabled()) this.log('stopping the clients and reading every acknowledged write back …')
    const audit = await workload.stop()
    if (flags.samples) writeSamples(flags.samples, workload)
    const result: LoadResult = {group, audit}
    if (flags.report) result.reportPath = await saveReport(flags.report, audit)
    if (!this.jsonEnabled()) {
      for (const line of auditSummary(audit)) this.log(line)
      if (result.reportPath) this.log(`report: ${result.reportPath}`)
    }
    return result
  }
}

function parseDuration(text: string): number {
  const seconds = Number(text)
  if (!Number.isFinite(seconds) || seconds <= 0) throw new RtopoError(`--duration must be a positive number of seconds; got '${text}'`, ['rtopo load --duration 10'])
  return Math.round(seconds * 1000)
}
