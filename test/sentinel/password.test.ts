// Passwords everywhere: bundled servers with requirepass/masterauth, sentinels with `sentinel auth-pass` for
// them and a requirepass of their own (so they AUTH to each other with it). Discovery and a failover work
// with bundled sentinels only and with a redis-sentinel among them; a wrong auth-pass leaves the master
// subjectively down (-NOAUTH is not a valid PING reply) on both engines.

import {describe, it} from 'vitest'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {killMasterAndFailover, masterState, monitorLines, pairs, sentinelName, sentinelScope, startTopology, type SentinelSpec} from '../helpers/sentinels.js'
import {waitFor} from '../helpers/wait-for.js'

const password = 'server-pw'
const sentinelPassword = 'sentinel-pw'

describe.skipIf(!!bundledMissing)(`sentinels with passwords${bundledMissing ? ` (skipped: ${bundledMissing})` : ''}`, () => {
  const cases: [string, SentinelSpec[], string | undefined][] = [
    ['3 bundled sentinels', [{engine: 'bundled'}, {engine: 'bundled'}, {engine: 'bundled'}], undefined],
    ['2 bundled sentinels + 1 redis-sentinel', [{engine: 'bundled'}, {engine: 'redis'}, {engine: 'bundled'}], realRedisMissing],
  ]
  for (const [title, specs, missing] of cases) {
    it(`${title}: discovery through AUTH, then a failover after kill -9`, {concurrent: true, skip: !!missing, timeout: 60_000}, async ({expect, onTestFinished}) => {
      const scope = sentinelScope(onTestFinished)
      const t = await startTopology(scope, specs, {password, sentinelPassword})
      for (const s of t.sentinels) {
        const peers = (await s.sentinel('SENTINELS', 'mymaster')) as unknown[][]
        expect(peers.map((p) => pairs(p).flags), sentinelName(s)).toEqual(['sentinel', 'sentinel'])
        expect(await s.sentinel('CKQUORUM', 'mymaster')).toBe('OK 3 usable Sentinels. Quorum and failover authorization can be reached')
        expect((await masterState(s)).flags).toBe('master')
      }
      // Sentinels refuse clients without the password like a server does.
      const raw = await t.sentinels[0]!.raw()
      expect((await raw.command('SENTINEL', 'MYID')).toString()).toBe('-NOAUTH Authentication required.\r\n')
      raw.close()
      const {promoted} = await killMasterAndFailover(t)
      expect(await promoted.client({password}).set('after', 'ok')).toBe('OK')
      expect(await t.sentinels[1]!.sentinel('GET-MASTER-ADDR-BY-NAME', 'mymaster')).toEqual(['127.0.0.1', String(promoted.port)])
    })
  }

  for (const engine of ['bundled', 'redis'] as const) {
    it(`${engine} sentinel with a wrong auth-pass: the master is subjectively down`, {concurrent: true, skip: engine === 'redis' && !!realRedisMissing, timeout: 30_000}, async ({expect, onTestFinished}) => {
      const scope = sentinelScope(onTestFinished)
      const master = await scope.server({engine: 'bundled', args: ['--save', '', '--requirepass', password], password})
      const s = await scope.sentinel({engine, config: monitorLines(master.port, {downAfter: 1000, authPass: 'wrong'})})
      const state = await waitFor(() => masterState(s), (m) => (m.flags ?? '').split(',').includes('s_down'), {what: `${engine} sentinel flags the master s_down`})
      // redis-sentinel mostly also shows `disconnected`: hiredis drops its pub/sub link on the -NOAUTH reply
      // to SUBSCRIBE and reconnects every second; the bundled sentinel keeps the link.
      if (engine === 'redis') expect((state.flags ?? '').replace(/,disconnected$/, '')).toBe('s_down,master')
      else expect(state.flags).toBe('s_down,master')
      expect(state['last-ok-ping-reply']).not.toBe('0')
    })
  }
})
