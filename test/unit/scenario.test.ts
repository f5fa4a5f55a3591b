// Scenario files without processes: the parser and its positions (file:line:col and the step in every
// error), the option checks, --set, the assert expression language, the CLI arguments a step becomes, and the
// JUnit XML read back with fast-xml-parser.

import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {XMLParser} from 'fast-xml-parser'
import {describe, expect, it} from 'vitest'
import {evaluate, ExprError, parseExpr, type Value} from '../../src/scenario/expr.js'
import {junitXml} from '../../src/scenario/junit.js'
import {applySets, parseScenario, readScenario, ScenarioError} from '../../src/scenario/parse.js'
import type {RunResult} from '../../src/scenario/runner.js'
import {cliArgs, STEPS} from '../../src/scenario/steps.js'
import {projectRoot} from '../helpers/nodes.js'

const parseError = (text: string): ScenarioError => {
  try {
    parseScenario(text, 'ci/s.yaml')
  } catch (error) {
    if (error instanceof ScenarioError) return error
    throw error
  }
  throw new Error('parsed without error')
}

describe('scenario parser', () => {
  it('reads every example scenario', () => {
    const dir = join(projectRoot, 'examples', 'scenarios')
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'))
    expect(files).toEqual(expect.arrayContaining(['kill-master.yaml', 'kill-master-with-wait.yaml', 'pause-master.yaml']))
    for (const file of files) {
      const scenario = readScenario(join(dir, file))
      expect(scenario.steps.length).toBeGreaterThan(2)
      expect(scenario.steps[0]?.kind).toBe('up')
      const up = scenario.steps[0]?.options as Record<string, unknown>
      expect([up.port, up['sentinel-port']]).not.toContain(6379)
      expect([up.port, up['sentinel-port']]).not.toContain(26379)
    }
  })

  it('keeps the kinds, options and lines of the steps', () => {
    const s = parseScenario([
      'name: demo',
      'steps:',
      '  - up: {sentinels: 3, down-after: 1000}',
      '  - kill: master',
      '  - kill: {node: replica-1, signal: TERM, wait: false}',
      '  - load start: {clients: 2, rate: max, mix: "80:20", wait-replicas: 1}',
      '  - wait-for: {node: replica-1, role: master}',
      '  - name: no data lost',
      '    assert: lost_writes == 0',
      '  - load stop',
      '  - sleep: 100',
      '  - down',
    ].join('\n'), 'demo.yaml')
    expect(s.name).toBe('demo')
    expect(s.steps.map((x) => [x.kind, x.pos.line])).toEqual([
      ['up', 3], ['kill', 4], ['kill', 5], ['load start', 6], ['wait-for', 7], ['assert', 9], ['load stop', 10], ['sleep', 11], ['down', 12],
    ])
    expect(s.steps[1]?.options).toEqual({node: 'master'})
    expect(s.steps[3]?.options).toEqual({clients: 2, rate: 'max', mix: {set: 80, get: 20}, 'wait-replicas': 1})
    expect(s.steps[5]?.name).toBe('no data lost')
  })

  it('names the file, line, column and step of malformed YAML', () => {
    const e = parseError('steps:\n  - up: {masters: 1\n  - down\n')
    expect(e.message).toMatch(/^ci\/s\.yaml:\d+:\d+: /)
    expect(e.message).toContain('malformed YAML')
    expect(e.pos?.line).toBeGreaterThanOrEqual(2)
    const tab = parseError('steps:\n  - up\n  - kill: [master\n  - down: {purge: true}\n')
    expect(tab.message).toContain('malformed YAML')
    expect(tab.message).toMatch(/^ci\/s\.yaml:[34]:/)
    expect(tab.step?.index).toBe(1)
  })

  it('refuses an unknown step with file, line and step, suggesting the nearest', () => {
    const e = parseError('steps:\n  - up\n  - kil: master\n')
    expect(e.message).toBe(`ci/s.yaml:3:5: step 2: unknown step 'kil'; did you mean 'kill'? (steps: ${Object.keys(STEPS).join(', ')})`)
    expect(parseError('steps:\n  - kill master\n').message).toContain("write '- kill: master'")
    expect(parseError('steps:\n  - up\n  - explode\n').message).toMatch(/^ci\/s\.yaml:3:5: step 2: unknown step 'explode'/)
  })

  it('refuses unknown and invalid options where they are', () => {
    expect(parseError('steps:\n  - up: {masters: 1, replica: 2}\n').message).toMatch(/^ci\/s\.yaml:2:22: step 1 \(up\): unknown option 'replica'; did you mean 'replicas'\?/)
    expect(parseError('steps:\n  - up:\n      masters: two\n').message).toMatch(/^ci\/s\.yaml:3:16: step 1 \(up\): option 'masters' must be a whole number, got "two"/)
    expect(parseError('steps:\n  - up: {engine: valkey}\n').message).toContain("option 'engine' must be one of bundled, redis")
    expect(parseError('steps:\n  - kill\n').message).toBe("ci/s.yaml:2:5: step 1 (kill): 'node' is required (- kill: <node>)")
    expect(parseError('steps:\n  - wait-for: {timeout: 10}\n').message).toContain('wait-for takes one of event, role or link')
    expect(parseError('steps:\n  - wait-for: {role: master}\n').message).toContain('wait-for role needs node')
    expect(parseError('steps:\n  - sleep: -1\n').message).toContain("option 'ms' must be at least 0")
    expect(parseError('steps:\n  - kill: master\n    signal: TERM\n').message).toContain('a step has one kind')
    expect(parseError('stepz:\n  - up\n').message).toBe("ci/s.yaml:1:1: unknown key 'stepz' (a scenario has name, description, steps)")
    expect(parseError('steps: []\n').message).toContain('steps must be a non-empty list')
  })

  it('refuses an assert on an unknown field at its line and column', () => {
    const e = parseError('steps:\n  - up\n  - assert: lost_writes == 0 and unavailble_ms < 5000\n')
    expect(e.message).toMatch(/^ci\/s\.yaml:3:34: step 2 \(assert\): assert on unknown field 'unavailble_ms'; did you mean 'unavailable_ms'\?/)
    const quoted = parseError('steps:\n  - assert: "new_master != replica-1"\n')
    expect(quoted.message).toMatch(/^ci\/s\.yaml:2:28: step 1 \(assert\): assert on unknown field 'replica-1'; quote text values: 'replica-1'/)
    expect(parseError('steps:\n  - assert: {expr: lost_writes = 0}\n').message).toMatch(/^ci\/s\.yaml:2:32: step 1 \(assert\): invalid expression 'lost_writes = 0': '=' is not an operator; compare with '=='/)
  })

  it('--set overrides an option of every step of a kind, checked like the file', () => {
    const s = parseScenario('steps:\n  - up: {port: 7100}\n  - down\n', 'x.yaml')
    applySets(s, ['up.port=7300', 'up.sentinel-port=27300', 'up.engine=redis', 'down.purge=true'])
    expect(s.steps[0]?.options).toEqual({port: 7300, 'sentinel-port': 27300, engine: 'redis'})
    expect(s.steps[1]?.options).toEqual({purge: true})
    expect(() => applySets(s, ['up.prt=1'])).toThrow(/up has no option 'prt'/)
    expect(() => applySets(s, ['kill.node=master'])).toThrow(/the scenario has no 'kill' step/)
    expect(() => applySets(s, ['up.port=abc'])).toThrow(/option 'port' must be a whole number/)
    expect(() => applySets(s, ['port=1'])).toThrow(/STEP.OPTION=VALUE/)
  })
})

