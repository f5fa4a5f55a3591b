// Differential tests of the connection group: the same raw RESP to real Redis 7.0 and to rtopo-server,
// byte-identical replies (PING ECHO AUTH HELLO SELECT QUIT RESET CLIENT).

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing, startServer, stopAllNodes, type NodeHandle} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const skipReason = realRedisMissing ?? bundledMissing
const title = (what: string): string => `${what}${skipReason ? ` (skipped: ${skipReason})` : ''}`

/** HELLO replies differ only in the client id; blank it out before comparing. */
const withoutId = (reply: string): string => reply.replace(/\$2\r\nid\r\n:\d+\r\n/, '$2\r\nid\r\n:ID\r\n')

describe.skipIf(!!skipReason)(title('connection commands match Redis 7.0'), () => {
  let pair: DifferentialPair

  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(async () => {
    await pair?.stop()
  })
  beforeEach(async () => {
    await pair.reset()
  })

  it('unknown commands and subcommands quote their arguments as Redis does: a 128-character budget, cut at NUL, no CR/LF', async () => {
    await pair.expectSame('NOSUCH')
    await pair.expectSame('NOSUCH', 'x'.repeat(300))
    await pair.expectSame('NOSUCH', 'a'.repeat(100), 'b'.repeat(100), 'c')
    await pair.expectSame('NOSUCH', 'a'.repeat(125), 'b', 'c')
    await pair.expectSame('NOSUCH', 'a'.repeat(126), 'b', 'c')
    await pair.expectSame('NOSUCH', ...Array.from({length: 60}, (_, i) => `arg${i}`))
    await pair.expectSame('NOSUCH', ...Array.from({length: 70}, () => ''))
    await pair.expectSame('y'.repeat(200), 'a')
    await pair.expectSame(Buffer.from('no\0such'), 'a')
    await pair.expectSame('NOSUCH', Buffer.from('ab\0cd'), 'line\r\nbreak', Buffer.from([0xff, 0x80, 0x20]))
    await pair.expectSame('CONFIG', 'z'.repeat(200))
    await pair.expectSame('CONFIG', Buffer.from('ge\0t'), 'x')
    await pair.expectSame('client', 'no\r\nsuch')
  })

  it('PING and ECHO', async () => {
    await pair.expectSame('PING')
    await pair.expectSame('ping', 'hello world')
    await pair.expectSame('PING', 'a', 'b')
    await pair.expectSame('ECHO', Buffer.from([0, 1, 2, 255]))
    await pair.expectSame('ECHO')
  })

  it('AUTH without requirepass', async () => {
    await pair.expectSame('AUTH', 'secret')
    await pair.expectSame('AUTH', 'default', 'anything')
    await pair.expectSame('AUTH', 'someone', 'anything')
    await pair.expectSame('AUTH', 'a', 'b', 'c')
    await pair.expectSame('AUTH')
  })

  it('HELLO errors and the RESP2 map', async () => {
    await pair.expectSame('HELLO', '4')
    await pair.expectSame('HELLO', '1')
    await pair.expectSame('HELLO', 'x')
    await pair.expectSame('HELLO', '3.0')
    await pair.expectSame('HELLO', '3', 'FOO')
    await pair.expectSame('HELLO', '3', 'SETNAME', 'bad name')
    const [real, ours] = await Promise.all([pair.realClient.command('HELLO', '2'), pair.ourClient.command('HELLO', '2')])
    expect(withoutId(ours.toString('latin1'))).toBe(withoutId(real.toString('latin1')))
  })

  it('HELLO 3 switches to RESP3 replies', async () => {
    const [real, ours] = await Promise.all([
      pair.realClient.command('HELLO', '3', 'SETNAME', 'x'),
      pair.ourClient.command('HELLO', '3', 'SETNAME', 'x'),
    ])
    expect(withoutId(ours.toString('latin1'))).toBe(withoutId(real.toString('latin1')))
    await pair.expectSame('GET', 'missing')
    await pair.expectSame('CLIENT', 'GETNAME')
    await pair.expectSame('CONFIG', 'GET', 'maxmemory')
  })

  it('SELECT', async () => {
    await pair.expectSame('SELECT', '99')
    await pair.expectSame('SELECT', '-1')
    await pair.expectSame('SELECT', 'x')
    await pair.expectSame('SELECT', '4294967296')
    await pair.expectSame('SELECT', '15')
    await pair.expectSame('SET', 'k', 'v')
    await pair.expectSame('SELECT', '0')
    await pair.expectSame('GET', 'k')
  })

  it('CLIENT subcommands and their errors', async () => {
    await pair.expectSame('CLIENT', 'GETNAME')
    await pair.expectSame('CLIENT', 'SETNAME', 'my-name')
    await pair.expectSame('CLIENT', 'GETNAME')
    await pair.expectSame('CLIENT', 'SETNAME', 'a b')
    await pair.expectSame('CLIENT', 'SETNAME', 'a', 'b')
    await pair.expectSame('CLIENT', 'SETNAME', '')
    await pair.expectSame('CLIENT', 'GETNAME')
    await pair.expectSame('CLIENT', 'KILL', '1.2.3.4:5')
    await pair.expectSame('CLIENT', 'KILL', 'TYPE', 'foo')
    await pair.expectSame('CLIENT', 'KILL', 'TYPE', 'pubsub')
    await pair.expectSame('CLIENT', 'KILL', 'ID', 'x')
    await pair.expectSame('CLIENT', 'KILL', 'foo', 'bar')
    await pair.expectSame('CLIENT', 'KILL', 'SKIPME', 'maybe')
    await pair.expectSame('CLIENT', 'NO-EVICT', 'maybe')
    await pair.expectSame('CLIENT', 'NO-EVICT', 'on')
    await pair.expectSame('CLIENT', 'REPLY', 'foo')
    await pair.expectSame('CLIENT', 'LIST', 'TYPE', 'foo')
    await pair.expectSame('CLIENT', 'LIST', 'foo')
    await pair.expectSame('CLIENT', 'PAUSE', 'x')
    await pair.expectSame('CLIENT', 'HELP')
    await pair.expectSame('CLIENT', 'FOO')
    await pair.expectSame('CLIENT')
    await pair.expectSame('client', 'getredir')
  })

  it('CLIENT LIST and CLIENT INFO have the Redis 7.0 fields in order', async () => {
    const [real, ours] = await Promise.all([pair.realClient.command('CLIENT', 'INFO'), pair.ourClient.command('CLIENT', 'INFO')])
    const fields = (b: Buffer): string[] => b.toString('latin1').split('\r\n')[1]!.trim().split(' ').map((kv) => kv.split('=')[0]!)
    expect(fields(ours)).toEqual(fields(real))
    const line = ours.toString('latin1').split('\r\n')[1]!.trim()
    expect(line).toMatch(/ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 /)
    expect(line).toMatch(/ cmd=client\|info user=default redir=-1 resp=2$/)
  })

  it('RESET returns the connection to its initial state', async () => {
    await pair.expectSame('SELECT', '3')
    await pair.expectSame('CLIENT', 'SETNAME', 'x')
    await pair.expectSame('MULTI')
    await pair.expectSame('RESET')
    await pair.expectSame('CLIENT', 'GETNAME')
    await pair.expectSame('EXEC')
  })

  it('QUIT replies +OK and closes', async () => {
    await pair.expectSame('QUIT')
    await Promise.all([pair.realClient.waitClosed(), pair.ourClient.waitClosed()])
  })
})

