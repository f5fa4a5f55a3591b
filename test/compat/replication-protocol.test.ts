// Replication on the wire: a hand-driven replica against our master (handshake, +FULLRESYNC and the
// `$<len>` payload, the stream opening with SELECT, +CONTINUE with exactly the missing bytes, legacy SYNC),
// and REPLCONF / REPLICAOF / WAIT / PSYNC replies compared byte for byte with real Redis 7.0.

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {readRdb} from '../../src/server/persistence/rdb-reader.js'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing, stopAllNodes, type NodeHandle} from '../helpers/nodes.js'
import {freePort} from '../helpers/ports.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {admin, FakeMaster, nodeScope, replInfo, waitForLinkDown, waitForLog, WireConnection} from '../helpers/replication.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing
const PING = '*1\r\n$4\r\nping\r\n'
/**
 * Writes whose propagated form differs from the command sent (relative expiries, INCRBYFLOAT, GETEX,
 * blocking and non-blocking moves and pops, MULTI/EXEC with one and with several writes), db changes,
 * and commands that write nothing (not propagated). PUBLISH is propagated as sent; ours always emits it
 * in lower case, so it is sent in lower case here.
 */
const STREAM_MIX: string[][] = [
  ['SET', 'k', 'v'], ['SELECT', '3'], ['RPUSH', 'l', 'a', 'b', 'c'], ['SET', 'e', 'x', 'EX', '100'], ['EXPIRE', 'l', '100'],
  ['MULTI'], ['SET', 'a', '1'], ['INCR', 'n'], ['EXEC'], ['MULTI'], ['INCR', 'n'], ['GET', 'n'], ['EXEC'], ['publish', 'c', 'm'],
  ['INCRBYFLOAT', 'f', '1.5'], ['GETEX', 'k', 'EX', '100'], ['SET', 'k', 'v'], ['GETEX', 'k', 'PX', '100000'],
  ['SETEX', 's', '100', 'v'], ['PSETEX', 's2', '100000', 'v'], ['SADD', 'st', 'a'], ['SPOP', 'st'],
  ['LMOVE', 'l', 'l2', 'LEFT', 'RIGHT'], ['RPOPLPUSH', 'l', 'l2'], ['BLPOP', 'l', '0'], ['BLMOVE', 'l2', 'l', 'LEFT', 'LEFT', '0'],
  ['HSET', 'h', 'f', '1'], ['HINCRBYFLOAT', 'h', 'f', '2.5'], ['ZADD', 'z', '1', 'a', '2', 'b'], ['ZPOPMIN', 'z'], ['BZPOPMAX', 'z', '0'],
  ['DEL', 'nonexistent'], ['DEL', 'k'], ['EXPIRE', 'nonexistent', '10'], ['SET', 'p', '1'], ['PEXPIREAT', 'p', '99999999999999'],
  ['PERSIST', 'p'], ['EXPIREAT', 'p', '1'], ['SET', 'g', 'v', 'KEEPTTL', 'GET'], ['SETRANGE', 'g', '0', 'x'], ['APPEND', 'g', 'y'],
  ['GET', 'g'], ['FLUSHDB'], ['SET', 'z1', '1'], ['MOVE', 'z1', '4'], ['SWAPDB', '3', '4'], ['SELECT', '0'], ['SET', 'r', '1'],
  ['RENAME', 'r', 'r2'], ['FLUSHALL'], ['SET', 'last', '1'],
]

