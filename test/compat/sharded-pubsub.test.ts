// Differential tests of sharded Pub/Sub (SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH, PUBSUB SHARDCHANNELS/SHARDNUMSUB):
// confirmations, smessage frames, the counts each confirmation carries, the RESP2 pub/sub context, key specs,
// CLIENT LIST and INFO fields must be byte-identical to Redis 7.0; SPUBLISH reaches a replica's subscribers.

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {nodeScope, replicaOf, waitForLinkUp} from '../helpers/replication.js'

const skipReason = realRedisMissing ?? bundledMissing

/** The named fields of a CLIENT INFO line. */
const fields = (line: string, names: readonly string[]): string =>
  names.map((n) => new RegExp(`(?:^|\\s)${n}=(\\S*)`).exec(line)?.[0]?.trim() ?? `${n}?`).join(' ')

describe.skipIf(!!skipReason)(`sharded pub/sub matches Redis 7.0${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
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

  /** The same command on the second connection of each server; the replies must be equal. */
  const onPublishers = async (...args: string[]): Promise<string> => {
    const [real, ours] = await Promise.all(publishers.map((p) => p.command(...args)))
    expect(ours?.toString('latin1'), args.join(' ')).toBe(real?.toString('latin1'))
    return ours?.toString('latin1') ?? ''
  }

  const expectSameFrame = async (): Promise<string> => {
    const [real, ours] = await Promise.all([pair.realClient.reply(), pair.ourClient.reply()])
    expect(ours.toString('latin1')).toBe(real.toString('latin1'))
    return ours.toString('latin1')
  }

  it('RESP2: confirmations count shard channels apart from channels and patterns; smessage frames', async () => {
    expect(await pair.expectSameRaw('*3\r\n$10\r\nSSUBSCRIBE\r\n$1\r\na\r\n$2\r\npa\r\n', 2)).toBe(
      '*3\r\n$10\r\nssubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$10\r\nssubscribe\r\n$2\r\npa\r\n:2\r\n')
    expect(await pair.expectSame('SUBSCRIBE', 'c')).toBe('*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n')
    await pair.expectSame('PSUBSCRIBE', 'p*')
    await pair.expectSame('SSUBSCRIBE', 'a')
    expect(await onPublishers('SPUBLISH', 'a', 'hi')).toBe(':1\r\n')
    expect(await expectSameFrame()).toBe('*3\r\n$8\r\nsmessage\r\n$1\r\na\r\n$2\r\nhi\r\n')
    // Patterns see PUBLISH only; a shard channel named like a global one is another channel.
    expect(await onPublishers('SPUBLISH', 'pa', 'x')).toBe(':1\r\n')
    await expectSameFrame()
    expect(await onPublishers('PUBLISH', 'a', 'y')).toBe(':0\r\n')
    expect(await onPublishers('SPUBLISH', 'c', 'z')).toBe(':0\r\n')
    expect(await onPublishers('SPUBLISH', 'nobody', 'z')).toBe(':0\r\n')
    await pair.expectSame('PING')
    await pair.expectSame('GET', 'k')
    await pair.expectSame('SPUBLISH', 'a', 'self')
    await pair.expectSame('SUNSUBSCRIBE', 'a', 'nope')
    await pair.expectSame('SUNSUBSCRIBE', 'pa')
    // Still subscribed to c and p*: the context stays.
    await pair.expectSame('GET', 'k')
    await pair.expectSame('SUNSUBSCRIBE')
    await pair.expectSame('UNSUBSCRIBE', 'c')
    await pair.expectSame('PUNSUBSCRIBE', 'p*')
    await pair.expectSame('GET', 'k')
  })

  it('RESP2: shard subscriptions alone make a pub/sub client; SUNSUBSCRIBE without arguments ends it', async () => {
    await pair.expectSame('SSUBSCRIBE', 'only')
    await pair.expectSame('SET', 'k', 'v')
    await pair.expectSame('UNSUBSCRIBE')
    await pair.expectSame('PUNSUBSCRIBE')
    await pair.expectSame('SET', 'k', 'v')
    expect(await pair.expectSameRaw('*1\r\n$12\r\nSUNSUBSCRIBE\r\n', 1)).toBe('*3\r\n$12\r\nsunsubscribe\r\n$4\r\nonly\r\n:0\r\n')
    await pair.expectSame('SET', 'k', 'v')
  })

  it('RESP3: push frames, and any command while subscribed', async () => {
    await pair.resp3()
    expect(await pair.expectSame('SSUBSCRIBE', 'news')).toBe('>3\r\n$10\r\nssubscribe\r\n$4\r\nnews\r\n:1\r\n')
    await pair.expectSame('GET', 'k')
    await pair.expectSame('SPUBLISH', 'news', 'self')
    await expectSameFrame()
    await onPublishers('SPUBLISH', 'news', 'x')
    expect(await expectSameFrame()).toBe('>3\r\n$8\r\nsmessage\r\n$4\r\nnews\r\n$1\r\nx\r\n')
    await pair.expectSame('SUNSUBSCRIBE', 'news')
    await pair.expectSame('SUNSUBSCRIBE')
  })

  it('PUBSUB SHARDCHANNELS / SHARDNUMSUB, INFO pubsubshard_channels and CLIENT LIST ssub=', async () => {
    await pair.expectSame('SSUBSCRIBE', 'shard-one')
    for (const args of [['SHARDCHANNELS'], ['SHARDCHANNELS', 'shard*'], ['SHARDCHANNELS', 'x*'], ['SHARDNUMSUB', 'shard-one', 'none'],
      ['SHARDNUMSUB'], ['shardchannels', 'a', 'b'], ['CHANNELS'], ['NUMSUB', 'shard-one']]) {
      await onPublishers('PUBSUB', ...args)
    }
    const [realInfo, ourInfo] = await Promise.all(publishers.map((p) => p.command('INFO', 'stats')))
    const shard = (b: Buffer | undefined): string | undefined => /pubsubshard_channels:\d+/.exec(b?.toString() ?? '')?.[0]
    expect(shard(ourInfo)).toBe(shard(realInfo))
    expect(shard(ourInfo)).toBe('pubsubshard_channels:1')
    const [realList, ourList] = await Promise.all(publishers.map((p) => p.command('CLIENT', 'LIST', 'TYPE', 'pubsub')))
    const names = ['flags', 'sub', 'psub', 'ssub', 'cmd']
    expect(fields(ourList?.toString() ?? '', names)).toBe(fields(realList?.toString() ?? '', names))
    expect(fields(ourList?.toString() ?? '', names)).toBe('flags=P sub=0 psub=0 ssub=1 cmd=ssubscribe')
  })

  it('inside MULTI SSUBSCRIBE is refused at EXEC (SUBSCRIBE is not); RESET drops shard subscriptions', async () => {
    await pair.expectSameRaw('*1\r\n$5\r\nMULTI\r\n*2\r\n$10\r\nSSUBSCRIBE\r\n$1\r\na\r\n*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\nb\r\n*1\r\n$4\r\nEXEC\r\n', 4)
    await pair.expectSame('UNSUBSCRIBE', 'b')
    await pair.expectSame('SSUBSCRIBE', 'a', 'b')
    await pair.expectSame('RESET')
    await onPublishers('PUBSUB', 'SHARDNUMSUB', 'a', 'b')
    await pair.expectSame('GET', 'k')
  })

  it('key specs: shard channels are not_key keys; COMMAND GETKEYS finds none', async () => {
    await onPublishers('COMMAND', 'INFO', 'ssubscribe', 'sunsubscribe', 'spublish', 'pubsub|shardchannels', 'pubsub|shardnumsub')
    await onPublishers('COMMAND', 'GETKEYS', 'SSUBSCRIBE', 'a', 'b')
    await onPublishers('COMMAND', 'GETKEYSANDFLAGS', 'SPUBLISH', 'a', 'm')
    await onPublishers('COMMAND', 'GETKEYS', 'SUNSUBSCRIBE')
    await pair.expectSame('SSUBSCRIBE')
    await pair.expectSame('SPUBLISH', 'a')
    await pair.expectSame('EVAL', "return redis.call('ssubscribe', 'a')", '0')
    await pair.expectSame('EVAL', "return redis.call('spublish', 'a', 'm')", '0')
  })
})

describe.skipIf(!!skipReason)(`SPUBLISH reaches a replica's shard subscribers${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  for (const [masterEngine, replicaEngine] of [['redis', 'bundled'], ['bundled', 'redis']] as const) {
    it(`${masterEngine} master, ${replicaEngine} replica`, async ({onTestFinished}) => {
      const start = nodeScope(onTestFinished)
      const master = await start({engine: masterEngine, args: ['--save', '']})
      const replica = await start({engine: replicaEngine, args: ['--save', '']})
      expect(await replicaOf(replica, master)).toBe('OK')
      await waitForLinkUp(replica)
      const subscriber = await replica.raw()
      onTestFinished(() => subscriber.close())
      expect((await subscriber.command('SSUBSCRIBE', 'orders')).toString()).toBe('*3\r\n$10\r\nssubscribe\r\n$6\r\norders\r\n:1\r\n')
      const publisher = await master.raw()
      onTestFinished(() => publisher.close())
      expect((await publisher.command('SPUBLISH', 'orders', 'o-1')).toString()).toBe(':0\r\n')
      expect((await subscriber.reply()).toString()).toBe('*3\r\n$8\r\nsmessage\r\n$6\r\norders\r\n$3\r\no-1\r\n')
    })
  }
})