describe('step arguments', () => {
  it('turns options into the flags of the CLI command', () => {
    expect(cliArgs(STEPS.up!, {masters: 1, 'down-after': 1000, chain: true, engine: 'redis'})).toEqual(['--masters', '1', '--down-after', '1000', '--engine', 'redis', '--chain'])
    expect(cliArgs(STEPS.kill!, {node: 'master', wait: false, signal: 'TERM'}, {node: 'master-1'})).toEqual(['master-1', '--signal', 'TERM', '--no-wait'])
    expect(cliArgs(STEPS.partition!, {nodes: ['master'], from: ['sentinels', 'replicas'], oneway: false})).toEqual(['master', '--from', 'sentinels', '--from', 'replicas'])
    expect(cliArgs(STEPS.down!, {purge: false})).toEqual([])
  })
})

describe('assert expressions', () => {
  const facts: Record<string, Value> = {lost_writes: 0, unavailable_ms: 4200, new_master: 'replica-1', old_master: 'master-1', client_followed_ms: null}
  const run = (text: string) => evaluate(parseExpr(text), text, (name) => {
    if (!(name in facts)) throw new Error(`no ${name}`)
    return facts[name] as Value
  })

  it('compares numbers, strings and null and combines with and, or, not and parentheses', () => {
    expect(run('lost_writes == 0').ok).toBe(true)
    expect(run('unavailable_ms < 5000 and unavailable_ms >= 4200').ok).toBe(true)
    expect(run('new_master != old_master').ok).toBe(true)
    expect(run("new_master == 'replica-1' and old_master == \"master-1\"").ok).toBe(true)
    expect(run('lost_writes > 0 or unavailable_ms <= 1000').ok).toBe(false)
    expect(run('not (lost_writes > 0) and (unavailable_ms < 1 or lost_writes == 0)').ok).toBe(true)
    expect(run('client_followed_ms == null').ok).toBe(true)
    expect(run('client_followed_ms < 5000').ok).toBe(false)
    expect(run('lost_writes == -0.0 and 1.5e3 < unavailable_ms').ok).toBe(true)
    expect(run('true').ok).toBe(true)
  })

  it('says which comparisons were false and what the fields held', () => {
    const e = run('lost_writes == 0 and unavailable_ms < 1000')
    expect(e.ok).toBe(false)
    expect(e.falseParts).toEqual(['unavailable_ms < 1000'])
    expect(e.values).toBe('lost_writes = 0, unavailable_ms = 4200')
  })

  it('refuses what is not the language, with the offset', () => {
    const offset = (text: string): [string, number] => {
      try {
        parseExpr(text)
      } catch (error) {
        if (error instanceof ExprError) return [error.message, error.offset]
      }
      throw new Error(`parsed: ${text}`)
    }
    expect(offset('lost_writes = 0')).toEqual(["'=' is not an operator; compare with '=='", 12])
    expect(offset('a == 1 && b == 2')[0]).toContain("combine comparisons with 'and' / 'or'")
    expect(offset('0 < a < 5')[0]).toContain('comparisons do not chain')
    expect(offset('a == ')[0]).toBe('expected a field or a value but found the end of the expression')
    expect(offset('(a == 1')[0]).toBe("expected ')' but found the end of the expression")
    expect(offset("a == 'x")).toEqual(['unterminated string', 5])
    expect(offset('a < 5s')[0]).toContain('is not a number')
    expect(offset('a == 1 b == 2')[0]).toContain("unexpected 'b'")
    expect(offset('')[0]).toBe('empty expression')
    expect(() => run("new_master < 'x'")).toThrow(/compares numbers/)
    expect(() => run('lost_writes')).toThrow(/not true or false/)
  })
})

