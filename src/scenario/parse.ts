// Reads a scenario file (YAML, through eemeli/yaml with a LineCounter, so every node keeps its line) into
// checked steps. Every error names the file, the line (and column) and, once the steps list is reached, the
// step: malformed YAML, an unknown step, an unknown or invalid option, an assert on an unknown field.
//
//   name: kill the master            # optional; the file name otherwise
//   steps:
//     - up: {masters: 1, replicas: 2, sentinels: 3, down-after: 1000}
//     - kill: master                 # a scalar sets the step's main option
//     - assert: new_master != old_master
//     - down                         # a bare step

import {readFileSync} from 'node:fs'
import {basename} from 'node:path'
import {isMap, isScalar, isSeq, LineCounter, parse as parseYamlValue, parseDocument, Scalar, type Node, type Pair, type YAMLMap} from 'yaml'
import {ExprError, fieldsOf, parseExpr, type Expr} from './expr.js'
import {closestField, distance, FIELDS} from './fields.js'
import {STEPS, checkOption, type StepSpec} from './steps.js'

export interface Position {
  line: number
  col: number
}

export interface ParsedStep {
  /** 0-based position in the steps list; messages show it 1-based. */
  index: number
  kind: string
  /** The step's own name (`name:` beside the step), for the report. */
  name?: string
  options: Record<string, unknown>
  pos: Position
  optionPos: Record<string, Position>
  /** The parsed expression of an assert. */
  expr?: Expr
}

