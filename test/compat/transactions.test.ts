// Differential tests of MULTI/EXEC/DISCARD/WATCH/UNWATCH against Redis 7.0, byte for byte.

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const skipReason = realRedisMissing ?? bundledMissing

describe.skipIf(!!skipReason)(`transactions match Redis 7.0${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
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

  it('MULTI queues and EXEC runs in order, with exec-time errors inside the array', async () => {
    await pair.expectSame('MULTI')
    await pair.expectSame('SET', 'k', 'v')
    await pair.expectSame('INCR', 'k')
    await pair.expectSame('GET', 'k')
    expect(await pair.expectSame('EXEC')).toBe(
      "*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n$1\r\nv\r\n",
    )
  })

  it('errors at queue time abort the transaction with EXECABORT', async () => {
    await pair.expectSame('MULTI')
    await pair.expectSame('SET', 'k')
    await pair.expectSame('NOSUCHCOMMAND', 'x')
    await pair.expectSame('SET', 'k', 'v')
    await pair.expectSame('EXEC')
    await pair.expectSame('GET', 'k')
  })

  it('nesting, DISCARD and EXEC without MULTI', async () => {
    await pair.expectSame('EXEC')
    await pair.expectSame('DISCARD')
    await pair.expectSame('MULTI')
    await pair.expectSame('MULTI')
    await pair.expectSame('WATCH', 'k')
    await pair.expectSame('SET', 'k', '1')
    await pair.expectSame('DISCARD')
    await pair.expectSame('GET', 'k')
  })

  it('commands not allowed inside MULTI', async () => {
    await pair.expectSame('MULTI')
    await pair.expectSame('SAVE')
    await pair.expectSame('EXEC')
  })

  it('WATCH makes EXEC fail when another client changed the key', async () => {
    await pair.expectSame('SET', 'k', '1')
    await pair.expectSame('WATCH', 'k')
    const [realOther, ourOther] = [await pair.real.raw(), await pair.ours.raw()]
    try {
      await realOther.command('SET', 'k', '2')
      await ourOther.command('SET', 'k', '2')
    } finally {
      realOther.close()
      ourOther.close()
    }
    await pair.expectSame('MULTI')
    await pair.expectSame('SET', 'k', '3')
    expect(await pair.expectSame('EXEC')).toBe('*-1\r\n')
    await pair.expectSame('GET', 'k')
  })

  it('UNWATCH forgets watched keys; an untouched key lets EXEC run', async () => {
    await pair.expectSame('WATCH', 'a', 'b')
    await pair.expectSame('UNWATCH')
    await pair.expectSame('WATCH', 'c')
    await pair.expectSame('MULTI')
    await pair.expectSame('SET', 'c', 'x')
    await pair.expectSame('EXEC')
    await pair.expectSame('WATCH')
  })

  it('EXEC is gated on its queue: a write queued before the server became a read-only replica aborts it', async () => {
    const [realOther, ourOther] = [await pair.real.raw(), await pair.ours.raw()]
    const both = (...args: string[]) => Promise.all([realOther.command(...args), ourOther.command(...args)])
    try {
      await pair.expectSame('SET', 'k', 'before')
      await pair.expectSame('MULTI')
      await pair.expectSame('SET', 'k', 'v')
      await pair.expectSame('GET', 'k')
      await both('REPLICAOF', '127.0.0.1', '1')
      // processCommand checks EXEC with its queue's flags; execCommandAbort discards the transaction.
      expect(await pair.expectSame('EXEC')).toBe("-EXECABORT Transaction discarded because of: READONLY You can't write against a read only replica.\r\n")
      await pair.expectSame('EXEC')
      await pair.expectSame('GET', 'k')
      await pair.expectSame('MULTI')
      await pair.expectSame('GET', 'k')
      await pair.expectSame('EXEC')
      // A queue of reads is refused as a whole once the replica may not serve stale data.
      await pair.expectSame('MULTI')
      await pair.expectSame('GET', 'k')
      await both('CONFIG', 'SET', 'replica-serve-stale-data', 'no')
      await pair.expectSame('EXEC')
      await pair.expectSame('MULTI')
      await pair.expectSame('GET', 'k')
      await pair.expectSame('EXEC')
    } finally {
      await both('CONFIG', 'SET', 'replica-serve-stale-data', 'yes')
      await both('REPLICAOF', 'NO', 'ONE')
      realOther.close()
      ourOther.close()
    }
  })

  it('queued commands are not gated again when EXEC runs them: a write after a queued REPLICAOF succeeds', async () => {
    try {
      await pair.expectSame('MULTI')
      await pair.expectSame('REPLICAOF', '127.0.0.1', '1')
      await pair.expectSame('SET', 'k', 'v')
      expect(await pair.expectSame('EXEC')).toBe('*2\r\n+OK\r\n+OK\r\n')
      await pair.expectSame('GET', 'k')
      await pair.expectSame('SET', 'k', 'w')
    } finally {
      await pair.expectSame('REPLICAOF', 'NO', 'ONE')
    }
  })
})
