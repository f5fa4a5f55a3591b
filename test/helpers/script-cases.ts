// Table-driven differential cases for scripting: each case is a list of commands sent to real Redis 7.0 and to
// rtopo-server, once in RESP2 and once in RESP3, on fresh connections with the keyspace, the script cache and
// the function libraries emptied first.

import {createHash} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from './differential.js'
import {canonical, parseResp, type RespValue} from './resp-value.js'

/** The pair the scripting files use (real Redis and ours). */
export const startScriptingPair = (): Promise<DifferentialPair> => startDifferentialPair()

/** EVAL with no keys. */
export const ev = (script: string, ...args: (string | Buffer)[]): (string | Buffer)[] => ['EVAL', script, '0', ...args]

/** Bytes given as a latin1 string (one char per byte). */
export const bytes = (text: string): Buffer => Buffer.from(text, 'latin1')

/** The sha1 Redis names a script by. */
export const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex')

/**
 * A step: a command whose replies must be byte-identical, or one whose reply is compared after sorting map
 * entries and set members (`unordered`), for replies built by iterating a Lua table with more than one key:
 * Redis walks the table in Lua 5.1's hash order, which is an accident of that implementation, not a contract.
 * With `records`, arrays of arrays are sorted too (Redis lists dict entries — libraries, functions, subcommands —
 * in the order of a hash table seeded at random when the process starts, so two real servers differ).
 */
export type Step = (string | Buffer)[] | {unordered: (string | Buffer)[]; records?: boolean}
export interface Case {
  name: string
  steps: Step[]
  /** Protocols to run in (both by default). */
  resp?: readonly (2 | 3)[]
}

/** A RESP2 flat array of field/value pairs (a map flattened) as sorted pairs; other values unchanged. */
function pairsSorted(value: RespValue): unknown {
  if (value.type !== 'array' || value.items.length % 2 !== 0) return value
  const pairs: string[] = []
  for (let i = 0; i < value.items.length; i += 2) pairs.push(JSON.stringify([value.items[i], value.items[i + 1]]))
  return pairs.sort()
}

export async function runCase(pair: DifferentialPair, c: Case): Promise<void> {
  for (const resp of c.resp ?? [2, 3]) {
    await pair.reset()
    await pair.expectSame('SCRIPT', 'FLUSH')
    await pair.expectSame('FUNCTION', 'FLUSH')
    if (resp === 3) await pair.resp3()
    for (const step of c.steps) {
      if (Array.isArray(step)) {
        await pair.expectSame(...step)
        continue
      }
      const [real, ours] = await Promise.all([pair.realClient.command(...step.unordered), pair.ourClient.command(...step.unordered)])
      const describeStep = `RESP${resp} ${step.unordered.join(' ')}: ours ${JSON.stringify(ours.toString('latin1'))} real ${JSON.stringify(real.toString('latin1'))}`
      expect(pairsSorted(canonical(ours, step.records)), describeStep).toEqual(pairsSorted(canonical(real, step.records)))
      expect(parseResp(ours).type, describeStep).toBe(parseResp(real).type)
    }
  }
}

export function describeCases(pairOf: () => DifferentialPair, groups: Record<string, Case[]>): void {
  for (const [group, cases] of Object.entries(groups)) {
    describe(group, () => {
      for (const c of cases) it(c.name, () => runCase(pairOf(), c))
    })
  }
}

