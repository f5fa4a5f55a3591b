// Differential tests of client-side caching (CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO): the options and
// their errors, invalidation pushes (RESP3) and __redis__:invalidate messages (RESP2 redirection), NOLOOP, BCAST
// prefixes, OPTIN/OPTOUT, flushes, expiry, broken redirections and the INFO / CLIENT LIST fields, byte for byte
// against Redis 7.0. Each side has a tracking connection, a writer and a redirect target.

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing, type NodeHandle} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const skipReason = realRedisMissing ?? bundledMissing

interface Side {
  node: NodeHandle
  tracker: RawClient
  writer: RawClient
  target: RawClient
  targetId: string
}

const text = (b: Buffer): string => b.toString('latin1')
const idOf = async (c: RawClient): Promise<string> => /^:(\d+)/.exec(text(await c.command('CLIENT', 'ID')))?.[1] ?? '?'

describe.skipIf(!!skipReason)(`client tracking matches Redis 7.0${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let pair: DifferentialPair
  let sides: Side[] = []

  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(async () => {
    for (const s of sides) for (const c of [s.writer, s.target]) c.close()
    await pair?.stop()
  })
  beforeEach(async () => {
    await pair.reset()
    for (const s of sides) for (const c of [s.writer, s.target]) c.close()
    sides = await Promise.all([
      [pair.real, pair.realClient],
      [pair.ours, pair.ourClient],
    ].map(async ([node, tracker]) => {
      const n = node as NodeHandle
      const target = await n.raw()
      return {node: n, tracker: tracker as RawClient, writer: await n.raw(), target, targetId: await idOf(target)}
    }))
  })

  /** Runs `step` on both sides; the results must be equal. */
  const same = async (label: string, step: (s: Side) => Promise<Buffer | string>): Promise<string> => {
    const [real, ours] = (await Promise.all(sides.map(step))).map((r) => (typeof r === 'string' ? r : text(r)))
    expect(ours, label).toBe(real)
    return ours ?? ''
  }
  const track = (...args: string[]): Promise<string> => same(`tracker: ${args.join(' ')}`, (s) => s.tracker.command(...args))
  const write = (...args: string[]): Promise<string> => same(`writer: ${args.join(' ')}`, (s) => s.writer.command(...args))
  const trackerFrame = (label: string): Promise<string> => same(label, (s) => s.tracker.reply())
  const targetFrame = (label: string): Promise<string> => same(label, (s) => s.target.reply())

  it('options, their errors (in 7.0 words) and TRACKINGINFO / GETREDIR', async () => {
    for (const args of [['TRACKINGINFO'], ['GETREDIR'], ['TRACKING'], ['TRACKING', 'maybe'], ['TRACKING', 'on', 'REDIRECT'],
      ['TRACKING', 'on', 'REDIRECT', 'x'], ['TRACKING', 'on', 'REDIRECT', '0'], ['TRACKING', 'on', 'REDIRECT', '999999'], ['TRACKING', 'on', 'PREFIX', 'a'],
      ['TRACKING', 'on', 'BCAST', 'OPTIN'], ['TRACKING', 'on', 'OPTIN', 'OPTOUT'], ['TRACKING', 'on', 'bogus'], ['CACHING', 'yes'], ['CACHING', 'no'],
      ['TRACKING', 'on', 'OPTIN'], ['CACHING', 'no'], ['CACHING', 'maybe'], ['CACHING', 'yes'], ['TRACKINGINFO'], ['TRACKING', 'on', 'OPTOUT'],
      ['TRACKING', 'on', 'BCAST'], ['TRACKING', 'on', 'NOLOOP'], ['TRACKINGINFO'], ['GETREDIR'], ['TRACKING', 'off'], ['TRACKINGINFO'],
      ['TRACKINGINFO'], ['TRACKING', 'on', 'BCAST', 'PREFIX', 'a'],
      ['TRACKING', 'on', 'BCAST', 'PREFIX', 'ab', 'PREFIX', 'a'], ['TRACKING', 'on', 'BCAST', 'PREFIX', 'c', 'NOLOOP'], ['TRACKINGINFO'],
      ['TRACKING', 'on'], ['TRACKING', 'OFF'], ['TRACKING', 'on', 'BCAST'], ['TRACKING', 'on', 'BCAST', 'PREFIX', 'z'], ['TRACKINGINFO']]) {
      await track('CLIENT', ...args)
      if (args[0] === 'TRACKING' && args[1] === 'off') {
        // tracking.c's quirk: an overlap among the given prefixes past the first is an error, then +OK as well.
        expect(await pair.expectSameRaw('*10\r\n$6\r\nCLIENT\r\n$8\r\nTRACKING\r\n$2\r\non\r\n$5\r\nBCAST\r\n$6\r\nPREFIX\r\n$1\r\nb\r\n' +
          '$6\r\nPREFIX\r\n$1\r\na\r\n$6\r\nPREFIX\r\n$2\r\nab\r\n', 2)).toMatch(/^-ERR Prefix 'a' overlaps with another provided prefix 'ab'.*\r\n\+OK\r\n$/)
      }
    }
    await same('redirect to an existing client', async (s) => text(await s.tracker.command('CLIENT', 'TRACKING', 'off')) +
      text(await s.tracker.command('CLIENT', 'TRACKING', 'on', 'REDIRECT', s.targetId, 'REDIRECT', s.targetId)) +
      text(await s.tracker.command('CLIENT', 'TRACKING', 'on', 'REDIRECT', s.targetId)) +
      text(await s.tracker.command('CLIENT', 'GETREDIR')).replace(`:${s.targetId}\r\n`, ':ID\r\n'))
    await pair.resp3()
    await same('RESP3 trackinginfo', async (s) => text(await s.tracker.command('CLIENT', 'TRACKINGINFO')).replace(`:${s.targetId}\r\n`, ':ID\r\n'))
  })

  it('RESP3: a key read is invalidated once when anyone writes it; the own write\'s push follows its reply', async () => {
    await pair.resp3()
    await track('CLIENT', 'TRACKING', 'on')
    await write('SET', 'k', 'v')
    await track('GET', 'k')
    await track('MGET', 'k', 'k2')
    await write('SET', 'k', 'changed')
    expect(await trackerFrame('invalidation of k')).toBe('>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n')
    // No longer tracked: the next write sends nothing; k2 (read by MGET) still is.
    await write('SET', 'k', 'again')
    await write('SET', 'k2', '2')
    await trackerFrame('invalidation of k2')
    await track('PING')
    // Its own write: the reply first, then the push (tracking_pending_keys).
    await track('GET', 'k')
    await same('own write', async (s) => {
      s.tracker.send('*3\r\n$6\r\nAPPEND\r\n$1\r\nk\r\n$1\r\nx\r\n*1\r\n$4\r\nPING\r\n')
      return text(Buffer.concat([await s.tracker.reply(), await s.tracker.reply(), await s.tracker.reply()]))
    })
    // Reads inside MULTI and from a script are remembered too.
    await same('multi and script reads', async (s) => {
      s.tracker.send('*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nGET\r\n$1\r\nm\r\n*1\r\n$4\r\nEXEC\r\n')
      const replies = [await s.tracker.reply(), await s.tracker.reply(), await s.tracker.reply()]
      replies.push(await s.tracker.command('EVAL', "return redis.call('get', KEYS[1])", '1', 'e'))
      return text(Buffer.concat(replies))
    })
    await write('MSET', 'm', '1', 'e', '2')
    await trackerFrame('m')
    await trackerFrame('e')
    await track('CLIENT', 'TRACKING', 'on', 'NOLOOP')
    await track('GET', 'n')
    await track('SET', 'n', '1')
    await track('PING')
  })

  it('RESP2: invalidations go to the redirect target as __redis__:invalidate messages; flushes send a null', async () => {
    await same('target subscribes', (s) => s.target.command('SUBSCRIBE', '__redis__:invalidate'))
    await same('tracking on', (s) => s.tracker.command('CLIENT', 'TRACKING', 'on', 'REDIRECT', s.targetId))
    await track('GET', 'a')
    await write('INCR', 'a')
    expect(await targetFrame('message for a')).toBe('*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\na\r\n')
    await write('FLUSHDB')
    expect(await targetFrame('flushdb')).toBe('*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n')
    await track('FLUSHALL')
    await targetFrame('flushall')
    await write('SWAPDB', '0', '1')
    await track('GET', 'b')
    await write('EXPIRE', 'b', '100')
    await write('SET', 'b', 'x')
    await targetFrame('b')
    const info = await same('INFO', async (s) =>
      /tracking_clients:\d+/.exec(text(await s.writer.command('INFO', 'clients')))?.[0] + ' ' +
      (text(await s.writer.command('INFO', 'stats')).match(/tracking_total_\w+:\d+/g) ?? []).join(' '))
    expect(info).toBe('tracking_clients:1 tracking_total_keys:0 tracking_total_items:0 tracking_total_prefixes:0')
    await same('CLIENT LIST fields', async (s) => {
      const line = text(await s.tracker.command('CLIENT', 'INFO'))
      return `${/flags=\S+/.exec(line)?.[0]} ${/redir=\S+/.exec(line)?.[0]?.replace(s.targetId, 'ID')}`
    })
  })

  it('a redirection to a client that went away: tracking-redir-broken, flag R and broken_redirect', async () => {
    await pair.resp3()
    await same('tracking on', (s) => s.tracker.command('CLIENT', 'TRACKING', 'on', 'REDIRECT', s.targetId))
    await track('GET', 'gone')
    for (const s of sides) s.target.close()
    await same('target gone', async (s) => {
      for (let i = 0; i < 200 && text(await s.writer.command('CLIENT', 'LIST', 'ID', s.targetId)).length > 4; i++) await new Promise((r) => setTimeout(r, 10))
      return 'gone'
    })
    await write('SET', 'gone', '1')
    await same('broken push', async (s) => text(await s.tracker.reply()).replace(`:${s.targetId}\r\n`, ':ID\r\n'))
    await same('flags', async (s) => /flags=\S+/.exec(text(await s.tracker.command('CLIENT', 'INFO')))?.[0] ?? '')
    await same('trackinginfo', async (s) => text(await s.tracker.command('CLIENT', 'TRACKINGINFO')).replace(`:${s.targetId}\r\n`, ':ID\r\n'))
    sides = sides.map((s) => ({...s, target: s.writer}))
  })

  it('BCAST: every key under a prefix, batched and sorted; NOLOOP leaves out its own writes', async () => {
    await pair.resp3()
    await track('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'job:', 'NOLOOP')
    await same('pipelined writes', async (s) => {
      s.writer.send('*3\r\n$3\r\nSET\r\n$6\r\nuser:2\r\n$1\r\nx\r\n*3\r\n$3\r\nSET\r\n$6\r\nuser:1\r\n$1\r\nx\r\n*3\r\n$3\r\nSET\r\n$5\r\nother\r\n$1\r\nx\r\n')
      return text(Buffer.concat([await s.writer.reply(), await s.writer.reply(), await s.writer.reply()]))
    })
    expect(await trackerFrame('user: keys')).toBe('>2\r\n$10\r\ninvalidate\r\n*2\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n')
    await track('SET', 'user:3', 'mine')
    await write('SET', 'job:1', 'x')
    await trackerFrame('job:1 only')
    const info = await same('INFO stats', async (s) => (text(await s.writer.command('INFO', 'stats')).match(/tracking_total_\w+:\d+/g) ?? []).join(' '))
    expect(info).toBe('tracking_total_keys:0 tracking_total_items:0 tracking_total_prefixes:2')
    await same('flags', async (s) => /flags=\S+/.exec(text(await s.tracker.command('CLIENT', 'INFO')))?.[0] ?? '')
    await track('CLIENT', 'TRACKING', 'off')
    await track('CLIENT', 'TRACKING', 'on', 'BCAST')
    await write('SET', 'anything', '1')
    await trackerFrame('empty prefix')
  })

  it('OPTIN and OPTOUT: CLIENT CACHING covers the next command or transaction', async () => {
    await pair.resp3()
    await track('CLIENT', 'TRACKING', 'on', 'OPTIN')
    await track('GET', 'not-cached')
    await track('CLIENT', 'CACHING', 'yes')
    // Any CLIENT command leaves CACHING set (resetClient spares clientCommand).
    await track('CLIENT', 'GETNAME')
    await track('GET', 'cached')
    await track('GET', 'after')
    await track('CLIENT', 'CACHING', 'yes')
    await track('MULTI')
    await track('GET', 'in-multi-1')
    await track('GET', 'in-multi-2')
    await track('EXEC')
    await write('MSET', 'not-cached', '1', 'cached', '1', 'after', '1', 'in-multi-1', '1', 'in-multi-2', '1')
    expect(await trackerFrame('cached')).toBe('>2\r\n$10\r\ninvalidate\r\n*1\r\n$6\r\ncached\r\n')
    await trackerFrame('in-multi-1')
    await trackerFrame('in-multi-2')
    await track('PING')
    await track('CLIENT', 'TRACKING', 'off')
    await track('CLIENT', 'TRACKING', 'on', 'OPTOUT')
    await track('CLIENT', 'CACHING', 'no')
    await track('GET', 'skipped')
    await track('GET', 'kept')
    await write('MSET', 'skipped', '1', 'kept', '1')
    await trackerFrame('kept')
    await track('PING')
  })

  it('expiry invalidates; RESET and disconnect end tracking (tracking_clients)', async () => {
    await pair.resp3()
    await track('CLIENT', 'TRACKING', 'on')
    await write('SET', 'short', '1', 'PX', '50')
    await track('GET', 'short')
    expect(await trackerFrame('expired key')).toBe('>2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nshort\r\n')
    await track('RESET')
    await same('tracking clients', async (s) => /tracking_clients:\d+/.exec(text(await s.writer.command('INFO', 'clients')))?.[0] ?? '')
  })

  it('tracking-table-max-keys: past the limit keys are dropped from the table, and their readers told', async () => {
    await pair.resp3()
    await write('CONFIG', 'SET', 'tracking-table-max-keys', '1')
    await track('CLIENT', 'TRACKING', 'on')
    await track('GET', 'a')
    await track('GET', 'b')
    // The next command finds two keys over a limit of one and evicts one (Redis picks it at random).
    await same('eviction before the reply', async (s) => {
      const frames = text(await s.writer.command('PING')) + text(await s.tracker.reply())
      return frames.replace(/\$1\r\n[ab]\r\n$/, '$1\r\n?\r\n')
    })
    await same('one key left', async (s) => /tracking_total_keys:\d+/.exec(text(await s.writer.command('INFO', 'stats')))?.[0] ?? '')
    await write('CONFIG', 'SET', 'tracking-table-max-keys', '1000000')
  })
})