describe('JUnit XML', () => {
  const result: RunResult = {
    file: 'ci/kill <master> & "wait".yaml', name: 'kill & check', ok: false, repeat: 2, passed: 1, failed: 1,
    steps: [],
    runs: [1, 2].map((run) => ({
      run, ok: run === 1, dir: `/tmp/x/run-${run}`, startedAt: new Date(0).toISOString(), elapsedMs: 12_345,
      steps: [
        {index: 0, kind: 'up', label: 'up sentinels=3', line: 3, status: 'passed' as const, elapsedMs: 4321, summary: 'ports 7100 < 7102'},
        {index: 1, kind: 'assert', label: 'assert lost_writes == 0', line: 4, status: run === 1 ? 'passed' as const : 'failed' as const, elapsedMs: 1,
          ...(run === 2 ? {message: 'assert failed: lost_writes == 0 (lost_writes = 3) ]]> <x>', details: 'values: lost_writes = 3'} : {})},
        {index: 2, kind: 'kill', label: 'kill master', line: 5, status: run === 1 ? 'failed' as const : 'skipped' as const, elapsedMs: 20, ...(run === 1 ? {message: 'no live master'} : {})},
      ],
      teardown: {index: -1, kind: 'down', label: 'teardown: down', line: 0, status: 'passed' as const, elapsedMs: 900},
    })),
  }

  it('has one testsuite per run, one testcase per step, failures and errors with message and details, times in seconds', () => {
    const xml = junitXml(result)
    const doc = new XMLParser({ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name)}).parse(xml)
    const suites = doc.testsuites.testsuite as Record<string, any>[]
    expect(doc.testsuites.tests).toBe('8')
    expect(suites).toHaveLength(2)
    for (const suite of suites) {
      expect(suite.name).toMatch(/^kill & check \(run [12] of 2\)$/)
      expect(suite.tests).toBe('4')
      expect(suite.time).toBe('12.345')
      expect(suite.testcase).toHaveLength(4)
      expect(suite.testcase[0].time).toBe('4.321')
      expect(suite.testcase[0].name).toBe('1. up sentinels=3 (line 3)')
      expect(suite.testcase[3].name).toBe('teardown: down')
    }
    const [first, second] = suites as [Record<string, any>, Record<string, any>]
    expect([first.failures, first.errors, first.skipped]).toEqual(['0', '1', '0'])
    expect(first.testcase[2].error.message).toBe('no live master')
    expect([second.failures, second.errors, second.skipped]).toEqual(['1', '0', '1'])
    expect(second.testcase[1].failure.message).toBe('assert failed: lost_writes == 0 (lost_writes = 3) ]]> <x>')
    expect(second.testcase[1].failure['#text']).toBe('values: lost_writes = 3')
    expect(second.testcase[2]).toHaveProperty('skipped')
    expect(first.properties.property.find((p: {name: string}) => p.name === 'dir').value).toBe('/tmp/x/run-1')
  })
})
