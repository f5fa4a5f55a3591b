// Scripts replicate by their effects (Redis 7.0): a replica receives the writes a script made — wrapped in
// MULTI/EXEC when there are several — and never the script, so its script cache stays empty; redis.set_repl
// keeps writes off the stream; FUNCTION LOAD/DELETE do reach replicas, and libraries travel in the full-sync RDB.
// Our master with a real Redis replica and a real master with our replica are compared by DEBUG DIGEST, and the
// stream bytes a hand-driven replica receives from each master must be the same.

import {afterAll, describe, expect, it} from 'vitest'
import {bundledMissing, stopAllNodes, type NodeHandle} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {canonical} from '../helpers/resp-value.js'
import {admin, nodeScope, replicaOf, replInfo, waitForDigestsEqual, waitForLinkUp, waitForOffsetsEqual, WireConnection} from '../helpers/replication.js'
import {sha1} from '../helpers/script-cases.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing
const base = ['--save', '', '--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0']
const PING = '*1\r\n$4\r\nping\r\n'

const LIB_BEFORE = "#!lua name=before\nredis.register_function{function_name='get_before', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}"
const LIB_INCR = "#!lua name=counter\nredis.register_function('bump', function(keys, args) return redis.call('incrby', keys[1], args[1] or 1) end)"
const LIB_GONE = "#!lua name=gone\nredis.register_function('gone', function() return 1 end)"
const LOADED = "return redis.call('hset', KEYS[1], 'f', ARGV[1])"

/**
 * Scripts that write (one write, several, random and TIME values, SELECT, relative expiries, a write then an
 * error, set_repl), that only read, and functions; every command must succeed or fail the same way on both
 * engines. Keys `none` and `aof` are written with replication to replicas turned off.
 */
const WORKLOAD: string[][] = [
  ['EVAL', "return redis.call('incr','n')", '0'],
  ['EVAL', "redis.call('set','a','1'); redis.call('set','b','2'); return 1", '0'],
  ['EVAL', "math.randomseed(5); redis.call('set','r', math.random(1000000)); return 1", '0'],
  ['EVAL', "local t = redis.call('time'); redis.call('set','t', t[1]); return 1", '0'],
  ['EVAL', "redis.set_repl(redis.REPL_NONE); redis.call('set','none','1'); redis.set_repl(redis.REPL_ALL); redis.call('set','all','1'); return 1", '0'],
  ['EVAL', "redis.call('set','e','v','EX','100'); redis.call('expire','a','500'); return 1", '0'],
  ['EVAL', "redis.call('select','3'); redis.call('set','in3','v'); return 1", '0'],
  ['EVAL', "return redis.call('get','n')", '0'],
  ['EVAL', "redis.call('del','nokey'); return 1", '0'],
  ['EVAL', "redis.call('incr','n'); error('after write')", '0'],
  ['SCRIPT', 'LOAD', LOADED],
  ['EVALSHA', sha1(LOADED), '1', 'h', 'v1'],
  ['FUNCTION', 'LOAD', LIB_INCR],
  ['FUNCTION', 'LOAD', LIB_GONE],
  ['FCALL', 'bump', '1', 'fk', '5'],
  ['FUNCTION', 'DELETE', 'gone'],
  ['EVAL', "redis.call('lpush','q','x','y'); redis.call('rpoplpush','q','q2'); return 1", '0'],
  ['MULTI'], ['EVAL', "return redis.call('incr','n')", '0'], ['SET', 'x', '1'], ['EXEC'],
  ['EVAL', "redis.set_repl(redis.REPL_AOF); redis.call('set','aof','1'); return 1", '0'],
  ['EVAL', "redis.set_repl(redis.REPL_REPLICA); redis.call('set','rep','1'); return 1", '0'],
  ['EVAL_RO', "return redis.call('get','a')", '0'],
  // One member, so SPOP's random choice (Redis's libc random(), not reproduced) cannot differ; its SREM rewrite can.
  ['EVAL', "redis.call('set','s1','x'); redis.call('sadd','set','a'); redis.call('spop','set'); return 1", '0'],
  ['EVAL', "redis.call('hincrbyfloat','hf','f','1.5'); redis.call('incrbyfloat','fl','0.1'); return 1", '0'],
  ['FCALL_RO', 'get_before', '1', 'a'],
]

/** Shas of every script the workload ran or loaded (none may be in a replica's cache). */
const SCRIPT_SHAS = [...new Set(WORKLOAD.filter((c) => c[0] === 'EVAL' || c[0] === 'EVAL_RO' || c[0] === 'SCRIPT').map((c) => sha1(c[c.length - (c[0] === 'SCRIPT' ? 1 : 2)] as string)))]