const cmd = (...args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`

/** An RDB with no keys and no aux fields; checksum 0 means "not computed". */
const EMPTY_RDB = Buffer.concat([Buffer.from('REDIS0010\xff', 'latin1'), Buffer.alloc(8)])

/** Reads one `REPLCONF ACK <offset>` from a replica; returns the offset. */
async function readAck(link: WireConnection): Promise<number> {
  const lines: string[] = []
  for (let i = 0; i < 7; i++) lines.push(await link.line())
  const text = lines.join('')
  const ack = /^\*3\r\n\$8\r\nREPLCONF\r\n\$3\r\nACK\r\n\$(\d+)\r\n(\d+)\r\n$/.exec(text)
  if (ack === null || Number(ack[1]) !== (ack[2] as string).length) throw new Error(`not a REPLCONF ACK: ${JSON.stringify(text)}`)
  return Number(ack[2])
}

const waitForReplicaOffset = (replica: NodeHandle, offset: number): Promise<unknown> =>
  waitFor(() => replInfo(replica), (i) => i.master_link_status === 'up' && i.slave_repl_offset === String(offset), {what: `slave_repl_offset ${offset}`})

/** Handshake of a Redis 7.0 replica up to the PSYNC reply line. */
async function handshake(master: NodeHandle, psync: [string, string], capa = true): Promise<{replica: WireConnection; reply: string}> {
  const replica = await WireConnection.connect(master.port)
  replica.send('PING')
  expect(await replica.line()).toBe('+PONG\r\n')
  replica.send('REPLCONF', 'listening-port', '7777')
  expect(await replica.line()).toBe('+OK\r\n')
  if (capa) {
    replica.send('REPLCONF', 'capa', 'eof', 'capa', 'psync2')
    expect(await replica.line()).toBe('+OK\r\n')
  }
  replica.send('PSYNC', ...psync)
  return {replica, reply: await replica.reply()}
}

/** The stream bytes a replica received, until it has everything up to the master's offset. */
async function streamUpTo(master: NodeHandle, replica: WireConnection, from: number): Promise<Buffer> {
  const offset = Number((await replInfo(master)).master_repl_offset)
  return replica.take(offset - from)
}

describe.skipIf(!!skip)(`replication protocol bytes${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(stopAllNodes)

  it.concurrent('our master: +FULLRESYNC, $<len> RDB, a SELECT before the first write; +CONTINUE with exactly the missing bytes', async ({onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'bundled', args: ['--save', '', '--repl-diskless-sync', 'no']})
    const writer = await master.raw()
    onTestFinished(() => writer.close())
    expect((await writer.command('SET', 'before', 'sync')).toString()).toBe('+OK\r\n')
    // No backlog yet: writes do not advance the offset.
    expect((await replInfo(master)).master_repl_offset).toBe('0')

    const {replica: first, reply} = await handshake(master, ['?', '-1'])
    onTestFinished(() => first.close())
    const full = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)\r\n$/.exec(reply)
    expect(full, reply).not.toBeNull()
    const [, replid, offsetText] = full as unknown as [string, string, string]
    const syncOffset = Number(offsetText)
    const rdb = await first.payload()
    expect(rdb.subarray(0, 9).toString('latin1')).toBe('REDIS0010')
    const loaded = readRdb(rdb, Date.now(), {checkCrc: true})
    expect(loaded.aux.get('repl-id')?.toString()).toBe(replid)
    expect(loaded.aux.get('repl-offset')?.toString()).toBe(String(syncOffset))
    expect(loaded.databases[0]?.entries.get('before')).toBeDefined()
    const info = await replInfo(master)
    expect(info).toMatchObject({master_replid: replid, repl_backlog_active: '1', repl_backlog_first_byte_offset: String(syncOffset + 1), connected_slaves: '1'})

    // The first write after the sync is preceded by a SELECT; PINGs (lower case) may come at any time.
    await writer.command('SET', 'k', 'v')
    await writer.command('SELECT', '3')
    await writer.command('RPUSH', 'l', 'a', 'b')
    await writer.command('SET', 'e', 'x', 'EX', '100')
    const stream = await streamUpTo(master, first, syncOffset)
    const withoutPings = stream.toString('latin1').split(PING).join('')
    const expiry = /\*5\r\n\$3\r\nSET\r\n\$1\r\ne\r\n\$1\r\nx\r\n\$4\r\nPXAT\r\n\$13\r\n(\d{13})\r\n$/.exec(withoutPings)
    expect(expiry, withoutPings).not.toBeNull()
    expect(withoutPings).toBe(
      cmd('SELECT', '0') + cmd('SET', 'k', 'v') + cmd('SELECT', '3') + cmd('RPUSH', 'l', 'a', 'b') +
      cmd('SET', 'e', 'x', 'PXAT', (expiry as RegExpExecArray)[1] as string),
    )

    // REPLCONF ACK gets no reply and shows up as the replica's offset.
    const end = syncOffset + stream.length
    first.send('REPLCONF', 'ACK', String(end))
    await waitFor(() => replInfo(master), (i) => i.slave0 === `ip=127.0.0.1,port=7777,state=online,offset=${end},lag=0`, {what: 'slave0 at the ACKed offset'})

    // A replica that asks for bytes the backlog holds gets exactly those, after +CONTINUE <replid>.
    const cont = await handshake(master, [replid, String(syncOffset + 1)])
    onTestFinished(() => cont.replica.close())
    expect(cont.reply).toBe(`+CONTINUE ${replid}\r\n`)
    expect((await cont.replica.take(stream.length)).toString('latin1')).toBe(stream.toString('latin1'))
    // Without capa psync2, from the middle of a command: +CONTINUE alone, then the tail.
    const middle = await handshake(master, [replid, String(syncOffset + 6)], false)
    onTestFinished(() => middle.replica.close())
    expect(middle.reply).toBe('+CONTINUE\r\n')
    expect((await middle.replica.take(stream.length - 5)).toString('latin1')).toBe(stream.subarray(5).toString('latin1'))
    // Asking for the next byte: +CONTINUE and nothing else (but PINGs), then live writes to every replica.
    const next = await handshake(master, [replid, String(end + 1)])
    onTestFinished(() => next.replica.close())
    expect(next.reply).toBe(`+CONTINUE ${replid}\r\n`)
    await writer.command('INCR', 'n')
    const live = cmd('INCR', 'n')
    for (const r of [next.replica, first, cont.replica, middle.replica]) expect(await r.commandSkippingPings()).toBe(live)
    expect((await replInfo(master)).connected_slaves).toBe('4')

    // Beyond the backlog, before it, or another history: a full resync at the current offset (which a
    // PING may have moved since it was read).
    const now = Number((await replInfo(master)).master_repl_offset)
    for (const psync of [[replid, String(now + 2)], [replid, String(syncOffset)], ['0123456789012345678901234567890123456789', String(syncOffset + 1)]] as [string, string][]) {
      const other = await handshake(master, psync)
      onTestFinished(() => other.replica.close())
      const [, id, at] = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)\r\n$/.exec(other.reply) ?? []
      expect(id, other.reply).toBe(replid)
      expect(Number(at)).toBeGreaterThanOrEqual(now)
    }
  })

  it.concurrent('our master: legacy SYNC gets the payload without a +FULLRESYNC line, then the stream', async ({onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await start({engine: 'bundled', args: ['--save', '']})
    const replica = await WireConnection.connect(master.port)
    onTestFinished(() => replica.close())
    replica.send('SYNC')
    expect((await replica.payload()).subarray(0, 9).toString()).toBe('REDIS0010')
    const writer = await master.raw()
    onTestFinished(() => writer.close())
    await writer.command('SET', 'a', '1')
    const stream = await streamUpTo(master, replica, Number((await replInfo(master)).repl_backlog_first_byte_offset) - 1)
    expect(stream.toString('latin1').split(PING).join('')).toBe(cmd('SELECT', '0') + cmd('SET', 'a', '1'))
  })

  it.concurrent('our master: CONFIG SET repl-backlog-size bounds what a partial resync can be served', async ({onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    // No PING may move the offset between reading it and the PSYNCs at the backlog's edge.
    const master = await start({engine: 'bundled', args: ['--save', '', '--repl-diskless-sync', 'no', '--repl-ping-replica-period', '60']})
    const {replica, reply} = await handshake(master, ['?', '-1'])
    onTestFinished(() => replica.close())
    const [, replid, offsetText] = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)\r\n$/.exec(reply) as unknown as [string, string, string]
    await replica.payload()
    const writer = await master.raw()
    onTestFinished(() => writer.close())
    expect((await writer.command('CONFIG', 'SET', 'repl-backlog-size', '16384')).toString()).toBe('+OK\r\n')
    expect((await writer.command('SET', 'big', 'x'.repeat(40_000))).toString()).toBe('+OK\r\n')
    const stream = await streamUpTo(master, replica, Number(offsetText))
    const info = await replInfo(master)
    const offset = Number(info.master_repl_offset)
    expect(info).toMatchObject({repl_backlog_size: '16384', repl_backlog_histlen: '16384', repl_backlog_first_byte_offset: String(offset - 16383)})
    const tooOld = await handshake(master, [replid, String(offset - 16384)])
    onTestFinished(() => tooOld.replica.close())
    expect(tooOld.reply).toBe(`+FULLRESYNC ${replid} ${offset}\r\n`)
    const oldest = await handshake(master, [replid, String(offset - 16383)])
    onTestFinished(() => oldest.replica.close())
    expect(oldest.reply).toBe(`+CONTINUE ${replid}\r\n`)
    expect((await oldest.replica.take(16384)).equals(stream.subarray(stream.length - 16384))).toBe(true)
  })

  it.concurrent('the stream our master writes for a command mix is byte-identical to Redis 7.0\'s', async ({onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const args = ['--save', '', '--repl-diskless-sync', 'no']
    const masters = await Promise.all([start({engine: 'redis', args}), start({engine: 'bundled', args})])
    // Absolute times differ between the two runs; everything else must not.
    const normalize = (stream: Buffer): string => stream.toString('latin1').split(PING).join('').replace(/\$13\r\n\d{13}\r\n/g, '$13\r\n<ms>\r\n')
    const streams = await Promise.all(masters.map(async (master) => {
      const {replica, reply} = await handshake(master, ['?', '-1'], false)
      onTestFinished(() => replica.close())
      const syncOffset = Number(reply.trim().split(' ')[2])
      await replica.payload()
      const [client, blocked] = await Promise.all([master.raw(), master.raw()])
      onTestFinished(() => {
        client.close()
        blocked.close()
      })
      for (const command of STREAM_MIX) {
        const answer = await client.command(...command)
        expect(answer[0], `${master.engine}: ${command.join(' ')} -> ${answer.toString()}`).not.toBe(0x2d)
      }
      // A BLPOP that blocks and is served by a later push is propagated as the pop it did.
      blocked.send(cmd('BLPOP', 'queue', '0'))
      await waitFor(() => client.command('CLIENT', 'LIST'), (list) => list.toString().includes('cmd=blpop'), {what: 'BLPOP to block'})
      await client.command('RPUSH', 'queue', 'job')
      expect((await blocked.reply()).toString()).toBe('*2\r\n$5\r\nqueue\r\n$3\r\njob\r\n')
      return normalize(await streamUpTo(master, replica, syncOffset))
    }))
    const frames = (stream: string): string[] => stream.split(/(?=\*\d+\r\n\$)/)
    expect(frames(streams[1] as string)).toEqual(frames(streams[0] as string))
  })

  it.concurrent('our replica against a hand-driven master: handshake bytes, keepalives, GETACK, a transaction cut by a reconnect', async ({onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await FakeMaster.listen()
    onTestFinished(() => master.close())
    const replica = await start({engine: 'bundled', args: ['--save', '', '--replicaof', '127.0.0.1', String(master.port)]})
    const id = 'a'.repeat(40)
    let link = await master.accept()
    // PING alone; then listening-port and capa written back to back; PSYNC once capa is answered.
    expect((await link.take(14)).toString()).toBe(cmd('PING'))
    link.write('+PONG\r\n')
    const conf = cmd('REPLCONF', 'listening-port', String(replica.port)) + cmd('REPLCONF', 'capa', 'eof', 'capa', 'psync2')
    expect((await link.take(Buffer.byteLength(conf))).toString()).toBe(conf)
    link.write('+OK\r\n+OK\r\n')
    expect((await link.take(Buffer.byteLength(cmd('PSYNC', '?', '-1')))).toString()).toBe(cmd('PSYNC', '?', '-1'))
    // Keepalive newlines before +FULLRESYNC and before the payload line are skipped.
    link.write(`\n\n+FULLRESYNC ${id} 1000\r\n\n$${EMPTY_RDB.length}\r\n`)
    link.write(EMPTY_RDB)
    const writes = cmd('SELECT', '0') + cmd('SET', 'a', '1')
    link.write(writes)
    let offset = 1000 + writes.length
    await waitForReplicaOffset(replica, offset)
    expect(await admin(replica).get('a')).toBe('1')
    await waitForLog(replica, `Full resync from master: ${id}:1000`)

    // GETACK: an immediate ACK of the offset before the GETACK, the next periodic one includes it.
    await new Promise((resolve) => setTimeout(resolve, 50))
    link.takeAll()
    link.write(cmd('REPLCONF', 'GETACK', '*'))
    expect(await readAck(link)).toBe(offset)
    offset += cmd('REPLCONF', 'GETACK', '*').length
    expect(await readAck(link)).toBe(offset)

    // The link drops inside MULTI: the queued part is not counted, the master resends it from MULTI on.
    const transaction = cmd('MULTI') + cmd('SET', 'b', '2')
    link.write(transaction)
    await waitFor(() => replInfo(replica), (i) => i.slave_read_repl_offset === String(offset + transaction.length), {what: 'the replica reading MULTI and SET'})
    link.close()
    await waitForLinkDown(replica)
    link = await master.accept()
    expect((await link.take(14)).toString()).toBe(cmd('PING'))
    link.write('+PONG\r\n')
    await link.take(Buffer.byteLength(conf))
    link.write('+OK\r\n+OK\r\n')
    const psync = cmd('PSYNC', id, String(offset + 1))
    expect((await link.take(Buffer.byteLength(psync))).toString('latin1')).toBe(psync)
    // +CONTINUE with a new id: the replica keeps the old one as replid2, valid up to where it was.
    const newId = 'b'.repeat(40)
    link.write(`+CONTINUE ${newId}\r\n${transaction}${cmd('EXEC')}`)
    offset += transaction.length + cmd('EXEC').length
    await waitForReplicaOffset(replica, offset)
    expect(await admin(replica).get('b')).toBe('2')
    expect(await replInfo(replica)).toMatchObject({master_replid: newId, master_replid2: id, second_repl_offset: String(offset - transaction.length - cmd('EXEC').length + 1)})
    await waitForLog(replica, `Master replication ID changed to ${newId}`)
  })

  it.concurrent('our replica against a hand-driven master: the $EOF payload is acknowledged at once', async ({onTestFinished}) => {
    const start = nodeScope(onTestFinished)
    const master = await FakeMaster.listen()
    onTestFinished(() => master.close())
    const replica = await start({engine: 'bundled', args: ['--save', '', '--replicaof', '127.0.0.1', String(master.port)]})
    const link = await master.accept()
    await link.take(14)
    link.write('+PONG\r\n')
    await link.take(Buffer.byteLength(cmd('REPLCONF', 'listening-port', String(replica.port)) + cmd('REPLCONF', 'capa', 'eof', 'capa', 'psync2')))
    link.write('+OK\r\n+OK\r\n')
    await link.take(Buffer.byteLength(cmd('PSYNC', '?', '-1')))
    const mark = '0123456789abcdef0123456789abcdef01234567'
    link.write(`+FULLRESYNC ${'c'.repeat(40)} 77\r\n$EOF:${mark}\r\n`)
    // The RDB in small pieces, the end mark split across writes.
    for (let i = 0; i < EMPTY_RDB.length; i += 3) link.write(EMPTY_RDB.subarray(i, i + 3))
    link.write(mark.slice(0, 25))
    await new Promise((resolve) => setTimeout(resolve, 20))
    link.write(mark.slice(25))
    // Nothing may follow the mark until the replica's first ACK: it must come right away.
    expect(await readAck(link)).toBe(77)
    link.write(cmd('SET', 'x', 'y'))
    await waitForReplicaOffset(replica, 77 + cmd('SET', 'x', 'y').length)
    expect(await admin(replica).get('x')).toBe('y')
    await waitForLog(replica, 'MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk')
  })

  describe('replies compared with Redis 7.0', () => {
    let pair: DifferentialPair
    beforeAll(async () => {
      pair = await startDifferentialPair()
    })
    afterAll(() => pair?.stop())

    it('INFO replication and ROLE of a master without replicas have Redis\'s fields and shape', async () => {
      const mask = (text: string): string => text.replace(/master_replid:[0-9a-f]{40}/, 'master_replid:<id>')
      const [real, ours] = await Promise.all([pair.realClient.command('INFO', 'replication'), pair.ourClient.command('INFO', 'replication')])
      expect(mask(ours.toString('latin1')).replace(/^\$\d+/, '')).toBe(mask(real.toString('latin1')).replace(/^\$\d+/, ''))
      await pair.expectSame('ROLE')
      // A backlog size below the 16 KiB minimum is shown as the minimum.
      await pair.expectSame('CONFIG', 'SET', 'repl-backlog-size', '100')
      const [realSmall, ourSmall] = await Promise.all([pair.realClient.command('INFO', 'replication'), pair.ourClient.command('INFO', 'replication')])
      expect(ourSmall.toString('latin1')).toContain('repl_backlog_size:16384\r\n')
      expect(realSmall.toString('latin1')).toContain('repl_backlog_size:16384\r\n')
      await pair.expectSame('CONFIG', 'SET', 'repl-backlog-size', '1mb')
    })

    it('REPLCONF options, errors and the unanswered ACK / GETACK', async () => {
      const s = pair.expectSame
      await s('REPLCONF')
      await s('REPLCONF', 'foo', 'bar')
      await s('REPLCONF', 'listening-port')
      await s('REPLCONF', 'listening-port', 'abc')
      await s('REPLCONF', 'listening-port', '6380')
      await s('REPLCONF', 'LISTENING-PORT', '6380', 'capa', 'eof', 'capa', 'psync2')
      await s('REPLCONF', 'capa', 'whatever')
      await s('REPLCONF', 'ip-address', '10.0.0.1')
      await s('REPLCONF', 'ip-address', 'x'.repeat(300))
      await s('REPLCONF', 'capa', 'eof', 'foo', 'bar')
      await s('REPLCONF', 'rdb-only', '1')
      await s('REPLCONF', 'rdb-only', '2')
      await s('REPLCONF', 'rdb-only', 'x')
      // ACK and GETACK from an ordinary client get no reply at all.
      await pair.expectSameRaw(cmd('REPLCONF', 'ACK', '10') + cmd('REPLCONF', 'GETACK', '*') + cmd('REPLCONF', 'ack', 'x') + cmd('PING'), 1)
    })

    it('WAIT replies and errors on a master', async () => {
      const s = pair.expectSame
      await s('WAIT', '0', '0')
      await s('WAIT', '-1', '0')
      await s('WAIT', '1', '10')
      await s('WAIT', 'abc', '0')
      await s('WAIT', '0', 'abc')
      await s('WAIT', '0', '-1')
      await s('WAIT', '0', '1.5')
      await s('WAIT', '0', '9223372036854775807')
      await s('WAIT', '0')
      await s('MULTI')
      await s('WAIT', '5', '0')
      await s('EXEC')
    })

    it('PSYNC argument errors, REPLICAOF errors, Already connected, and a replica\'s refusals', async () => {
      const s = pair.expectSame
      await s('PSYNC', '?', 'abc')
      await s('PSYNC', '?')
      await s('SYNC', 'extra')
      await s('REPLICAOF', '127.0.0.1', 'abc')
      await s('REPLICAOF', '127.0.0.1', '70000')
      await s('REPLICAOF', '127.0.0.1', '-1')
      await s('REPLICAOF', '127.0.0.1')
      await s('SLAVEOF', 'localhost', '99999')
      await s('REPLICAOF', 'NO', 'ONE')
      await s('replicaof', 'no', 'one')
      // Nothing listens on this port: both stay replicas with the link down.
      const port = String(await freePort())
      await s('REPLICAOF', '127.0.0.1', port)
      await s('REPLICAOF', '127.0.0.1', port)
      await s('SLAVEOF', '127.0.0.1', port)
      await s('SET', 'k', 'v')
      await s('WAIT', '0', '0')
      await s('PSYNC', '?', '-1')
      await s('SYNC')
      await s('GET', 'k')
      await s('PUBLISH', 'c', 'm')
      await s('MULTI')
      await s('SET', 'k', 'v')
      await s('EXEC')
      await s('REPLICAOF', 'NO', 'ONE')
      await s('SET', 'k', 'v')
    })

  })
})
