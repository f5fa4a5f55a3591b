// Runs a parsed scenario: the steps in order, each timed and shown live as a listr2 task (plain lines when
// stdout is not a TTY, nothing under --json), skipping the rest once one fails; then, always, the teardown:
// a running workload is stopped and, when this run started the topology and no `down` step ended it, `rtopo
// down` runs, so a failing scenario leaves no node behind. --repeat runs it again on a fresh topology and the
// result aggregates passes and failures per step.

import {existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {Listr} from 'listr2'
import type {Workload} from '../lab/workload.js'
import {readPid} from '../supervisor/process.js'
import type {TopologyPlan} from '../topology/plan.js'
import {readState} from '../topology/state-file.js'
import {SentinelEvents} from './events.js'
import type {Facts} from './fields.js'
import type {ParsedStep, Scenario} from './parse.js'
import {STEPS, StepFailure, type StepContext} from './steps.js'

export type StepStatus = 'passed' | 'failed' | 'skipped'

export interface StepResult {
  /** 0-based position in the file's steps; -1 for the teardown. */
  index: number
  kind: string
  label: string
  line: number
  status: StepStatus
  elapsedMs: number
  summary?: string
  message?: string
  details?: string
  data?: unknown
}

export interface ScenarioRun {
  /** 1-based. */
  run: number
  ok: boolean
  dir: string
  startedAt: string
  elapsedMs: number
  steps: StepResult[]
  /** The `down` the run made itself (it started the topology and no down step stopped it). */
  teardown?: StepResult
}

export interface StepTally {
  index: number
  kind: string
  label: string
  line: number
  passed: number
  failed: number
  skipped: number
  /** 1-based numbers of the runs in which the step failed. */
  failedRuns: number[]
}

export interface RunResult {
  file: string
  name: string
  description?: string
  ok: boolean
  repeat: number
  passed: number
  failed: number
  runs: ScenarioRun[]
  steps: StepTally[]
  junit?: string
}

type ListrOptions = {renderer?: 'silent'; fallbackRendererCondition: boolean}

export interface RunnerOptions {
  /** The state directory; with repeat > 1 each run gets <dir>/run-<n>. */
  dir: string
  repeat: number
  listrOptions: ListrOptions
  log(line: string): void
}

const projectRoot = fileURLToPath(new URL('../..', import.meta.url))
const cliEntry = join(projectRoot, 'bin', 'run.js')
const CLI_TIMEOUT_MS = 600_000
/** The folder the CLI steps run in (rtopo.ini there sets defaults for up); a purge may remove the state dir under our feet. */
const startCwd = process.cwd()
const cliCwd = (): string => (existsSync(startCwd) ? startCwd : tmpdir())

/** The step as the live view and the report name it: its own name, or kind, main value and options. */
export function stepLabel(step: ParsedStep): string {
  if (step.name) return step.name
  const spec = STEPS[step.kind]
  const main = spec?.positional !== undefined ? step.options[spec.positional] : undefined
  const text = (v: unknown): string => (Array.isArray(v) ? v.join(',') : typeof v === 'object' && v !== null ? Object.entries(v).map(([k, x]) => `${k}:${x}`).join(',') : String(v))
  const rest = Object.entries(step.options).filter(([k]) => k !== spec?.positional).map(([k, v]) => `${k}=${text(v)}`)
  return [step.kind, ...(main === undefined ? [] : [text(main)]), ...rest].join(' ')
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** The state of one run, handed to the steps. */
class RunState implements StepContext {
  readonly facts: Facts = {}
  workload: Workload | undefined
  started = false
  /** The teardown's own commands must run even after an interrupt. */
  tearingDown = false
  private watcher: SentinelEvents | undefined
  output: (line: string) => void = () => {}

  constructor(readonly dir: string, readonly signal: AbortSignal) {}

  async cli(args: string[]): Promise<unknown> {
    const result = await execa(process.execPath, [cliEntry, ...args, '--json', '--dir', this.dir], {
      reject: false, stdin: 'ignore', timeout: CLI_TIMEOUT_MS, cwd: cliCwd(), cancelSignal: this.tearingDown ? undefined : this.signal, env: {NO_COLOR: '1', OCLIF_SKIP_NEW_VERSION_CHECK: 'true'},
    })
    const stdout = String(result.stdout).trim()
    const stderr = String(result.stderr).trim()
    let json: {status?: string; error?: {message?: string; suggestions?: string[]}} | undefined
    try {
      json = JSON.parse(stdout)
    } catch {
      json = undefined
    }
    if (result.exitCode === 0 && json !== undefined) return json
    const command = `rtopo ${args.join(' ')}`
    if (result.isCanceled) throw new StepFailure(`interrupted: ${command} was stopped`)
    const message = json?.error?.message ?? stderr.split('\n').find((l) => l.trim() !== '') ?? (result.exitCode === undefined && result.signal === undefined ? `${command} could not run: ${result.shortMessage}` : `${command} exited with ${result.exitCode ?? result.signal}${result.timedOut ? ' (timed out)' : ''}`)
    const details = [
      `$ ${command} --json --dir ${this.dir}   (exit ${result.exitCode ?? result.signal})`,
      ...(json?.error?.suggestions?.length ? ['Try this:', ...json.error.suggestions.map((s) => `  ${s}`)] : []),
      ...(stderr ? ['--- stderr ---', stderr.split('\n').slice(-30).join('\n')] : []),
    ].join('\n')
    throw new StepFailure(message, details, json)
  }

  plan(): TopologyPlan {
    let plan: TopologyPlan | undefined
    try {
      plan = readState(this.dir)
    } catch (cause) {
      throw new StepFailure((cause as Error).message)
    }
    if (!plan) throw new StepFailure(`no topology in ${this.dir} (start one with an up step)`)
    return plan
  }

  events(): SentinelEvents | undefined {
    return this.watcher
  }

  topologyStarting(): void {
    this.started = true
  }

  async topologyUp(): Promise<void> {
    this.watcher?.stop()
    const plan = this.plan()
    if (!plan.nodes.some((n) => n.kind === 'sentinel')) return
    this.watcher = new SentinelEvents(plan)
    await this.watcher.ensure()
  }

  topologyDown(): void {
    this.started = false
    this.watcher?.stop()
    this.watcher = undefined
  }

  stopWatching(): void {
    this.watcher?.stop()
  }
}

export async function runScenario(scenario: Scenario, options: RunnerOptions): Promise<RunResult> {
  const runs: ScenarioRun[] = []
  let interrupted = false
  const abort = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) process.exit(130)
    interrupted = true
    abort.abort(new Error(`interrupted by ${signal}`))
    options.log(`\n${signal}: stopping after the current step and tearing down (again to quit at once)`)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    for (let n = 1; n <= options.repeat; n++) {
      if (interrupted) break
      const dir = options.repeat > 1 ? join(options.dir, `run-${n}`) : options.dir
      if (options.repeat > 1) options.log(`\n${scenario.name}: run ${n} of ${options.repeat} (state in ${dir})`)
      runs.push(await runOnce(scenario, n, dir, options, abort.signal))
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  const steps: StepTally[] = scenario.steps.map((step, index) => {
    const results = runs.map((r) => r.steps[index] as StepResult)
    return {
      index, kind: step.kind, label: stepLabel(step), line: step.pos.line,
      passed: results.filter((r) => r.status === 'passed').length,
      failed: results.filter((r) => r.status === 'failed').length,
      skipped: results.filter((r) => r.status === 'skipped').length,
      failedRuns: runs.filter((r) => r.steps[index]?.status === 'failed').map((r) => r.run),
    }
  })
  const passed = runs.filter((r) => r.ok).length
  return {
    file: scenario.file, name: scenario.name, ...(scenario.description ? {description: scenario.description} : {}),
    ok: passed === runs.length && runs.length === options.repeat, repeat: options.repeat, passed, failed: runs.length - passed, runs, steps,
  }
}

async function runOnce(scenario: Scenario, run: number, dir: string, options: RunnerOptions, signal: AbortSignal): Promise<ScenarioRun> {
  const state = new RunState(dir, signal)
  const interrupted = (): boolean => signal.aborted
  const startedAt = new Date()
  const t0 = performance.now()
  const results: StepResult[] = scenario.steps.map((step) => ({
    index: step.index, kind: step.kind, label: stepLabel(step), line: step.pos.line, status: 'skipped', elapsedMs: 0,
  }))
  let failed = false
  const tasks = scenario.steps.map((step) => {
    const result = results[step.index] as StepResult
    const title = `${step.index + 1}. ${result.label}`
    return {
      title,
      task: async (_: unknown, task: {title: string; output: string; skip(message?: string): void}) => {
        if (failed || interrupted()) {
          result.message = interrupted() ? 'interrupted' : 'an earlier step failed'
          task.skip(`${title} (skipped: ${result.message})`)
          return
        }
        state.output = (line) => {
          task.output = line
        }
        const spec = STEPS[step.kind]
        const started = performance.now()
        try {
          if (!spec) throw new StepFailure(`unknown step '${step.kind}'`)
          const outcome = await spec.execute(step.options, state, step.expr)
          result.status = 'passed'
          result.summary = outcome.summary
          if (outcome.data !== undefined) result.data = outcome.data
        } catch (cause) {
          result.status = 'failed'
          result.message = (cause as Error).message
          result.details = [`${scenario.file}:${step.pos.line}: step ${step.index + 1} (${step.kind})`, cause instanceof StepFailure ? cause.details : (cause as Error).stack]
            .filter(Boolean).join('\n')
          if (cause instanceof StepFailure && cause.data !== undefined) result.data = cause.data
          failed = true
        } finally {
          result.elapsedMs = Math.round(performance.now() - started)
        }
        if (result.status === 'failed') {
          task.title = `${title} (${seconds(result.elapsedMs)})`
          throw new Error(result.message)
        }
        task.title = `${title}: ${result.summary} (${seconds(result.elapsedMs)})`
      },
    }
  })
  let teardown: StepResult | undefined
  try {
    await new Listr(tasks as never, {...options.listrOptions, exitOnError: false, concurrent: false, registerSignalListeners: false}).run()
  } catch (cause) {
    // A renderer failure: the step results already say what ran.
    if (!failed) {
      failed = true
      options.log(`the live view failed: ${(cause as Error).message}`)
    }
  } finally {
    teardown = await tearDown(scenario, state, options)
  }
  return {
    run, ok: !failed && results.every((r) => r.status === 'passed') && teardown?.status !== 'failed',
    dir, startedAt: startedAt.toISOString(), elapsedMs: Math.round(performance.now() - t0), steps: results, ...(teardown ? {teardown} : {}),
  }
}

/** Stops what the run left: a workload, the sentinel watch, and the topology when this run started it. */
async function tearDown(scenario: Scenario, state: RunState, options: RunnerOptions): Promise<StepResult | undefined> {
  if (state.workload) {
    const workload = state.workload
    state.workload = undefined
    try {
      await workload.stop()
    } catch {
      // Its clients are closed either way; the scenario's result is what the steps said.
    }
  }
  state.stopWatching()
  if (!state.started) return undefined
  state.tearingDown = true
  const started = performance.now()
  const result: StepResult = {index: -1, kind: 'down', label: 'teardown: down', line: 0, status: 'passed', elapsedMs: 0}
  try {
    const down = (await state.cli(['down'])) as {stopped: string[]}
    const plan = readState(state.dir)
    const left = plan?.nodes.filter((n) => readPid(n).state === 'running') ?? []
    if (left.length > 0) throw new StepFailure(`still running after down: ${left.map((n) => `${n.id} (port ${n.port})`).join(', ')}`)
    result.summary = `stopped ${down.stopped.length} node(s)`
  } catch (cause) {
    // "no topology": up failed before it wrote one, so there is nothing to stop.
    if (cause instanceof StepFailure && /^no topology in /.test(cause.message)) {
      result.summary = 'nothing to stop'
    } else {
      result.status = 'failed'
      result.message = (cause as Error).message
      result.details = [`${scenario.file}: teardown`, cause instanceof StepFailure ? cause.details : undefined].filter(Boolean).join('\n')
    }
  }
  result.elapsedMs = Math.round(performance.now() - started)
  state.topologyDown()
  options.log(result.status === 'passed' ? `teardown: ${result.summary} (${seconds(result.elapsedMs)})` : `teardown FAILED: ${result.message}`)
  return result
}
