// XREAD and XREADGROUP with BLOCK against real Redis 7.0, as scenarios: the same script of raw clients runs on
// both servers and the transcripts of what each client received must be equal. Covers the order waiters are
// served in, COUNT, timeouts, CLIENT UNBLOCK, deleted or replaced keys, destroyed groups, writes that do not
// wake readers (XSETID), writes inside MULTI, and BLOCK where it cannot block.

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {encodeCommand} from '../../src/resp/encoder.js'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing, type NodeHandle} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing

type Scenario = (open: () => Promise<RawClient>, untilBlocked: (n: number) => Promise<void>, log: (label: string, reply: Buffer) => void) => Promise<void>

async function blockedClients(node: NodeHandle): Promise<number> {
  const probe = await node.raw()
  try {
    return Number(/blocked_clients:(\d+)/.exec((await probe.command('INFO', 'clients')).toString('latin1'))?.[1])
  } finally {
    probe.close()
  }
}

const send = (client: RawClient, ...args: string[]): void => client.send(encodeCommand(args))

describe.skipIf(!!skip)(`blocking stream reads match Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: DifferentialPair
  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(() => pair?.stop())
  beforeEach(() => pair.reset())

  async function sameScenario(scenario: Scenario): Promise<string[]> {
    const run = async (node: NodeHandle): Promise<string[]> => {
      const transcript: string[] = []
      const clients: RawClient[] = []
      const open = async (): Promise<RawClient> => {
        const c = await node.raw()
        clients.push(c)
        return c
      }
      const untilBlocked = async (n: number): Promise<void> => {
        await waitFor(() => blockedClients(node), (count) => count === n, {timeoutMs: 5000, what: `${n} blocked clients on ${node.engine}`})
      }
      try {
        await scenario(open, untilBlocked, (label, reply) => transcript.push(`${label}: ${JSON.stringify(reply.toString('latin1'))}`))
      } finally {
        for (const c of clients) c.close()
      }
      await untilBlocked(0)
      return transcript
    }
    const real = await run(pair.real)
    const ours = await run(pair.ours)
    expect(ours).toEqual(real)
    return ours
  }

  it('XREAD waiters are served in the order they blocked, each from its own ID and with its COUNT', async () => {
    const transcript = await sameScenario(async (open, untilBlocked, log) => {
      const [a, b, c, writer] = [await open(), await open(), await open(), await open()]
      await writer.command('XADD', 's', '1-0', 'f', 'old')
      send(a, 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$')
      await untilBlocked(1)
      send(b, 'XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 'other', 's', '0', '1-0')
      await untilBlocked(2)
      send(c, 'XREAD', 'BLOCK', '0', 'STREAMS', 'nokey', '$')
      await untilBlocked(3)
      await writer.command('MULTI')
      await writer.command('XADD', 's', '2-0', 'f', 'one')
      await writer.command('XADD', 's', '3-0', 'f', 'two')
      log('exec', await writer.command('EXEC'))
      log('a', await a.reply())
      log('b', await b.reply())
      await untilBlocked(1)
      log('xsetid', await writer.command('XSETID', 'nokey', '5-0'))
      log('create', await writer.command('XADD', 'nokey', '7-0', 'f', 'new'))
      log('c', await c.reply())
    })
    expect(transcript.length).toBe(6)
  })

  it('XREADGROUP waiters share new entries, record them as pending, and NOACK moves only the group', async () => {
    await sameScenario(async (open, untilBlocked, log) => {
      const [a, b, writer] = [await open(), await open(), await open()]
      await writer.command('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM')
      send(a, 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>')
      await untilBlocked(1)
      send(b, 'XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '5', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>')
      await untilBlocked(2)
      await writer.command('XADD', 's', '1-0', 'f', 'v')
      log('alice', await a.reply())
      await untilBlocked(1)
      await writer.command('XSETID', 's', '4-0')
      log('still blocked', await writer.command('XADD', 's', '5-0', 'f', 'w'))
      log('bob', await b.reply())
      log('pending', await writer.command('XPENDING', 's', 'g'))
      log('groups', await writer.command('XINFO', 'GROUPS', 's'))
    })
  })

  it('timeouts, CLIENT UNBLOCK with TIMEOUT and ERROR, and BLOCK inside MULTI', async () => {
    await sameScenario(async (open, untilBlocked, log) => {
      const [a, b, admin] = [await open(), await open(), await open()]
      log('timeout', await a.command('XREAD', 'BLOCK', '30', 'STREAMS', 's', '$'))
      const idA = (await a.command('CLIENT', 'ID')).toString().slice(1, -2)
      const idB = (await b.command('CLIENT', 'ID')).toString().slice(1, -2)
      send(a, 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$')
      send(b, 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>')
      log('b nogroup', await b.reply())
      await admin.command('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM')
      send(b, 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>')
      await untilBlocked(2)
      log('unblock a', await admin.command('CLIENT', 'UNBLOCK', idA, 'TIMEOUT'))
      log('a', await a.reply())
      log('unblock b', await admin.command('CLIENT', 'UNBLOCK', idB, 'ERROR'))
      log('b', await b.reply())
      await a.command('MULTI')
      await a.command('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$')
      await a.command('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>')
      log('exec', await a.command('EXEC'))
    })
  })

  it('a deleted or replaced stream and a destroyed group end XREADGROUP waits with their errors; XREAD keeps waiting', async () => {
    await sameScenario(async (open, untilBlocked, log) => {
      const [reader, group1, group2, group3, writer] = [await open(), await open(), await open(), await open(), await open()]
      await writer.command('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM')
      await writer.command('XGROUP', 'CREATE', 't', 'g', '$', 'MKSTREAM')
      await writer.command('XGROUP', 'CREATE', 'u', 'g', '$', 'MKSTREAM')
      send(reader, 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$')
      await untilBlocked(1)
      send(group1, 'XREADGROUP', 'GROUP', 'g', 'c1', 'BLOCK', '0', 'STREAMS', 's', '>')
      await untilBlocked(2)
      send(group2, 'XREADGROUP', 'GROUP', 'g', 'c2', 'BLOCK', '0', 'STREAMS', 't', '>')
      await untilBlocked(3)
      send(group3, 'XREADGROUP', 'GROUP', 'g', 'c3', 'BLOCK', '0', 'STREAMS', 'u', '>')
      await untilBlocked(4)
      log('del', await writer.command('DEL', 's'))
      log('group1', await group1.reply())
      log('set', await writer.command('SET', 't', 'x'))
      log('group2', await group2.reply())
      log('destroy', await writer.command('XGROUP', 'DESTROY', 'u', 'g'))
      log('group3', await group3.reply())
      await untilBlocked(1)
      log('recreate', await writer.command('XADD', 's', '1-0', 'f', 'v'))
      log('reader', await reader.reply())
    })
  })
})
