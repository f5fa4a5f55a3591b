// min-replicas-to-write / min-replicas-max-lag against real Redis 7.0: a master with one replica that is then
// frozen with SIGSTOP. Once the replica's last REPLCONF ACK is older than max-lag, writes from clients get
// -NOREPLICAS (alone, inside MULTI, from a script) while reads still work; after SIGCONT the ACKs resume and
// writes are accepted again. The transcript of replies and INFO fields must be the same on both engines.

import {afterAll, describe, expect, it} from 'vitest'
import {bundledMissing, stopAllNodes, type Engine} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {nodeScope, parseInfo, replInfo, waitForLinkUp} from '../helpers/replication.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing
const base = ['--save', '', '--repl-diskless-sync-delay', '0']

const text = (b: Buffer): string => b.toString('latin1')

async function transcript(engine: Engine, onFinished: (fn: () => Promise<void>) => void): Promise<string[]> {
  const start = nodeScope(onFinished)
  const master = await start({engine, args: base})
  const replica = await start({engine, args: [...base, '--replicaof', '127.0.0.1', String(master.port)]})
  // A stopped replica must be continued before the scope kills it.
  onFinished(async () => {
    try {
      process.kill(replica.pid, 'SIGCONT')
    } catch {
      // Already gone.
    }
  })
  await waitForLinkUp(replica)
  const c = await master.raw()
  const out: string[] = []
  const say = async (...args: string[]) => out.push(`${args.join(' ')} -> ${text(await c.command(...args))}`)
  const goodReplicas = async () => parseInfo(text(await c.command('INFO', 'replication'))).min_slaves_good_slaves
  out.push(`good before settings: ${String(await goodReplicas())}`)
  await say('CONFIG', 'SET', 'min-replicas-to-write', '1')
  await say('CONFIG', 'SET', 'min-replicas-max-lag', '2')
  // The aliases read the same settings (one name per CONFIG GET: a pattern's order is the dict's).
  await say('CONFIG', 'GET', 'min-slaves-to-write')
  await say('CONFIG', 'GET', 'min-slaves-max-lag')
  // The replica's REPLCONF ACK comes every second; on a busy machine one can be late past the 2 s lag, so
  // wait until the master counts it good (on both engines) before writing.
  out.push(`good with a live replica: ${String(await waitFor(goodReplicas, (g) => g === '1', {timeoutMs: 20_000, what: 'the live replica to count as good'}))}`)
  await say('SET', 'k', 'before')

  process.kill(replica.pid, 'SIGSTOP')
  // The replica stops acking; past max-lag the cron counts it out.
  await waitFor(async () => text(await c.command('SET', 'probe', '1')), (r) => r.startsWith('-NOREPLICAS'), {timeoutMs: 20_000, what: `${engine}: SET refused with NOREPLICAS`})
  out.push(`good after the lag: ${String(await goodReplicas())}`)
  await say('SET', 'k', 'during')
  await say('INCR', 'n')
  await say('GET', 'k')
  await say('PING')
  await say('MULTI')
  await say('SET', 'k', 'in-multi')
  await say('GET', 'k')
  await say('EXEC')
  await say('MULTI')
  await say('GET', 'k')
  await say('EXEC')
  await say('EVAL', "return redis.call('get', KEYS[1])", '1', 'k')
  await say('EVAL', "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", '1', 'k')
  await say('EVAL', '#!lua\nreturn 1', '0')
  await say('EVAL', "return redis.pcall('set', KEYS[1], 'script')", '1', 'k')
  await say('CONFIG', 'SET', 'min-replicas-to-write', '0')
  await say('SET', 'k', 'gate-off')
  out.push(`good with the gate off: ${String(await goodReplicas())}`)
  await say('CONFIG', 'SET', 'min-replicas-to-write', '1')
  await say('SET', 'k', 'gate-on-again')

  process.kill(replica.pid, 'SIGCONT')
  await waitFor(async () => text(await c.command('SET', 'probe', '2')), (r) => r === '+OK\r\n', {timeoutMs: 20_000, what: `${engine}: SET accepted after SIGCONT`})
  out.push(`good after SIGCONT: ${String(await goodReplicas())}`)
  await say('SET', 'k', 'after')
  await say('GET', 'k')
  const info = await replInfo(master)
  out.push(`connected_slaves:${info.connected_slaves} slave0 state:${/state=(\w+)/.exec(info.slave0 ?? '')?.[1]}`)
  c.close()
  return out
}

describe.skipIf(!!skip)(`min-replicas-to-write against real Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(stopAllNodes)

  it('refuses writes with NOREPLICAS while the only replica is stopped, and accepts them again after SIGCONT', async ({onTestFinished}) => {
    const [real, ours] = await Promise.all([transcript('redis', onTestFinished), transcript('bundled', onTestFinished)])
    expect(ours).toEqual(real)
    expect(real).toContain('SET k during -> -NOREPLICAS Not enough good replicas to write.\r\n')
  }, 60_000)
})
