// FAILOVER and CLIENT PAUSE against real Redis 7.0. The same scenario runs on each engine and the
// transcripts (replies, INFO fields, the bytes a hand-driven peer receives) must be equal: argument and
// state errors; a failover waiting for a replica that never acknowledges (writes postponed, reads served,
// ABORT); FORCE after TIMEOUT sending PSYNC … FAILOVER to a target that refuses it; and real failovers
// in pairs that mix the engines both ways.

import {afterAll, describe, expect, it} from 'vitest'
import {encodeCommand} from '../../src/resp/encoder.js'
import {bundledMissing, stopAllNodes, type Engine, type NodeHandle} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {admin, FakeMaster, fullLog, nodeScope, parseInfo, replInfo, waitForLinkUp, WireConnection} from '../helpers/replication.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing
const base = ['--save', '', '--repl-diskless-sync-delay', '0']
const ENGINES: readonly Engine[] = ['redis', 'bundled']

type Finished = (fn: () => Promise<void>) => void

const text = (b: Buffer): string => b.toString('latin1')

/** A client whose closing is registered with the test. */
async function rawOf(node: NodeHandle, onFinished: Finished): Promise<RawClient> {
  const c = await node.raw()
  onFinished(async () => c.close())
  return c
}

/** The INFO replication fields a transcript records (ids and offsets differ between runs). */
async function roleLine(c: RawClient): Promise<string> {
  const info = parseInfo(text(await c.command('INFO', 'replication')))
  return `role:${info.role} failover:${info.master_failover_state} connected_slaves:${info.connected_slaves ?? '-'}`
}

/**
 * A replica driven by hand: handshake and full sync in the `$<len>` form (the master runs with
 * repl-diskless-sync no), then it never acknowledges, so a failover waits for it for ever.
 */
async function silentReplica(master: NodeHandle, listeningPort: number, onFinished: Finished): Promise<{replid: string}> {
  const replica = await WireConnection.connect(master.port)
  onFinished(async () => replica.close())
  replica.send('REPLCONF', 'listening-port', String(listeningPort))
  expect(await replica.reply()).toBe('+OK\r\n')
  replica.send('REPLCONF', 'capa', 'psync2')
  expect(await replica.reply()).toBe('+OK\r\n')
  replica.send('PSYNC', '?', '-1')
  const full = /^\+FULLRESYNC ([0-9a-f]{40}) \d+\r\n$/.exec(await replica.reply())
  expect(full).not.toBeNull()
  await replica.payload()
  return {replid: (full as RegExpExecArray)[1] as string}
}

