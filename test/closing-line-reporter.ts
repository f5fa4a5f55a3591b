// Prints the plain closing line `N passed, N failed` that CI reads, always last on stdout, after the run's wall
// time (the build and checks of pretest not included).
import type {Reporter, SerializedError, TestModule} from 'vitest/node'

export default class ClosingLineReporter implements Reporter {
  private startedAt = Date.now()

  onInit(): void {
    this.startedAt = Date.now()
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const mod of modules) {
      let moduleFailed = 0
      for (const t of mod.children.allTests()) {
        const state = t.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') moduleFailed++
        else if (state === 'skipped') skipped++
      }
      // A file that fails to import or collect has no failed test of its own; count it once.
      if (moduleFailed === 0 && mod.state() === 'failed') moduleFailed = 1
      failed += moduleFailed
    }
    failed += unhandled.length
    process.stdout.write(`wall time ${((Date.now() - this.startedAt) / 1000).toFixed(1)} s\n`)
    process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`)
  }
}
