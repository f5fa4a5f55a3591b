// Replication recovery with real Redis 7.0 on the other end: a replica restarted from its own RDB resumes
// with a partial resync; a dropped link reconnects with PSYNC and goes on in the db the stream was in; a
// killed master shows as a down link and is followed again once it is back on its port; a master restarted
// from its RDB lets its replica resume partially.

import {afterAll, describe, it} from 'vitest'
import {bundledMissing, stopAllNodes, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {
  admin,
  countLog,
  fullLog,
  nodeScope,
  replInfo,
  waitForDigestsEqual,
  waitForLinkDown,
  waitForLinkUp,
  waitForLog,
  waitForOffsetsEqual,
  writeWorkload,
} from '../helpers/replication.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing
const debug = ['--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0']
const base = ['--save', '', ...debug]
const saving = ['--save', '3600 1', ...debug]
const replicaArgs = (args: string[], master: NodeHandle): string[] => [...args, '--replicaof', '127.0.0.1', String(master.port)]
const partialAccepted = (replica: NodeHandle): RegExp =>
  new RegExp(`Partial resynchronization request from 127\\.0\\.0\\.1:${replica.port} accepted\\. Sending \\d+ bytes of backlog starting from offset \\d+\\.`)

describe.skipIf(!!skip)(`replication recovery with real Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(stopAllNodes)

  it.concurrent('our replica stopped with save points and restarted from its RDB resumes with a partial resync', async ({expect, onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'redis', args: base})
    const m = master.client()
    await writeWorkload(m, 'before')
    const args = replicaArgs(saving, master)
    const replica = await start({engine: 'bundled', args})
    await waitForLinkUp(replica)
    await writeWorkload(m, 'linked')
    const offset = await waitForOffsetsEqual([master, replica])
    const replid = (await replInfo(master)).master_replid as string

    await replica.stop()
    expect(fullLog(replica)).toContain('DB saved on disk')
    await writeWorkload(m, 'while-down')

    const restarted = await start({engine: 'bundled', args, dir: replica.dir, port: replica.port})
    await waitForLinkUp(restarted)
    // From the offset it had saved: `offset`, or a little more if a PING arrived before it stopped.
    const asked = await waitForLog(restarted, new RegExp(`Trying a partial resynchronization \\(request ${replid}:(\\d+)\\)\\.`))
    expect(Number(/:(\d+)\)/.exec(asked)?.[1])).toBeGreaterThanOrEqual(offset + 1)
    await waitForLog(restarted, 'MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.')
    await waitForLog(master, partialAccepted(restarted))
    expect(countLog(master, /Starting BGSAVE for SYNC/)).toBe(1)
    await writeWorkload(m, 'after')
    await waitForOffsetsEqual([master, restarted])
    await waitForDigestsEqual([master, restarted])
    expect(await admin(restarted).get('while-down:str')).toBe('hello world')
  })

  // repl-diskless-load disabled (the default): the RDB of the full sync is kept as the replica's dump file, so a
  // replica killed without a save comes back with that image and its history, and resumes partially.
  for (const engine of ['bundled', 'redis'] as const) {
    it.concurrent(`a ${engine} replica killed without saving restarts from the RDB of its full sync and resumes partially`, async ({expect, onTestFinished}) => {
      const start = nodeScope(onTestFinished)
      const master = await start({engine: 'redis', args: base})
      const m = master.client()
      await writeWorkload(m, 'before')
      const args = replicaArgs(base, master)
      const replica = await start({engine, args})
      await waitForLinkUp(replica)
      const replid = (await replInfo(master)).master_replid as string
      await writeWorkload(m, 'linked')
      await waitForOffsetsEqual([master, replica])
      await replica.kill()
      await writeWorkload(m, 'while-down')

      const restarted = await start({engine, args, dir: replica.dir, port: replica.port})
      await waitForLinkUp(restarted)
      await waitForLog(restarted, new RegExp(`Trying a partial resynchronization \\(request ${replid}:\\d+\\)\\.`))
      await waitForLog(restarted, 'MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.')
      await waitForLog(master, partialAccepted(restarted))
      expect(countLog(master, /Starting BGSAVE for SYNC/)).toBe(1)
      await waitForOffsetsEqual([master, restarted])
      await waitForDigestsEqual([master, restarted])
      expect(await admin(restarted).get('while-down:str')).toBe('hello world')
    })
  }

  // The RDB's repl-stream-db tells a restarted replica which db the master's stream is in: writes that follow
  // without a SELECT must land there, not in db 0.
  it.concurrent('our replica restarted while the master stream is in db 7 resumes in db 7', async ({expect, onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'redis', args: base})
    const args = replicaArgs(saving, master)
    const replica = await start({engine: 'bundled', args})
    await waitForLinkUp(replica)
    const db7 = master.client({db: 7})
    await db7.set('first', '1')
    await waitForOffsetsEqual([master, replica])
    await replica.stop()
    await db7.set('second', '2')
    const restarted = await start({engine: 'bundled', args, dir: replica.dir, port: replica.port})
    await waitForLinkUp(restarted)
    await waitForLog(restarted, 'MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.')
    await waitForOffsetsEqual([master, restarted])
    expect(await restarted.client({db: 7}).mget('first', 'second')).toEqual(['1', '2'])
  })

  for (const [masterEngine, replicaEngine] of [['redis', 'bundled'], ['bundled', 'redis']] as const) {
    it.concurrent(`a ${replicaEngine} replica whose link to a ${masterEngine} master is killed resumes partially, in the stream's db`, async ({expect, onTestFinished}) => {
      const start = nodeScope(onTestFinished)
      const master = await start({engine: masterEngine, args: base})
      const replica = await start({engine: replicaEngine, args: replicaArgs(base, master)})
      await waitForLinkUp(replica)
      // The stream is in db 7; after the reconnect the master sends the next db 7 writes without a SELECT.
      const db7 = master.client({db: 7})
      await db7.set('first', '1')
      await waitForOffsetsEqual([master, replica])
      expect(await admin(master).call('CLIENT', 'KILL', 'TYPE', 'replica')).toBe(1)
      await db7.set('second', '2')
      await waitForLog(master, partialAccepted(replica))
      await waitForLinkUp(replica)
      await db7.set('third', '3')
      await waitForOffsetsEqual([master, replica])
      await waitForDigestsEqual([master, replica])
      expect(await replica.client({db: 7}).mget('first', 'second', 'third')).toEqual(['1', '2', '3'])
      expect(countLog(master, /Starting BGSAVE for SYNC/)).toBe(1)
    })
  }

  it.concurrent('our replica of a killed real master: link down in INFO and ROLE, stale reads, then up again when it returns', async ({expect, onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'redis', args: base})
    await writeWorkload(master.client(), 'before')
    const replica = await start({engine: 'bundled', args: replicaArgs(base, master)})
    await waitForLinkUp(replica)
    const offset = await waitForOffsetsEqual([master, replica])

    await master.kill()
    const down = await waitForLinkDown(replica)
    expect(down).toMatchObject({
      role: 'slave',
      master_port: String(master.port),
      master_link_status: 'down',
      master_last_io_seconds_ago: '-1',
      master_sync_in_progress: '0',
    })
    expect(Number(down.slave_repl_offset)).toBeGreaterThanOrEqual(offset)
    expect(Number(down.master_link_down_since_seconds)).toBeGreaterThanOrEqual(0)
    const role = (await admin(replica).call('ROLE')) as unknown[]
    expect(role.slice(0, 3)).toEqual(['slave', '127.0.0.1', master.port])
    expect(['connect', 'connecting']).toContain(role[3])
    expect(role[4]).toBe(-1)
    // Stale data is served, writes are still refused.
    expect(await admin(replica).get('before:str')).toBe('hello world')
    await expect(admin(replica).set('x', '1')).rejects.toThrow('READONLY')
    await waitForLog(replica, 'Connection with master lost.')

    // Back on the same port without its data: a full resync replaces ours.
    const returned = await start({engine: 'redis', args: base, port: master.port})
    await returned.client().set('new', 'data')
    const up = await waitForLinkUp(replica)
    expect(up).not.toHaveProperty('master_link_down_since_seconds')
    await waitForOffsetsEqual([returned, replica])
    await waitForDigestsEqual([returned, replica])
    expect(await admin(replica).dbsize()).toBe(1)
  })

  it.concurrent('a real replica of our master stopped with save points resumes partially when it restarts from its RDB', async ({expect, onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'bundled', args: saving})
    const replica = await start({engine: 'redis', args: replicaArgs(base, master)})
    await waitForLinkUp(replica)
    await writeWorkload(master.client(), 'before')
    const offset = await waitForOffsetsEqual([master, replica])
    const replid = (await replInfo(master)).master_replid as string

    await master.stop()
    await waitForLinkDown(replica)
    const restarted = await start({engine: 'bundled', args: saving, dir: master.dir, port: master.port})
    // Restarted from an RDB with a history: that history is the secondary id, valid up to its offset.
    const info = await replInfo(restarted)
    expect(info).toMatchObject({master_replid2: replid, second_repl_offset: String(Number(info.master_repl_offset) + 1), repl_backlog_active: '1'})
    expect(Number(info.master_repl_offset)).toBeGreaterThanOrEqual(offset)
    await waitForLinkUp(replica)
    await waitForLog(restarted, partialAccepted(replica))
    await waitForLog(replica, 'MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.')
    await writeWorkload(restarted.client(), 'after')
    await waitForOffsetsEqual([restarted, replica])
    await waitForDigestsEqual([restarted, replica])
    await waitFor(() => replInfo(replica), (i) => i.master_replid === info.master_replid, {what: 'the replica taking the new replid'})
  })
})
