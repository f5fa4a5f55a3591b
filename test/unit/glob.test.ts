// The glob matcher against cases recorded from real Redis 7.0 (fixtures/record-glob-cases.mjs): KEYS for the
// case-sensitive matcher over binary keys, COMMAND LIST FILTERBY PATTERN for the nocase one. And patterns that
// make a backtracking matcher take exponential time must finish (a hang shows up as the test's timeout).

import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {cPattern, globMatch} from '../../src/common/glob.js'

interface Table {
  strings: string[]
  cases: [string, number[]][]
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/glob-cases.json', import.meta.url), 'utf8')) as {
  recordedWith: string
  caseSensitive: Table
  nocase: Table
}

const show = (s: string): string => JSON.stringify(s)

/** Every (pattern, string) pair of the table that we answer differently from Redis. */
const mismatches = (table: Table, matches: (pattern: string, text: string) => boolean): string[] => {
  const out: string[] = []
  for (const [pattern, expected] of table.cases) {
    const want = new Set(expected)
    table.strings.forEach((text, i) => {
      if (matches(pattern, text) !== want.has(i)) out.push(`${show(pattern)} ~ ${show(text)}: Redis says ${want.has(i)}`)
    })
  }
  return out
}

describe(`glob matcher, cases recorded from ${fixture.recordedWith}`, () => {
  it(`agrees with KEYS on ${fixture.caseSensitive.cases.length} patterns x ${fixture.caseSensitive.strings.length} binary keys`, () => {
    // KEYS answers "*" without matching (allkeys), which is how the empty key is listed.
    expect(mismatches(fixture.caseSensitive, (p, s) => p === '*' || globMatch(p, s))).toEqual([])
  })

  it(`agrees with COMMAND LIST FILTERBY PATTERN (nocase) on ${fixture.nocase.cases.length} patterns`, () => {
    expect(mismatches(fixture.nocase, (p, s) => globMatch(p, s, true))).toEqual([])
  })

  it('the table covers the odd cases', () => {
    const patterns = new Set(fixture.caseSensitive.cases.map(([p]) => p))
    for (const p of ['[', '[^', '[]', '[^]', '[a-]', '[z-a]', '\\', 'a\\', '[\\', '[a-\xff]', '[\x7f-\x80]', '']) expect(patterns.has(p), p).toBe(true)
  })
})

describe('glob matcher, hand-written cases', () => {
  const cases: [string, string, boolean, boolean?][] = [
    ['', '', true],
    ['*', '', false], // stringmatchlen never matches an empty string with a non-empty pattern
    ['a*', 'a', true],
    ['a**', 'a', true],
    ['[a-]', ']', true], // the range a..]
    ['[a-]', '-', false],
    ['[]', ']', false],
    ['[^]', 'x', true],
    ['[abc', 'b', true],
    ['[abc', 'bc', false],
    ['a\\', 'a\\', true],
    ['[a-\xff]', '\x80', false], // signed chars: the range is -1..97
    ['[a-\xff]', '\0', true],
    ['[a-\xff]', '\xff', true],
    ['[\\C]*', 'client', false, true], // an escaped class member is compared case-sensitively
    ['\\C*', 'client', true, true],
    ['[Z-a]*', 'zadd', false, true], // folded after ordering: z..a, empty
    ['[A-Z]*', 'get', true, true],
    ['\xc0', '\xe0', false, true], // only A-Z fold
    ['[\x80-a]*', 'auth', false, true], // nocase: -128..97 folds to 128..97 (glibc's tolower), empty
    ['[a-\xff]*', 'auth', true, true], // but -1 is EOF and stays: -1..97
  ]
  for (const [pattern, text, want, nocase] of cases) {
    it(`${show(pattern)} ~ ${show(text)}${nocase === true ? ' (nocase)' : ''} is ${want}`, () => {
      expect(globMatch(pattern, text, nocase)).toBe(want)
    })
  }

  it('cPattern stops at the first NUL, as stringmatch does', () => {
    expect(cPattern('max\0*')).toBe('max')
    expect(cPattern('max*')).toBe('max*')
  })
})

describe('glob matcher, patterns that are exponential for a backtracking matcher', () => {
  const a40 = 'a'.repeat(40)
  it('"a*a*…a*b" against 40 a-s', () => {
    expect(globMatch(`${'a*'.repeat(20)}b`, a40)).toBe(false)
    expect(globMatch(`${'a*'.repeat(20)}a`, a40)).toBe(true)
  })

  it('"*a*a*…*b" with 5000 stars against 100 000 a-s and nocase', () => {
    const long = 'a'.repeat(100_000)
    expect(globMatch(`${'*a'.repeat(5000)}*b`, long)).toBe(false)
    expect(globMatch(`${'*A'.repeat(5000)}*B`, long, true)).toBe(false)
    expect(globMatch(`${'*?'.repeat(5000)}*[b]`, long)).toBe(false)
  })

  it('many patterns in turn (PUBLISH to many pattern subscribers) keep their own answers', () => {
    const patterns = Array.from({length: 1500}, (_, i) => `ch${i}:[a-c]*`)
    for (let round = 0; round < 2; round++) {
      patterns.forEach((p, i) => {
        expect(globMatch(p, `ch${i}:b-news`), p).toBe(true)
        expect(globMatch(p, `ch${i}:d-news`, true), p).toBe(false)
        expect(globMatch(p.toUpperCase(), `ch${i}:b-news`, true), p).toBe(true)
      })
    }
  })

  it('a long class is compiled once per pattern, not once per string', () => {
    const pattern = `[${'a-b'.repeat(20_000)}]*`
    for (let i = 0; i < 10_000; i++) expect(globMatch(pattern, `b${i}`)).toBe(true)
  })
})