/** Before the workload (and, where a replica attaches later, before the sync): a library and a key. */
async function prepare(client: RawClient): Promise<void> {
  expect((await client.command('FUNCTION', 'LOAD', LIB_BEFORE)).toString()).toBe('$6\r\nbefore\r\n')
  expect((await client.command('SET', 'a', '1')).toString()).toBe('+OK\r\n')
}

async function runWorkload(client: RawClient, label: string): Promise<string[]> {
  const replies: string[] = []
  for (const command of WORKLOAD) replies.push((await client.command(...command)).toString('latin1'))
  expect(replies.filter((r) => r.startsWith('-')), `${label}: only the script that raises fails`).toEqual([
    '-ERR user_script:1: after write script: 1ecb5e8ac9b96e917d3a151b7787bff9185a7c42, on @user_script:1.\r\n',
  ])
  return replies
}

/** Master and replica: the keys written with REPL_NONE / REPL_AOF exist on the master only; then, once they are
 * deleted, the datasets are equal; no script is cached on the replica; the libraries are the same. */
async function checkReplicated(master: NodeHandle, replica: NodeHandle): Promise<void> {
  await waitForOffsetsEqual([master, replica])
  const [m, r] = [admin(master), admin(replica)]
  expect(await m.exists('none', 'aof', 'all', 'rep')).toBe(4)
  expect(await r.exists('none', 'aof')).toBe(0)
  expect(await r.exists('all', 'rep')).toBe(2)
  expect(await m.del('none', 'aof')).toBe(2)
  await waitForDigestsEqual([master, replica])
  expect(await r.get('r')).toBe(await m.get('r'))
  expect(await r.call('SCRIPT', 'EXISTS', ...SCRIPT_SHAS)).toEqual(SCRIPT_SHAS.map(() => 0))
  expect(await m.call('SCRIPT', 'EXISTS', ...SCRIPT_SHAS)).toEqual(SCRIPT_SHAS.map(() => 1))
  // FUNCTION LOAD and DELETE reached the replica (the library loaded before the sync came in the RDB).
  const [masterList, replicaList] = await Promise.all([master.raw(), replica.raw()].map(async (p) => {
    const c = await p
    try {
      return canonical(await c.command('FUNCTION', 'LIST', 'WITHCODE'), true)
    } finally {
      c.close()
    }
  }))
  expect(replicaList).toEqual(masterList)
  expect(JSON.stringify(replicaList)).toContain('counter')
  expect(JSON.stringify(replicaList)).not.toContain('gone')
  // A read-only replica runs a no-writes function and refuses a writing one.
  expect(await r.call('FCALL_RO', 'get_before', '1', 'a')).toBe('1')
  await expect(r.call('FCALL', 'bump', '1', 'fk')).rejects.toThrow(/READONLY/)
}

/** Handshake of a Redis 7.0 replica up to the payload; returns the link and the offset the stream starts at. */
async function rawReplica(master: NodeHandle): Promise<{link: WireConnection; offset: number}> {
  const link = await WireConnection.connect(master.port)
  link.send('PING')
  expect(await link.line()).toBe('+PONG\r\n')
  link.send('REPLCONF', 'listening-port', '7777')
  expect(await link.line()).toBe('+OK\r\n')
  link.send('PSYNC', '?', '-1')
  const reply = await link.reply()
  const full = /^\+FULLRESYNC [0-9a-f]{40} (\d+)\r\n$/.exec(reply)
  expect(full, reply).not.toBeNull()
  await link.payload()
  return {link, offset: Number((full as RegExpExecArray)[1])}
}

