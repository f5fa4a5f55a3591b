// Streams across replication and RDB files with real Redis 7.0, both ways: our replica of a real master and a
// real replica of ours must end with the same DEBUG DIGEST and the same consumer-group state (XINFO, XPENDING)
// after generated IDs, `~` trimming, deletions, group reads (served at once and after BLOCK, with NOACK),
// claims, acks and consumer changes; RDB files written by either load in the other with the same content.

import {execFileSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Redis} from 'ioredis'
import {afterAll, describe, it} from 'vitest'
import {bundledMissing, stopAllNodes, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {admin, nodeScope, replicaOf, waitForDigestsEqual, waitForLinkUp, waitForOffsetsEqual} from '../helpers/replication.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing
const base = ['--save', '', '--enable-debug-command', 'yes']

/** Writes to streams that replicas only get right through Redis's rewrites. */
async function streamWorkload(client: Redis, blocker: Redis, tag: string): Promise<void> {
  const s = `${tag}:s`
  const call = (...args: (string | number)[]): Promise<unknown> => client.call(...(args.map(String) as [string, ...string[]]))
  for (let i = 0; i < 260; i++) await call('XADD', s, '*', 'n', i, 'pad', 'x'.repeat(i % 40))
  await call('XADD', s, 'MAXLEN', '~', 120, '*', 'n', 'trimmed')
  await call('XADD', s, `${Date.now() + 100000}-*`, 'n', 'future')
  await call('XADD', s, `${Date.now() + 100000}-*`, 'n', 'same ms')
  await call('XTRIM', s, 'MINID', '~', '0-1')
  await call('XADD', `${tag}:capped`, 'MAXLEN', '=', 5, '*', 'a', 1)
  for (let i = 0; i < 30; i++) await call('XADD', `${tag}:capped`, 'MINID', '~', '1', 'LIMIT', 10, '*', 'a', i)
  const range = (await call('XRANGE', s, '-', '+', 'COUNT', 10)) as [string, string[]][]
  await call('XDEL', s, range[2]?.[0] as string, range[5]?.[0] as string)
  await call('XGROUP', 'CREATE', s, 'g', '0')
  await call('XGROUP', 'CREATE', s, 'late', '$')
  await call('XGROUP', 'CREATE', `${tag}:empty`, 'g', '$', 'MKSTREAM')
  await call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', 20, 'STREAMS', s, '>')
  await call('XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', 5, 'NOACK', 'STREAMS', s, '>')
  await call('XREADGROUP', 'GROUP', 'g', 'carol', 'COUNT', 7, 'STREAMS', s, '>')
  await call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', s, '0')
  await call('XACK', s, 'g', range[0]?.[0] as string, range[1]?.[0] as string)
  await call('XCLAIM', s, 'g', 'dave', 0, range[3]?.[0] as string, range[4]?.[0] as string)
  await call('XCLAIM', s, 'g', 'erin', 0, range[6]?.[0] as string, 'JUSTID', 'RETRYCOUNT', 9, 'LASTID', range[9]?.[0] as string)
  await call('XDEL', s, range[7]?.[0] as string)
  await call('XAUTOCLAIM', s, 'g', 'frank', 0, '0', 'COUNT', 4)
  await call('XGROUP', 'CREATECONSUMER', s, 'g', 'idle-one')
  await call('XGROUP', 'DELCONSUMER', s, 'g', 'carol')
  await call('XGROUP', 'SETID', s, 'late', '0', 'ENTRIESREAD', 3)
  await call('XSETID', `${tag}:capped`, '99999999999999-0', 'ENTRIESADDED', 1000, 'MAXDELETEDID', '1-0')
  await call('XGROUP', 'CREATE', `${tag}:wait`, 'g', '$', 'MKSTREAM')
  const served = blocker.call('XREADGROUP', 'GROUP', 'g', 'waiter', 'BLOCK', '0', 'STREAMS', `${tag}:wait`, '>')
  const second = blocker.duplicate()
  const servedNoack = second.call('XREADGROUP', 'GROUP', 'g', 'quiet', 'NOACK', 'BLOCK', '0', 'STREAMS', `${tag}:wait`, '>')
  await waitFor(async () => Number(/blocked_clients:(\d+)/.exec(await client.info('clients'))?.[1]), (n) => n === 2, {what: 'two blocked readers'})
  await call('XADD', `${tag}:wait`, '*', 'job', 1)
  await served
  await call('XADD', `${tag}:wait`, '*', 'job', 2)
  await servedNoack
  second.disconnect()
  await call('MULTI')
  await call('XADD', `${tag}:wait`, '*', 'job', 3)
  await call('XREADGROUP', 'GROUP', 'g', 'waiter', 'STREAMS', `${tag}:wait`, '>')
  await call('EXEC')
  await client.eval("redis.call('XADD', KEYS[1], '*', 'from', 'lua'); return redis.call('XREADGROUP', 'GROUP', 'g', 'lua', 'STREAMS', KEYS[1], '>')", 1, `${tag}:wait`)
}

/** Consumer-group state that must match on both ends (delivery counts and owners; not idle times). */
async function groupState(node: NodeHandle, tag: string): Promise<string> {
  const c = admin(node)
  const out: unknown[] = []
  for (const key of [`${tag}:s`, `${tag}:capped`, `${tag}:empty`, `${tag}:wait`]) {
    out.push(await c.call('XINFO', 'STREAM', key), await c.call('XINFO', 'GROUPS', key))
    for (const group of (await c.call('XINFO', 'GROUPS', key)) as string[][]) {
      const name = group[1] as string
      out.push(await c.call('XPENDING', key, name))
      const pending = (await c.call('XPENDING', key, name, '-', '+', 1000)) as unknown[][]
      out.push(pending.map((p) => [p[0], p[1], p[3]]))
      out.push(((await c.call('XINFO', 'CONSUMERS', key, name)) as unknown[][]).map((consumer) => consumer.slice(0, 4)))
    }
  }
  return JSON.stringify(out)
}

describe.skipIf(!!skip)(`streams over replication and RDB with real Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(stopAllNodes)

  // Redis's own replicas differ from their master in a few group details (history reads and XCLAIM LASTID do not
  // carry delivery counts or read counters), so each master gets a real and a bundled replica and the two replicas
  // must agree exactly, and hold the master's dataset.
  for (const masterEngine of ['redis', 'bundled'] as const) {
    it.concurrent(`${masterEngine === 'redis' ? 'a real' : 'our'} master with a real and a bundled replica: full sync, then the rewritten stream commands`, async ({expect, onTestFinished}) => {
      const start = nodeScope(onTestFinished)
      const master = await start({engine: masterEngine, args: base})
      const realReplica = await start({engine: 'redis', args: base})
      const ourReplica = await start({engine: 'bundled', args: base})
      const m = master.client()
      const blocker = master.client()
      await streamWorkload(m, blocker, 'before')
      for (const replica of [realReplica, ourReplica]) expect(await replicaOf(replica, master)).toBe('OK')
      await Promise.all([waitForLinkUp(realReplica), waitForLinkUp(ourReplica)])
      await streamWorkload(m, blocker, 'after')
      await waitForOffsetsEqual([master, realReplica, ourReplica])
      const digest = await waitForDigestsEqual([master, realReplica, ourReplica])
      expect(digest).not.toBe('0'.repeat(40))
      for (const tag of ['before', 'after']) expect(await groupState(ourReplica, tag)).toBe(await groupState(realReplica, tag))
      blocker.disconnect()
    })
  }

  it('RDB files with streams move both ways, checked by redis-check-rdb', async ({expect}) => {
    const dir = mkdtempSync(join(tmpdir(), 'rtopo-stream-rdb-'))
    const args = [...base, '--dbfilename', 'dump.rdb']
    const {startServer} = await import('../helpers/nodes.js')
    const real = await startServer({engine: 'redis', args, dir})
    await streamWorkload(real.client(), real.client(), 'rdb')
    const digest = await admin(real).call('DEBUG', 'DIGEST')
    const state = await groupState(real, 'rdb')
    await admin(real).call('SAVE')
    await real.stop()

    const ours = await startServer({engine: 'bundled', args, dir})
    expect(await admin(ours).call('DEBUG', 'DIGEST')).toBe(digest)
    expect(await groupState(ours, 'rdb')).toBe(state)
    await admin(ours).call('SAVE')
    await ours.stop()
    expect(execFileSync('redis-check-rdb', [join(dir, 'dump.rdb')], {encoding: 'utf8'})).toContain('RDB looks OK')

    const again = await startServer({engine: 'redis', args, dir})
    expect(await admin(again).call('DEBUG', 'DIGEST')).toBe(digest)
    expect(await groupState(again, 'rdb')).toBe(state)
  })
})
