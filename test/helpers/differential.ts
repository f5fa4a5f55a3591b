// Differential testing (miniredis c.Do): the same raw RESP goes to real Redis 7.0 and to rtopo-server, and
// the reply bytes must be equal. One pair of servers per test file; flushed between tests by the caller.

import {expect} from 'vitest'
import {startServer, stopAllNodes, type NodeHandle} from './nodes.js'
import type {RawClient} from './raw-client.js'

export interface DifferentialPair {
  real: NodeHandle
  ours: NodeHandle
  realClient: RawClient
  ourClient: RawClient
  /** Sends the command to both and expects byte-identical replies; returns our reply as text. */
  expectSame(...args: (string | Buffer)[]): Promise<string>
  /** Both reply with an error and the errors start with the same text (`prefix`, or the whole first word). */
  expectSameError(prefix: string | undefined, ...args: (string | Buffer)[]): Promise<string>
  /** Sends raw bytes to both and compares everything they answer before `replies` complete or they close. */
  expectSameRaw(bytes: string | Buffer, replies: number): Promise<string>
  /** Switches both connections to RESP3 (HELLO's reply carries the connection id, so it is not compared). */
  resp3(): Promise<void>
  /** Both servers: FLUSHALL and back to db 0 / RESP2 on fresh connections. */
  reset(): Promise<void>
  stop(): Promise<void>
}

const show = (b: Buffer): string => JSON.stringify(b.toString('latin1'))

export async function startDifferentialPair(args: string[] = ['--save', '']): Promise<DifferentialPair> {
  const [real, ours] = await Promise.all([startServer({engine: 'redis', args}), startServer({engine: 'bundled', args})])
  const pair: DifferentialPair = {
    real,
    ours,
    realClient: await real.raw(),
    ourClient: await ours.raw(),
    async expectSame(...command) {
      const [a, b] = await Promise.all([pair.realClient.command(...command), pair.ourClient.command(...command)])
      expect(show(b), `reply to ${command.map(String).join(' ')}`).toBe(show(a))
      return b.toString('latin1')
    },
    async expectSameError(prefix, ...command) {
      const [a, b] = await Promise.all([pair.realClient.command(...command), pair.ourClient.command(...command)])
      const realText = a.toString('latin1')
      const ourText = b.toString('latin1')
      expect(realText.startsWith('-'), `real Redis replied ${show(a)} to ${command.join(' ')}`).toBe(true)
      expect(ourText.startsWith('-'), `we replied ${show(b)} to ${command.join(' ')}`).toBe(true)
      const wanted = prefix ?? realText.split(' ')[0]
      expect(realText.startsWith(`-${prefix ?? ''}`) || realText.startsWith(wanted ?? '')).toBe(true)
      expect(ourText.startsWith(prefix === undefined ? (wanted as string) : `-${prefix}`), `ours: ${show(b)} real: ${show(a)}`).toBe(true)
      return ourText
    },
    async expectSameRaw(bytes, replies) {
      const collect = async (c: RawClient): Promise<Buffer> => {
        c.send(bytes)
        const parts: Buffer[] = []
        for (let i = 0; i < replies; i++) {
          try {
            parts.push(await c.reply(2000))
          } catch {
            break
          }
        }
        return Buffer.concat(parts)
      }
      const [a, b] = await Promise.all([collect(pair.realClient), collect(pair.ourClient)])
      expect(show(b), `replies to raw ${JSON.stringify(String(bytes))}`).toBe(show(a))
      return b.toString('latin1')
    },
    async resp3() {
      await Promise.all([pair.realClient.command('HELLO', '3'), pair.ourClient.command('HELLO', '3')])
    },
    async reset() {
      pair.realClient.close()
      pair.ourClient.close()
      pair.realClient = await real.raw()
      pair.ourClient = await ours.raw()
      await pair.expectSame('FLUSHALL')
    },
    async stop() {
      pair.realClient.close()
      pair.ourClient.close()
      await stopAllNodes()
    },
  }
  return pair
}

/**
 * Expects both servers to publish the same keyspace events while `run` runs (notify-keyspace-events `flags`): a
 * subscriber to every channel on each, read up to a message that marks the end; the setting is cleared after.
 */
export async function expectSameEvents(pair: DifferentialPair, flags: string, run: () => Promise<void>): Promise<void> {
  await pair.expectSame('CONFIG', 'SET', 'notify-keyspace-events', flags)
  const [realSub, ourSub] = await Promise.all([pair.real.raw(), pair.ours.raw()])
  try {
    await Promise.all([realSub.command('PSUBSCRIBE', '*'), ourSub.command('PSUBSCRIBE', '*')])
    await run()
    await pair.expectSame('PUBLISH', 'end-of-events', 'x')
    const collect = async (c: RawClient): Promise<string> => {
      const parts: string[] = []
      for (;;) {
        const message = (await c.reply()).toString('latin1')
        parts.push(message)
        if (message.includes('end-of-events')) return parts.join('')
      }
    }
    const [a, b] = await Promise.all([collect(realSub), collect(ourSub)])
    expect(b).toBe(a)
  } finally {
    realSub.close()
    ourSub.close()
    await pair.expectSame('CONFIG', 'SET', 'notify-keyspace-events', '')
  }
}
