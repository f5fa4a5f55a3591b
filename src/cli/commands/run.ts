import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {Args, Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {dirFlag} from '../flags.js'
import {junitXml} from '../../scenario/junit.js'
import {applySets, readScenario, ScenarioError, type Scenario} from '../../scenario/parse.js'
import {runScenario, type RunResult} from '../../scenario/runner.js'

export default class Run extends RtopoCommand {
  static override summary = 'Run a scenario file: build a topology, break it, assert what the application lost'
  static override description = `A scenario is a YAML file with a list of steps: up, kill, stop, start, pause, resume, failover, partition, latency, heal, verify, down (run through the CLI), and wait-for, sleep, load start / load stop and assert (run in this process). Each step is timed and shown live; after the first failing step the rest are skipped, and when the scenario started the topology it is always stopped at the end. Errors in the file name the file, line and step before anything runs.

assert takes a small expression language over the audit of the last load stop and the last fault: lost_writes == 0 and unavailable_ms < 5000, new_master != old_master. --junit writes JUnit XML (one testsuite per run, one testcase per step). --repeat N runs the scenario N times, each on a fresh topology in <dir>/run-<n>, and reports per step how many runs passed. --set STEP.OPTION=VALUE overrides an option of every step of that kind, e.g. up.port=7300. See docs/scenarios.md.`

  static override examples = [
    '<%= config.bin %> run examples/scenarios/kill-master.yaml',
    '<%= config.bin %> run examples/scenarios/kill-master-with-wait.yaml --junit reports/junit.xml',
    '<%= config.bin %> run examples/scenarios/pause-master.yaml --repeat 5 --json',
    '<%= config.bin %> run kill-master.yaml --set up.port=7300 --set up.sentinel-port=27300 --set up.engine=redis',
  ]

  static override args = {file: Args.string({description: 'the scenario file (YAML)', required: true})}
  static override flags = {
    dir: dirFlag,
    junit: Flags.string({description: 'write a JUnit XML report to this file'}),
    repeat: Flags.integer({description: 'run the scenario this many times, each on a fresh topology', default: 1, min: 1, max: 1000}),
    set: Flags.string({description: 'STEP.OPTION=VALUE: override an option of every step of that kind (repeatable), e.g. up.port=7300', multiple: true}),
  }

  async run(): Promise<RunResult> {
    const {args, flags} = await this.parse(Run)
    let scenario: Scenario
    try {
      scenario = readScenario(args.file)
      applySets(scenario, flags.set ?? [])
    } catch (cause) {
      if (cause instanceof ScenarioError) throw new RtopoError(cause.message, ['docs/scenarios.md describes every step and its options', 'rtopo run --help'], 2)
      throw cause
    }
    if (!this.jsonEnabled()) this.log(`${scenario.name}${scenario.description ? ` — ${scenario.description}` : ''} (${scenario.steps.length} steps, ${args.file})`)
    const result = await runScenario(scenario, {
      dir: resolve(flags.dir), repeat: flags.repeat, listrOptions: this.listrOptions(), log: (line) => this.log(line),
    })
    if (flags.junit) {
      const path = resolve(flags.junit)
      mkdirSync(dirname(path), {recursive: true})
      writeFileSync(path, junitXml(result))
      result.junit = path
    }
    this.printSummary(result)
    if (!result.ok) {
      const firstFailure = result.runs.flatMap((r) => [...r.steps, ...(r.teardown ? [r.teardown] : [])].filter((s) => s.status === 'failed').map((s) => ({run: r.run, step: s})))[0]
      const where = firstFailure ? ` — first failure: ${firstFailure.step.index >= 0 ? `step ${firstFailure.step.index + 1} (${firstFailure.step.label}) at ${result.file}:${firstFailure.step.line}` : 'the teardown'}${result.repeat > 1 ? ` in run ${firstFailure.run}` : ''}: ${firstFailure.step.message}` : ''
      throw new RtopoError(`scenario '${result.name}' failed in ${result.failed} of ${result.repeat} run(s)${where}`, [
        ...(result.junit ? [`the JUnit report is in ${result.junit}`] : []),
        `node logs stay in the state dir: rtopo logs <node> --dir ${result.runs.at(-1)?.dir ?? flags.dir}`,
      ], 1, {details: {...result}})
    }
    return result
  }

  private printSummary(result: RunResult): void {
    if (this.jsonEnabled()) return
    if (result.repeat > 1) {
      this.log(`\n${result.name}: ${result.passed} of ${result.repeat} runs passed`)
      for (const step of result.steps) {
        const failedIn = step.failedRuns.length > 0 ? `  failed in run ${step.failedRuns.join(', ')}` : ''
        this.log(`  ${String(step.index + 1).padStart(2)}. ${step.label.padEnd(48)} ${String(step.passed).padStart(3)} passed ${String(step.failed).padStart(3)} failed ${String(step.skipped).padStart(3)} skipped${failedIn}`)
      }
    } else {
      const run = result.runs[0]
      if (run) this.log(`\n${result.name}: ${run.ok ? 'passed' : 'FAILED'} in ${(run.elapsedMs / 1000).toFixed(1)} s`)
    }
    if (result.junit) this.log(`JUnit report: ${result.junit}`)
  }
}