async function errorsTranscript(engine: Engine, onFinished: Finished): Promise<string[]> {
  const start = nodeScope(onFinished)
  const master = await start({engine, args: [...base, '--repl-diskless-sync-delay', '60']})
  const c = await rawOf(master, onFinished)
  const out: string[] = []
  const say = async (...args: string[]) => out.push(`${args.join(' ')} -> ${text(await c.command(...args))}`)
  for (const args of [
    ['FAILOVER'], ['FAILOVER', 'ABORT'], ['FAILOVER', 'abort', 'x'], ['FAILOVER', 'TO'], ['FAILOVER', 'TO', 'h'],
    ['FAILOVER', 'TO', 'h', 'x'], ['FAILOVER', 'TO', 'h', '1', 'TO', 'h', '2'], ['FAILOVER', 'TIMEOUT', '0'],
    ['FAILOVER', 'TIMEOUT', '-5'], ['FAILOVER', 'TIMEOUT', 'x'], ['FAILOVER', 'TIMEOUT', '5', 'TIMEOUT', '6'],
    ['FAILOVER', 'FORCE'], ['FAILOVER', 'FORCE', 'FORCE'], ['FAILOVER', 'bogus'], ['FAILOVER', 'TO', 'h', '1'],
    ['CLIENT', 'PAUSE'], ['CLIENT', 'PAUSE', '10', 'foo'], ['CLIENT', 'PAUSE', 'abc'], ['CLIENT', 'PAUSE', 'abc', 'foo'],
    ['CLIENT', 'PAUSE', '-1'], ['CLIENT', 'PAUSE', '10', 'WRITE', 'x'], ['CLIENT', 'PAUSE', '0'], ['CLIENT', 'UNPAUSE', 'x'],
    ['CLIENT', 'UNPAUSE'], ['PSYNC', 'abc', '1', 'FAILOVER'],
  ]) await say(...args)
  // A replica waiting for its delayed diskless snapshot is attached but not online.
  const waiting = await WireConnection.connect(master.port)
  onFinished(async () => waiting.close())
  waiting.send('REPLCONF', 'listening-port', '7777')
  expect(await waiting.reply()).toBe('+OK\r\n')
  waiting.send('REPLCONF', 'capa', 'eof', 'capa', 'psync2')
  expect(await waiting.reply()).toBe('+OK\r\n')
  waiting.send('PSYNC', '?', '-1')
  await waitFor(() => replInfo(master), (i) => i.slave0?.includes('state=wait_bgsave') === true, {what: `${engine} replica in wait_bgsave`})
  for (const args of [
    ['FAILOVER', 'TO', '127.0.0.1', '7777'], ['FAILOVER', 'TO', '127.0.0.1', '7778'], ['FAILOVER', 'TO', '127.0.0.1', '7777', 'FORCE'],
    ['FAILOVER', 'FORCE', 'TIMEOUT', '10'],
  ]) await say(...args)
  // On a replica: FAILOVER is refused, and PSYNC FAILOVER must name the replica's own replication id.
  const replica = await start({engine, args: [...base, '--replicaof', '127.0.0.1', String(master.port)]})
  const r = await rawOf(replica, onFinished)
  out.push(`replica FAILOVER -> ${text(await r.command('FAILOVER'))}`)
  out.push(`replica PSYNC wrong id -> ${text(await r.command('PSYNC', '0123456789012345678901234567890123456789', '1', 'FAILOVER'))}`)
  return out
}

async function waitingTranscript(engine: Engine, onFinished: Finished): Promise<string[]> {
  const start = nodeScope(onFinished)
  const master = await start({engine, args: [...base, '--repl-diskless-sync', 'no']})
  await silentReplica(master, 7777, onFinished)
  const [c, writer, reader, publisher] = await Promise.all([0, 1, 2, 3].map(() => rawOf(master, onFinished)))
  const a = c as RawClient
  const w = writer as RawClient
  const out: string[] = []
  const say = async (client: RawClient, ...args: string[]) => out.push(`${args.join(' ')} -> ${text(await client.command(...args))}`)
  await say(w, 'CLIENT', 'SETNAME', 'writer')
  await say(publisher as RawClient, 'CLIENT', 'SETNAME', 'publisher')
  // A write after the sync: the silent replica is behind from now on.
  await say(w, 'SET', 'k', 'before')
  await say(a, 'FAILOVER', 'TIMEOUT', '600000')
  out.push(await roleLine(a))
  await say(a, 'FAILOVER')
  await say(a, 'FAILOVER', 'TO', '127.0.0.1', '7777')
  await say(a, 'REPLICAOF', '127.0.0.1', '1')
  await say(a, 'REPLICAOF', 'NO', 'ONE')
  // Writes and may-replicate commands wait; reads are served meanwhile.
  w.send(encodeCommand(['SET', 'k', 'during']))
  ;(publisher as RawClient).send(encodeCommand(['PUBLISH', 'ch', 'm']))
  await waitFor(async () => parseInfo(text(await a.command('INFO', 'clients'))).blocked_clients, (n) => n === '2', {what: `${engine} two postponed clients`})
  await say(reader as RawClient, 'GET', 'k')
  const list = text(await a.command('CLIENT', 'LIST'))
  for (const name of ['writer', 'publisher']) {
    const line = list.split('\n').find((l) => l.includes(` name=${name} `)) ?? ''
    out.push(`${name}: ${/ flags=\S+/.exec(line)?.[0] ?? ''}${/ cmd=\S+/.exec(line)?.[0] ?? ''}`)
  }
  await say(a, 'FAILOVER', 'ABORT')
  out.push(`writer gets ${text(await w.reply())}`)
  out.push(`publisher gets ${text(await (publisher as RawClient).reply())}`)
  out.push(await roleLine(a))
  await say(reader as RawClient, 'GET', 'k')
  // Without FORCE the timeout gives up.
  await say(a, 'FAILOVER', 'TIMEOUT', '200')
  await waitFor(() => replInfo(master), (i) => i.master_failover_state === 'no-failover', {what: `${engine} failover timed out`})
  out.push(`log: ${fullLog(master).includes('FAILOVER to any replica aborted: Replica never caught up before timeout')}`)
  await say(w, 'SET', 'k', 'after')
  return out
}