describe.skipIf(!!skipReason)(title('authentication with requirepass matches Redis 7.0'), () => {
  let real: RawClient
  let ours: RawClient
  let servers: NodeHandle[] = []

  const expectSame = async (...args: string[]): Promise<void> => {
    const [a, b] = await Promise.all([real.command(...args), ours.command(...args)])
    expect(JSON.stringify(b.toString('latin1')), args.join(' ')).toBe(JSON.stringify(a.toString('latin1')))
  }

  beforeAll(async () => {
    const args = ['--save', '', '--requirepass', 'pw']
    servers = await Promise.all([
      startServer({engine: 'redis', args, password: 'pw'}),
      startServer({engine: 'bundled', args, password: 'pw'}),
    ])
  })
  afterAll(async () => {
    real?.close()
    ours?.close()
    await stopAllNodes()
  })
  beforeEach(async () => {
    real?.close()
    ours?.close()
    ;[real, ours] = await Promise.all(servers.map((s) => s.raw())) as [RawClient, RawClient]
  })

  it('refuses commands before AUTH and accepts the password', async () => {
    await expectSame('GET', 'k')
    await expectSame('PING')
    await expectSame('HELLO', '3')
    await expectSame('HELLO', '3', 'AUTH', 'default', 'wrong')
    await expectSame('AUTH', 'wrong')
    await expectSame('AUTH', 'someone', 'pw')
    await expectSame('AUTH', 'pw')
    await expectSame('PING')
  })

  it('HELLO AUTH authenticates and switches protocol', async () => {
    const [a, b] = await Promise.all([real.command('HELLO', '3', 'AUTH', 'default', 'pw'), ours.command('HELLO', '3', 'AUTH', 'default', 'pw')])
    expect(withoutId(b.toString('latin1'))).toBe(withoutId(a.toString('latin1')))
    await expectSame('GET', 'missing')
  })
})
