// The sentinel's config file against redis-sentinel 7.0: a bad `sentinel` line stops the start-up with the
// same fatal block and exit code; a missing myid is generated and saved at once; discovery flushes
// known-replica / known-sentinel lines and the epochs; a restart keeps myid, epochs and what was learnt;
// and a file rewritten by one engine starts the other.

import {readFileSync} from 'node:fs'
import {describe, it} from 'vitest'
import {bundledMissing, type NodeHandle} from '../helpers/nodes.js'
import {freePort} from '../helpers/ports.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {masterAddr, masterState, monitorLines, pairs, sentinelScope, startSentinelExpectingExit, type Scope, type SentinelHandle} from '../helpers/sentinels.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing

/** The `sentinel …` lines of a config file, in file order. */
const sentinelLines = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('sentinel '))

/**
 * The fatal block as printed; Redis 7.0 writes "Reading the configuration file, at line N" without the path,
 * the bundled engine (src/config/parse.ts formatFatalConfigError) adds the path: that one difference is
 * taken out before comparing.
 */
const fatalBlock = (stderr: string, configPath: string): string => stderr.replace(`Reading the configuration file ${configPath}, at line`, 'Reading the configuration file, at line')

async function replicated(scope: Scope): Promise<{master: NodeHandle; replica: NodeHandle}> {
  const master = await scope.server({engine: 'bundled', args: ['--save', '']})
  const replica = await scope.server({engine: 'bundled', args: ['--save', '', '--replicaof', '127.0.0.1', String(master.port)]})
  await waitFor(() => master.client().info('replication'), (i) => i.includes(`slave0:ip=127.0.0.1,port=${replica.port},state=online`), {what: 'replica online'})
  return {master, replica}
}

/** Waits until the sentinel knows `replicas` replicas and `sentinels` other sentinels. */
async function waitForDiscovery(s: SentinelHandle, replicas: number, sentinels: number, timeoutMs = 20_000): Promise<void> {
  await waitFor(() => masterState(s), (m) => m['num-slaves'] === String(replicas) && m['num-other-sentinels'] === String(sentinels), {
    what: `${s.engine} sentinel :${s.port} knows ${replicas} replicas and ${sentinels} sentinels`,
    timeoutMs,
  })
}

