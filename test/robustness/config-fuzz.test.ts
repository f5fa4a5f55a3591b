// The config parser under generated and mutated redis.conf text: every directive Redis 7.0 knows with random
// values (numbers, memory units, enums, quotes, escapes, unbalanced quotes, control bytes), lines of the
// shipped templates mutated byte by byte, and duplicated or mixed-up lines. Each input either loads or fails
// with a ConfigError naming the file, the line and a reason; never another exception, never over a second of
// CPU. Input i is generated from Rng.forInput(seed, i) alone. RTOPO_FUZZ_SEED picks another seed.

import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ConfigError, parseConfigText} from '../../src/config/parse.js'
import {ServerConfig} from '../../src/config/directives.js'
import {DEFAULTS} from '../../src/config/defaults.js'
import {projectRoot} from '../helpers/nodes.js'
import {Rng} from '../fuzz/rng.js'

const SEED = process.env.RTOPO_FUZZ_SEED !== undefined ? Number(process.env.RTOPO_FUZZ_SEED) : 20_261_204
const INPUTS = 20_000
const FILE = '/fuzz/redis.conf'

const TEMPLATE_LINES = readFileSync(join(projectRoot, 'templates', 'redis.conf'), 'utf8').split('\n')
  .map((l) => l.replace(/\{\{[a-z_]+\}\}/g, '1')).filter((l) => l.trim() !== '' && !l.startsWith('#'))
const NAMES = DEFAULTS.map(([name]) => name).filter((n) => n !== 'include' && n !== 'dir' && n !== 'logfile' && n !== 'pidfile' && n !== 'unixsocket')
const VALUES = [
  '0', '1', '-1', '100', '65535', '65536', '9223372036854775807', '9223372036854775808', '-9223372036854775809', '1e3', '0x10',
  '1kb', '1mb', '1gb', '4gb', '1k', '1m', '10000000000gb', '-1mb', 'yes', 'no', 'YES', 'maybe', '""', "''", '"a b"', '"\\x41"',
  '"unbalanced', "'unbalanced", '"\\"', '"a"b', 'allkeys-lru', 'noeviction', 'AKE', 'Kx', 'normal 0 0 0', 'pubsub 1mb 1mb', '3600 1 300 100',
  '127.0.0.1', '* -::*', 'master 1 2 3', '\u0000', '\u00ff\u00fe', 'a'.repeat(600),
]

function generate(rng: Rng): string {
  const lines: string[] = []
  const count = 1 + rng.int(8)
  for (let i = 0; i < count; i++) {
    switch (rng.int(4)) {
      case 0: lines.push(`${rng.pick(NAMES)} ${rng.pick(VALUES)}`); break
      case 1: lines.push(`${rng.pick(NAMES)} ${rng.pick(VALUES)} ${rng.pick(VALUES)}`); break
      case 2: {
        const chars = [...rng.pick(TEMPLATE_LINES)]
        const at = rng.int(Math.max(1, chars.length))
        chars[at] = String.fromCharCode(rng.int(256))
        lines.push(chars.join(''))
        break
      }
      default: lines.push(rng.pick(TEMPLATE_LINES))
    }
  }
  return lines.join(rng.chance(0.1) ? '\r\n' : '\n')
}

describe('config parser fuzz', () => {
  it('generated and mutated config text loads or fails with a ConfigError naming file, line and reason', () => {
    const findings: string[] = []
    let loaded = 0
    let refused = 0
    for (let i = 0; i < INPUTS; i++) {
      const text = generate(Rng.forInput(SEED, i))
      const started = process.cpuUsage()
      try {
        ServerConfig.load({sentinel: false, directives: parseConfigText(text, FILE)})
        loaded++
      } catch (error) {
        if (!(error instanceof ConfigError)) findings.push(`#${i}: ${(error as Error).name}: ${(error as Error).message} in ${JSON.stringify(text).slice(0, 300)}`)
        else if (error.file !== FILE || !error.line || error.reason === '') findings.push(`#${i}: a ConfigError without file, line or reason: ${error.message}`)
        else refused++
      }
      const used = process.cpuUsage(started)
      if (used.user + used.system > 1_000_000) findings.push(`#${i}: ${Math.round((used.user + used.system) / 1000)} ms of CPU for ${JSON.stringify(text).slice(0, 300)}`)
    }
    console.log(`config fuzz, seed ${SEED}: ${INPUTS} inputs, ${loaded} loaded, ${refused} refused with a ConfigError, ${findings.length} findings`)
    expect(findings.slice(0, 10), `seed ${SEED}: ${findings.length} finding(s)`).toEqual([])
    expect(loaded).toBeGreaterThan(INPUTS / 20)
    expect(refused).toBeGreaterThan(INPUTS / 20)
  }, 120_000)
})
