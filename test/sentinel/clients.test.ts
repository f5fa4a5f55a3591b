// Clients that find the master through bundled sentinels: ioredis in Sentinel mode writes, and after a
// kill -9 of the master it reconnects to the promoted replica and writes again, talking RESP3 (its default)
// or RESP2 to the sentinels and servers; redis-cli asks a bundled sentinel for the master address.
// (ioredis's failoverDetector option is not covered: when +switch-master arrives while its SentinelConnector
// waits between rounds of sentinels, the client ends with "Connection is closed." — an ioredis race that
// does not depend on the sentinel.)

import {execa} from 'execa'
import {Redis} from 'ioredis'
import {describe, it} from 'vitest'
import {bundledMissing} from '../helpers/nodes.js'
import {redisCli} from '../helpers/real-redis.js'
import {killMasterAndFailover, sentinelScope, startTopology, type Topology} from '../helpers/sentinels.js'
import {waitFor} from '../helpers/wait-for.js'

const sentinelClient = (t: Topology, extra: Record<string, unknown> = {}): Redis => {
  const client = new Redis({
    sentinels: t.sentinels.map((s) => ({host: '127.0.0.1', port: s.port})),
    name: 'mymaster',
    maxRetriesPerRequest: null,
    retryStrategy: () => 100,
    sentinelRetryStrategy: () => 100,
    ...extra,
  })
  client.on('error', () => {})
  return client
}

const connectedPort = async (client: Redis): Promise<number> => Number(/tcp_port:(\d+)/.exec(String(await client.info('server')))?.[1])

describe.skipIf(!!bundledMissing)(`clients through bundled sentinels${bundledMissing ? ` (skipped: ${bundledMissing})` : ''}`, () => {
  for (const protocol of [3, 2]) {
    it.concurrent(`ioredis Sentinel mode, RESP${protocol}: writes, then writes on the promoted replica after kill -9 of the master`, async ({expect, onTestFinished}) => {
      const scope = sentinelScope(onTestFinished)
      const t = await startTopology(scope, [{engine: 'bundled'}, {engine: 'bundled'}, {engine: 'bundled'}], {replicas: 1})
      const client = sentinelClient(t, {protocol})
      onTestFinished(() => client.disconnect())
      expect(await client.set('k', 'v1')).toBe('OK')
      expect(await connectedPort(client)).toBe(t.master.port)
      expect(await client.incr('n')).toBe(1)

      const {promoted} = await killMasterAndFailover(t)
      // The client's next commands wait through the reconnection; they land on the promoted replica.
      const port = await waitFor(() => connectedPort(client), (p) => p === promoted.port, {what: 'ioredis connected to the promoted replica', timeoutMs: 20_000})
      expect(port).toBe(promoted.port)
      expect(await client.set('k', 'v2')).toBe('OK')
      expect(await client.incr('n')).toBe(2)
      expect(await promoted.client().get('k')).toBe('v2')
      expect(await client.call('ROLE')).toEqual(['master', expect.any(Number), []])
    }, 60_000)
  }

  it('redis-cli -p <sentinel> SENTINEL get-master-addr-by-name, before and after a failover', {concurrent: true, skip: !redisCli, timeout: 60_000}, async ({expect, onTestFinished}) => {
    const scope = sentinelScope(onTestFinished)
    const t = await startTopology(scope, [{engine: 'bundled'}, {engine: 'bundled'}], {replicas: 1})
    const ask = async (port: number): Promise<string> =>
      String((await execa(redisCli as string, ['-h', '127.0.0.1', '-p', String(port), 'SENTINEL', 'get-master-addr-by-name', 'mymaster'])).stdout)
    for (const s of t.sentinels) expect(await ask(s.port)).toBe(`127.0.0.1\n${t.master.port}`)
    expect(String((await execa(redisCli as string, ['-p', String(t.sentinels[0]?.port), 'SENTINEL', 'get-master-addr-by-name', 'nope'])).stdout)).toBe('')
    // A forced failover (no agreement needed): both sentinels answer with the replica afterwards.
    expect(String((await execa(redisCli as string, ['-p', String(t.sentinels[0]?.port), 'SENTINEL', 'failover', 'mymaster'])).stdout)).toBe('OK')
    for (const s of t.sentinels) {
      await waitFor(() => ask(s.port), (out) => out === `127.0.0.1\n${t.replicas[0]?.port}`, {what: `redis-cli sees the switch on :${s.port}`, timeoutMs: 20_000})
    }
  })
})