async function forceTranscript(engine: Engine, onFinished: Finished): Promise<string[]> {
  const start = nodeScope(onFinished)
  const target = await FakeMaster.listen()
  onFinished(async () => target.close())
  const master = await start({engine, args: [...base, '--repl-diskless-sync', 'no']})
  await silentReplica(master, target.port, onFinished)
  const c = await rawOf(master, onFinished)
  const out: string[] = []
  const say = async (...args: string[]) => out.push(`${args.join(' ')} -> ${text(await c.command(...args))}`)
  await say('SET', 'k', 'v')
  const info = await replInfo(master)
  out.push(`FAILOVER TO <target> FORCE TIMEOUT 300 -> ${text(await c.command('FAILOVER', 'TO', '127.0.0.1', String(target.port), 'FORCE', 'TIMEOUT', '300'))}`)
  // The timeout passes, and the master follows the target anyway, asking it to take over.
  const link = await target.accept(20_000)
  // The handshake's arguments, with this run's ports named.
  const args = (command: string): string => command.split('\r\n').filter((_, i) => i > 0 && i % 2 === 0).join(' ')
    .replaceAll(String(master.port), '<master port>')
  out.push(`1: ${args(await link.command())}`)
  link.write('+PONG\r\n')
  out.push(`2: ${args(await link.command())}`)
  out.push(`3: ${args(await link.command())}`)
  link.write('+OK\r\n+OK\r\n')
  const psync = await link.command()
  out.push(`psync names our history: ${psync === text(encodeCommand(['PSYNC', info.master_replid as string, String(Number(info.master_repl_offset) + 1), 'FAILOVER']))}`)
  out.push(await roleLine(c))
  link.write('-ERR refused\r\n')
  await waitFor(() => replInfo(master), (i) => i.role === 'master' && i.master_failover_state === 'no-failover', {what: `${engine} back to master`})
  out.push(`log: ${fullLog(master).includes(`FAILOVER to 127.0.0.1:${target.port} aborted: Failover target rejected psync request`)}`)
  out.push(await roleLine(c))
  await say('SET', 'k', 'again')
  return out
}

