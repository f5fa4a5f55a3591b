// Runs examples/tutorial.sh (the tutorial, steps 1–13) all on real Redis, on bundled servers with real
// sentinels, and all on the bundled engine; each of its checks exits non-zero on failure. It checks with
// redis-cli, which comes with real Redis.

import {join} from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {projectRoot} from '../helpers/nodes.js'
import {freePortRange} from '../helpers/ports.js'
import {realRedisMissing} from '../helpers/real-redis.js'

describe.skipIf(!!realRedisMissing)(`examples/tutorial.sh${realRedisMissing ? ` (skipped: ${realRedisMissing})` : ''}`, () => {
  it.concurrent.each([['redis', 'redis'], ['bundled', 'redis'], ['bundled', 'bundled']])('replays every tutorial step with %s servers and %s sentinels', async (engine, sentinelEngine) => {
    const base = await freePortRange(103)
    const run = await execa('bash', [join(projectRoot, 'examples', 'tutorial.sh')], {
      reject: false, env: {ENGINE: engine, SENTINEL_ENGINE: sentinelEngine, BASE_PORT: String(base), NO_COLOR: '1'}, timeout: 240_000,
    })
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).toContain(`tutorial replayed on the ${engine} engine (sentinels: ${sentinelEngine})`)
    expect(run.stdout).toContain('ok: old master is now a replica = slave')
  }, 300_000)
})
