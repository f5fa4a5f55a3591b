// maxmemory and the maxmemory policies against real Redis 7.0: the same sequence runs on both engines and the
// observable outcome must agree — the OOM replies (alone, in MULTI, from scripts) under noeviction, the config
// errors, OBJECT FREQ / IDLETIME by policy, allkeys-* holding used_memory under the limit while keys keep
// coming, volatile-* touching only keys with a TTL (and OOM once none are left), volatile-ttl evicting the
// soonest expiring, allkeys-lru/lfu keeping the keys that were read, the `evicted` keyspace events, and a
// replica that ignores its own maxmemory and receives every eviction as DEL (UNLINK with
// lazyfree-lazy-eviction). Limits are set relative to each engine's own used_memory, so the two estimates
// need not be equal; statistical checks use wide margins.

import type {Redis} from 'ioredis'
import {afterAll, describe, expect, it} from 'vitest'
import {bundledMissing, stopAllNodes, type Engine, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {nodeScope, parseInfo, waitForLinkUp, waitForOffsetsEqual} from '../helpers/replication.js'
import {waitFor} from '../helpers/wait-for.js'

const skipReal = realRedisMissing ?? bundledMissing
const base = ['--save', '', '--repl-diskless-sync-delay', '0']
const ENGINES: Engine[] = ['redis', 'bundled']

type Finished = (fn: () => Promise<void>) => void

const text = (b: Buffer): string => b.toString('latin1')

async function info(c: Redis, section: string): Promise<Record<string, string>> {
  return parseInfo(await c.info(section))
}

const usedMemory = async (c: Redis): Promise<number> => Number((await info(c, 'memory')).used_memory)
const evictedKeys = async (c: Redis): Promise<number> => Number((await info(c, 'stats')).evicted_keys)

/** SET prefix:0 … prefix:count-1 to `size`-byte values in pipelined batches; returns how many were refused. */
async function fill(c: Redis, prefix: string, count: number, size: number, ttlSeconds?: (i: number) => number): Promise<number> {
  const value = 'v'.repeat(size)
  let refused = 0
  for (let from = 0; from < count; from += 250) {
    const p = c.pipeline()
    for (let i = from; i < Math.min(count, from + 250); i++) {
      const ttl = ttlSeconds?.(i)
      if (ttl === undefined) p.set(`${prefix}:${i}`, value)
      else p.set(`${prefix}:${i}`, value, 'EX', ttl)
    }
    for (const [err] of (await p.exec()) ?? []) if (err) refused++
  }
  return refused
}

/** How many of prefix:from … prefix:to-1 still exist. */
async function survivors(c: Redis, prefix: string, from: number, to: number): Promise<number> {
  const p = c.pipeline()
  for (let i = from; i < to; i++) p.exists(`${prefix}:${i}`)
  return ((await p.exec()) ?? []).reduce((n, [, r]) => n + Number(r), 0)
}

/** Lowers maxmemory to the used memory before `dataset` bytes were added plus `keep` of them, and waits for eviction to get there. */
async function squeeze(c: Redis, engine: Engine, before: number, keep: number): Promise<number> {
  const after = await usedMemory(c)
  const limit = Math.floor(before + (after - before) * keep)
  await c.config('SET', 'maxmemory', String(limit))
  await waitFor(() => usedMemory(c), (used) => used <= limit, {timeoutMs: 20_000, what: `${engine}: used_memory under ${limit}`})
  return limit
}

async function standalone(engine: Engine, onFinished: Finished, args: string[] = []): Promise<{node: NodeHandle; c: Redis}> {
  const node = await nodeScope(onFinished)({engine, args: [...base, ...args]})
  return {node, c: node.client()}
}

/** noeviction: the OOM reply for denyoom commands, in MULTI and from scripts; what stays allowed. */
async function noevictionTranscript(engine: Engine, onFinished: Finished): Promise<string[]> {
  const {node, c} = await standalone(engine, onFinished)
  const raw = await node.raw()
  const out: string[] = []
  const say = async (...args: string[]): Promise<void> => {
    out.push(`${args.map((a) => (a.length > 40 ? `${a.slice(0, 20)}…` : a)).join(' ')} -> ${text(await raw.command(...args))}`)
  }
  await say('CONFIG', 'SET', 'maxmemory', 'abc')
  await say('CONFIG', 'SET', 'maxmemory', '-1')
  await say('CONFIG', 'SET', 'maxmemory', '1.5mb')
  await say('CONFIG', 'SET', 'maxmemory-policy', 'foo')
  await say('CONFIG', 'SET', 'maxmemory-samples', '0')
  await say('CONFIG', 'SET', 'lfu-log-factor', '-1')
  await say('CONFIG', 'SET', 'lfu-decay-time', 'x')
  await say('CONFIG', 'SET', 'maxmemory-eviction-tenacity', '101')
  await say('CONFIG', 'SET', 'maxmemory-policy', 'ALLKEYS-LRU')
  await say('CONFIG', 'GET', 'maxmemory-policy')
  await say('CONFIG', 'SET', 'maxmemory-policy', 'noeviction')
  await say('CONFIG', 'SET', 'maxmemory', '3mb')
  await say('CONFIG', 'GET', 'maxmemory')
  const mem = await info(c, 'memory')
  out.push(`maxmemory:${mem.maxmemory} maxmemory_human:${mem.maxmemory_human} maxmemory_policy:${mem.maxmemory_policy}`)
  out.push(`INFO memory fields: ${Object.keys(mem).join(' ')}`)
  const statsFields = Object.keys(await info(c, 'stats'))
  const at = statsFields.indexOf('evicted_keys')
  out.push(`INFO stats around evicted_keys: ${statsFields.slice(at - 1, at + 4).join(' ')}`)
  await say('CONFIG', 'SET', 'maxmemory', '0')
  await say('SET', 'keep', 'v')
  await fill(c, 'fill', 200, 1000)
  // Transactions opened before the limit is crossed: EXEC is judged by what it queued.
  const txWrite = await node.raw()
  const txRead = await node.raw()
  for (const [tx, command] of [[txWrite, ['MULTI']], [txWrite, ['SET', 'q', '1']], [txRead, ['MULTI']], [txRead, ['GET', 'keep']]] as const) {
    out.push(`(tx) ${command.join(' ')} -> ${text(await tx.command(...command))}`)
  }
  // Well under what is used: nothing is evicted under noeviction, so the state holds whatever buffers do.
  await c.config('SET', 'maxmemory', String((await usedMemory(c)) - 100_000))
  out.push(`(tx with a write) EXEC -> ${text(await txWrite.command('EXEC'))}`)
  out.push(`(tx with a read) EXEC -> ${text(await txRead.command('EXEC'))}`)
  txWrite.close()
  txRead.close()
  await say('SET', 'k', 'v')
  await say('SET', 'fill:0', 'again')
  await say('GET', 'keep')
  await say('APPEND', 'keep', 'x')
  await say('INCR', 'n')
  await say('EXPIRE', 'keep', '100')
  await say('PERSIST', 'keep')
  await say('OBJECT', 'ENCODING', 'keep')
  await say('PING')
  await say('MULTI')
  await say('GET', 'keep')
  await say('EXEC')
  await say('MULTI')
  await say('DISCARD')
  await say('EVAL', "return redis.call('set', KEYS[1], 'x')", '1', 's1')
  await say('EVAL', "return redis.pcall('set', KEYS[1], 'x')", '1', 's1')
  await say('EVAL', "return redis.call('get', KEYS[1])", '1', 'keep')
  await say('EVAL', "#!lua\nreturn redis.call('set', KEYS[1], 'x')", '1', 's1')
  await say('EVAL', "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", '1', 'keep')
  await say('EVAL', "#!lua flags=allow-oom\nreturn redis.call('set', KEYS[1], 'x')", '1', 's1')
  // Only a script's first write is judged: after a DEL (not denyoom) its SET goes through.
  await say('EVAL', "redis.call('del', KEYS[1]); return redis.call('set', KEYS[2], 'x')", '2', 'fill:1', 's2')
  await say('DEL', 'fill:2')
  out.push(`evicted_keys:${await evictedKeys(c)} dbsize:${await c.dbsize()}`)
  await say('CONFIG', 'SET', 'maxmemory', '0')
  await say('SET', 'k', 'v')
  raw.close()
  return out
}

/** OBJECT FREQ / IDLETIME follow the policy; an LFU counter starts at 5 and its first access makes it 6. */
async function accessTranscript(engine: Engine, onFinished: Finished): Promise<string[]> {
  const {node} = await standalone(engine, onFinished)
  const raw = await node.raw()
  const out: string[] = []
  const say = async (...args: (string | Buffer)[]): Promise<Buffer> => {
    const reply = await raw.command(...args)
    out.push(`${args.map((a) => (typeof a === 'string' ? a : '<payload>')).join(' ')} -> ${text(reply)}`)
    return reply
  }
  await say('SET', 'k', 'v')
  await say('OBJECT', 'FREQ', 'k')
  // Redis's LRU clock ticks in whole seconds: a fresh key reads 0 or, across a tick, 1.
  out.push(`OBJECT IDLETIME k <= 1: ${Number(text(await raw.command('OBJECT', 'IDLETIME', 'k')).slice(1)) <= 1}`)
  await say('OBJECT', 'FREQ', 'missing')
  await say('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu')
  await say('OBJECT', 'IDLETIME', 'k')
  await say('SET', 'f', 'v')
  await say('OBJECT', 'FREQ', 'f')
  await say('GET', 'f')
  await say('OBJECT', 'FREQ', 'f')
  // EXISTS and TYPE look keys up without touching them (LOOKUP_NOTOUCH).
  await say('EXISTS', 'f')
  await say('TYPE', 'f')
  await say('OBJECT', 'FREQ', 'f')
  await say('OBJECT', 'IDLETIME', 'missing')
  const dump = await raw.command('DUMP', 'f')
  const payload = dump.subarray(dump.indexOf('\r\n') + 2, dump.length - 2)
  await say('RESTORE', 'r', '0', payload, 'FREQ', '100')
  await say('OBJECT', 'FREQ', 'r')
  await say('CONFIG', 'SET', 'maxmemory-policy', 'volatile-lfu')
  await say('OBJECT', 'FREQ', 'r')
  await say('CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru')
  await say('OBJECT', 'FREQ', 'r')
  await say('SET', 'n', 'v')
  out.push(`OBJECT IDLETIME n <= 1: ${Number(text(await raw.command('OBJECT', 'IDLETIME', 'n')).slice(1)) <= 1}`)
  raw.close()
  return out
}

/** An evicted key is a modified key: tracking clients get it invalidated, and a WATCH on it fails EXEC. */
async function signalTranscript(engine: Engine, onFinished: Finished): Promise<string[]> {
  const {node, c} = await standalone(engine, onFinished, ['--maxmemory-policy', 'allkeys-random'])
  const tracking = await node.raw()
  const watcher = await node.raw()
  const out: string[] = []
  await c.set('k', 'v')
  await tracking.command('HELLO', '3')
  out.push(`CLIENT TRACKING ON -> ${text(await tracking.command('CLIENT', 'TRACKING', 'ON'))}`)
  out.push(`GET k -> ${text(await tracking.command('GET', 'k'))}`)
  out.push(`WATCH k -> ${text(await watcher.command('WATCH', 'k'))}`)
  await c.config('SET', 'maxmemory', '1')
  await waitFor(() => c.dbsize(), (n) => n === 0, {what: `${engine}: every key evicted`})
  out.push(`tracking client got -> ${text(await tracking.reply())}`)
  out.push(`SET x y -> ${String(await c.set('x', 'y').catch((e: Error) => e.message))}`)
  await c.config('SET', 'maxmemory', '0')
  for (const command of [['MULTI'], ['GET', 'k'], ['EXEC']]) out.push(`${command.join(' ')} -> ${text(await watcher.command(...command))}`)
  out.push(`evicted_keys:${await evictedKeys(c)}`)
  tracking.close()
  watcher.close()
  return out
}

/** allkeys-*: under a limit, a stream of writes keeps used_memory at or under it by evicting; events and stats agree. */
async function allkeysOutcome(engine: Engine, policy: string, onFinished: Finished): Promise<Record<string, unknown>> {
  const {node, c} = await standalone(engine, onFinished, ['--maxmemory-policy', policy, '--notify-keyspace-events', 'Ee'])
  const sub = node.client()
  let events = 0
  sub.on('message', () => events++)
  await sub.subscribe('__keyevent@0__:evicted')
  const limit = (await usedMemory(c)) + 1_000_000
  await c.config('SET', 'maxmemory', String(limit))
  const overLimit: number[] = []
  let refused = 0
  for (let round = 0; round < 8; round++) {
    refused += await fill(c, `r${round}`, 1000, 400)
    // INFO runs after the eviction it triggers; its own reply may take a few KB on top.
    const used = await usedMemory(c)
    if (used > limit + 64 * 1024) overLimit.push(used - limit)
  }
  const evicted = await evictedKeys(c)
  await waitFor(() => events, (n) => n === evicted, {what: `${engine}: one evicted event per evicted key (${evicted})`})
  const dbsize = await c.dbsize()
  return {
    refused,
    overLimit,
    evictedSome: evicted > 0,
    eventsMatch: events === evicted,
    keptSome: dbsize > 500,
    writtenMinusEvicted: dbsize === 8000 - evicted,
    // Under LRU the newest keys are the last to go (LFU ties them all at the initial counter).
    lastRoundMostlyThere: policy === 'allkeys-lru' ? (await survivors(c, 'r7', 0, 1000)) > 500 : true,
  }
}

/** volatile-*: keys without a TTL are never evicted; once no key has one, denyoom writes get OOM. */
async function volatileOutcome(engine: Engine, policy: string, onFinished: Finished): Promise<Record<string, unknown>> {
  const {c} = await standalone(engine, onFinished, ['--maxmemory-policy', policy])
  await fill(c, 'keep', 300, 400)
  const limit = (await usedMemory(c)) + 300_000
  await c.config('SET', 'maxmemory', String(limit))
  const refusedVolatile = await fill(c, 'vol', 2000, 400, () => 3600)
  const evicted = await evictedKeys(c)
  const keptAll = (await survivors(c, 'keep', 0, 300)) === 300
  const someVolatileLeft = (await survivors(c, 'vol', 0, 2000)) > 0
  // Keys without a TTL: the volatile ones go first, then nothing can be freed.
  const refusedPlain = await fill(c, 'plain', 3000, 400)
  const keyspace = await info(c, 'keyspace')
  const expires = Number(/expires=(\d+)/.exec(keyspace.db0 ?? '')?.[1] ?? -1)
  // Below what is used now, with no key left to evict: the OOM holds whatever client buffers do meanwhile.
  await c.config('SET', 'maxmemory', String((await usedMemory(c)) - 100_000))
  const oom = String(await c.set('after', 'x').catch((e: Error) => e.message))
  return {
    refusedVolatile,
    evictedSome: evicted > 0,
    keptAll,
    someVolatileLeft,
    refusedSomePlain: refusedPlain > 0,
    keptAllAfter: (await survivors(c, 'keep', 0, 300)) === 300,
    expires,
    oom,
  }
}

/** volatile-ttl: squeezing a dataset of keys with increasing TTLs removes the soonest expiring ones first. */
async function ttlSurvival(engine: Engine, onFinished: Finished): Promise<{first: number; last: number}> {
  const {c} = await standalone(engine, onFinished, ['--maxmemory-policy', 'volatile-ttl'])
  const before = await usedMemory(c)
  await fill(c, 't', 3000, 300, (i) => 10_000 + i * 10)
  await squeeze(c, engine, before, 0.5)
  return {first: (await survivors(c, 't', 0, 1000)) / 1000, last: (await survivors(c, 't', 2000, 3000)) / 1000}
}

/**
 * allkeys-lru / allkeys-lfu: after writing, the first quarter of the keys is read (after two seconds, since
 * Redis's LRU clock counts whole seconds); squeezing to half the dataset keeps most of those.
 */
async function hotSurvival(engine: Engine, policy: string, onFinished: Finished): Promise<{hot: number; cold: number}> {
  const {c} = await standalone(engine, onFinished, ['--maxmemory-policy', policy])
  const before = await usedMemory(c)
  await fill(c, 'h', 4000, 300)
  if (policy === 'allkeys-lru') await new Promise((resolve) => setTimeout(resolve, 2100))
  for (let round = 0; round < (policy === 'allkeys-lfu' ? 5 : 1); round++) {
    const p = c.pipeline()
    for (let i = 0; i < 1000; i++) p.get(`h:${i}`)
    await p.exec()
  }
  await squeeze(c, engine, before, 0.5)
  return {hot: (await survivors(c, 'h', 0, 1000)) / 1000, cold: (await survivors(c, 'h', 1000, 4000)) / 3000}
}

/** A master evicting, a replica with a tiny maxmemory of its own: the replica gets every eviction as DEL / UNLINK. */
async function replicaOutcome(engine: Engine, onFinished: Finished): Promise<Record<string, unknown>> {
  const start = nodeScope(onFinished)
  // The backlog counts in used_memory as it fills (7.0's shared replication buffer): a small one leaves the headroom to the keys.
  const master = await start({engine, args: [...base, '--maxmemory-policy', 'allkeys-lru', '--repl-backlog-size', '16kb']})
  const replica = await start({engine, args: [...base, '--replicaof', '127.0.0.1', String(master.port), '--maxmemory', '1mb']})
  await waitForLinkUp(replica)
  const c = master.client()
  const r = replica.client()
  // monitor() opens a connection of its own, which the node's handle does not track: closed here, pass or fail.
  const monitor = await replica.client().monitor()
  onFinished(async () => monitor.disconnect())
  const deletes: Record<string, number> = {}
  monitor.on('monitor', (_time: string, args: string[]) => {
    const name = String(args[0]).toUpperCase()
    if (name === 'DEL' || name === 'UNLINK') deletes[name] = (deletes[name] ?? 0) + 1
  })
  // Each phase ends with maxmemory 0, so no eviction happens between counting and comparing.
  await c.config('SET', 'maxmemory', String((await usedMemory(c)) + 500_000))
  await fill(c, 'a', 3000, 300)
  await c.config('SET', 'maxmemory', '0')
  const evictedDel = await evictedKeys(c)
  await waitFor(() => deletes.DEL ?? 0, (n) => n === evictedDel, {timeoutMs: 20_000, what: `${engine}: the replica's MONITOR sees ${evictedDel} DELs`})
  await c.config('SET', 'lazyfree-lazy-eviction', 'yes')
  await c.config('SET', 'maxmemory', String((await usedMemory(c)) + 300_000))
  await fill(c, 'b', 3000, 300)
  await c.config('SET', 'maxmemory', '0')
  const evictedUnlink = (await evictedKeys(c)) - evictedDel
  await waitFor(() => deletes.UNLINK ?? 0, (n) => n === evictedUnlink, {timeoutMs: 20_000, what: `${engine}: the replica's MONITOR sees ${evictedUnlink} UNLINKs`})
  await waitForOffsetsEqual([master, replica])
  const [masterSize, replicaSize] = await Promise.all([c.dbsize(), r.dbsize()])
  return {
    evictedDel: evictedDel > 0,
    evictedUnlink: evictedUnlink > 0,
    delsSeen: deletes.DEL === evictedDel,
    unlinksSeen: deletes.UNLINK === evictedUnlink,
    sameSize: masterSize === replicaSize,
    evictedAtAll: masterSize < 6000,
    replicaEvicted: await evictedKeys(r),
    replicaOverItsOwnLimit: (await usedMemory(r)) > 1024 * 1024,
  }
}

// The rules that need no oracle, checked on the bundled server whether or not real Redis is here.
describe.skipIf(!!bundledMissing)(`maxmemory on the bundled server alone${bundledMissing ? ` (skipped: ${bundledMissing})` : ''}`, () => {
  afterAll(stopAllNodes)

  it('allkeys-lru holds the limit; volatile-lru and volatile-lfu leave keys without a TTL alone', async ({onTestFinished}) => {
    expect(await allkeysOutcome('bundled', 'allkeys-lru', onTestFinished)).toMatchObject({refused: 0, overLimit: [], evictedSome: true, eventsMatch: true})
    for (const policy of ['volatile-lru', 'volatile-lfu']) {
      const outcome = await volatileOutcome('bundled', policy, onTestFinished)
      expect(outcome, policy).toMatchObject({evictedSome: true, keptAll: true, keptAllAfter: true, expires: 0})
    }
  }, 90_000)
})

describe.skipIf(!!skipReal)(`maxmemory against real Redis 7.0${skipReal ? ` (skipped: ${skipReal})` : ''}`, () => {
  afterAll(stopAllNodes)

  it.concurrent('noeviction: the OOM replies (alone, in MULTI, from scripts), the config errors and INFO fields', async ({onTestFinished}) => {
    const [real, ours] = await Promise.all(ENGINES.map((e) => noevictionTranscript(e, onTestFinished)))
    expect(ours).toEqual(real)
    expect(real).toContain("SET k v -> -OOM command not allowed when used memory > 'maxmemory'.\r\n")
    expect(real).toContain("(tx with a write) EXEC -> -EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.\r\n")
  }, 60_000)

  it.concurrent('OBJECT FREQ and OBJECT IDLETIME answer or refuse by the policy', async ({onTestFinished}) => {
    const [real, ours] = await Promise.all(ENGINES.map((e) => accessTranscript(e, onTestFinished)))
    expect(ours).toEqual(real)
    expect(real).toContain('OBJECT FREQ f -> :6\r\n')
  }, 60_000)

  it.concurrent('an evicted key is invalidated for tracking clients and fails a WATCH', async ({onTestFinished}) => {
    const [real, ours] = await Promise.all(ENGINES.map((e) => signalTranscript(e, onTestFinished)))
    expect(ours).toEqual(real)
    expect(real).toContain('EXEC -> *-1\r\n')
  }, 60_000)

  for (const policy of ['allkeys-lru', 'allkeys-lfu', 'allkeys-random']) {
    it.concurrent(`${policy}: used_memory stays under the limit while 8000 keys are written; evicted_keys and events agree`, async ({onTestFinished}) => {
      const [real, ours] = await Promise.all(ENGINES.map((e) => allkeysOutcome(e, policy, onTestFinished)))
      expect(ours).toEqual(real)
      expect(real).toEqual({
        refused: 0, overLimit: [], evictedSome: true, eventsMatch: true, keptSome: true, writtenMinusEvicted: true, lastRoundMostlyThere: true,
      })
    }, 90_000)
  }

  for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
    it.concurrent(`${policy}: only keys with a TTL are evicted, then denyoom writes get OOM`, async ({onTestFinished}) => {
      const [real, ours] = await Promise.all(ENGINES.map((e) => volatileOutcome(e, policy, onTestFinished)))
      expect(ours).toEqual(real)
      expect(real).toEqual({
        refusedVolatile: 0, evictedSome: true, keptAll: true, someVolatileLeft: true, refusedSomePlain: true, keptAllAfter: true, expires: 0,
        oom: "OOM command not allowed when used memory > 'maxmemory'.",
      })
    }, 90_000)
  }

  it.concurrent('volatile-ttl evicts the soonest-expiring keys first', async ({onTestFinished}) => {
    const results = await Promise.all(ENGINES.map((e) => ttlSurvival(e, onTestFinished)))
    for (const [i, {first, last}] of results.entries()) {
      expect(last - first, `${ENGINES[i]}: survival of the latest-expiring third ${last}, of the soonest ${first}`).toBeGreaterThan(0.4)
    }
  }, 60_000)

  for (const policy of ['allkeys-lru', 'allkeys-lfu']) {
    it.concurrent(`${policy} keeps the keys that were read far more than the untouched ones`, async ({onTestFinished}) => {
      const results = await Promise.all(ENGINES.map((e) => hotSurvival(e, policy, onTestFinished)))
      for (const [i, {hot, cold}] of results.entries()) {
        expect(hot - cold, `${ENGINES[i]}: survival of read keys ${hot}, of untouched keys ${cold}`).toBeGreaterThan(0.3)
      }
    }, 60_000)
  }

  it.concurrent('a replica ignores its own maxmemory and receives every eviction as DEL, then UNLINK with lazyfree-lazy-eviction', async ({onTestFinished}) => {
    const [real, ours] = await Promise.all(ENGINES.map((e) => replicaOutcome(e, onTestFinished)))
    expect(ours).toEqual(real)
    expect(real).toEqual({
      evictedDel: true, evictedUnlink: true, delsSeen: true, unlinksSeen: true, sameSize: true, evictedAtAll: true, replicaEvicted: 0,
      replicaOverItsOwnLimit: true,
    })
  }, 90_000)
})
