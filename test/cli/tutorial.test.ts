// Runs examples/tutorial.sh (the tutorial, steps 1–13) on real Redis; each of its checks exits non-zero on failure.

import {join} from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {projectRoot} from '../helpers/nodes.js'
import {freePortRange} from '../helpers/ports.js'
import {realRedisMissing} from '../helpers/real-redis.js'

describe.skipIf(!!realRedisMissing)(`examples/tutorial.sh${realRedisMissing ? ` (skipped: ${realRedisMissing})` : ''}`, () => {
  it('replays every tutorial step on real Redis', async () => {
    const base = await freePortRange(103)
    const run = await execa('bash', [join(projectRoot, 'examples', 'tutorial.sh')], {
      reject: false, env: {ENGINE: 'redis', BASE_PORT: String(base), NO_COLOR: '1'}, timeout: 240_000,
    })
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).toContain('tutorial replayed on the redis engine')
    expect(run.stdout).toContain('ok: old master is now a replica = slave')
  }, 300_000)
})
