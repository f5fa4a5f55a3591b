// Blocking commands with timeouts beyond what one Node timer holds (2^31-1 ms, about 24.8 days): the fuzzer
// found BLPOP … 536870912 answered nil at once on the bundled server, since a longer setTimeout fires
// immediately. Both servers must keep such a client blocked until a write serves it, with the same reply.

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing, type NodeHandle} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {encodeCommand} from '../../src/resp/encoder.js'
import {waitFor} from '../helpers/wait-for.js'

const skipReason = realRedisMissing ?? bundledMissing
const title = (what: string): string => `${what}${skipReason ? ` (skipped: ${skipReason})` : ''}`

describe.skipIf(!!skipReason)(title('blocking commands with very long timeouts stay blocked as in Redis 7.0'), () => {
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

  /** Sends `blocking` on a fresh connection of each server, checks it is still blocked after `probe` ran, then serves it with `serve`. */
  async function blockThenServe(blocking: string[], serve: string[]): Promise<void> {
    const replies: string[] = []
    for (const node of [pair.real, pair.ours] as NodeHandle[]) {
      const waiter: RawClient = await node.raw()
      const other: RawClient = await node.raw()
      try {
        waiter.send(encodeCommand(blocking))
        await waitFor(async () => (await other.command('INFO', 'clients')).toString('latin1'), (info) => /blocked_clients:1\r\n/.test(info), {what: `${node.engine}: ${blocking[0]} blocked`})
        // Round trips after it blocked: a timer that fired at once would have answered by now.
        for (let i = 0; i < 5; i++) await other.command('PING')
        expect((await other.command('INFO', 'clients')).toString('latin1'), `${node.engine}: still blocked`).toMatch(/blocked_clients:1\r\n/)
        await other.command(...serve)
        replies.push((await waiter.reply()).toString('latin1'))
      } finally {
        waiter.close()
        other.close()
      }
    }
    expect(replies[1], `reply to ${blocking.join(' ')}`).toBe(replies[0])
  }

  it('BLPOP, BZPOPMIN and XREAD BLOCK with timeouts past 2^31-1 ms', async () => {
    await blockThenServe(['BLPOP', 'l', '536870912'], ['RPUSH', 'l', 'v'])
    await blockThenServe(['BLMOVE', 'l', 'm', 'LEFT', 'RIGHT', '3000000'], ['RPUSH', 'l', 'w'])
    await blockThenServe(['BZPOPMIN', 'z', '2147484'], ['ZADD', 'z', '1', 'a'])
    await blockThenServe(['XREAD', 'BLOCK', '2147483648', 'STREAMS', 's', '$'], ['XADD', 's', '5-1', 'f', 'v'])
  })
})
