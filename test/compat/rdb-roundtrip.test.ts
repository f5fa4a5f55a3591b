// RDB interop both ways: real Redis 7.0 → rtopo-server and back, compared with DEBUG DIGEST (a hash of the
// whole dataset, expiries included) and checked with redis-check-rdb.

import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {bundledMissing, startServer, stopAllNodes} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const args = ['--save', '', '--enable-debug-command', 'yes', '--dbfilename', 'dump.rdb']
const skip = realRedisMissing ?? bundledMissing

/** Every type in its small (listpack/intset) and large (hashtable/skiplist/quicklist) encodings. */
const POPULATE = `
for i=1,600 do
  redis.call('hset','bighash','f'..i,'v'..i)
  redis.call('zadd','bigzset',i/3,'m'..i)
  redis.call('sadd','bigset','x'..i)
  redis.call('rpush','biglist',string.rep('y',100)..i)
end
redis.call('set','str','hello')
redis.call('set','int','12345')
redis.call('set','neg','-70000')
redis.call('set','i64','9223372036854775807')
redis.call('set','long',string.rep('abc',100))
redis.call('set','bin','\\0\\255\\r\\n')
redis.call('rpush','list','a','b','1','2','300','-5','70000','-4097')
redis.call('sadd','intset','1','2','3','-100000','5000000000')
redis.call('sadd','set','a','b','c')
redis.call('hset','hash','f1','v1','f2','2')
redis.call('zadd','zset','1','a','2.5','b','-inf','c','inf','d','0.1','e')
redis.call('set','expiring','v','PX','100000000')
redis.call('select','3')
redis.call('set','db3key','x')
return 1`

describe.skipIf(!!skip)(`RDB interop with real Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(stopAllNodes)

  it('loads what real Redis saves, and real Redis loads what we save, with identical content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtopo-rdb-'))
    const real = await startServer({engine: 'redis', args, dir})
    const realClient = real.client()
    await realClient.eval(POPULATE, 0)
    const digest = await realClient.call('DEBUG', 'DIGEST')
    await realClient.call('SAVE')
    await real.stop()

    const ours = await startServer({engine: 'bundled', args, dir})
    const ourClient = ours.client()
    expect(await ourClient.call('DEBUG', 'DIGEST')).toBe(digest)
    expect(await ourClient.dbsize()).toBe(16)
    await ourClient.call('SAVE')
    await ours.stop()
    expect(existsSync(join(dir, 'dump.rdb'))).toBe(true)
    const check = execFileSync('redis-check-rdb', [join(dir, 'dump.rdb')], {encoding: 'utf8'})
    expect(check).toContain('RDB looks OK')

    const again = await startServer({engine: 'redis', args, dir})
    expect(await again.client().call('DEBUG', 'DIGEST')).toBe(digest)
  })

  it('refuses a truncated or corrupt RDB with a clear error and leaves the file alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtopo-rdb-bad-'))
    writeFileSync(join(dir, 'dump.rdb'), Buffer.from('REDIS0010\xfa\x09redis-ver', 'latin1'))
    await expect(startServer({engine: 'bundled', args, dir})).rejects.toThrow(/Short read or truncated RDB file/)
    writeFileSync(join(dir, 'dump.rdb'), Buffer.from('REDIS0010\xff\x01\x02\x03\x04\x05\x06\x07\x08', 'latin1'))
    await expect(startServer({engine: 'bundled', args, dir})).rejects.toThrow(/Wrong RDB checksum/)
    expect(execFileSync('od', ['-An', '-c', join(dir, 'dump.rdb')], {encoding: 'utf8'})).toContain('R   E   D   I   S')
  })
})
