// When a master starts a diskless full sync, on each engine: with repl-diskless-sync-delay the replica is
// first seen waiting (wait_bgsave) and only later online; repl-diskless-sync-max-replicas starts the sync
// as soon as that many replicas wait, long before the delay. Checked by the order of events (INFO states,
// log lines), never by durations: the long delays are far beyond the waits' timeouts.

import {afterAll, describe, expect, it} from 'vitest'
import {bundledMissing, stopAllNodes, type Engine} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {fullLog, nodeScope, replInfo, waitForLinkUp} from '../helpers/replication.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing
const ENGINES: readonly Engine[] = ['redis', 'bundled']
const base = ['--save', '', '--repl-diskless-sync', 'yes']

describe.skipIf(!!skip)(`diskless sync delay and max-replicas${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(stopAllNodes)

  for (const engine of ENGINES) {
    it.concurrent(`a ${engine} master delays the sync: the replica waits in wait_bgsave, then goes online`, async ({onTestFinished}) => {
      const start = nodeScope(onTestFinished)
      const master = await start({engine, args: [...base, '--repl-diskless-sync-delay', '3']})
      await start({engine: 'bundled', args: [...base, '--replicaof', '127.0.0.1', String(master.port)]})
      const first = await waitFor(() => replInfo(master), (i) => i.slave0 !== undefined, {what: `${engine} master lists its replica`})
      expect(first.slave0).toContain('state=wait_bgsave')
      await waitFor(() => replInfo(master), (i) => i.slave0?.includes('state=online') === true, {what: `${engine} replica online`, timeoutMs: 20_000})
      const log = fullLog(master)
      const delayed = log.indexOf('Delay next BGSAVE for diskless SYNC')
      const started = log.indexOf('Starting BGSAVE for SYNC with target: replicas sockets')
      expect(delayed).toBeGreaterThanOrEqual(0)
      expect(started).toBeGreaterThan(delayed)
    })

    it.concurrent(`a ${engine} master with max-replicas 1 starts the sync at once despite a long delay`, async ({onTestFinished}) => {
      const start = nodeScope(onTestFinished)
      const master = await start({engine, args: [...base, '--repl-diskless-sync-delay', '300', '--repl-diskless-sync-max-replicas', '1']})
      const replica = await start({engine: 'bundled', args: [...base, '--replicaof', '127.0.0.1', String(master.port)]})
      await waitForLinkUp(replica)
      expect(fullLog(master)).toContain('Starting BGSAVE for SYNC with target: replicas sockets')
    })

    it.concurrent(`a ${engine} master with max-replicas 2 holds the first replica until the second arrives, then syncs both`, async ({onTestFinished}) => {
      const start = nodeScope(onTestFinished)
      const master = await start({engine, args: [...base, '--repl-diskless-sync-delay', '300', '--repl-diskless-sync-max-replicas', '2']})
      const replicaArgs = [...base, '--replicaof', '127.0.0.1', String(master.port)]
      const first = await start({engine: 'bundled', args: replicaArgs})
      await waitFor(() => replInfo(master), (i) => i.slave0?.includes('state=wait_bgsave') === true, {what: `${engine} first replica waiting`})
      // Still waiting a few cron runs later: nothing but the second replica can start it.
      await waitFor(() => replInfo(first), (i) => i.master_link_status === 'down', {what: 'first replica link down'})
      const second = await start({engine: 'redis', args: replicaArgs})
      await Promise.all([waitForLinkUp(first), waitForLinkUp(second)])
      // Redis marks them online once its RDB child has exited, which may come after the replicas loaded it.
      await waitFor(() => replInfo(master), (i) => [i.slave0, i.slave1].every((s) => s?.includes('state=online') === true), {what: `${engine} both replicas online`})
      // One transfer served both.
      expect(fullLog(master).split('Starting BGSAVE for SYNC').length - 1).toBe(1)
    })
  }
})
