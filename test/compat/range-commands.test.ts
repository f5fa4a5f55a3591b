// ZCOUNT, ZREMRANGEBYSCORE, LREM and LTRIM, which work from the ends of a range instead of the whole value,
// against Redis 7.0 byte for byte: inclusive and exclusive bounds, infinities, equal scores, empty ranges,
// counts from the head and the tail.

import {afterAll, beforeAll, beforeEach, describe, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const skipReason = realRedisMissing ?? bundledMissing

describe.skipIf(!!skipReason)(`range commands match Redis 7.0${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let pair: DifferentialPair

  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(async () => {
    await pair?.stop()
  })
  beforeEach(async () => {
    await pair.reset()
  })

  it('ZCOUNT and ZREMRANGEBYSCORE over every kind of bound', async () => {
    const members = Array.from({length: 300}, (_, i) => [String(Math.floor(i / 3) - 50), `m${i}`]).flat()
    await pair.expectSame('ZADD', 'z', ...members)
    const bounds = ['-inf', '+inf', '0', '(0', '-50', '(-50', '49', '(49', '10', '(10', '100', '-100', '3.5', '(3.5']
    for (const min of bounds) for (const max of bounds) await pair.expectSame('ZCOUNT', 'z', min, max)
    await pair.expectSame('ZCOUNT', 'missing', '-inf', '+inf')
    await pair.expectSame('ZCOUNT', 'z', 'x', '1')
    for (const [min, max] of [['(10', '20'], ['-inf', '(-40'], ['45', '+inf'], ['5', '4'], ['0', '0']]) {
      await pair.expectSame('ZREMRANGEBYSCORE', 'z', min as string, max as string)
      await pair.expectSame('ZRANGE', 'z', '0', '-1', 'WITHSCORES')
    }
  })

  it('LREM from the head, from the tail and everywhere; LTRIM at both ends', async () => {
    await pair.expectSame('RPUSH', 'l', ...Array.from({length: 200}, (_, i) => String(i % 7)))
    for (const [count, value] of [['2', '3'], ['-3', '4'], ['0', '5'], ['1', 'absent'], ['-100', '6'], ['20', '0']]) {
      await pair.expectSame('LREM', 'l', count as string, value as string)
      await pair.expectSame('LRANGE', 'l', '0', '-1')
    }
    for (const [start, stop] of [['3', '-4'], ['0', '-1'], ['-10', '-1'], ['5', '100'], ['2', '1']]) {
      await pair.expectSame('LTRIM', 'l', start as string, stop as string)
      await pair.expectSame('LRANGE', 'l', '0', '-1')
      await pair.expectSame('EXISTS', 'l')
    }
  })
})
