// Sentinel script paths resolve from the sentinel's `dir` (config.c chdir), on both engines:
// SENTINEL SET <master> notification-script / client-reconfig-script accept a relative script that exists
// and is executable there, and refuse anything else with Redis's exact error text.

import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {bundledMissing, type Engine} from '../helpers/nodes.js'
import {freePort} from '../helpers/ports.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {masterState, sentinelScope} from '../helpers/sentinels.js'

const finishers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const fn of finishers.splice(0)) await fn()
})

const engines: {engine: Engine; skip: string | undefined}[] = [
  {engine: 'bundled', skip: bundledMissing},
  {engine: 'redis', skip: realRedisMissing},
]

for (const {engine, skip} of engines) {
  describe.skipIf(!!skip)(`${engine} sentinel script paths${skip ? ` (skipped: ${skip})` : ''}`, () => {
    it('relative script paths resolve from the sentinel dir, others get Redis\'s error', async () => {
      const scope = sentinelScope((fn) => finishers.push(fn))
      const masterPort = await freePort()
      // The process starts in the sentinel's temp dir; the `dir` line below moves it into work/.
      const s = await scope.sentinel({engine}).then(async (first) => {
        // Restart in the same directory with a `dir` pointing at work/, where the scripts are.
        const work = join(first.dir, 'work')
        mkdirSync(work)
        writeFileSync(join(work, 'n.sh'), '#!/bin/sh\nexit 0\n')
        chmodSync(join(work, 'n.sh'), 0o755)
        writeFileSync(join(work, 'plain.sh'), '#!/bin/sh\nexit 0\n')
        chmodSync(join(work, 'plain.sh'), 0o644)
        await first.stop()
        const port = first.port
        writeFileSync(first.configPath, [
          `port ${port}`, 'bind 127.0.0.1', `dir ${work}`, `logfile ${join(first.dir, 'sentinel.log')}`,
          'sentinel deny-scripts-reconfig no', `sentinel monitor mymaster 127.0.0.1 ${masterPort} 2`, '',
        ].join('\n'))
        return scope.sentinel({engine, dir: first.dir, port})
      })
      expect(await s.sentinel('SET', 'mymaster', 'notification-script', './n.sh')).toBe('OK')
      expect((await masterState(s))['notification-script']).toBe('./n.sh')
      await expect(s.sentinel('SET', 'mymaster', 'notification-script', './missing.sh'))
        .rejects.toThrow(/^ERR Notification script seems non existing or non executable$/)
      await expect(s.sentinel('SET', 'mymaster', 'notification-script', './plain.sh'))
        .rejects.toThrow(/^ERR Notification script seems non existing or non executable$/)
      expect(await s.sentinel('SET', 'mymaster', 'client-reconfig-script', './n.sh')).toBe('OK')
      await expect(s.sentinel('SET', 'mymaster', 'client-reconfig-script', './missing.sh'))
        .rejects.toThrow(/^ERR Client reconfiguration script seems non existing or non executable$/)
    })
  })
}
