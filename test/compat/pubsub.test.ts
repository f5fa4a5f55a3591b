// Differential tests of Pub/Sub: confirmations, messages and PUBSUB introspection must be byte-identical to
// Redis 7.0 in RESP2 (arrays) and RESP3 (push frames).

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const skipReason = realRedisMissing ?? bundledMissing

describe.skipIf(!!skipReason)(`pub/sub matches Redis 7.0${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let pair: DifferentialPair
  let publishers: RawClient[] = []

  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(async () => {
    for (const p of publishers) p.close()
    await pair?.stop()
  })
  beforeEach(async () => {
    await pair.reset()
    for (const p of publishers) p.close()
    publishers = [await pair.real.raw(), await pair.ours.raw()]
  })

  /** PUBLISH on a second connection of each server; both must count the same receivers. */
  const publish = async (channel: string, message: string): Promise<void> => {
    const [real, ours] = await Promise.all(publishers.map((p) => p.command('PUBLISH', channel, message)))
    expect(ours?.toString('latin1')).toBe(real?.toString('latin1'))
  }

  /** The next frame on each subscriber connection. */
  const expectSameFrame = async (): Promise<string> => {
    const [real, ours] = await Promise.all([pair.realClient.reply(), pair.ourClient.reply()])
    expect(ours.toString('latin1')).toBe(real.toString('latin1'))
    return ours.toString('latin1')
  }

  it('RESP2: one confirmation per channel, messages, pattern messages, PING and the context error', async () => {
    await pair.expectSameRaw('*3\r\n$9\r\nSUBSCRIBE\r\n$2\r\nc1\r\n$2\r\nc2\r\n', 2)
    await pair.expectSameRaw('*2\r\n$10\r\nPSUBSCRIBE\r\n$2\r\nc*\r\n', 1)
    await publish('c1', 'hi')
    expect(await expectSameFrame()).toBe('*3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$2\r\nhi\r\n')
    expect(await expectSameFrame()).toBe('*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nc1\r\n$2\r\nhi\r\n')
    await pair.expectSame('PING')
    await pair.expectSame('PING', 'x')
    await pair.expectSame('GET', 'k')
    // UNSUBSCRIBE without arguments walks Redis's dict in hash order; leave one channel so order is fixed.
    await pair.expectSame('UNSUBSCRIBE', 'c1')
    await pair.expectSameRaw('*1\r\n$11\r\nUNSUBSCRIBE\r\n', 1)
    await pair.expectSameRaw('*1\r\n$12\r\nPUNSUBSCRIBE\r\n', 1)
    await pair.expectSame('UNSUBSCRIBE')
    await pair.expectSame('PUNSUBSCRIBE', 'nothing')
  })

  it('RESP3: push frames, and ordinary commands while subscribed', async () => {
    // HELLO replies differ in the client id only; switch both connections and go on.
    await pair.resp3()
    await pair.expectSame('SUBSCRIBE', 'news')
    await pair.expectSame('PING')
    await pair.expectSame('GET', 'k')
    await publish('news', 'x')
    expect(await expectSameFrame()).toBe('>3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$1\r\nx\r\n')
    await pair.expectSame('UNSUBSCRIBE', 'news')
    await pair.expectSame('UNSUBSCRIBE')
  })

  it('glob patterns with classes and escapes', async () => {
    await pair.expectSameRaw('*4\r\n$10\r\nPSUBSCRIBE\r\n$7\r\n[-+]sd*\r\n$5\r\na\\*b?\r\n$4\r\n[^x]\r\n', 3)
    for (const channel of ['+sdown', '-sdown', 'xsdown', 'a*bc', 'axbc', 'y', 'x']) await publish(channel, 'm')
    // +sdown, -sdown, a*bc and y match one pattern each.
    for (let i = 0; i < 4; i++) await expectSameFrame()
  })

  it('PUBSUB CHANNELS, NUMSUB, NUMPAT and their errors', async () => {
    await pair.expectSame('SUBSCRIBE', 'only-one')
    const [real, ours] = await Promise.all(publishers.map((p) => p.command('PUBSUB', 'CHANNELS')))
    expect(ours?.toString('latin1')).toBe(real?.toString('latin1'))
    for (const args of [['CHANNELS', 'only*'], ['CHANNELS', 'x*'], ['NUMSUB', 'only-one', 'none'], ['NUMSUB'], ['NUMPAT'], ['channels', 'a', 'b'], ['NUMPAT', 'x'], ['HELP'], ['FOO']]) {
      const [a, b] = await Promise.all(publishers.map((p) => p.command('PUBSUB', ...args)))
      expect(b?.toString('latin1'), `PUBSUB ${args.join(' ')}`).toBe(a?.toString('latin1'))
    }
  })
})
