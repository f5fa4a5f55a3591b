// Strings that grow at their end (APPEND, SETRANGE and SETBIT past the end) share spare room with the value
// they grew from: replies already taken, EXEC results and copies must keep their bytes. RANDOMKEY skips (and
// on a master deletes) expired keys. Byte-for-byte against Redis 7.0.

import {afterAll, beforeAll, beforeEach, describe, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const skipReason = realRedisMissing ?? bundledMissing

describe.skipIf(!!skipReason)(`growing strings match Redis 7.0${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
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

  it('an EXEC keeps each GET as it was while the string grows between them', async () => {
    await pair.expectSame('SET', 'a', 'x')
    await pair.expectSame('MULTI')
    for (const command of [['GET', 'a'], ['APPEND', 'a', 'yz'], ['GET', 'a'], ['SETRANGE', 'a', '5', 'Q'], ['GET', 'a'], ['SETBIT', 'a', '100', '1'], ['GET', 'a'], ['SETRANGE', 'a', '0', 'w'], ['GET', 'a']]) {
      await pair.expectSame(...command)
    }
    await pair.expectSame('EXEC')
  })

  it('a copy and the original grow apart; a long APPEND chain and a SETRANGE past it read back exactly', async () => {
    await pair.expectSame('SET', 'b', 'hello')
    await pair.expectSame('COPY', 'b', 'b2')
    await pair.expectSame('APPEND', 'b', '1')
    await pair.expectSame('APPEND', 'b2', '2')
    await pair.expectSame('MGET', 'b', 'b2')
    for (let i = 0; i < 2000; i++) await pair.expectSame('APPEND', 'c', `ab${i}`)
    await pair.expectSame('GET', 'c')
    await pair.expectSame('SETRANGE', 'c', '20000', 'Z')
    await pair.expectSame('GET', 'c')
    for (let i = 0; i < 300; i++) await pair.expectSame('SETBIT', 'bits', String(i * 13), '1')
    await pair.expectSame('GET', 'bits')
    await pair.expectSame('BITCOUNT', 'bits')
  })

  it('RANDOMKEY never answers an expired key and answers nil once every key has expired', async () => {
    for (let i = 0; i < 20; i++) await pair.expectSame('SET', `gone:${i}`, 'v', 'PX', '1')
    await new Promise((resolve) => setTimeout(resolve, 20))
    await pair.expectSame('RANDOMKEY')
    await pair.expectSame('SET', 'stays', 'v')
    for (let i = 0; i < 20; i++) await pair.expectSame('RANDOMKEY')
  })
})
