// bind-source-addr on each engine: a replica configured with 127.0.0.2 (Linux routes all of 127/8 to
// loopback) connects to its master from there, so the master lists it with that address in INFO
// replication and CLIENT LIST; an address that cannot be bound is ignored (best effort); a sentinel opens
// its links to the instances from it; CONFIG GET/SET answer as Redis 7.0.

import {afterAll, describe, expect, it} from 'vitest'
import {bundledMissing, stopAllNodes, type Engine} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {admin, nodeScope, replInfo, waitForLinkUp} from '../helpers/replication.js'
import {monitorLines, sentinelScope, stopAllSentinels} from '../helpers/sentinels.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing
const ENGINES: readonly Engine[] = ['redis', 'bundled']
const base = ['--save', '', '--repl-diskless-sync-delay', '0']
// Redis's protected mode refuses clients from any address but 127.0.0.1 and ::1 when no password is set.
const masterArgs = [...base, '--protected-mode', 'no']

/** The addresses (without port) of a node's clients of one type, or named with a prefix. */
const clientAddresses = (list: string, match: (line: string) => boolean): string[] =>
  list.split('\n').filter((l) => l !== '' && match(l)).map((l) => (/ addr=([^ ]+):\d+ /.exec(` ${l}`)?.[1] ?? '?'))

describe.skipIf(!!skip)(`bind-source-addr${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(async () => {
    await stopAllSentinels()
    await stopAllNodes()
  })

  it.concurrent('CONFIG GET and SET answer as Redis 7.0', async ({onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const transcript = async (engine: Engine): Promise<string[]> => {
      const node = await start({engine, args: base})
      const c = await node.raw()
      onTestFinished(async () => c.close())
      const out: string[] = []
      for (const args of [['CONFIG', 'GET', 'bind-source-addr'], ['CONFIG', 'SET', 'bind-source-addr', '127.0.0.2'], ['CONFIG', 'GET', 'bind-source-addr'],
        ['CONFIG', 'SET', 'bind-source-addr', ''], ['CONFIG', 'GET', 'bind-source-addr']]) out.push((await c.command(...args)).toString('latin1'))
      return out
    }
    const [real, ours] = await Promise.all(ENGINES.map(transcript))
    expect(ours).toEqual(real)
  })

  for (const [masterEngine, replicaEngine] of [['redis', 'bundled'], ['bundled', 'redis'], ['bundled', 'bundled']] as [Engine, Engine][]) {
    it.concurrent(`a ${replicaEngine} replica with bind-source-addr 127.0.0.2 shows up from there on its ${masterEngine} master`, async ({onTestFinished}) => {
      const start = nodeScope(onTestFinished)
      const master = await start({engine: masterEngine, args: masterArgs})
      const replica = await start({engine: replicaEngine, args: [...base, '--bind-source-addr', '127.0.0.2', '--replicaof', '127.0.0.1', String(master.port)]})
      await waitForLinkUp(replica)
      const info = await waitFor(() => replInfo(master), (i) => i.slave0 !== undefined, {what: 'the master lists its replica'})
      expect(info.slave0).toMatch(new RegExp(`^ip=127\\.0\\.0\\.2,port=${replica.port},`))
      const list = String(await admin(master).call('CLIENT', 'LIST', 'TYPE', 'replica'))
      expect(clientAddresses(list, () => true)).toEqual(['127.0.0.2'])
    })
  }

  for (const engine of ENGINES) {
    it.concurrent(`a ${engine} replica whose bind-source-addr cannot be bound connects without it`, async ({onTestFinished}) => {
      const start = nodeScope(onTestFinished)
      const master = await start({engine: 'bundled', args: masterArgs})
      // 192.0.2.1 (TEST-NET-1) is no local address.
      const replica = await start({engine, args: [...base, '--bind-source-addr', '192.0.2.1', '--replicaof', '127.0.0.1', String(master.port)]})
      await waitForLinkUp(replica)
      expect((await replInfo(master)).slave0).toMatch(/^ip=127\.0\.0\.1,/)
    })

    it.concurrent(`a ${engine} sentinel with bind-source-addr 127.0.0.2 opens its links to the master from there`, async ({onTestFinished}) => {
      const scope = sentinelScope(onTestFinished)
      const master = await scope.server({engine: 'bundled', args: masterArgs})
      await scope.sentinel({engine, config: `bind-source-addr 127.0.0.2\n${monitorLines(master.port, {quorum: 1})}`})
      const list = await waitFor(async () => String(await admin(master).call('CLIENT', 'LIST')), (l) => clientAddresses(l, (line) => / name=sentinel-/.test(line)).length >= 2,
        {what: 'the sentinel\'s command and pub/sub links', timeoutMs: 20_000})
      expect(new Set(clientAddresses(list, (line) => / name=sentinel-/.test(line)))).toEqual(new Set(['127.0.0.2']))
    })
  }
})
