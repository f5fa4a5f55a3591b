// maxmemory-clients against Redis 7.0: the setting takes bytes or a percentage of maxmemory with Redis's
// errors; once the clients' memory reaches it the largest evictable client is closed, logged and counted in
// evicted_clients, while CLIENT NO-EVICT clients and small clients keep being served.
// No durations are measured: a server that never evicts fails by the test timeout.

import {once} from 'node:events'
import {connect} from 'node:net'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {waitFor} from '../helpers/wait-for.js'

const skipReason = realRedisMissing ?? bundledMissing
const MB = 1024 * 1024

/**
 * Opens a connection that sends the start of one big SET whose value never completes, `bytes` of it, and
 * resolves once the server has closed the connection.
 */
async function hugeUnfinishedRequest(node: NodeHandle, bytes: number): Promise<{closed: Promise<void>}> {
  const socket = connect({port: node.port, host: '127.0.0.1'})
  await once(socket, 'connect')
  socket.on('error', () => {})
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
  socket.write(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${bytes * 2}\r\n`)
  socket.write(Buffer.alloc(bytes, 'x'))
  return {closed}
}

const statsField = async (pair: DifferentialPair, which: 'real' | 'ours', field: string): Promise<string | undefined> => {
  const client = which === 'real' ? pair.realClient : pair.ourClient
  const text = (await client.command('INFO', 'stats')).toString('latin1')
  return new RegExp(`${field}:(\\S+)`).exec(text)?.[1]
}

describe.skipIf(!!skipReason)(`maxmemory-clients matches Redis 7.0${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let pair: DifferentialPair

  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(async () => {
    await pair?.stop()
  })
  beforeEach(async () => {
    await pair.reset()
    await pair.expectSame('CONFIG', 'SET', 'maxmemory-clients', '0')
    await pair.expectSame('CONFIG', 'RESETSTAT')
  })

  it('takes a memory value or a percentage, with Redis\'s errors', async () => {
    for (const value of ['1gb', '10%', '0%', '100%', '0', '']) {
      await pair.expectSame('CONFIG', 'SET', 'maxmemory-clients', value)
      await pair.expectSame('CONFIG', 'GET', 'maxmemory-clients')
    }
    for (const value of ['abc', '-5', '10.5%', '200%', '%']) await pair.expectSame('CONFIG', 'SET', 'maxmemory-clients', value)
    await pair.expectSame('CONFIG', 'GET', 'maxmemory-clients')
  })

  it('closes the client whose query buffer takes the clients over the limit; NO-EVICT and small clients stay', async () => {
    for (const c of [pair.realClient, pair.ourClient]) expect((await c.command('CLIENT', 'NO-EVICT', 'on')).toString()).toBe('+OK\r\n')
    await pair.expectSame('CONFIG', 'SET', 'maxmemory-clients', '2mb')
    const small = await Promise.all([pair.real.raw(), pair.ours.raw()])
    const [real, ours] = await Promise.all([hugeUnfinishedRequest(pair.real, 4 * MB), hugeUnfinishedRequest(pair.ours, 4 * MB)])
    await Promise.all([real.closed, ours.closed])
    await pair.expectSame('GET', 'big')
    expect(await statsField(pair, 'ours', 'evicted_clients')).toBe('1')
    expect(await statsField(pair, 'real', 'evicted_clients')).toBe('1')
    for (const c of small) expect((await c.command('PING')).toString()).toBe('+PONG\r\n')
    await waitFor(() => readFileSync(join(pair.ours.dir, 'server.log'), 'utf8'), (log) => /Evicting client: id=\d+ addr=127\.0\.0\.1:\d+ /.test(log), {what: 'the eviction in the log', timeoutMs: 5000})
    for (const c of small) c.close()
  }, 60_000)

  it('a percentage without maxmemory evicts nothing; with maxmemory it is that share of it', async () => {
    await pair.expectSame('CONFIG', 'SET', 'maxmemory-clients', '1%')
    const idle = await Promise.all([hugeUnfinishedRequest(pair.real, MB), hugeUnfinishedRequest(pair.ours, MB)])
    await pair.expectSame('PING')
    expect(await statsField(pair, 'ours', 'evicted_clients')).toBe('0')
    // 1% of 100 MB is 1 MB, which the 1 MB request reaches.
    for (const c of [pair.realClient, pair.ourClient]) await c.command('CLIENT', 'NO-EVICT', 'on')
    await pair.expectSame('CONFIG', 'SET', 'maxmemory', '100mb')
    const more = await Promise.all([hugeUnfinishedRequest(pair.real, MB), hugeUnfinishedRequest(pair.ours, MB)])
    await Promise.all([...idle, ...more].map((r) => r.closed))
    expect(Number(await statsField(pair, 'ours', 'evicted_clients'))).toBeGreaterThanOrEqual(1)
    expect(Number(await statsField(pair, 'real', 'evicted_clients'))).toBeGreaterThanOrEqual(1)
    await pair.expectSame('CONFIG', 'SET', 'maxmemory', '0')
  }, 60_000)
})
