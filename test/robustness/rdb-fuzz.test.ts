// The RDB loader under mutated files (test/fuzz/rdb-fuzzer.ts): 20,000 mutations of RDB files saved by the
// bundled server and by real Redis 7.0 either load or fail with RdbError, naming the byte offset; never
// another exception, never a hang. RTOPO_FUZZ_SEED picks another seed.

import {afterAll, describe, expect, it} from 'vitest'
import {bundledMissing, stopAllNodes} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {rdbSeeds, runRdbFuzz} from '../fuzz/rdb-fuzzer.js'

const SEED = process.env.RTOPO_FUZZ_SEED !== undefined ? Number(process.env.RTOPO_FUZZ_SEED) : 20_261_203
const INPUTS = 20_000

describe.skipIf(!!bundledMissing)(`RDB loader fuzz${bundledMissing ? ` (skipped: ${bundledMissing})` : realRedisMissing ? ` (seeds from the bundled server only: ${realRedisMissing})` : ''}`, () => {
  afterAll(stopAllNodes)

  it('mutated RDB files load or fail with a clean error naming the offset', async () => {
    const seeds = [await rdbSeeds('bundled'), ...(realRedisMissing ? [] : [await rdbSeeds('redis')])]
    const report = runRdbFuzz(seeds, SEED, INPUTS)
    console.log(`RDB fuzz, seed ${SEED}: ${report.inputs} inputs, ${report.loaded} loaded, ${report.rdbErrors} RdbError, ${report.findings.length} findings; slowest #${report.slowest.index} ${report.slowest.ms.toFixed(1)} ms of CPU`)
    const shown = report.findings.slice(0, 10).map((f) => `#${f.index}: ${f.error} (input saved as ${f.file})`).join('\n')
    expect(report.findings, `seed ${SEED}: ${report.findings.length} finding(s)\n${shown}`).toEqual([])
    // The mutations reach past the header: some inputs still load, many fail deep inside.
    expect(report.loaded).toBeGreaterThan(0)
    expect(report.rdbErrors).toBeGreaterThan(INPUTS / 2)
  }, 120_000)
})
