// CLIENT REPLY OFF against Redis 7.0: replies are silenced, pushes are not (Redis sends them with
// CLIENT_PUSHING): subscribe confirmations, messages and RESP3 tracking invalidations get through, and a
// tracking redirect to a silenced subscriber still receives its __redis__:invalidate messages. Everything each
// connection receives is compared byte for byte with real Redis.

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {encodeCommand} from '../../src/resp/encoder.js'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import type {RawClient} from '../helpers/raw-client.js'

const skipReason = realRedisMissing ?? bundledMissing

/** Every reply `c` receives until (and with) the one equal to `last`. */
async function repliesUntil(c: RawClient, last: string): Promise<string[]> {
  const got: string[] = []
  for (;;) {
    const reply = (await c.reply(5000)).toString('latin1')
    got.push(reply)
    if (reply === last) return got
  }
}

/** RESP3: a silenced client subscribes, gets a message and the invalidation of a key it tracks, but no reply. */
async function silencedResp3(node: NodeHandle): Promise<string[]> {
  const a = await node.raw()
  const b = await node.raw()
  try {
    await a.command('HELLO', '3')
    const seen = [(await a.command('CLIENT', 'TRACKING', 'on')).toString('latin1'), (await a.command('GET', 'k')).toString('latin1')]
    a.send(Buffer.concat([encodeCommand(['CLIENT', 'REPLY', 'OFF']), encodeCommand(['SUBSCRIBE', 'ch']), encodeCommand(['GET', 'k'])]))
    // PUBLISH answers 1 once the subscription exists: poll until it does.
    let receivers = ''
    for (let i = 0; i < 100 && receivers !== ':1\r\n'; i++) receivers = (await b.command('PUBLISH', 'ch', `hi${i}`)).toString('latin1')
    expect(receivers).toBe(':1\r\n')
    await b.command('SET', 'k', 'v')
    a.send(Buffer.concat([encodeCommand(['CLIENT', 'REPLY', 'ON']), encodeCommand(['PING'])]))
    // Only the last PUBLISH reached the subscriber for sure; earlier ones may have come before SUBSCRIBE.
    const after = await repliesUntil(a, '+PONG\r\n')
    return [...seen, ...after.filter((r, i) => i === 0 || !r.includes('$7\r\nmessage\r\n') || i === after.findLastIndex((x) => x.includes('$7\r\nmessage\r\n')))]
  } finally {
    a.close()
    b.close()
  }
}

/** RESP2 redirect: the invalidations go to a subscriber of __redis__:invalidate that has silenced its replies. */
async function silencedRedirect(node: NodeHandle): Promise<string[]> {
  const sub = await node.raw()
  const a = await node.raw()
  const b = await node.raw()
  try {
    const id = /:(\d+)/.exec((await sub.command('CLIENT', 'ID')).toString('latin1'))?.[1] as string
    sub.send(Buffer.concat([encodeCommand(['CLIENT', 'REPLY', 'OFF']), encodeCommand(['SUBSCRIBE', '__redis__:invalidate'])]))
    const subscribed = (await sub.reply()).toString('latin1')
    await a.command('CLIENT', 'TRACKING', 'on', 'REDIRECT', id)
    await a.command('GET', 'k2')
    await b.command('SET', 'k2', 'v')
    return [subscribed, (await sub.reply()).toString('latin1')]
  } finally {
    sub.close()
    a.close()
    b.close()
  }
}

describe.skipIf(!!skipReason)(`CLIENT REPLY OFF with pushes matches Redis 7.0${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let pair: DifferentialPair

  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(async () => {
    await pair?.stop()
  })

  it('RESP3: the subscribe confirmation, messages and the tracking invalidation get through, the GET reply does not', async () => {
    await pair.reset()
    const [real, ours] = [await silencedResp3(pair.real), await silencedResp3(pair.ours)]
    expect(ours).toEqual(real)
    expect(real.some((r) => r.startsWith('>3\r\n$9\r\nsubscribe\r\n'))).toBe(true)
    expect(real.some((r) => r.startsWith('>2\r\n$10\r\ninvalidate\r\n'))).toBe(true)
  })

  it('RESP2 redirect: a silenced subscriber still receives the invalidation messages', async () => {
    await pair.reset()
    const [real, ours] = [await silencedRedirect(pair.real), await silencedRedirect(pair.ours)]
    expect(ours).toEqual(real)
    expect(real[1]).toContain('invalidate')
  })
})
