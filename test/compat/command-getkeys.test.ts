// COMMAND GETKEYS / GETKEYSANDFLAGS against Redis 7.0, byte for byte: every command we register with plausible
// arguments, the numkeys commands with good and bad counts (Redis falls back from the key specs to its getkeys
// procs there), SET's GET-dependent flags, the error order, and the key specs COMMAND INFO reports.

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const skip = realRedisMissing ?? bundledMissing

/** Commands we answer although Redis 7.0 does not know them (7.2 additions that current clients send). */
const NOT_IN_REDIS_7_0 = new Set(['client|setinfo', 'client|no-touch'])

const show = (b: Buffer): string => JSON.stringify(b.toString('latin1'))

/** The argv of `name` ('object|encoding' → OBJECT ENCODING …) with `count` arguments in all, a1 a2 … after the name. */
const callOf = (name: string, count: number): string[] => {
  const words = name.split('|')
  const args = Array.from({length: Math.max(0, count - words.length)}, (_, i) => `a${i + 1}`)
  return [...words, ...args]
}

describe.skipIf(!!skip)(`COMMAND GETKEYS matches Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: DifferentialPair
  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(() => pair?.stop())

  /** Sends every call to both servers and returns the ones whose replies differ, with both replies. */
  const differences = async (calls: string[][]): Promise<string[]> => {
    const out: string[] = []
    for (const call of calls) {
      const [a, b] = await Promise.all([pair.realClient.command(...call), pair.ourClient.command(...call)])
      if (!a.equals(b)) out.push(`${call.join(' ')}: ours ${show(b)}, Redis ${show(a)}`)
    }
    return out
  }

  const getkeysCalls = (argv: string[]): string[][] => [
    ['COMMAND', 'GETKEYS', ...argv],
    ['COMMAND', 'GETKEYSANDFLAGS', ...argv],
  ]

  it('every registered command, at its arity and one argument either side of it', async () => {
    const names = ((await pair.ours.client({protocol: 2}).call('COMMAND', 'LIST')) as string[])
      .filter((n) => !NOT_IN_REDIS_7_0.has(n))
      .sort()
    expect(names.length).toBeGreaterThan(100)
    const info = (await pair.ours.client({protocol: 2}).call('COMMAND', 'INFO', ...names)) as [string, number][]
    const calls: string[][] = []
    names.forEach((name, i) => {
      const arity = (info[i] as [string, number])[1]
      const base = Math.abs(arity)
      // Fixed arity: exactly, and one short / one over (arity errors); variable: the minimum and a few more.
      const counts = arity > 0 ? [base - 1, base, base + 1] : [base - 1, base, base + 1, base + 2, base + 3]
      for (const count of counts) {
        if (count < name.split('|').length) continue
        calls.push(...getkeysCalls(callOf(name, count)))
      }
    })
    expect(await differences(calls)).toEqual([])
  })

  it('GETKEYSANDFLAGS flags are a set in RESP3', async () => {
    await Promise.all([pair.realClient.command('HELLO', '3'), pair.ourClient.command('HELLO', '3')])
    try {
      expect(await differences([
        ...getkeysCalls(['SMOVE', 'src', 'dst', 'm']),
        ...getkeysCalls(['ZUNIONSTORE', 'd', '2', 'a', 'b']),
        ...getkeysCalls(['ZUNIONSTORE', 'd', '2x', 'a', 'b']),
        ...getkeysCalls(['SET', 'k', 'v', 'GET']),
        ...getkeysCalls(['MSET', 'a', '1', 'b', '2']),
      ])).toEqual([])
    } finally {
      await pair.reset()
    }
  })

  /** Good and bad numkeys for a command whose keys follow a numkeys argument (`prefix` up to, excluding, numkeys). */
  const numkeysCases = (prefix: string[], trailer: string[]): string[][] => {
    const counts = ['1', '2', '3', '0', '-1', '4', '100', 'abc', '', '2abc', '1abc', ' 2', '+2', '02', '-0', '2.0',
      '4294967297', '4294967298', '2147483648', '9223372036854775807', '9223372036854775808', '99999999999999999999']
    return counts.flatMap((n) => [
      ...getkeysCalls([...prefix, n, 'k1', 'k2', ...trailer]),
      ...getkeysCalls([...prefix, n, 'k1', 'k2', 'k3', ...trailer]),
    ])
  }

  it('SINTERCARD, ZUNION, ZINTER, ZDIFF, ZINTERCARD: numkeys then the keys', async () => {
    const calls = [
      ...numkeysCases(['SINTERCARD'], []),
      ...numkeysCases(['SINTERCARD'], ['LIMIT', '5']),
      ...numkeysCases(['ZUNION'], ['WEIGHTS', '1', '2', 'WITHSCORES']),
      ...numkeysCases(['ZINTER'], ['AGGREGATE', 'MAX']),
      ...numkeysCases(['ZDIFF'], []),
      ...numkeysCases(['ZINTERCARD'], ['LIMIT', '1']),
      ...getkeysCalls(['ZUNION', '1']),
      ...getkeysCalls(['SINTERCARD', '1']),
    ]
    expect(await differences(calls)).toEqual([])
  })

  it('ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE: a destination, numkeys, the keys', async () => {
    const calls = [
      ...numkeysCases(['ZUNIONSTORE', 'dest'], []),
      ...numkeysCases(['ZINTERSTORE', 'dest'], ['WEIGHTS', '1', '2']),
      ...numkeysCases(['ZDIFFSTORE', 'dest'], []),
      ...getkeysCalls(['ZUNIONSTORE', 'dest', '1']),
    ]
    expect(await differences(calls)).toEqual([])
  })

  it('ZMPOP, LMPOP and their blocking forms BZMPOP, BLMPOP (numkeys after the timeout)', async () => {
    const calls = [
      ...numkeysCases(['ZMPOP'], ['MIN']),
      ...numkeysCases(['ZMPOP'], ['MAX', 'COUNT', '2']),
      ...numkeysCases(['LMPOP'], ['LEFT']),
      ...numkeysCases(['BZMPOP', '0'], ['MIN']),
      ...numkeysCases(['BZMPOP', '1.5'], ['MAX', 'COUNT', '3']),
      ...numkeysCases(['BLMPOP', '0'], ['RIGHT']),
      ...getkeysCalls(['LMPOP', '1', 'k']),
      ...getkeysCalls(['BLMPOP', '0', '1', 'k']),
      ...getkeysCalls(['BZMPOP', '0', '1', 'k']),
    ]
    expect(await differences(calls)).toEqual([])
  })

  it('SET reads the old value only with GET; commands with several key specs flag each key', async () => {
    const calls = [
      ['SET', 'k', 'v'], ['SET', 'k', 'v', 'GET'], ['SET', 'k', 'v', 'gEt'], ['SET', 'k', 'v', 'NX', 'GET', 'EX', '10'],
      ['SET', 'k', 'v', 'GETX'], ['SET', 'k', 'GET'], ['SET', 'k', 'v', 'KEEPTTL'],
      ['GETEX', 'k', 'PERSIST'], ['RENAME', 'a', 'b'], ['RENAMENX', 'a', 'b'], ['COPY', 'a', 'b', 'REPLACE'],
      ['LMOVE', 'a', 'b', 'LEFT', 'RIGHT'], ['BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '0'], ['RPOPLPUSH', 'a', 'b'],
      ['SDIFFSTORE', 'd', 'a', 'b', 'c'], ['SINTERSTORE', 'd', 'a'], ['BITOP', 'AND', 'd', 'a', 'b'],
      ['ZRANGESTORE', 'd', 's', '0', '-1'], ['MSET', 'a', '1', 'b', '2', 'c'], ['MSETNX', 'a', '1'],
      ['DEL', 'a', 'b'], ['EXISTS', 'a', 'a'], ['BLPOP', 'a', 'b', '0'], ['BZPOPMIN', 'a', '0'], ['LCS', 'a', 'b', 'LEN'],
      ['MEMORY', 'USAGE', 'k', 'SAMPLES', '5'], ['OBJECT', 'ENCODING', 'k'], ['WATCH', 'a', 'b'],
    ].flatMap(getkeysCalls)
    expect(await differences(calls)).toEqual([])
  })

  it('SORT and SORT_RO: the sorted key, and the destination after the last STORE (when registered)', async () => {
    const names = (await pair.ours.client({protocol: 2}).call('COMMAND', 'LIST')) as string[]
    const calls = [
      ['SORT', 'k'], ['SORT', 'k', 'STORE', 'd'], ['SORT', 'k', 'store'], ['SORT', 'k', 'BY', 'w_*', 'STORE', 'd', 'GET', '#'],
      ['SORT', 'k', 'STORE', 'd', 'LIMIT', '0', '1', 'STORE', 'e'], ['SORT', 'k', 'LIMIT', 'store', 'x', 'STORE'],
      ['SORT', 'k', 'GET', 'store', 'x'], ['SORT', 'k', 'STORE', 'limit', '1', '2'], ['SORT', 'k', 'STORE', 'store', 'x'],
      ['SORT', 'k', 'ALPHA', 'DESC', 'STORE', 'd'], ['SORT_RO', 'k'], ['SORT_RO', 'k', 'BY', 'x', 'STORE', 'd'],
    ].filter((call) => names.includes((call[0] as string).toLowerCase()))
    expect(await differences(calls.flatMap(getkeysCalls))).toEqual([])
  })

  it('errors come in Redis order: unknown command, no keys, arity, invalid arguments', async () => {
    const calls = [
      ['COMMAND', 'GETKEYS'], ['COMMAND', 'GETKEYS', 'get'], ['COMMAND', 'GETKEYSANDFLAGS', 'get'],
      ['COMMAND', 'GETKEYS', 'nosuchcommand', 'x'], ['COMMAND', 'GETKEYS', 'nosuchcommand', 'x', 'y'],
      ['COMMAND', 'GETKEYS', 'ping', 'x'], ['COMMAND', 'GETKEYS', 'ping', 'x', 'y', 'z'],
      ['COMMAND', 'GETKEYS', 'get', 'a', 'b'], ['COMMAND', 'GETKEYS', 'GeT', 'a'], ['COMMAND', 'GETKEYS', 'incr', 'a', 'b'],
      ['COMMAND', 'GETKEYS', 'object', 'nosuch'], ['COMMAND', 'GETKEYS', 'object', 'nosuch', 'k'],
      ['COMMAND', 'GETKEYS', 'object', 'encoding'], ['COMMAND', 'GETKEYS', 'object', 'help'],
      ['COMMAND', 'GETKEYS', 'object|encoding', 'k'], ['COMMAND', 'GETKEYS', 'memory|usage', 'k'],
      ['COMMAND', 'GETKEYS', 'config', 'get', 'x'], ['COMMAND', 'GETKEYS', 'client', 'info'],
      ['COMMAND', 'GETKEYS', 'command', 'getkeys', 'get', 'k'], ['COMMAND', 'GETKEYS', 'zunion', '0', 'k'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'zunionstore', 'd', '0', 'k'], ['COMMAND', 'GETKEYS', 'blpop', 'k'],
      ['COMMAND', 'GETKEYS', 'mset', 'a'], ['COMMAND', 'GETKEYSANDFLAGS', 'lmpop', '1'],
    ]
    expect(await differences(calls)).toEqual([])
  })

  it('COMMAND INFO reports the key specs of Redis 7.0 for every registered command', async () => {
    const ours = pair.ours.client({protocol: 2})
    const real = pair.real.client({protocol: 2})
    const names = ((await ours.call('COMMAND', 'LIST')) as string[]).filter((n) => !NOT_IN_REDIS_7_0.has(n)).sort()
    const [ourInfo, realInfo] = (await Promise.all([
      ours.call('COMMAND', 'INFO', ...names),
      real.call('COMMAND', 'INFO', ...names),
    ])) as unknown[][][]
    const mismatches: string[] = []
    names.forEach((name, i) => {
      const a = JSON.stringify(realInfo?.[i]?.[8] ?? null)
      const b = JSON.stringify(ourInfo?.[i]?.[8] ?? null)
      if (a !== b) mismatches.push(`${name}: ours ${b}, Redis ${a}`)
    })
    expect(mismatches).toEqual([])
  })
})
