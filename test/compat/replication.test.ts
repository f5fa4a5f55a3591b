// Replication interop with real Redis 7.0: the bundled server as a replica of a real master (both payload
// forms, auth, the command stream across dbs, expiries, transactions, PUBLISH) and as the master of a real
// replica. Datasets are compared with DEBUG DIGEST; INFO replication and ROLE on both ends.

import {afterAll, describe, it} from 'vitest'
import {bundledMissing, stopAllNodes} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {
  admin,
  digests,
  fullLog,
  nodeScope,
  parseInfo,
  replInfo,
  replicaOf,
  waitForDigestsEqual,
  waitForLinkUp,
  waitForMasterRole,
  waitForOffsetsEqual,
  writeWorkload,
} from '../helpers/replication.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing
const base = ['--save', '', '--enable-debug-command', 'yes']

describe.skipIf(!!skip)(`replication with real Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(stopAllNodes)

  it.concurrent('our replica of a real master: diskless ($EOF) full sync, then the stream across dbs', async ({expect, onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'redis', args: [...base, '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0']})
    const replica = await start({engine: 'bundled', args: base})
    const m = master.client()
    await writeWorkload(m, 'before')
    expect(await replicaOf(replica, master)).toBe('OK')
    await waitForLinkUp(replica)
    expect(fullLog(replica)).toContain('MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk')
    await waitForDigestsEqual([master, replica])

    // A subscriber on the replica gets what is published on the master.
    const subscriber = replica.client()
    await subscriber.subscribe('after:chan')
    const message = new Promise<[string, string]>((resolve) => subscriber.on('message', (channel: string, text: string) => resolve([channel, text])))
    await writeWorkload(m, 'after')
    expect(await message).toEqual(['after:chan', 'published'])
    // WAIT on the real master: it sends REPLCONF GETACK *, we answer with REPLCONF ACK <offset>.
    expect(await m.wait(1, 10_000)).toBe(1)

    const offset = await waitForOffsetsEqual([master, replica])
    const digest = await waitForDigestsEqual([master, replica])
    expect(digest).not.toBe('0'.repeat(40))
    const [mi, ri] = await Promise.all([replInfo(master), replInfo(replica)])
    expect(ri).toMatchObject({
      role: 'slave',
      master_host: '127.0.0.1',
      master_port: String(master.port),
      master_link_status: 'up',
      master_sync_in_progress: '0',
      slave_read_only: '1',
      master_replid: mi.master_replid,
      master_replid2: '0'.repeat(40),
      second_repl_offset: '-1',
      repl_backlog_active: '1',
    })
    expect(ri).not.toHaveProperty('master_link_down_since_seconds')
    expect(Number(ri.master_last_io_seconds_ago)).toBeGreaterThanOrEqual(0)
    // The master lists us with our listening port, online.
    expect(mi.slave0).toMatch(new RegExp(`^ip=127\\.0\\.0\\.1,port=${replica.port},state=online,offset=\\d+,lag=\\d+$`))
    // Relative expiries arrive as absolute times (SET PXAT, PEXPIREAT): the same deadline on both ends.
    for (const key of ['after:ex', 'after:px', 'after:str', 'after:m1']) {
      const [atMaster, atReplica] = await Promise.all([m.call('PEXPIRETIME', key), admin(replica).call('PEXPIRETIME', key)])
      expect(atReplica, key).toBe(atMaster)
      expect(atMaster, key).toBeGreaterThan(0)
    }

    const role = (await admin(replica).call('ROLE')) as unknown[]
    expect(role.slice(0, 4)).toEqual(['slave', '127.0.0.1', master.port, 'connected'])
    expect(role[4]).toBeGreaterThanOrEqual(offset)
    // The master's ROLE lists us with our ack offset, which reaches the master's offset (we ACK every second).
    await waitForMasterRole(master, [replica.port])
    await expect(admin(replica).set('x', '1')).rejects.toThrow("READONLY You can't write against a read only replica.")
    await expect(admin(replica).incr('after:n')).rejects.toThrow('READONLY')
    expect(await admin(replica).get('after:str')).toBe('hello world')
  })

  it.concurrent('our replica of a real master with requirepass: masterauth, disk ($<len>) full sync', async ({expect, onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'redis', args: [...base, '--repl-diskless-sync', 'no', '--requirepass', 's3cret'], password: 's3cret'})
    const m = master.client()
    await writeWorkload(m, 'before')
    const replica = await start({engine: 'bundled', args: [...base, '--masterauth', 's3cret', '--replicaof', '127.0.0.1', String(master.port)]})
    await waitForLinkUp(replica)
    expect(fullLog(replica)).toMatch(/MASTER <-> REPLICA sync: receiving \d+ bytes from master to disk/)
    await writeWorkload(m, 'after')
    await waitForOffsetsEqual([master, replica])
    await waitForDigestsEqual([master, replica])
    expect((await replInfo(master)).slave0).toMatch(`port=${replica.port},state=online`)
  })

  it.concurrent('our replica of a real master delaying its diskless sync: keepalive newlines before +FULLRESYNC', async ({expect, onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'redis', args: [...base, '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '2']})
    await writeWorkload(master.client(), 'before')
    const replica = await start({engine: 'bundled', args: [...base, '--replicaof', '127.0.0.1', String(master.port)]})
    await waitForLinkUp(replica)
    expect(fullLog(master)).toContain('Delay next BGSAVE for diskless SYNC')
    expect(fullLog(replica)).toContain('MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk')
    await waitForDigestsEqual([master, replica])
  })

  // A replica hides logically expired keys from its clients but keeps them until its master's DEL, which
  // must find them (Redis applies no expiry to commands from the master).
  it.concurrent('our replica: a key the master expires is deleted by the propagated DEL', async ({expect, onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'redis', args: [...base, '--repl-diskless-sync', 'no']})
    const replica = await start({engine: 'bundled', args: [...base, '--replicaof', '127.0.0.1', String(master.port)]})
    await waitForLinkUp(replica)
    const m = master.client()
    await m.set('keep', '1')
    await m.set('short', 'v', 'PX', 300)
    await waitForOffsetsEqual([master, replica])
    // The master's active expiry deletes it and propagates DEL short.
    await waitFor(() => m.dbsize(), (n) => n === 1, {what: 'the real master expiring "short"'})
    await waitForOffsetsEqual([master, replica])
    expect(await admin(replica).get('short')).toBeNull()
    expect(parseInfo(await admin(replica).info('keyspace')).db0).toMatch(/^keys=1,/)
    await waitForDigestsEqual([master, replica], 3000)
  })

  it.concurrent("our replica: a client blocked in BLPOP is served by the master's push", async ({expect, onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'redis', args: [...base, '--repl-diskless-sync', 'no']})
    // BLPOP is a write: only a writable replica lets a client block on it.
    const replica = await start({engine: 'bundled', args: [...base, '--replica-read-only', 'no', '--replicaof', '127.0.0.1', String(master.port)]})
    await waitForLinkUp(replica)
    const waiter = replica.client()
    const popped = waiter.blpop('queue', 10)
    await waitFor(() => admin(replica).info('clients'), (text) => /blocked_clients:1/.test(text), {what: 'the BLPOP blocked on our replica'})
    await master.client().rpush('queue', 'job')
    expect(await popped).toEqual(['queue', 'job'])
    waiter.disconnect()
  })

  it.concurrent('a real replica (masterauth) of our master (requirepass): full sync, stream, INFO slave0, ROLE, WAIT', async ({expect, onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'bundled', args: [...base, '--requirepass', 'pw'], password: 'pw'})
    const m = master.client()
    await writeWorkload(m, 'before')
    const before = await replInfo(master)
    expect(before).toMatchObject({role: 'master', connected_slaves: '0', master_repl_offset: '0', repl_backlog_active: '0'})
    const replica = await start({engine: 'redis', args: [...base, '--masterauth', 'pw', '--replicaof', '127.0.0.1', String(master.port)]})
    await waitForLinkUp(replica)
    await waitForDigestsEqual([master, replica])
    const subscriber = replica.client()
    await subscriber.subscribe('after:chan')
    const message = new Promise<[string, string]>((resolve) => subscriber.on('message', (channel: string, text: string) => resolve([channel, text])))
    await writeWorkload(m, 'after')
    expect(await message).toEqual(['after:chan', 'published'])
    expect(await m.wait(1, 0)).toBe(1)
    const offset = await waitForOffsetsEqual([master, replica])
    await waitForDigestsEqual([master, replica])

    const [mi, ri] = await Promise.all([replInfo(master), replInfo(replica)])
    // The first replica starts a new history: a new replid and a backlog.
    expect(mi.master_replid).not.toBe(before.master_replid)
    expect(mi).toMatchObject({role: 'master', connected_slaves: '1', repl_backlog_active: '1', master_replid2: '0'.repeat(40), second_repl_offset: '-1'})
    expect(mi.slave0).toMatch(new RegExp(`^ip=127\\.0\\.0\\.1,port=${replica.port},state=online,offset=\\d+,lag=\\d+$`))
    expect(ri).toMatchObject({role: 'slave', master_port: String(master.port), master_link_status: 'up', master_replid: mi.master_replid})
    expect(Number(mi.repl_backlog_first_byte_offset) + Number(mi.repl_backlog_histlen) - 1).toBe(Number(mi.master_repl_offset))
    await waitForMasterRole(master, [replica.port])
    const role = (await admin(replica).call('ROLE')) as unknown[]
    expect(role.slice(0, 4)).toEqual(['slave', '127.0.0.1', master.port, 'connected'])
    expect(role[4]).toBeGreaterThanOrEqual(offset)
    expect(fullLog(replica)).toContain('MASTER <-> REPLICA sync: Finished with success')
    const [a, b] = await digests([master, replica])
    expect(a).toBe(b)
  })
})