describe.skipIf(!!skip)(`FAILOVER and CLIENT PAUSE${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(stopAllNodes)

  it.concurrent('argument and state errors are Redis 7.0\'s', async ({onTestFinished}) => {
    const [real, ours] = await Promise.all(ENGINES.map((e) => errorsTranscript(e, onTestFinished)))
    expect(ours).toEqual(real)
  })

  it.concurrent('waiting for a replica that never catches up: writes postponed, reads served, ABORT and TIMEOUT', async ({onTestFinished}) => {
    const [real, ours] = await Promise.all(ENGINES.map((e) => waitingTranscript(e, onTestFinished)))
    expect(ours).toEqual(real)
    expect(ours).toContain('writer gets +OK\r\n')
  })

  it.concurrent('FORCE after TIMEOUT: PSYNC … FAILOVER to the target; a refused PSYNC makes the old master a master again', async ({onTestFinished}) => {
    const [real, ours] = await Promise.all(ENGINES.map((e) => forceTranscript(e, onTestFinished)))
    expect(ours).toEqual(real)
    expect(ours).toContain('psync names our history: true')
  })

  it.concurrent('CLIENT PAUSE WRITE postpones writes (in MULTI too) and serves reads; ALL postpones everything until it ends', async ({onTestFinished}) => {
    const transcript = async (engine: Engine): Promise<string[]> => {
      const start = nodeScope(onTestFinished)
      const node = await start({engine, args: base})
      const [a, b, m] = await Promise.all([0, 1, 2].map(() => rawOf(node, onTestFinished))) as [RawClient, RawClient, RawClient]
      const out: string[] = []
      const say = async (client: RawClient, ...args: string[]) => out.push(`${args.join(' ')} -> ${text(await client.command(...args))}`)
      await say(a, 'SET', 'k', '1')
      await say(a, 'CLIENT', 'PAUSE', '600000', 'WRITE')
      b.send(encodeCommand(['INCR', 'k']))
      await say(m, 'MULTI')
      m.send(encodeCommand(['INCR', 'k']))
      await waitFor(async () => parseInfo(text(await a.command('INFO', 'clients'))).blocked_clients, (n) => n === '2', {what: `${engine} two postponed clients`})
      await say(a, 'GET', 'k')
      await say(a, 'CLIENT', 'PAUSE', '10', 'WRITE')
      await say(a, 'CLIENT', 'UNPAUSE')
      out.push(`INCR gets ${text(await b.reply())}`)
      out.push(`queued gets ${text(await m.reply())}`)
      await say(m, 'EXEC')
      await say(a, 'CLIENT', 'PAUSE', '300', 'ALL')
      b.send(encodeCommand(['PING']))
      out.push(`PING after the pause: ${text(await b.reply())}`)
      await say(a, 'GET', 'k')
      return out
    }
    const [real, ours] = await Promise.all(ENGINES.map(transcript))
    expect(ours).toEqual(real)
  })

  for (const [masterEngine, replicaEngine] of [['bundled', 'redis'], ['redis', 'bundled'], ['bundled', 'bundled']] as [Engine, Engine][]) {
    it.concurrent(`a ${masterEngine} master fails over to its ${replicaEngine} replica, which then serves writes the old master replicates`, async ({onTestFinished}) => {
      const start = nodeScope(onTestFinished)
      const master = await start({engine: masterEngine, args: base})
      const replica = await start({engine: replicaEngine, args: [...base, '--replicaof', '127.0.0.1', String(master.port)]})
      await waitForLinkUp(replica)
      await admin(master).set('before', 'failover')
      expect(await admin(master).call('FAILOVER', 'TO', '127.0.0.1', String(replica.port))).toBe('OK')
      // A write sent meanwhile waits for the failover, then finds a replica.
      await expect(admin(master).set('during', 'x')).rejects.toThrow(/READONLY/)
      await waitFor(() => Promise.all([replInfo(master), replInfo(replica)]), ([m, r]) =>
        r.role === 'master' && m.role === 'slave' && m.master_port === String(replica.port) && m.master_link_status === 'up' &&
        m.master_failover_state === 'no-failover' && r.master_failover_state === 'no-failover', {what: 'roles swapped', timeoutMs: 20_000})
      expect(await admin(replica).get('before')).toBe('failover')
      await admin(replica).set('after', 'failover')
      await waitFor(() => admin(master).get('after'), (v) => v === 'failover', {what: 'the new master\'s write on the old master'})
      // The handover kept one history: the old master continued it without a full sync.
      expect(fullLog(master)).toContain('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.')
    })
  }
})
