// The expression language of `assert` steps: comparisons of fields, numbers, strings, true/false/null,
// combined with and / or / not and parentheses. A small tokenizer and a recursive-descent parser build a
// tree that is evaluated against a field lookup; nothing is ever handed to eval or Function.
//
//   expr := or ;  or := and ('or' and)* ;  and := not ('and' not)* ;  not := 'not' not | cmp
//   cmp  := operand (('==' | '!=' | '<' | '<=' | '>' | '>=') operand)?
//   operand := number | 'string' | "string" | true | false | null | field | '(' expr ')'

export type Value = number | string | boolean | null

export class ExprError extends Error {
  override readonly name = 'ExprError'
  /** Offset (0-based) in the expression text. */
  constructor(message: string, readonly offset: number) {
    super(message)
  }
}

type Op = '==' | '!=' | '<' | '<=' | '>' | '>='

export type Expr =
  | {kind: 'literal'; value: Value; offset: number}
  | {kind: 'field'; name: string; offset: number}
  | {kind: 'compare'; op: Op; left: Expr; right: Expr; offset: number}
  | {kind: 'and' | 'or'; left: Expr; right: Expr; offset: number}
  | {kind: 'not'; operand: Expr; offset: number}

interface Token {
  type: 'num' | 'str' | 'ident' | 'op' | '(' | ')' | 'end'
  text: string
  value?: Value
  offset: number
}

const OPS: readonly Op[] = ['==', '!=', '<=', '>=', '<', '>']

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (/\s/.test(c)) {
      i++
      continue
    }
    const start = i
    if (c === '(' || c === ')') {
      tokens.push({type: c, text: c, offset: i++})
      continue
    }
    const op = OPS.find((o) => text.startsWith(o, i))
    if (op) {
      tokens.push({type: 'op', text: op, offset: i})
      i += op.length
      continue
    }
    if (c === '=') throw new ExprError(`'=' is not an operator; compare with '=='`, i)
    if (c === '&' || c === '|') throw new ExprError(`'${c}' is not an operator; combine comparisons with 'and' / 'or'`, i)
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1)
      if (end < 0) throw new ExprError('unterminated string', i)
      tokens.push({type: 'str', text: text.slice(i, end + 1), value: text.slice(i + 1, end), offset: i})
      i = end + 1
      continue
    }
    const num = /^-?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i))
    if (num && (c !== '-' || /[\d.]/.test(text[i + 1] ?? ''))) {
      i += num[0].length
      if (/[A-Za-z_]/.test(text[i] ?? '')) throw new ExprError(`'${text.slice(start).split(/[\s()]/)[0]}' is not a number (write the value in ms, without a unit)`, start)
      tokens.push({type: 'num', text: num[0], value: Number(num[0]), offset: start})
      continue
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(text.slice(i))
    if (ident) {
      i += ident[0].length
      tokens.push({type: 'ident', text: ident[0], offset: start})
      continue
    }
    throw new ExprError(`unexpected character '${c}'`, i)
  }
  tokens.push({type: 'end', text: '', offset: text.length})
  return tokens
}

export function parseExpr(text: string): Expr {
  const tokens = tokenize(text)
  let at = 0
  const peek = (): Token => tokens[at] as Token
  const next = (): Token => tokens[at++] as Token
  const isWord = (t: Token, word: string): boolean => t.type === 'ident' && t.text === word

  const parseOr = (): Expr => {
    let left = parseAnd()
    while (isWord(peek(), 'or')) {
      const op = next()
      left = {kind: 'or', left, right: parseAnd(), offset: op.offset}
    }
    return left
  }
  const parseAnd = (): Expr => {
    let left = parseNot()
    while (isWord(peek(), 'and')) {
      const op = next()
      left = {kind: 'and', left, right: parseNot(), offset: op.offset}
    }
    return left
  }
  const parseNot = (): Expr => {
    if (isWord(peek(), 'not')) {
      const op = next()
      return {kind: 'not', operand: parseNot(), offset: op.offset}
    }
    return parseCompare()
  }
  const parseCompare = (): Expr => {
    const left = parseOperand()
    if (peek().type !== 'op') return left
    const op = next()
    const right = parseOperand()
    if (peek().type === 'op') throw new ExprError(`comparisons do not chain; write 'a ${op.text} b and b ${peek().text} c'`, peek().offset)
    return {kind: 'compare', op: op.text as Op, left, right, offset: op.offset}
  }
  const parseOperand = (): Expr => {
    const t = next()
    switch (t.type) {
      case 'num':
      case 'str':
        return {kind: 'literal', value: t.value as Value, offset: t.offset}
      case '(': {
        const inner = parseOr()
        const close = next()
        if (close.type !== ')') throw new ExprError(`expected ')' but found ${describe(close)}`, close.offset)
        return inner
      }
      case 'ident':
        if (t.text === 'true' || t.text === 'false') return {kind: 'literal', value: t.text === 'true', offset: t.offset}
        if (t.text === 'null') return {kind: 'literal', value: null, offset: t.offset}
        if (t.text === 'and' || t.text === 'or' || t.text === 'not') throw new ExprError(`expected a field or a value but found '${t.text}'`, t.offset)
        return {kind: 'field', name: t.text, offset: t.offset}
      default:
        throw new ExprError(`expected a field or a value but found ${describe(t)}`, t.offset)
    }
  }

  if (peek().type === 'end') throw new ExprError('empty expression', 0)
  const tree = parseOr()
  if (peek().type !== 'end') throw new ExprError(`unexpected ${describe(peek())}; combine comparisons with 'and' / 'or'`, peek().offset)
  return tree
}

