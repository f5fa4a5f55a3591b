// The command table must agree with real Redis 7.0: for every command and subcommand we register,
// COMMAND INFO on ours equals real Redis's arity, key positions and flags (Garnet's coverage test).

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {Redis} from 'ioredis'
import {bundledMissing, startServer, stopAllNodes, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'

/** Commands we answer although Redis 7.0 does not know them (7.2 additions that current clients send). */
const NOT_IN_REDIS_7_0 = new Set(['client|setinfo', 'client|no-touch'])

interface Info {
  name: string
  arity: number
  flags: string[]
  keys: [number, number, number]
  subcommands: Info[]
}

type RawEntry = [string, number, string[], number, number, number, string[], unknown, unknown, RawEntry[]]

const toInfo = (e: RawEntry): Info => ({
  name: e[0],
  arity: e[1],
  flags: [...e[2]].sort(),
  keys: [e[3], e[4], e[5]],
  subcommands: (e[9] ?? []).map(toInfo),
})

const flatten = (infos: Info[]): Info[] => infos.flatMap((i) => [i, ...flatten(i.subcommands)])

const skipReason = realRedisMissing ?? bundledMissing

describe.skipIf(!!skipReason)(`COMMAND INFO matches Redis 7.0 ${skipReason ? `(skipped: ${skipReason})` : ''}`, () => {
  let real: NodeHandle
  let ours: NodeHandle
  let realClient: Redis
  let ourClient: Redis
  let ourCommands: Info[]

  beforeAll(async () => {
    ;[real, ours] = await Promise.all([
      startServer({engine: 'redis', args: ['--save', '']}),
      startServer({engine: 'bundled', args: ['--save', '']}),
    ])
    realClient = real.client({protocol: 2})
    ourClient = ours.client({protocol: 2})
    ourCommands = flatten(((await ourClient.call('COMMAND')) as RawEntry[]).map(toInfo))
  })

  afterAll(async () => {
    await stopAllNodes()
  })

  it('registers no name twice (COMMAND and COMMAND LIST agree and are unique)', async () => {
    const names = ourCommands.map((c) => c.name)
    expect(new Set(names).size).toBe(names.length)
    const listed = (await ourClient.call('COMMAND', 'LIST')) as string[]
    expect([...listed].sort()).toEqual([...names].sort())
    const count = (await ourClient.call('COMMAND', 'COUNT')) as number
    expect(count).toBe(ourCommands.filter((c) => !c.name.includes('|')).length)
  })

  it('every registered command has the arity, key positions and flags of Redis 7.0', async () => {
    const checked = ourCommands.filter((c) => !NOT_IN_REDIS_7_0.has(c.name))
    const realEntries = (await realClient.call('COMMAND', 'INFO', ...checked.map((c) => c.name))) as (RawEntry | null)[]
    const mismatches: string[] = []
    checked.forEach((ours, i) => {
      const entry = realEntries[i]
      if (entry === null || entry === undefined) {
        mismatches.push(`${ours.name}: not a Redis 7.0 command`)
        return
      }
      const real = toInfo(entry)
      if (real.arity !== ours.arity) mismatches.push(`${ours.name}: arity ${ours.arity}, Redis ${real.arity}`)
      if (real.keys.join(',') !== ours.keys.join(',')) mismatches.push(`${ours.name}: keys ${ours.keys.join(',')}, Redis ${real.keys.join(',')}`)
      if (real.flags.join(',') !== ours.flags.join(',')) mismatches.push(`${ours.name}: flags [${ours.flags.join(' ')}], Redis [${real.flags.join(' ')}]`)
    })
    expect(mismatches).toEqual([])
  })

  it('COMMAND INFO of a single command has the Redis 7.0 entry shape', async () => {
    const [entry] = (await ourClient.call('COMMAND', 'INFO', 'ping')) as RawEntry[]
    expect(entry?.slice(0, 7)).toEqual(['ping', -1, ['fast'], 0, 0, 0, ['@fast', '@connection']])
    expect(await ourClient.call('COMMAND', 'INFO', 'no-such-command')).toEqual([null])
  })
})
