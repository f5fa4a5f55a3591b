// rtopo run end to end on the bundled engine: examples/scenarios/kill-master.yaml on test ports (--set) with
// its JUnit XML read back against the JUnit structure; a scenario whose assert is false exits non-zero,
// writes a <failure>, skips the rest and leaves no node running; --repeat on a tiny topology; and errors in
// the file (malformed YAML, unknown step, assert on an unknown field) that name file and line and start
// nothing.

import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {XMLParser} from 'fast-xml-parser'
import {afterAll, beforeAll, describe, expect, it, onTestFinished} from 'vitest'
import {CliSandbox} from '../helpers/cli.js'
import {projectRoot} from '../helpers/nodes.js'
import {freePortRange} from '../helpers/ports.js'

type Attrs = Record<string, any>

/** Reads JUnit XML and checks the structure of the JUnit schema: testsuites > testsuite > testcase, with the required attributes. */
function readJunit(path: string): {root: Attrs; suites: Attrs[]} {
  const xml = readFileSync(path, 'utf8')
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true)
  const doc = new XMLParser({ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property', 'failure', 'error'].includes(name)}).parse(xml)
  const root = doc.testsuites as Attrs
  expect(root).toBeDefined()
  const suites = root.testsuite as Attrs[]
  for (const suite of suites) {
    for (const attr of ['name', 'tests', 'failures', 'errors', 'time']) expect(suite, `testsuite@${attr}`).toHaveProperty(attr)
    expect(Number(suite.time)).toBeGreaterThanOrEqual(0)
    const cases = suite.testcase as Attrs[]
    expect(Number(suite.tests)).toBe(cases.length)
    expect(Number(suite.failures)).toBe(cases.filter((c) => c.failure).length)
    expect(Number(suite.errors)).toBe(cases.filter((c) => c.error).length)
    for (const c of cases) {
      for (const attr of ['name', 'classname', 'time']) expect(c, `testcase@${attr}`).toHaveProperty(attr)
      expect(Number.isFinite(Number(c.time))).toBe(true)
      for (const f of [...(c.failure ?? []), ...(c.error ?? [])]) expect(typeof f.message).toBe('string')
    }
  }
  return {root, suites}
}

/** Processes whose command line names the dir (the nodes' config paths lie under it). */
const processesUnder = (dir: string): string => {
  try {
    return execFileSync('pgrep', ['-af', dir], {encoding: 'utf8'}).split('\n').filter((l) => l && !l.includes('pgrep')).join('\n')
  } catch {
    return ''
  }
}

const runningPidfiles = (dir: string): string[] => {
  const alive: string[] = []
  const walk = (d: string): void => {
    if (!existsSync(d)) return
    for (const entry of readdirSync(d, {withFileTypes: true})) {
      const path = join(d, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.pid')) {
        const pid = Number(readFileSync(path, 'utf8').trim())
        try {
          process.kill(pid, 0)
          alive.push(`${path} (pid ${pid})`)
        } catch {
          // not running
        }
      }
    }
  }
  walk(dir)
  return alive
}

describe('rtopo run (bundled engine)', () => {
  const sandbox = new CliSandbox()
  const work = mkdtempSync(join(tmpdir(), 'rtopo-run-'))
  let port = 0
  let sentinelPort = 0

  beforeAll(async () => {
    port = await freePortRange(3)
    sentinelPort = await freePortRange(3)
  })

  afterAll(async () => {
    await sandbox.cleanup()
    rmSync(work, {recursive: true, force: true})
  })

  it('runs examples/scenarios/kill-master.yaml on test ports and writes JUnit XML', async () => {
    const junit = join(work, 'kill-master.xml')
    const file = join(projectRoot, 'examples', 'scenarios', 'kill-master.yaml')
    const result = await sandbox.run('run', file, '--set', `up.port=${port}`, '--set', `up.sentinel-port=${sentinelPort}`, '--junit', junit, '--json')
    expect(result.exitCode, result.stdout + result.stderr).toBe(0)
    const json = JSON.parse(result.stdout)
    expect(json).toMatchObject({ok: true, repeat: 1, passed: 1, failed: 0, name: 'kill the master', junit})
    const run = json.runs[0]
    expect(run.steps.map((s: Attrs) => [s.kind, s.status])).toEqual([['up', 'passed'], ['kill', 'passed'], ['wait-for', 'passed'], ['assert', 'passed'], ['down', 'passed']])
    expect(run.steps[0].data.nodes.map((n: Attrs) => n.port)).toEqual([port, port + 1, port + 2, sentinelPort, sentinelPort + 1, sentinelPort + 2])
    expect(run.steps[1].data.failover.newMaster.id).not.toBe('master-1')
    expect(run.teardown).toBeUndefined()

    const {root, suites} = readJunit(junit)
    expect(root.tests).toBe('5')
    expect(suites).toHaveLength(1)
    const suite = suites[0] as Attrs
    expect(suite).toMatchObject({name: 'kill the master', tests: '5', failures: '0', errors: '0'})
    expect((suite.testcase as Attrs[]).map((c) => c.name)).toEqual([
      expect.stringMatching(/^1\. up .*\(line 6\)$/), '2. kill master (line 7)', '3. wait-for +switch-master (line 8)',
      '4. assert new_master != old_master and failover_ms < 60000 (line 9)', '5. down (line 10)',
    ])
    expect(runningPidfiles(sandbox.dir)).toEqual([])
  }, 120_000)

  it('runs examples/scenarios/split-brain.yaml: load, partition and heal steps; the audit finds the writes the old master took', async () => {
    const base = await freePortRange(3)
    const sentinels = await freePortRange(3)
    const file = join(projectRoot, 'examples', 'scenarios', 'split-brain.yaml')
    const result = await sandbox.run('run', file, '--set', `up.port=${base}`, '--set', `up.sentinel-port=${sentinels}`, '--set', 'up.lab-offset=6', '--json')
    expect(result.exitCode, result.stdout + result.stderr).toBe(0)
    const run = JSON.parse(result.stdout).runs[0]
    expect(run.steps.map((s: Attrs) => s.kind)).toEqual(['up', 'load start', 'partition', 'sleep', 'heal', 'sleep', 'load stop', 'assert', 'assert', 'verify', 'down'])
    expect(run.steps.every((s: Attrs) => s.status === 'passed')).toBe(true)
    const partition = run.steps[2].data
    expect(partition.failover.newMaster.id).not.toBe('master-1')
    expect(run.steps[4].data.healed.length).toBeGreaterThan(0)
    const audit = run.steps[6].data
    expect(audit.fault).toMatchObject({kind: 'partition', node: 'master-1', port: base})
    expect(audit.readBack.from.port).toBe(partition.failover.newMaster.port)
    expect(audit.writes.lost).toBeGreaterThan(0)
    expect(audit.lostWrites).toHaveLength(Math.min(audit.writes.lost, 10_000))
    // Every lost write was acknowledged once the cut was under way (the fault is marked as the partition step
    // starts; what the old master acknowledged earlier had reached its replicas within milliseconds).
    for (const lost of audit.lostWrites) expect(lost.ackMs).toBeGreaterThanOrEqual(audit.fault.atMs - 1000)
    expect(runningPidfiles(sandbox.dir)).toEqual([])
  }, 150_000)

  it('a false assert fails the run, writes a JUnit failure, skips the rest and tears the topology down', async () => {
    const base = await freePortRange(2)
    const file = join(work, 'failing.yaml')
    writeFileSync(file, [
      'name: failing on purpose',
      'steps:',
      `  - up: {masters: 1, replicas: 1, sentinels: 0, port: ${base}}`,
      '  - kill: replica-1',
      "  - assert: killed == 'master-1'",
      '  - sleep: 10',
      '',
    ].join('\n'))
    const junit = join(work, 'failing.xml')
    const result = await sandbox.run('run', file, '--junit', junit)
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain(`first failure: step 3 (assert killed == 'master-1') at ${file}:5: assert failed: killed == 'master-1' (killed = "replica-1")`)
    expect(result.stdout).toContain('teardown: stopped 1 node(s)')

    const {suites} = readJunit(junit)
    const suite = suites[0] as Attrs
    expect(suite).toMatchObject({name: 'failing on purpose', tests: '5', failures: '1', errors: '0', skipped: '1'})
    const cases = suite.testcase as Attrs[]
    expect(cases[2]?.failure[0].message).toBe("assert failed: killed == 'master-1' (killed = \"replica-1\")")
    expect(cases[2]?.failure[0]['#text']).toContain(`${file}:5: step 3 (assert)`)
    expect(cases[3]).toHaveProperty('skipped')
    expect(cases[4]?.name).toBe('teardown: down')
    expect(cases[4]?.failure).toBeUndefined()

    expect(runningPidfiles(sandbox.dir)).toEqual([])
    expect(processesUnder(sandbox.dir)).toBe('')
  }, 60_000)

  it('--repeat runs the scenario on a fresh topology each time and counts per step', async () => {
    const base = await freePortRange(1)
    const file = join(work, 'repeat.yaml')
    writeFileSync(file, `steps:\n  - up: {replicas: 0, sentinels: 0, port: ${base}}\n  - verify: {timeout: 10000}\n  - assert: failover_ms < 1000\n  - down\n`)
    const junit = join(work, 'repeat.xml')
    const result = await sandbox.run('run', file, '--repeat', '2', '--junit', junit, '--json')
    expect(result.exitCode).toBe(1)
    const json = JSON.parse(result.stdout)
    expect(json).toMatchObject({status: 'error', ok: false, repeat: 2, passed: 0, failed: 2})
    expect(json.error.message).toContain('failover_ms has no value yet')
    expect(json.runs.map((r: Attrs) => r.dir)).toEqual([join(sandbox.dir, 'run-1'), join(sandbox.dir, 'run-2')])
    expect(json.steps.map((s: Attrs) => [s.kind, s.passed, s.failed, s.skipped, s.failedRuns])).toEqual([
      ['up', 2, 0, 0, []], ['verify', 2, 0, 0, []], ['assert', 0, 2, 0, [1, 2]], ['down', 0, 0, 2, []],
    ])
    for (const run of json.runs) expect(run.teardown).toMatchObject({status: 'passed', summary: 'stopped 1 node(s)'})
    const {suites} = readJunit(junit)
    expect(suites.map((s) => s.name)).toEqual(['repeat (run 1 of 2)', 'repeat (run 2 of 2)'])
    expect(runningPidfiles(sandbox.dir)).toEqual([])
  }, 60_000)

  it('errors in the file name the file and the line and start nothing', async () => {
    const sandbox = new CliSandbox()
    onTestFinished(() => sandbox.cleanup())
    const cases: [string, string, RegExp][] = [
      ['malformed.yaml', 'steps:\n  - up: {replicas: 0\n  - down\n', /malformed\.yaml:\d+:\d+: .*malformed YAML/],
      ['unknown-step.yaml', 'steps:\n  - up: {replicas: 0}\n  - kil: master\n', /unknown-step\.yaml:3:5: step 2: unknown step 'kil'; did you mean 'kill'\?/],
      ['unknown-field.yaml', 'steps:\n  - up: {replicas: 0}\n  - assert: lost_writes == 0 and lost_write == 0\n', /unknown-field\.yaml:3:34: step 2 \(assert\): assert on unknown field 'lost_write'; did you mean 'lost_writes'\?/],
      ['partition.yaml', 'steps:\n  - up\n  - partition: {nodes: master, mode: slice}\n', /partition\.yaml:3:38: step 2 \(partition\): option 'mode' must be one of cut, reset, blackhole/],
    ]
    for (const [name, text, message] of cases) {
      const file = join(work, name)
      writeFileSync(file, text)
      const result = await sandbox.run('run', file)
      expect(result.exitCode, name).toBe(2)
      expect(result.stderr, name).toMatch(message)
      expect(result.stderr).toContain('docs/scenarios.md')
    }
    const json = await sandbox.run('run', join(work, 'unknown-field.yaml'), '--json')
    expect(json.exitCode).toBe(2)
    expect(JSON.parse(json.stdout).error.message).toMatch(/unknown-field\.yaml:3:34: /)
    expect(existsSync(join(sandbox.dir, 'topology.json'))).toBe(false)
    const bad = await sandbox.run('run', join(work, 'unknown-step.yaml'), '--set', 'up.prt=1')
    expect(bad.exitCode).toBe(2)
  }, 60_000)
})
