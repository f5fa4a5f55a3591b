// JUnit XML of a scenario run (junit-report-builder: escaping, CDATA splitting): one <testsuite> per run of
// the scenario, one <testcase> per step (and one for the teardown when the run made it), times in seconds.
// Steps that check something (assert, verify, wait-for) fail as <failure>; steps that act (up, kill …) as
// <error>, the JUnit distinction between an expectation that was false and a run that could not go on.
// Skipped steps (after a failure) are <skipped/>.

import junitDefault, {type Builder} from 'junit-report-builder'
import type {RunResult, StepResult} from './runner.js'

// The package is CommonJS (module.exports = a builder) while its types declare an ES default export.
const junit = ((junitDefault as unknown as {default?: Builder}).default ?? junitDefault) as unknown as Builder

const CHECKS = new Set(['assert', 'verify', 'wait-for'])

const secondsOf = (ms: number): number => Math.round(ms) / 1000

export function junitXml(result: RunResult): string {
  const builder = junit.newBuilder().name(`rtopo run ${result.file}`)
  for (const run of result.runs) {
    const suite = builder.testSuite()
      .name(result.repeat > 1 ? `${result.name} (run ${run.run} of ${result.repeat})` : result.name)
      .time(secondsOf(run.elapsedMs))
      .timestamp(new Date(run.startedAt))
      .property('file', result.file)
      .property('dir', run.dir)
      .property('run', String(run.run))
    const add = (step: StepResult, name: string): void => {
      const testCase = suite.testCase().className(result.name).name(name).time(secondsOf(step.elapsedMs)).file(result.file)
      if (step.status === 'skipped') testCase.skipped()
      else if (step.status === 'failed') {
        const message = step.message ?? 'failed'
        const details = step.details ?? `${result.file}:${step.line}`
        if (CHECKS.has(step.kind)) testCase.failure(message, 'StepFailure').stacktrace(details)
        else testCase.error(message, 'StepError', details)
      }
      if (step.summary) testCase.standardOutput(step.summary)
    }
    for (const step of run.steps) add(step, `${step.index + 1}. ${step.label} (line ${step.line})`)
    if (run.teardown) add(run.teardown, run.teardown.label)
  }
  return builder.build()
}
