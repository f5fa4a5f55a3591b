// Query buffer limits against Redis 7.0: a client that streams data that never completes a request line
// (after a NUL byte, `*`, `$`, inline text, …), or that streams while blocked or closing, is answered with
// the same error bytes and disconnected as by Redis (PROTO_INLINE_MAX_SIZE, client-query-buffer-limit,
// proto-max-bulk-len), its query buffer stays bounded meanwhile, and other clients keep being served.
// No durations are measured: a server that never closes such a connection fails by the test timeout.

import {once} from 'node:events'
import {connect} from 'node:net'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const skipReason = realRedisMissing ?? bundledMissing
const MB = 1024 * 1024

/**
 * Writes `bytes` at once and collects what the server sends until it closes the connection. The server
 * reads all of it before it closes (the request is incomplete until its end), so the close is a clean one
 * and the reply cannot be lost to a reset.
 */
async function exchange(node: NodeHandle, bytes: Buffer): Promise<string> {
  const socket = connect({port: node.port, host: '127.0.0.1', allowHalfOpen: true})
  await once(socket, 'connect')
  const received: Buffer[] = []
  socket.on('data', (d: Buffer) => received.push(d))
  socket.on('error', () => {})
  const done = new Promise<void>((resolve) => {
    socket.on('end', resolve)
    socket.on('close', resolve)
  })
  socket.write(bytes)
  await done
  socket.destroy()
  return Buffer.concat(received).toString('latin1')
}

/**
 * Connects, writes `prefix`, then up to `total` bytes of `filler` (16 KB writes, honouring back-pressure),
 * and resolves once the server has closed the connection for good. The socket is half-open capable: a
 * server that only shuts its side down keeps being fed, as by a client that ignores the FIN. Replies are
 * not compared here (a close with unread input resets the connection, which may discard them). `every`
 * runs after each 256 KB written.
 */
async function streamUntilClosed(node: NodeHandle, prefix: string, total: number, filler: string, every?: () => Promise<void>): Promise<void> {
  const socket = connect({port: node.port, host: '127.0.0.1', allowHalfOpen: true})
  await once(socket, 'connect')
  let closed = false
  socket.on('error', () => {})
  const closing = new Promise<void>((resolve) => socket.on('close', () => {
    closed = true
    resolve()
  }))
  socket.write(prefix)
  const chunk = Buffer.alloc(16 * 1024, filler)
  let sent = 0
  while (!closed && sent < total) {
    if (!socket.write(chunk)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closing])
    sent += chunk.length
    if (every !== undefined && sent % (256 * 1024) === 0) await every()
  }
  await closing
}