export interface Scenario {
  file: string
  name: string
  description?: string
  steps: ParsedStep[]
}

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError'
  constructor(readonly reason: string, readonly file: string, readonly pos: Position | undefined, readonly step?: {index: number; kind?: string}) {
    super(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${step ? `step ${step.index + 1}${step.kind ? ` (${step.kind})` : ''}: ` : ''}${reason}`)
  }
}

const TOP_KEYS = ['name', 'description', 'steps']

export function readScenario(file: string): Scenario {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (cause) {
    throw new ScenarioError(`cannot read the scenario: ${(cause as Error).message}`, file, undefined)
  }
  return parseScenario(text, file)
}

export function parseScenario(text: string, file: string): Scenario {
  const lines = new LineCounter()
  const doc = parseDocument(text, {lineCounter: lines, prettyErrors: false, uniqueKeys: true})
  const at = (offset: number): Position => lines.linePos(offset)
  const posOf = (node: Node | null | undefined): Position | undefined => (node?.range ? at(node.range[0]) : undefined)

  const firstError = doc.errors[0]
  if (firstError) {
    const offset = firstError.pos[0]
    const steps = isMap(doc.contents) ? doc.contents.get('steps', true) : undefined
    const index = isSeq(steps) ? steps.items.findIndex((item) => isNodeLike(item) && item.range && item.range[0] <= offset && offset <= item.range[2]) : -1
    throw new ScenarioError(`malformed YAML: ${firstError.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`, file, at(offset), index >= 0 ? {index} : undefined)
  }
  const root = doc.contents
  if (!isMap(root)) throw new ScenarioError('a scenario is a map with a steps list (steps: [...])', file, posOf(root as Node) ?? {line: 1, col: 1})
  for (const pair of root.items) {
    const key = keyName(pair)
    if (!TOP_KEYS.includes(key)) throw new ScenarioError(`unknown key '${key}' (a scenario has ${TOP_KEYS.join(', ')})`, file, posOf(pair.key as Node))
  }
  const nameNode = root.get('name', true) as Node | undefined
  const descriptionNode = root.get('description', true) as Node | undefined
  for (const [key, node] of [['name', nameNode], ['description', descriptionNode]] as const) {
    if (node !== undefined && !(isScalar(node) && typeof node.value === 'string')) throw new ScenarioError(`'${key}' must be a string`, file, posOf(node))
  }
  const stepsNode = root.get('steps', true) as Node | undefined
  if (!isSeq(stepsNode) || stepsNode.items.length === 0) {
    throw new ScenarioError('steps must be a non-empty list, e.g. steps: [{up: {sentinels: 3}}, {kill: master}, down]', file, posOf(stepsNode) ?? posOf(root))
  }
  const steps = stepsNode.items.map((item, index) => parseStep(item as Node, index, file, posOf, at))
  return {
    file,
    name: nameNode && isScalar(nameNode) ? String(nameNode.value) : basename(file).replace(/\.ya?ml$/, ''),
    ...(descriptionNode && isScalar(descriptionNode) ? {description: String(descriptionNode.value)} : {}),
    steps,
  }
}

const isNodeLike = (item: unknown): item is Node => typeof item === 'object' && item !== null && 'range' in item

const keyName = (pair: Pair): string => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key))

function parseStep(node: Node, index: number, file: string, posOf: (n: Node | null | undefined) => Position | undefined, at: (offset: number) => Position): ParsedStep {
  const pos = posOf(node) ?? {line: 1, col: 1}
  const fail = (reason: string, where: Position | undefined = pos, kind?: string): never => {
    throw new ScenarioError(reason, file, where, {index, kind})
  }
  let kindText: string
  let kindPos = pos
  let valueNode: Node | null = null
  let stepName: string | undefined
  if (isScalar(node) && typeof node.value === 'string') {
    kindText = node.value.trim()
  } else if (isMap(node)) {
    const pairs = (node as YAMLMap).items
    const stepPairs = pairs.filter((p) => keyName(p) !== 'name')
    const namePair = pairs.find((p) => keyName(p) === 'name')
    if (namePair) {
      if (!isScalar(namePair.value) || typeof namePair.value.value !== 'string') fail("a step's 'name' must be a string", posOf(namePair.value as Node))
      stepName = String((namePair.value as Scalar).value)
    }
    if (stepPairs.length !== 1) {
      fail(stepPairs.length === 0 ? 'a step needs its kind, e.g. - kill: master' : `a step has one kind, found ${stepPairs.map(keyName).join(', ')}; put options under the kind (- kill: {node: master, signal: TERM})`, posOf(stepPairs[1]?.key as Node) ?? pos)
    }
    const pair = stepPairs[0] as Pair
    kindText = keyName(pair)
    kindPos = posOf(pair.key as Node) ?? pos
    valueNode = (pair.value as Node | null) ?? null
  } else {
    return fail('a step is a step name (- down) or a map with one step name (- kill: master)')
  }
  const spec = STEPS[kindText]
  if (!spec) {
    const words = kindText.split(/\s+/)
    const asPair = words.length > 1 && STEPS[words[0] as string] ? `; write '- ${words[0]}: ${words.slice(1).join(' ')}'` : ''
    const near = nearestStep(kindText)
    return fail(`unknown step '${kindText}'${asPair || (near ? `; did you mean '${near}'?` : '')} (steps: ${Object.keys(STEPS).join(', ')})`, kindPos)
  }
  if (spec.unavailable) return fail(spec.unavailable, kindPos, spec.kind)

  const options: Record<string, unknown> = {}
  const optionPos: Record<string, Position> = {}
  if (valueNode === null || (isScalar(valueNode) && valueNode.value === null)) {
    // no options
  } else if (isMap(valueNode)) {
    for (const pair of valueNode.items) {
      const key = keyName(pair)
      const keyPos = posOf(pair.key as Node) ?? pos
      const option = spec.options[key]
      if (!option) {
        const near = Object.keys(spec.options).find((o) => distance(o, key) <= 2)
        fail(`unknown option '${key}'${near ? `; did you mean '${near}'?` : ''} (${spec.kind} takes ${Object.keys(spec.options).join(', ') || 'no options'})`, keyPos, spec.kind)
      }
      const value = toValue(pair.value as Node | null)
      const checked = checkOption(key, option!, value)
      if (checked.error) fail(checked.error, posOf(pair.value as Node) ?? keyPos, spec.kind)
      options[key] = checked.value
      optionPos[key] = posOf(pair.value as Node) ?? keyPos
    }
  } else if (spec.positional && !isMap(valueNode)) {
    const option = spec.options[spec.positional]!
    const checked = checkOption(spec.positional, option, toValue(valueNode))
    if (checked.error) fail(checked.error, posOf(valueNode), spec.kind)
    options[spec.positional] = checked.value
    optionPos[spec.positional] = exprStart(valueNode, at) ?? posOf(valueNode) ?? pos
  } else {
    fail(`${spec.kind} takes a map of options (${Object.keys(spec.options).join(', ') || 'none'})`, posOf(valueNode), spec.kind)
  }
  const step: ParsedStep = {index, kind: spec.kind, options, pos: kindPos, optionPos, ...(stepName ? {name: stepName} : {})}
  validateStep(step, spec, file, valueNode, at)
  return step
}

/** Where a one-line plain or quoted scalar's text starts (after the quote), for columns inside it. */
function exprStart(node: Node, at: (offset: number) => Position): Position | undefined {
  if (!isScalar(node) || !node.range || typeof node.value !== 'string' || node.value.includes('\n')) return undefined
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE
  if (!quoted && node.type !== Scalar.PLAIN) return undefined
  return at(node.range[0] + (quoted ? 1 : 0))
}

function toValue(node: Node | null): unknown {
  if (node === null) return null
  return isScalar(node) ? node.value : node.toJSON()
}

/** Checks that need the whole step: required options, the assert expression, a step's own rule. */
function validateStep(step: ParsedStep, spec: StepSpec, file: string, valueNode: Node | null, at: (offset: number) => Position): void {
  const fail = (reason: string, where: Position = step.pos): never => {
    throw new ScenarioError(reason, file, where, {index: step.index, kind: step.kind})
  }
  for (const [name, option] of Object.entries(spec.options)) {
    if (option.required && step.options[name] === undefined) {
      fail(`'${name}' is required${spec.positional === name ? ` (- ${spec.kind}: <${name}>)` : ''}`)
    }
  }
  if (spec.kind === 'assert') {
    const text = String(step.options.expr)
    const where = step.optionPos.expr ?? step.pos
    const exact = isMap(valueNode) ? exprStart((valueNode as YAMLMap).get('expr', true) as Node, at) : valueNode ? exprStart(valueNode, at) : undefined
    const column = (offset: number): Position => (exact ? {line: exact.line, col: exact.col + offset} : where)
    try {
      step.expr = parseExpr(text)
    } catch (cause) {
      if (cause instanceof ExprError) fail(`invalid expression '${text}': ${cause.message}`, column(cause.offset))
      throw cause
    }
    for (const field of fieldsOf(step.expr)) {
      if (FIELDS[field.name]) continue
      const near = closestField(field.name)
      const hint = /[-.]/.test(field.name) ? `; quote text values: '${field.name}'` : near ? `; did you mean '${near}'?` : ''
      fail(`assert on unknown field '${field.name}'${hint} (fields: ${Object.keys(FIELDS).join(', ')})`, column(field.offset))
    }
  }
  const problem = spec.check?.(step.options)
  if (problem) fail(problem)
}

function nearestStep(kind: string): string | undefined {
  let best: {name: string; d: number} | undefined
  for (const name of Object.keys(STEPS)) {
    const d = distance(kind, name)
    if (!best || d < best.d) best = {name, d}
  }
  return best && best.d <= 2 ? best.name : undefined
}

/**
 * `--set STEP.OPTION=VALUE`: sets an option on every step of that kind (e.g. up.port=7300 for a test run on
 * other ports). The value is read as YAML (7300 is a number, true a boolean) and checked like the file's.
 */
export function applySets(scenario: Scenario, sets: readonly string[]): void {
  for (const set of sets) {
    const match = /^([a-z-]+(?: [a-z]+)?)\.([a-z-]+)=(.*)$/s.exec(set)
    if (!match) throw new ScenarioError(`--set '${set}' must look like STEP.OPTION=VALUE, e.g. up.port=7300`, scenario.file, undefined)
    const [, kind, name, raw] = match as unknown as [string, string, string, string]
    const spec = STEPS[kind]
    if (!spec) throw new ScenarioError(`--set ${set}: unknown step '${kind}'`, scenario.file, undefined)
    const option = spec.options[name]
    if (!option) throw new ScenarioError(`--set ${set}: ${kind} has no option '${name}' (${Object.keys(spec.options).join(', ')})`, scenario.file, undefined)
    const targets = scenario.steps.filter((s) => s.kind === kind)
    if (targets.length === 0) throw new ScenarioError(`--set ${set}: the scenario has no '${kind}' step`, scenario.file, undefined)
    let value: unknown
    try {
      value = parseYamlValue(raw)
    } catch {
      value = raw
    }
    const checked = checkOption(name, option, value)
    if (checked.error) throw new ScenarioError(`--set ${set}: ${checked.error}`, scenario.file, undefined)
    for (const step of targets) step.options[name] = checked.value
  }
}
