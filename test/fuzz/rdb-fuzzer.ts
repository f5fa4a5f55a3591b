// The RDB loader's fuzzer: RDB files saved by the bundled server and by real Redis 7.0 (every type in its
// small and large encodings, expiries, a stream with a consumer group, a HyperLogLog, a function library,
// several databases) are mutated — bits flipped, bytes set to boundary values, lengths bumped, spans cut,
// duplicated or truncated — and handed to readRdb, which must either load them or throw RdbError (a clean
// error naming the byte offset). Any other exception, or an input that takes over a second of CPU time (CPU,
// not wall time: a busy machine stretches the latter), is a finding.
// Input i of a run is mutated from Rng.forInput(seed, i) alone; the seed files carry times (stream IDs, aux
// fields), so each finding's whole input is also written to a file, to replay with readRdb.

import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {RdbError, readRdb} from '../../src/server/persistence/rdb-reader.js'
import {startServer, type Engine} from '../helpers/nodes.js'
import {Rng} from './rng.js'

/** Every type the RDB writer knows, as an application leaves them. */
const POPULATE = `
for i=1,300 do
  redis.call('hset','bighash','f'..i,'v'..i)
  redis.call('zadd','bigzset',i/3,'m'..i)
  redis.call('sadd','bigset','x'..i)
  redis.call('sadd','bigintset',i*1000)
  redis.call('rpush','biglist',string.rep('y',100)..i)
  redis.call('xadd','stream','*','n',i)
end
redis.call('set','str','hello')
redis.call('set','int','12345')
redis.call('set','neg','-70000')
redis.call('set','long',string.rep('abc',100))
redis.call('rpush','list','a','b','1','2','300','-5','70000')
redis.call('sadd','intset','1','2','3','-100000','5000000000')
redis.call('sadd','set','a','b','c')
redis.call('hset','hash','f1','v1','f2','2')
redis.call('zadd','zset','1','a','2.5','b','-inf','c','inf','d')
redis.call('pfadd','hll','a','b','c','d','e')
redis.call('set','expiring','v','PX','100000000')
redis.call('xgroup','create','stream','workers','0')
redis.call('xreadgroup','group','workers','alice','count','5','streams','stream','>')
redis.call('select','3')
redis.call('set','db3key','x')
return 1`
const LIBRARY = "#!lua name=fuzzlib\nredis.register_function('fz', function() return 1 end)"

/** One saved RDB file of each engine, the seeds the mutations start from. */
export async function rdbSeeds(engine: Engine): Promise<Buffer> {
  const node = await startServer({engine, args: ['--save', '', '--dbfilename', 'seed.rdb']})
  try {
    const c = node.client()
    await c.eval(POPULATE, 0)
    await c.call('FUNCTION', 'LOAD', LIBRARY)
    await c.call('SAVE')
    return readFileSync(join(node.dir, 'seed.rdb'))
  } finally {
    await node.stop()
  }
}

const BOUNDARY = [0x00, 0x01, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xc3, 0xfe, 0xff]

/** 1 to 4 mutations of `seed`, drawn from rng. */
export function mutate(seed: Buffer, rng: Rng): Buffer {
  let data = Buffer.from(seed)
  const count = 1 + rng.int(4)
  for (let m = 0; m < count; m++) {
    const at = rng.int(Math.max(1, data.length))
    switch (rng.int(7)) {
      case 0: // flip a bit
        data[at] = (data[at] as number) ^ (1 << rng.int(8))
        break
      case 1: // a boundary byte (length prefixes, encodings, opcodes)
        data[at] = BOUNDARY[rng.int(BOUNDARY.length)] as number
        break
      case 2: // a random byte
        data[at] = rng.int(256)
        break
      case 3: // truncate
        data = data.subarray(0, at)
        break
      case 4: { // cut a span out
        const len = 1 + rng.int(64)
        data = Buffer.concat([data.subarray(0, at), data.subarray(Math.min(data.length, at + len))])
        break
      }
      case 5: { // duplicate a span
        const len = 1 + rng.int(64)
        data = Buffer.concat([data.subarray(0, at + len), data.subarray(at, Math.min(data.length, at + len)), data.subarray(at + len)])
        break
      }
      default: { // a 32-bit length where one may be: 0x80 then four bytes of a large value
        const big = Buffer.from([0x80, 0x7f, 0xff, 0xff, rng.int(256)])
        data = Buffer.concat([data.subarray(0, at), big, data.subarray(at + 1)])
      }
    }
  }
  return data
}

export interface RdbFinding {
  index: number
  error: string
  /** The mutated file. */
  file: string
}

export interface RdbFuzzReport {
  inputs: number
  loaded: number
  rdbErrors: number
  findings: RdbFinding[]
  slowest: {index: number; ms: number}
}

export function runRdbFuzz(seeds: readonly Buffer[], seed: number, inputs: number): RdbFuzzReport {
  const report: RdbFuzzReport = {inputs, loaded: 0, rdbErrors: 0, findings: [], slowest: {index: -1, ms: 0}}
  const now = Date.now()
  let findingsDir: string | undefined
  const keep = (index: number, data: Buffer): string => {
    findingsDir ??= mkdtempSync(join(tmpdir(), 'rtopo-rdb-fuzz-'))
    const file = join(findingsDir, `input-${index}.rdb`)
    writeFileSync(file, data)
    return file
  }
  for (let i = 0; i < inputs; i++) {
    const rng = Rng.forInput(seed, i)
    const data = mutate(seeds[rng.int(seeds.length)] as Buffer, rng)
    const started = process.cpuUsage()
    try {
      readRdb(data, now, {checkCrc: false, loadFunction: () => undefined})
      report.loaded++
    } catch (error) {
      if (error instanceof RdbError) report.rdbErrors++
      else report.findings.push({index: i, error: `${(error as Error).name}: ${(error as Error).message}`.slice(0, 300), file: keep(i, data)})
    }
    const used = process.cpuUsage(started)
    const ms = (used.user + used.system) / 1000
    if (ms > report.slowest.ms) report.slowest = {index: i, ms}
    if (ms > 1000) report.findings.push({index: i, error: `took ${Math.round(ms)} ms of CPU`, file: keep(i, data)})
  }
  return report
}