describe.skipIf(!!skipReason)(`query buffer limits match Redis 7.0${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let pair: DifferentialPair

  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(async () => {
    await pair?.stop()
  })
  beforeEach(async () => {
    await pair.reset()
    for (const [name, value] of [['client-query-buffer-limit', '1gb'], ['proto-max-bulk-len', '512mb']]) {
      await pair.expectSame('CONFIG', 'SET', name as string, value as string)
    }
  })

  /** The largest qbuf CLIENT LIST shows on our server, other than the asking connection's. */
  const ourLargestQbuf = async (): Promise<number> => {
    const list = (await pair.ourClient.command('CLIENT', 'LIST')).toString('latin1')
    return Math.max(0, ...[...list.matchAll(/ qbuf=(\d+) /g)].map((m) => Number(m[1])))
  }

  /**
   * Both servers answer `prefix` and filler up to just over 64 KB with the same bytes and close; then a
   * client that streams `total` bytes after the same prefix, ignoring the close, is cut off by both while our
   * query buffer stays within `qbufBound`; and both still answer other clients.
   */
  const expectSameStream = async (prefix: string, total: number, filler = 'x', qbufBound = 256 * 1024): Promise<string> => {
    const bytes = Buffer.concat([Buffer.from(prefix, 'latin1'), Buffer.alloc(64 * 1024 + 100, filler)])
    const [real, ours] = await Promise.all([exchange(pair.real, bytes), exchange(pair.ours, bytes)])
    expect(JSON.stringify(ours), `after ${JSON.stringify(prefix)}`).toBe(JSON.stringify(real))
    let largest = 0
    const watch = async (): Promise<void> => {
      largest = Math.max(largest, await ourLargestQbuf())
    }
    await Promise.all([streamUntilClosed(pair.real, prefix, total, filler), streamUntilClosed(pair.ours, prefix, total, filler, watch)])
    expect(largest, 'our largest qbuf while streaming').toBeLessThanOrEqual(qbufBound)
    await pair.expectSame('PING')
    return ours
  }

  const TOO_BIG_INLINE = '-ERR Protocol error: too big inline request\r\n'
  const TOO_BIG_MBULK = '-ERR Protocol error: too big mbulk count string\r\n'
  const TOO_BIG_BULK = '-ERR Protocol error: too big bulk count string\r\n'

  it('a NUL byte, then data without a newline: too big inline request', async () => {
    expect(await expectSameStream('\0', 10 * MB)).toBe(TOO_BIG_INLINE)
  })

  it('"*" or "*" and a NUL, then no CR: too big mbulk count string', async () => {
    expect(await expectSameStream('*\0', 10 * MB)).toBe(TOO_BIG_MBULK)
    expect(await expectSameStream('*', 10 * MB, '1')).toBe(TOO_BIG_MBULK)
  })

  it('"$" and a NUL starts an inline request: too big inline request', async () => {
    expect(await expectSameStream('$\0', 10 * MB)).toBe(TOO_BIG_INLINE)
  })

  it('a bulk length line without CR: too big bulk count string', async () => {
    expect(await expectSameStream('*1\r\n$\0', 10 * MB)).toBe(TOO_BIG_BULK)
    expect(await expectSameStream('*2\r\n$3\r\nGET\r\n$', 10 * MB, '9')).toBe(TOO_BIG_BULK)
    expect(await expectSameStream('*1\r\n', 10 * MB)).toBe(TOO_BIG_BULK)
  })

  it('inline text without a newline: too big inline request', async () => {
    expect(await expectSameStream('SET k ', 10 * MB)).toBe(TOO_BIG_INLINE)
  })

  it('a NUL hides the line ends after it, as strchr() does', async () => {
    expect(await expectSameStream('PING\0\r\n', 10 * MB, '\n')).toBe(TOO_BIG_INLINE)
    expect(await expectSameStream('*1\0\r\n', 10 * MB, '\r')).toBe(TOO_BIG_MBULK)
    expect(await expectSameStream('*1\r\n$4\0\r\n', 10 * MB, '\r')).toBe(TOO_BIG_BULK)
  })

  it('after a protocol error or QUIT nothing more is read, even if the client keeps sending', async () => {
    expect(await exchange(pair.ours, Buffer.from('*1\r\n+PING\r\n'))).toBe("-ERR Protocol error: expected '$', got '+'\r\n")
    for (const prefix of ['*1\r\n+PING\r\n', 'QUIT\r\n']) {
      await Promise.all([streamUntilClosed(pair.real, prefix, 10 * MB, 'PING\r\n'), streamUntilClosed(pair.ours, prefix, 10 * MB, 'PING\r\n')])
    }
    await pair.expectSame('PING')
  })

  it('a CR or LF where "$" was expected is shown as a space', async () => {
    await pair.expectSameRaw('*1\r\n\r\n', 1)
    await pair.expectSameRaw('*1\r\n\n\r\n', 1)
  })

  it('client-query-buffer-limit closes a blocked client that keeps streaming', async () => {
    await pair.expectSame('CONFIG', 'SET', 'client-query-buffer-limit', '1mb')
    const blpop = '*3\r\n$5\r\nBLPOP\r\n$4\r\nlist\r\n$1\r\n0\r\n'
    let largest = 0
    const watch = async (): Promise<void> => {
      largest = Math.max(largest, await ourLargestQbuf())
    }
    await Promise.all([streamUntilClosed(pair.real, blpop, 10 * MB, 'y'), streamUntilClosed(pair.ours, blpop, 10 * MB, 'y', watch)])
    expect(largest).toBeLessThanOrEqual(MB + 128 * 1024)
    await pair.expectSame('PING')
  })

  it('client-query-buffer-limit closes a client whose bulk payload outgrows it', async () => {
    await pair.expectSame('CONFIG', 'SET', 'client-query-buffer-limit', '1mb')
    let largest = 0
    const watch = async (): Promise<void> => {
      largest = Math.max(largest, await ourLargestQbuf())
    }
    const prefix = '*2\r\n$3\r\nGET\r\n$5000000\r\n'
    await Promise.all([streamUntilClosed(pair.real, prefix, 10 * MB, 'z'), streamUntilClosed(pair.ours, prefix, 10 * MB, 'z', watch)])
    expect(largest).toBeLessThanOrEqual(MB + 128 * 1024)
    await pair.expectSame('PING')
  })

  it('a bulk longer than proto-max-bulk-len is an invalid bulk length', async () => {
    await pair.expectSame('CONFIG', 'SET', 'proto-max-bulk-len', '1mb')
    const tooLong = Buffer.from(`*2\r\n$3\r\nGET\r\n$${MB + 1}\r\n`)
    const [real0, ours0] = await Promise.all([exchange(pair.real, tooLong), exchange(pair.ours, tooLong)])
    expect(ours0).toBe(real0)
    expect(ours0).toBe('-ERR Protocol error: invalid bulk length\r\n')
    // Exactly the limit is accepted, and answered once the payload is complete.
    const socket = await pair.ours.raw()
    const real = await pair.real.raw()
    const value = Buffer.alloc(MB, 'v')
    const [a, b] = await Promise.all([real.command('SET', 'k', value), socket.command('SET', 'k', value)])
    expect(b.toString('latin1')).toBe(a.toString('latin1'))
    socket.close()
    real.close()
  })

  it('our memory stays bounded while a client streams 10 MB without a newline', async () => {
    const usedMemory = async (): Promise<number> =>
      Number(/used_memory:(\d+)/.exec((await pair.ourClient.command('INFO', 'memory')).toString('latin1'))?.[1])
    const before = await usedMemory()
    let peak = before
    const watch = async (): Promise<void> => {
      peak = Math.max(peak, await usedMemory())
    }
    await streamUntilClosed(pair.ours, 'SET k ', 10 * MB, 'x', watch)
    await streamUntilClosed(pair.ours, '*1\r\n$', 10 * MB, '1', watch)
    await watch()
    expect(peak - before).toBeLessThan(8 * MB)
  })
})