const describe = (t: Token): string => (t.type === 'end' ? 'the end of the expression' : `'${t.text}'`)

/** Every field the expression reads, with its offset, in order of appearance. */
export function fieldsOf(expr: Expr): {name: string; offset: number}[] {
  switch (expr.kind) {
    case 'literal':
      return []
    case 'field':
      return [{name: expr.name, offset: expr.offset}]
    case 'not':
      return fieldsOf(expr.operand)
    default:
      return [...fieldsOf(expr.left), ...fieldsOf(expr.right)]
  }
}

export interface Evaluation {
  ok: boolean
  /** The values the fields had, e.g. "lost_writes = 3, unavailable_ms = 1200". */
  values: string
  /** The comparisons that were false (for a failed assert). */
  falseParts: string[]
}

/** Evaluates against `lookup`; a field it throws for (no value yet) stops the evaluation with that error. */
export function evaluate(expr: Expr, source: string, lookup: (name: string) => Value): Evaluation {
  const seen = new Map<string, Value>()
  const falseParts: string[] = []
  const value = (e: Expr): Value => {
    if (e.kind === 'literal') return e.value
    if (e.kind === 'field') {
      if (!seen.has(e.name)) seen.set(e.name, lookup(e.name))
      return seen.get(e.name) as Value
    }
    return truth(e)
  }
  const truth = (e: Expr): boolean => {
    switch (e.kind) {
      case 'and': {
        const l = truth(e.left)
        const r = truth(e.right)
        return l && r
      }
      case 'or':
        return truth(e.left) || truth(e.right)
      case 'not':
        return !truth(e.operand)
      case 'compare': {
        const l = value(e.left)
        const r = value(e.right)
        const result = compare(e.op, l, r, e.offset)
        if (!result) falseParts.push(`${text(e.left, source)} ${e.op} ${text(e.right, source)}`)
        return result
      }
      default: {
        const v = value(e)
        if (typeof v !== 'boolean') throw new ExprError(`${text(e, source)} is ${JSON.stringify(v)}, not true or false; compare it (e.g. ${text(e, source)} == 0)`, e.offset)
        if (!v) falseParts.push(text(e, source))
        return v
      }
    }
  }
  const ok = truth(expr)
  return {ok, values: [...seen].map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', '), falseParts}
}

function compare(op: Op, l: Value, r: Value, offset: number): boolean {
  if (op === '==') return l === r
  if (op === '!=') return l !== r
  if (l === null || r === null) return false
  if (typeof l !== 'number' || typeof r !== 'number') throw new ExprError(`'${op}' compares numbers, not ${JSON.stringify(l)} and ${JSON.stringify(r)}`, offset)
  switch (op) {
    case '<':
      return l < r
    case '<=':
      return l <= r
    case '>':
      return l > r
    default:
      return l >= r
  }
}

/** The source text of a sub-expression (approximate for nested ones: from its first to last token). */
function text(e: Expr, source: string): string {
  switch (e.kind) {
    case 'field':
      return e.name
    case 'literal':
      return typeof e.value === 'string' ? `'${e.value}'` : String(e.value)
    case 'not':
      return `not ${text(e.operand, source)}`
    case 'compare':
      return `${text(e.left, source)} ${e.op} ${text(e.right, source)}`
    default:
      return `(${text(e.left, source)} ${e.kind} ${text(e.right, source)})`
  }
}