describe.skipIf(!!skip)(`sentinel config file as redis-sentinel 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it.concurrent('a bad sentinel line stops the start-up with the same fatal block and exit code 1', async ({expect}) => {
    const port = await freePort()
    const cases = [
      'sentinel monitor mymaster 127.0.0.1 6380 0',
      'sentinel monitor mymaster localhost 6380 2',
      'sentinel monitor mymaster 127.0.0.1 99999 2',
      'sentinel monitor mymaster 127.0.0.1 6380 2\nsentinel monitor mymaster 127.0.0.1 6381 2',
      'sentinel monitor mymaster 127.0.0.1 6380',
      'sentinel frobnicate yes',
      '# comment\n\nsentinel down-after-milliseconds mymaster 1000',
      'sentinel monitor mymaster 127.0.0.1 6380 2\nsentinel down-after-milliseconds mymaster 0',
      'sentinel myid abc',
      'sentinel resolve-hostnames maybe',
      // Order does not matter (three passes): the per-master line before its monitor line is fine, the error is on the later bad line.
      'sentinel failover-timeout mymaster 5000\nsentinel monitor mymaster 127.0.0.1 6380 2\nsentinel parallel-syncs nope 1',
    ]
    for (const lines of cases) {
      const config = `port ${port}\n${lines}\n`
      const [real, ours] = await Promise.all([startSentinelExpectingExit('redis', config), startSentinelExpectingExit('bundled', config)])
      expect(real.exitCode, `${lines}: ${real.stderr}`).toBe(1)
      expect(ours.exitCode, `${lines}: ${ours.stderr}`).toBe(1)
      expect(real.stderr).toContain('*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***')
      expect(fatalBlock(ours.stderr, ours.configPath).trim(), lines).toBe(fatalBlock(real.stderr, real.configPath).trim())
    }
  }, 60_000)

  it.concurrent('a missing myid is generated and saved at start-up; discovery flushes replicas, sentinels and epochs like redis-sentinel', async ({expect, onTestFinished}) => {
    const scope = sentinelScope(onTestFinished)
    const {master, replica} = await replicated(scope)
    const config = monitorLines(master.port, {downAfter: 60000, failoverTimeout: 180000})
    const [real, ours] = await Promise.all([scope.sentinel({engine: 'redis', config}), scope.sentinel({engine: 'bundled', config})])
    const [realId, ourId] = (await Promise.all([real.sentinel('MYID'), ours.sentinel('MYID')])) as [string, string]
    expect(ourId).toMatch(/^[0-9a-f]{40}$/)
    expect(ours.readConfig()).toContain(`\nsentinel myid ${ourId}\n`)
    expect(ours.logTail(1000)).toContain(`# Sentinel ID is ${ourId}`)
    expect(ours.logTail(1000)).toContain(`# +monitor master mymaster 127.0.0.1 ${master.port} quorum 2`)

    await Promise.all([waitForDiscovery(real, 1, 1), waitForDiscovery(ours, 1, 1)])
    // The flush follows the discovery in the same tick; wait for both files to carry the lines.
    const files = await waitFor(() => [real.readConfig(), ours.readConfig()], (texts) => texts.every((t) => t.includes('sentinel known-sentinel') && t.includes('sentinel known-replica')), {
      what: 'known-replica and known-sentinel lines in both files',
    })
    const normalise = (text: string, selfId: string, peer: SentinelHandle, peerId: string): string[] =>
      sentinelLines(text.replaceAll(selfId, 'SELF').replaceAll(`127.0.0.1 ${peer.port} ${peerId}`, 'PEER')).sort()
    const realLines = normalise(files[0] as string, realId, ours, ourId)
    const ourLines = normalise(files[1] as string, ourId, real, realId)
    expect(ourLines).toEqual(realLines)
    expect(ourLines).toEqual([
      'sentinel config-epoch mymaster 0',
      'sentinel current-epoch 0',
      'sentinel down-after-milliseconds mymaster 60000',
      'sentinel known-replica mymaster 127.0.0.1 ' + replica.port,
      'sentinel known-sentinel mymaster PEER',
      'sentinel leader-epoch mymaster 0',
      `sentinel monitor mymaster 127.0.0.1 ${master.port} 2`,
      'sentinel myid SELF',
    ].sort())
    // The original lines are rewritten in place, in the same order on both.
    expect(sentinelLines(files[1] as string).slice(0, 2)).toEqual(sentinelLines(files[0] as string).slice(0, 2))
  }, 40_000)

  it.concurrent('a restart keeps myid, epochs, the switched master and what was discovered (forced failover first)', async ({expect, onTestFinished}) => {
    const scope = sentinelScope(onTestFinished)
    const {master, replica} = await replicated(scope)
    const config = monitorLines(master.port, {downAfter: 60000, failoverTimeout: 180000})
    const [real, ours] = await Promise.all([scope.sentinel({engine: 'redis', config}), scope.sentinel({engine: 'bundled', config, viaServer: true})])
    await Promise.all([waitForDiscovery(real, 1, 1), waitForDiscovery(ours, 1, 1)])
    // SENTINEL FAILOVER on ours: epoch 1, the replica promoted; the real sentinel follows from the hellos.
    await waitFor(() => ours.sentinel('REPLICAS', 'mymaster'), (r) => pairs((r as unknown[][])[0]).flags === 'slave', {what: 'replica linked on ours'})
    expect(await ours.sentinel('FAILOVER', 'mymaster')).toBe('OK')
    const promoted = `127.0.0.1:${replica.port}`
    for (const s of [ours, real]) await waitFor(() => masterAddr(s), (a) => a === promoted, {what: `${s.engine} sentinel switched to ${promoted}`, timeoutMs: 20_000})
    await waitFor(() => masterState(real), (m) => m['config-epoch'] === '1', {what: 'real sentinel at config-epoch 1'})
    const ourId = await ours.sentinel('MYID')
    const before = ours.readConfig()
    expect(before).toContain(`sentinel monitor mymaster 127.0.0.1 ${replica.port} 2`)
    expect(before).toContain('sentinel config-epoch mymaster 1')
    // The leader voted for itself in epoch 1 (a forced failover still asks for the leader, as Redis does).
    expect(before).toContain('sentinel leader-epoch mymaster 1')
    expect(before).toContain('sentinel current-epoch 1')
    expect(before).toContain(`sentinel known-replica mymaster 127.0.0.1 ${master.port}`)
    expect(before).toContain(`sentinel known-sentinel mymaster 127.0.0.1 ${real.port} ${await real.sentinel('MYID')}`)

    await ours.stop()
    const again = await scope.sentinel({engine: 'bundled', dir: ours.dir})
    expect(again.port).toBe(ours.port)
    expect(await again.sentinel('MYID')).toBe(ourId)
    expect(again.logTail(1000)).toMatch(new RegExp(`Sentinel ID is ${ourId}[\\s\\S]*Sentinel ID is ${ourId}`))
    // Known before any INFO or hello: from the file.
    const state = await masterState(again)
    expect(state).toMatchObject({port: String(replica.port), 'config-epoch': '1', 'num-slaves': '1', 'num-other-sentinels': '1'})
    expect(pairs((await again.sentinel('SENTINELS', 'mymaster') as unknown[][])[0])).toMatchObject({port: String(real.port), runid: await real.sentinel('MYID')})
    const info = String(await again.client().info('sentinel'))
    expect(info).toContain(`master0:name=mymaster,status=ok,address=127.0.0.1:${replica.port},slaves=1,sentinels=2`)
    // The vote of epoch 1 is remembered: a request for epoch 1 gets no new vote (the voted runid was
    // forgotten with the master reset, so leader *, but the leader epoch is still 1); epoch 2 gets one.
    expect(await again.sentinel('IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', String(replica.port), '1', 'someone')).toEqual([0, '*', 1])
    expect(await again.sentinel('IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', String(replica.port), '2', 'someone')).toEqual([0, 'someone', 2])
    await waitFor(() => again.readConfig(), (t) => t.includes('sentinel current-epoch 2') && t.includes('sentinel leader-epoch mymaster 2'), {what: 'the vote of epoch 2 flushed'})
  }, 60_000)

  it.concurrent('a file rewritten by redis-sentinel starts the bundled sentinel with its identity and state, and back', async ({expect, onTestFinished}) => {
    const scope = sentinelScope(onTestFinished)
    const {master, replica} = await replicated(scope)
    const config = monitorLines(master.port, {downAfter: 60000, failoverTimeout: 180000})
    const [real, other] = await Promise.all([scope.sentinel({engine: 'redis', config}), scope.sentinel({engine: 'bundled', config})])
    await Promise.all([waitForDiscovery(real, 1, 1), waitForDiscovery(other, 1, 1)])
    await waitFor(() => real.readConfig(), (t) => t.includes('known-sentinel') && t.includes('known-replica'), {what: 'real sentinel flushed'})
    const realId = await real.sentinel('MYID')
    await real.stop()
    const text = readFileSync(real.configPath, 'utf8')
    expect(text).toContain('latency-tracking-info-percentiles 50 99 99.9')
    expect(text).toMatch(/^dir "/m)
    // Redis 7.0's rewrite adds the default user's ACL line; the bundled engine accepts it as it is.
    expect(text).toMatch(/^user default on nopass ~\* &\* \+@all\n/m)

    const ours = await scope.sentinel({engine: 'bundled', dir: real.dir})
    expect(ours.port).toBe(real.port)
    expect(await ours.sentinel('MYID')).toBe(realId)
    expect(await masterState(ours)).toMatchObject({port: String(master.port), 'num-slaves': '1', 'num-other-sentinels': '1'})
    expect(pairs((await ours.sentinel('REPLICAS', 'mymaster') as unknown[][])[0]).port).toBe(String(replica.port))
    expect(await ours.sentinel('FLUSHCONFIG')).toBe('OK')
    // The bundled flush keeps the lines it does not own; redis-sentinel starts again from it.
    const flushed = ours.readConfig()
    expect(flushed).toContain('latency-tracking-info-percentiles 50 99 99.9')
    await ours.stop()
    const back = await scope.sentinel({engine: 'redis', dir: real.dir})
    expect(await back.sentinel('MYID')).toBe(realId)
    expect(await masterState(back)).toMatchObject({port: String(master.port), 'num-slaves': '1', 'num-other-sentinels': '1'})
  }, 60_000)
})
