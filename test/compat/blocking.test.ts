// Blocking list commands and CLIENT REPLY against real Redis 7.0. Immediate answers are compared byte for
// byte; waits are compared as scenarios: the same script of several raw clients runs on both servers and
// the transcripts of what each client received must be equal.

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing, type NodeHandle} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing

/** A script over fresh raw clients of one server; `log` records what they receive. */
type Scenario = (open: () => Promise<RawClient>, node: NodeHandle, log: (label: string, reply: Buffer) => void) => Promise<void>

async function blockedClients(node: NodeHandle): Promise<number> {
  const probe = await node.raw()
  try {
    const info = (await probe.command('INFO', 'clients')).toString('latin1')
    return Number(/blocked_clients:(\d+)/.exec(info)?.[1])
  } finally {
    probe.close()
  }
}

const untilBlocked = async (node: NodeHandle, count: number): Promise<void> => {
  await waitFor(() => blockedClients(node), (n) => n === count, {timeoutMs: 5000, what: `${count} blocked clients on ${node.engine}`})
}

describe.skipIf(!!skip)(`blocking commands match Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: DifferentialPair
  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(() => pair?.stop())
  beforeEach(() => pair.reset())

  /** Runs the scenario on both servers and expects the same transcript. */
  async function sameScenario(scenario: Scenario): Promise<string[]> {
    const run = async (node: NodeHandle): Promise<string[]> => {
      const transcript: string[] = []
      const clients: RawClient[] = []
      const open = async () => {
        const c = await node.raw()
        clients.push(c)
        return c
      }
      try {
        await scenario(open, node, (label, reply) => transcript.push(`${label}: ${JSON.stringify(reply.toString('latin1'))}`))
      } finally {
        for (const c of clients) c.close()
      }
      await untilBlocked(node, 0)
      return transcript
    }
    const real = await run(pair.real)
    const ours = await run(pair.ours)
    expect(ours).toEqual(real)
    return ours
  }

  it('answers at once when a list has data, and with the same errors', async () => {
    const s = pair.expectSame
    await s('RPUSH', 'b', '1', '2', '3')
    await s('BLPOP', 'a', 'b', '0')
    await s('BRPOP', 'a', 'b', '1.5')
    await s('BLPOP', 'b', '-1')
    await s('BLPOP', 'b', 'soon')
    await s('BLPOP', 'b', 'inf')
    await s('BLPOP', 'b', '-inf')
    await s('BLPOP', 'b', '1e20')
    await s('BLPOP', 'b', 'nan')
    await s('BLPOP', 'b', ' 1')
    await s('BLPOP', 'b', '-0.0005')
    await s('BLPOP', 'b')
    await s('SET', 'str', 'x')
    await s('BLPOP', 'a', 'str', 'b', '0')
    await s('BLPOP', 'b', 'str', '0')
    await s('RPUSH', 'src', 'x', 'y')
    await s('BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0')
    await s('BLMOVE', 'src', 'dst', 'UP', 'RIGHT', '0')
    await s('BLMOVE', 'src', 'str', 'LEFT', 'RIGHT', '0')
    await s('BRPOPLPUSH', 'src', 'dst', '0')
    await s('LRANGE', 'dst', '0', '-1')
    await s('BRPOPLPUSH', 'str', 'dst', '0')
    await s('BLPOP', 'nothing', '0.01')
    await s('BLMOVE', 'nothing', 'dst', 'LEFT', 'LEFT', '0.01')
    await pair.resp3()
    await s('BLPOP', 'nothing', '0.01')
    await s('BLMOVE', 'nothing', 'dst', 'LEFT', 'LEFT', '0.01')
  })

  it('LMPOP and BLMPOP parse, pop and fail like Redis', async () => {
    const s = pair.expectSame
    await s('RPUSH', 'l1', 'a', 'b', 'c')
    await s('RPUSH', 'l2', 'x')
    await s('LMPOP', '2', 'none', 'l1', 'LEFT')
    await s('LMPOP', '2', 'none', 'l1', 'right', 'COUNT', '10')
    await s('LMPOP', '2', 'l1', 'l2', 'LEFT', 'COUNT', '2')
    await s('LMPOP', '1', 'none', 'LEFT')
    await s('LMPOP', '0', 'l2', 'LEFT')
    await s('LMPOP', 'x', 'l2', 'LEFT')
    await s('LMPOP', '3', 'l2', 'LEFT')
    await s('LMPOP', '1', 'l2', 'MIDDLE')
    await s('LMPOP', '1', 'l2', 'LEFT', 'COUNT', '0')
    await s('LMPOP', '1', 'l2', 'LEFT', 'COUNT')
    await s('LMPOP', '1', 'l2', 'LEFT', 'COUNT', '1', 'COUNT', '1')
    await s('SET', 'str', 'v')
    await s('LMPOP', '2', 'str', 'l2', 'LEFT')
    await s('RPUSH', 'l2', 'y', 'z')
    await s('BLMPOP', '0', '1', 'l2', 'LEFT')
    await s('BLMPOP', '-1', '1', 'l2', 'LEFT')
    await s('BLMPOP', 'x', '0', 'l2', 'LEFT')
    await s('BLMPOP', '0.01', '1', 'none', 'RIGHT', 'COUNT', '2')
    await s('LLEN', 'l2')
  })

  it('BZPOPMIN, BZPOPMAX and BZMPOP answer at once like Redis, in RESP2 and RESP3', async () => {
    const s = pair.expectSame
    await s('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4.5', 'd')
    await s('SET', 'str', 'x')
    await s('BZPOPMIN', 'none', 'z', '0')
    await s('BZPOPMAX', 'none', 'z', '0')
    await s('BZPOPMIN', 'str', 'z', '0')
    await s('BZPOPMIN', 'z', '-1')
    await s('BZPOPMIN', 'none', '0.01')
    await s('BZMPOP', '0', '2', 'none', 'z', 'MIN', 'COUNT', '5')
    await s('ZADD', 'z', '1', 'a', '2', 'b')
    await s('BZMPOP', 'x', '1', 'z', 'MAX')
    await s('BZMPOP', '0', '0', 'z', 'MAX')
    await s('BZMPOP', '0', '1', 'z', 'SIDEWAYS')
    await s('BZMPOP', '0', '2', 'z', 'MAX')
    await s('BZMPOP', '0', '1', 'z', 'MAX', 'COUNT', '0')
    await s('BZMPOP', '0.01', '1', 'none', 'MIN')
    await pair.resp3()
    await s('BZPOPMAX', 'z', '0')
    await s('BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '3')
    await s('BZPOPMIN', 'none', '0.01')
    await s('MULTI')
    await s('BZPOPMIN', 'none', '0')
    await s('BZMPOP', '0', '1', 'none', 'MIN')
    await s('EXEC')
  })

  it('a ZADD serves sorted-set waiters in order; a list write does not', async () => {
    await sameScenario(async (open, node, log) => {
      const first = await open()
      const second = await open()
      const writer = await open()
      first.send('*3\r\n$8\r\nBZPOPMIN\r\n$1\r\nz\r\n$1\r\n0\r\n')
      await untilBlocked(node, 1)
      second.send('*7\r\n$6\r\nBZMPOP\r\n$1\r\n0\r\n$1\r\n1\r\n$1\r\nz\r\n$3\r\nMAX\r\n$5\r\nCOUNT\r\n$1\r\n5\r\n')
      await untilBlocked(node, 2)
      log('list write', await writer.command('RPUSH', 'z', 'not-a-zset'))
      log('still blocked', Buffer.from(String(await blockedClients(node))))
      log('del', await writer.command('DEL', 'z'))
      log('zadd', await writer.command('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'))
      log('first', await first.reply())
      log('second', await second.reply())
      log('left', await writer.command('EXISTS', 'z'))
    })
  })

  it('inside MULTI a blocking command answers as on timeout instead of blocking', async () => {
    const s = pair.expectSame
    await s('MULTI')
    await s('BLPOP', 'empty', '0')
    await s('BLMOVE', 'empty', 'd', 'LEFT', 'LEFT', '0')
    await s('BLMPOP', '0', '1', 'empty', 'LEFT')
    await s('EXEC')
  })

  it('a push serves the waiting client, which then runs its pipelined requests', async () => {
    await sameScenario(async (open, node, log) => {
      const waiter = await open()
      const writer = await open()
      waiter.send('*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\nPING\r\n')
      await untilBlocked(node, 1)
      log('push', await writer.command('RPUSH', 'q', 'a', 'b'))
      log('waiter', await waiter.reply())
      log('waiter', await waiter.reply())
      log('left', await writer.command('LRANGE', 'q', '0', '-1'))
    })
  })

  it('serves waiters first come, first served, and a BLMOVE feeds the next waiter', async () => {
    await sameScenario(async (open, node, log) => {
      const first = await open()
      const second = await open()
      const mover = await open()
      const writer = await open()
      first.send('*3\r\n$5\r\nBRPOP\r\n$1\r\nq\r\n$1\r\n0\r\n')
      await untilBlocked(node, 1)
      second.send('*4\r\n$5\r\nBLPOP\r\n$5\r\nother\r\n$1\r\nq\r\n$1\r\n0\r\n')
      await untilBlocked(node, 2)
      mover.send('*6\r\n$6\r\nBLMOVE\r\n$3\r\nsrc\r\n$5\r\nother\r\n$4\r\nLEFT\r\n$5\r\nRIGHT\r\n$1\r\n0\r\n')
      await untilBlocked(node, 3)
      log('push q', await writer.command('RPUSH', 'q', '1'))
      log('first', await first.reply())
      log('push src', await writer.command('LPUSH', 'src', 'm'))
      log('mover', await mover.reply())
      log('second', await second.reply())
      log('keys', await writer.command('EXISTS', 'q', 'src', 'other'))
    })
  })

  it('keeps waiting while the key holds another type, and is served once it is a list again', async () => {
    await sameScenario(async (open, node, log) => {
      const waiter = await open()
      const writer = await open()
      waiter.send('*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n')
      await untilBlocked(node, 1)
      log('set', await writer.command('SET', 'k', 'string'))
      log('blocked', Buffer.from(String(await blockedClients(node))))
      log('del', await writer.command('DEL', 'k'))
      log('multi', await writer.command('MULTI'))
      log('queued', await writer.command('LPUSH', 'k', 'v'))
      log('queued', await writer.command('LPUSH', 'k', 'w'))
      log('exec', await writer.command('EXEC'))
      log('waiter', await waiter.reply())
      log('left', await writer.command('LRANGE', 'k', '0', '-1'))
    })
  })

  it('times out, and CLIENT UNBLOCK ends a wait with the timeout reply or an error', async () => {
    await sameScenario(async (open, node, log) => {
      const waiter = await open()
      const admin = await open()
      log('timeout', await waiter.command('BLPOP', 'k', '0.05'))
      const id = (await waiter.command('CLIENT', 'ID')).toString().slice(1).trim()
      waiter.send('*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n')
      await untilBlocked(node, 1)
      log('unblock', await admin.command('CLIENT', 'UNBLOCK', id, 'TIMEOUT'))
      log('waiter', await waiter.reply())
      waiter.send('*6\r\n$6\r\nBLMOVE\r\n$1\r\nk\r\n$1\r\nd\r\n$4\r\nLEFT\r\n$4\r\nLEFT\r\n$1\r\n0\r\n')
      await untilBlocked(node, 1)
      log('unblock', await admin.command('CLIENT', 'UNBLOCK', id, 'ERROR'))
      log('waiter', await waiter.reply())
      log('not blocked', await admin.command('CLIENT', 'UNBLOCK', id))
      log('bad reason', await admin.command('CLIENT', 'UNBLOCK', id, 'LATER'))
    })
  })

  it('forgets a waiter that disconnects', async () => {
    await sameScenario(async (open, node, log) => {
      const waiter = await open()
      const writer = await open()
      waiter.send('*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n')
      await untilBlocked(node, 1)
      waiter.close()
      await untilBlocked(node, 0)
      log('push', await writer.command('RPUSH', 'k', 'kept'))
      log('left', await writer.command('LRANGE', 'k', '0', '-1'))
    })
  })

  it('CLIENT REPLY OFF, SKIP and ON drop exactly the replies Redis drops', async () => {
    await pair.expectSameRaw(
      'CLIENT REPLY SKIP\r\nSET a 1\r\nGET a\r\nCLIENT REPLY OFF\r\nINCR a\r\nCLIENT REPLY SKIP\r\nGET a\r\nCLIENT REPLY ON\r\nGET a\r\n',
      3,
    )
    await pair.expectSameRaw('CLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nPING\r\nPING\r\nCLIENT REPLY MAYBE\r\n', 2)
  })
})
