// Runs examples/split-brain.sh (a master cut off by `rtopo partition` keeps taking writes that heal throws
// away; with min-replicas-to-write it refuses them) on the bundled engine, on real Redis, and on bundled servers
// with real sentinels; each of its checks exits non-zero on failure. It checks with redis-cli, which comes with
// real Redis.

import {join} from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {projectRoot} from '../helpers/nodes.js'
import {freePortRange} from '../helpers/ports.js'
import {realRedisMissing} from '../helpers/real-redis.js'

describe.skipIf(!!realRedisMissing)(`examples/split-brain.sh${realRedisMissing ? ` (skipped: ${realRedisMissing})` : ''}`, () => {
  it.concurrent.each([['bundled', 'bundled'], ['redis', 'redis'], ['bundled', 'redis']])('shows the split-brain write loss with %s servers and %s sentinels', async (engine, sentinelEngine) => {
    const base = await freePortRange(12)
    const run = await execa('bash', [join(projectRoot, 'examples', 'split-brain.sh')], {
      reject: false, env: {ENGINE: engine, SENTINEL_ENGINE: sentinelEngine, BASE_PORT: String(base), NO_COLOR: '1'}, timeout: 240_000,
    })
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).toContain('ok: acknowledged writes missing on the new master = 20')
    expect(run.stdout).toContain('ok: a write to the cut-off master = NOREPLICAS Not enough good replicas to write.')
    expect(run.stdout).toContain(`split brain shown on the ${engine} engine (sentinels: ${sentinelEngine})`)
  }, 300_000)
})