describe.skipIf(!!skip)(`script effects replication with real Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(stopAllNodes)

  it.concurrent('our master, real replica: effects, not scripts; FUNCTION LOAD and DELETE replicate', async ({onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const [master, replica] = await Promise.all([start({engine: 'bundled', args: base}), start({engine: 'redis', args: base})])
    const client = await master.raw()
    onTestFinished(() => client.close())
    await prepare(client)
    expect(await replicaOf(replica, master)).toBe('OK')
    await waitForLinkUp(replica)
    await runWorkload(client, 'our master')
    await checkReplicated(master, replica)
  })

  it.concurrent('real master, our replica: effects, not scripts; FUNCTION LOAD and DELETE replicate', async ({onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const [master, replica] = await Promise.all([start({engine: 'redis', args: base}), start({engine: 'bundled', args: base})])
    const client = await master.raw()
    onTestFinished(() => client.close())
    await prepare(client)
    expect(await replicaOf(replica, master)).toBe('OK')
    await waitForLinkUp(replica)
    await runWorkload(client, 'real master')
    await checkReplicated(master, replica)
  })

  it.concurrent('the stream our master writes for scripts is byte-identical to Redis 7.0\'s (MULTI/EXEC around several effects)', async ({onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const args = ['--save', '', '--repl-diskless-sync', 'no']
    const masters = await Promise.all([start({engine: 'redis', args}), start({engine: 'bundled', args})])
    // Absolute expiry times and TIME differ between the two runs; the random value does not (same seed).
    const normalize = (stream: Buffer): string => stream.toString('latin1').split(PING).join('')
      .replace(/\$13\r\n\d{13}\r\n/g, '$13\r\n<ms>\r\n').replace(/(\$1\r\nt\r\n)\$10\r\n\d{10}\r\n/, '$1<unix time>\r\n')
    const streams = await Promise.all(masters.map(async (master) => {
      const {link, offset} = await rawReplica(master)
      onTestFinished(() => link.close())
      const client = await master.raw()
      onTestFinished(() => client.close())
      await prepare(client)
      await runWorkload(client, master.engine)
      const end = Number((await replInfo(master)).master_repl_offset)
      return normalize(await link.take(end - offset))
    }))
    const frames = (stream: string): string[] => stream.split(/(?=\*\d+\r\n\$)/)
    const [real, ours] = streams.map((s) => frames(s as string)) as [string[], string[]]
    expect(ours).toEqual(real)
    // What real Redis sends, in short: several effects in MULTI/EXEC, one effect alone, no script, no SCRIPT LOAD.
    const text = real.join('')
    expect(text).toContain('*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n*3\r\n$3\r\nset\r\n$1\r\nb\r\n$1\r\n2\r\n*1\r\n$4\r\nEXEC\r\n')
    expect(text).not.toMatch(/EVAL|SCRIPT|\$4\r\nnone\r\n|\$3\r\naof\r\n/)
    expect(text).toContain('$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n')
    await waitFor(() => Promise.all(masters.map(replInfo)), (infos) => infos.every((i) => i.connected_slaves === '1'), {what: 'both raw replicas still attached'})
  })

  it.concurrent('on a read-only replica, scripts and functions are refused or run like on a real replica', async ({onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'redis', args: base})
    const replicas = await Promise.all([start({engine: 'redis', args: base}), start({engine: 'bundled', args: base})])
    const client = await master.raw()
    onTestFinished(() => client.close())
    await prepare(client)
    expect((await client.command('FUNCTION', 'LOAD', LIB_INCR)).toString()).toBe('$7\r\ncounter\r\n')
    for (const replica of replicas) {
      expect(await replicaOf(replica, master)).toBe('OK')
      await waitForLinkUp(replica)
    }
    await waitForOffsetsEqual([master, ...replicas])
    const [real, ours] = await Promise.all(replicas.map((r) => r.raw()))
    onTestFinished(() => {
      real?.close()
      ours?.close()
    })
    const commands: string[][] = [
      ['FCALL', 'bump', '1', 'fk'], ['FCALL_RO', 'bump', '1', 'fk'], ['FCALL', 'get_before', '1', 'a'], ['FCALL_RO', 'get_before', '1', 'a'],
      ['EVAL', "return redis.call('set','x','1')", '0'], ['EVAL', "return redis.pcall('set','x','1')", '0'], ['EVAL', "return redis.call('get','a')", '0'],
      ['EVAL', "#!lua\nreturn redis.call('get','a')", '0'], ['EVAL', "#!lua flags=no-writes\nreturn redis.call('get','a')", '0'], ['EVAL_RO', "return redis.call('get','a')", '0'],
      ['FUNCTION', 'LOAD', LIB_GONE], ['FUNCTION', 'DELETE', 'counter'], ['FUNCTION', 'FLUSH'], ['FUNCTION', 'RESTORE', 'x'], ['SCRIPT', 'LOAD', 'return 1'],
      ['EVALSHA', sha1('return 1'), '0'], ['SCRIPT', 'FLUSH'], ['SCRIPT', 'EXISTS', sha1('return 1')], ['FUNCTION', 'STATS'],
    ]
    for (const command of commands) {
      const [a, b] = await Promise.all([(real as RawClient).command(...command), (ours as RawClient).command(...command)])
      expect(JSON.stringify(b.toString('latin1')), command.join(' ')).toBe(JSON.stringify(a.toString('latin1')))
    }
  })
})
