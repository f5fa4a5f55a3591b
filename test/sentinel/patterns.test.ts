// The sentinel's glob patterns against redis-sentinel 7.0: SENTINEL CONFIG GET (nocase) and SENTINEL RESET
// take their pattern as a C string (stringmatch: it ends at a NUL), and a pathological pattern is answered at
// once (a hang shows up as the test timeout).

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {bundledMissing} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {monitorLines, sentinelScope, type SentinelHandle} from '../helpers/sentinels.js'

const skip = realRedisMissing ?? bundledMissing
const show = (b: Buffer): string => JSON.stringify(b.toString('latin1'))

describe.skipIf(!!skip)(`sentinel patterns match redis-sentinel 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const finish: (() => Promise<void>)[] = []
  let real: SentinelHandle
  let ours: SentinelHandle
  let clients: [RawClient, RawClient]

  const expectSame = async (...command: string[]): Promise<string> => {
    const [a, b] = await Promise.all(clients.map((c) => c.command(...command)))
    expect(show(b as Buffer), `reply to ${JSON.stringify(command)}`).toBe(show(a as Buffer))
    return (b as Buffer).toString('latin1')
  }

  beforeAll(async () => {
    const scope = sentinelScope((fn) => finish.push(fn))
    const master = await scope.server({engine: 'bundled', args: ['--save', '']})
    const config = monitorLines(master.port, {downAfter: 60000, failoverTimeout: 180000})
    ;[real, ours] = await Promise.all([scope.sentinel({engine: 'redis', config}), scope.sentinel({engine: 'bundled', config})])
    clients = [await real.raw(), await ours.raw()]
  })
  afterAll(async () => {
    for (const c of clients ?? []) c.close()
    for (const fn of finish.reverse()) await fn()
  })

  it('SENTINEL CONFIG GET: nocase, classes, a NUL ends the pattern, pathological patterns', async () => {
    for (const pattern of ['RESOLVE-*', 'announce-[i]p', 'announce-[^i]*', '[\\A]nnounce-ip', 'resolve-hostnames\0x', 'resolve\0*', `${'*-'.repeat(30)}*x`, `${'*?'.repeat(40)}*`]) {
      await expectSame('SENTINEL', 'CONFIG', 'GET', pattern)
    }
  })

  it('SENTINEL RESET: the pattern ends at a NUL; a pathological one matches nothing at once', async () => {
    expect(await expectSame('SENTINEL', 'RESET', `${'m*'.repeat(20)}x`)).toBe(':0\r\n')
    expect(await expectSame('SENTINEL', 'RESET', 'MYMASTER')).toBe(':0\r\n')
    expect(await expectSame('SENTINEL', 'RESET', 'nomaster\0mymaster')).toBe(':0\r\n')
    expect(await expectSame('SENTINEL', 'RESET', 'my*\0nothing')).toBe(':1\r\n')
    expect(await expectSame('PING')).toBe('+PONG\r\n')
  })
})
