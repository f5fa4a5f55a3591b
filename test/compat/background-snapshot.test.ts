// The bundled server makes BGSAVE's and a full sync's image in the background, a slice at a time, while it
// goes on serving writes (persistence/snapshot-job.ts). The image must still be the keyspace of the moment
// the save began, as a fork gives Redis: writes of every kind land while it is made — overwrites, deletes,
// in-place changes of collections, expiries set and cleared, renames, moves to another db, new keys, a
// FLUSHDB — and afterwards the file loads (in ours and in real redis-server) to the DEBUG DIGEST taken when
// BGSAVE ran, and a replica synced meanwhile ends with its master's digest.

import {copyFileSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Redis} from 'ioredis'
import {describe, expect, it, onTestFinished} from 'vitest'
import {bundledMissing, type Engine} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {digests, nodeScope, waitForLinkUp, waitForOffsetsEqual} from '../helpers/replication.js'
import {waitFor} from '../helpers/wait-for.js'

const KEYS = 200_000
const ARGS = ['--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0']

/** 200k plain keys plus a list, hash, set, sorted set and stream, keys with a TTL, and a second db. */
async function fill(c: Redis): Promise<void> {
  await c.call('DEBUG', 'POPULATE', String(KEYS))
  const p = c.pipeline()
  p.rpush('list', ...Array.from({length: 5000}, (_, i) => `e${i}`))
  p.hset('hash', ...Array.from({length: 2000}, (_, i) => [`f${i}`, `v${i}`]).flat())
  p.sadd('set', ...Array.from({length: 3000}, (_, i) => `m${i}`))
  p.zadd('zset', ...Array.from({length: 3000}, (_, i) => [String(i / 7), `z${i}`]).flat())
  for (let i = 0; i < 50; i++) p.xadd('stream', '*', 'n', String(i))
  for (let i = 0; i < 500; i++) p.set(`vol:${i}`, 'v', 'EX', 100_000)
  p.select(1)
  p.set('db1:kept', 'x')
  p.select(2)
  p.set('db2:doomed', 'y')
  p.select(0)
  await p.exec()
}

/** One wave of writes of every kind, on keys the image holds and on new ones. */
async function wave(c: Redis, n: number): Promise<void> {
  const p = c.pipeline()
  for (let i = 0; i < 40; i++) {
    const k = (n * 7919 + i * 104_729) % KEYS
    p.set(`key:${k}`, `changed:${n}`)
    p.del(`key:${(k + 1) % KEYS}`)
    p.append(`key:${(k + 2) % KEYS}`, '+')
    p.expire(`key:${(k + 3) % KEYS}`, 50_000)
    p.incr(`counter:${n}`)
  }
  p.rpush('list', `new${n}`)
  p.lpop('list')
  p.lset('list', 10, `set${n}`)
  p.hset('hash', `f${n}`, 'changed', `new${n}`, 'v')
  p.hdel('hash', `f${n + 100}`)
  p.sadd('set', `new${n}`)
  p.srem('set', `m${n}`)
  p.zincrby('zset', 1000, `z${n}`)
  p.zrem('zset', `z${n + 500}`)
  p.xadd('stream', '*', 'wave', String(n))
  p.xtrim('stream', 'MAXLEN', 40)
  p.persist(`vol:${n}`)
  p.pexpire(`vol:${n + 100}`, 200_000)
  p.rename(`key:${(n * 31) % KEYS}`, `renamed:${n}`)
  p.move(`key:${(n * 37 + 5) % KEYS}`, 1)
  await p.exec()
}

async function waitForBgsave(c: Redis): Promise<void> {
  await waitFor(() => c.info('persistence'), (info) => info.includes('rdb_bgsave_in_progress:0'), {what: 'BGSAVE to finish', timeoutMs: 60_000})
  expect(await c.info('persistence')).toContain('rdb_last_bgsave_status:ok')
}

describe.skipIf(!!bundledMissing)(`bundled: background snapshots are the keyspace of their moment${bundledMissing ? ` (skipped: ${bundledMissing})` : ''}`, () => {
  it('BGSAVE under a stream of writes saves the dataset as it was when BGSAVE ran, loaded by ours and by real Redis', async () => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'bundled', args: ARGS})
    const c = master.client()
    await fill(c)
    // DEBUG DIGEST and BGSAVE in one pipeline: nothing runs between them.
    const [[, before], [, started]] = (await c.pipeline().call('DEBUG', 'DIGEST').bgsave().exec()) as [[unknown, string], [unknown, string]]
    expect(started).toBe('Background saving started')
    for (let n = 0; n < 30; n++) await wave(c, n)
    await waitForBgsave(c)
    expect(await c.call('DEBUG', 'DIGEST')).not.toBe(before)

    const copy = mkdtempSync(join(tmpdir(), 'rtopo-bgsave-copy-'))
    copyFileSync(join(master.dir, 'dump.rdb'), join(copy, 'dump.rdb'))
    const engines: Engine[] = realRedisMissing ? ['bundled'] : ['bundled', 'redis']
    if (realRedisMissing) console.log(`background-snapshot: the real redis-server load is skipped: ${realRedisMissing}`)
    for (const engine of engines) {
      const loaded = await start({engine, args: ARGS, dir: copy})
      expect(await loaded.client().call('DEBUG', 'DIGEST'), `${engine} loading the BGSAVE file`).toBe(before)
      await loaded.stop()
    }
  }, 120_000)

  it('FLUSHALL and SWAPDB while BGSAVE runs: the image is still the dataset before them', async () => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'bundled', args: ARGS})
    const c = master.client()
    await fill(c)
    const [[, before]] = (await c.pipeline().call('DEBUG', 'DIGEST').bgsave().call('SWAPDB', '0', '1').exec()) as [[unknown, string]]
    await wave(c, 1)
    await c.flushall()
    await waitForBgsave(c)
    const copy = mkdtempSync(join(tmpdir(), 'rtopo-bgsave-copy-'))
    copyFileSync(join(master.dir, 'dump.rdb'), join(copy, 'dump.rdb'))
    const loaded = await start({engine: 'bundled', args: ARGS, dir: copy})
    expect(await loaded.client().call('DEBUG', 'DIGEST')).toBe(before)
  }, 120_000)

  const replicaEngines: {engine: Engine; skip: string | undefined}[] = [
    {engine: 'bundled', skip: undefined},
    {engine: 'redis', skip: realRedisMissing},
  ]
  for (const {engine, skip} of replicaEngines) {
    for (const diskless of [false, true]) {
      it.skipIf(!!skip)(`a ${engine} replica synced ${diskless ? 'diskless' : 'from disk'} under a stream of writes ends with the master's digest${skip ? ` (skipped: ${skip})` : ''}`, async () => {
        const start = nodeScope(onTestFinished)
        const master = await start({engine: 'bundled', args: [...ARGS, '--repl-diskless-sync', diskless ? 'yes' : 'no']})
        const c = master.client()
        await fill(c)
        const replica = await start({engine, args: ARGS})
        const r = replica.client()
        await r.replicaof('127.0.0.1', String(master.port))
        for (let n = 0; n < 30; n++) await wave(c, n)
        await waitForLinkUp(replica, 60_000)
        for (let n = 30; n < 35; n++) await wave(c, n)
        await waitForOffsetsEqual([master, replica], 30_000)
        const [ours, theirs] = await digests([master, replica])
        expect(theirs).toBe(ours)
        expect(await r.dbsize()).toBe(await c.dbsize())
      }, 120_000)
    }
  }
})
