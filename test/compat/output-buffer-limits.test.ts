// client-output-buffer-limit, on the bundled server and real Redis 7.0 alike: a subscriber that stops reading
// is closed once its pending output reaches the pubsub hard limit, or stays over the soft limit for more than
// soft-seconds (checked when more output is queued for it), and logged; the node keeps serving everyone else.
// The kernel's socket buffers take several MB first on loopback, so each test publishes well past them.

import {connect, type Socket} from 'node:net'
import {afterAll, describe, expect, it} from 'vitest'
import {bundledMissing, startServer, stopAllNodes, type Engine, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {waitFor} from '../helpers/wait-for.js'

const ENGINES: [Engine, string | undefined][] = [['bundled', bundledMissing], ['redis', realRedisMissing]]
const CHUNK = 'x'.repeat(64 * 1024)

/** A subscriber that reads its SUBSCRIBE confirmation and then stops reading (so it cannot see a close either). */
async function stalledSubscriber(port: number, channel: string): Promise<{socket: Socket}> {
  const socket = connect({port, host: '127.0.0.1'})
  socket.on('error', () => {})
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  socket.write(`SUBSCRIBE ${channel}\r\n`)
  await new Promise<void>((resolve) => socket.once('data', () => resolve()))
  socket.pause()
  return {socket}
}

const subscriberIds = async (node: NodeHandle): Promise<string[]> =>
  String(await node.client().call('CLIENT', 'LIST', 'TYPE', 'pubsub')).split('\n').filter(Boolean).map((l) => /id=(\d+)/.exec(l)?.[1] ?? '')

async function publish(node: NodeHandle, channel: string, messages: number): Promise<void> {
  const pipeline = node.client().pipeline()
  for (let i = 0; i < messages; i++) pipeline.publish(channel, CHUNK)
  await pipeline.exec()
}

for (const [engine, missing] of ENGINES) {
  describe.skipIf(!!missing)(`client-output-buffer-limit on ${engine}${missing ? ` (skipped: ${missing})` : ''}`, () => {
    afterAll(stopAllNodes)

    it('a subscriber that stops reading is closed at the pubsub hard limit, and logged', async () => {
      const node = await startServer({engine, args: ['--save', '', '--client-output-buffer-limit', 'pubsub 1mb 0 0']})
      try {
        const sub = await stalledSubscriber(node.port, 'news')
        expect(await subscriberIds(node)).toHaveLength(1)
        // 32 MB: the kernel buffers fill, then the server's own queue passes 1 MB.
        await publish(node, 'news', 512)
        await waitFor(() => subscriberIds(node), (ids) => ids.length === 0, {what: 'the stalled subscriber to be gone from CLIENT LIST'})
        expect(await node.client().ping()).toBe('PONG')
        expect(node.logTail(50)).toMatch(/Client id=\d+ addr=127\.0\.0\.1:\d+ .* scheduled to be closed ASAP for overcoming of output buffer limits\./)
        sub.socket.destroy()
      } finally {
        await node.stop()
      }
    }, 60_000)

    it('over the soft limit it is closed only once the limit has held for more than soft-seconds', async () => {
      const node = await startServer({engine, args: ['--save', '', '--client-output-buffer-limit', 'pubsub 0 256kb 3']})
      try {
        const sub = await stalledSubscriber(node.port, 'news')
        await publish(node, 'news', 320)
        await new Promise((r) => setTimeout(r, 300))
        // Over the soft limit for well under its 3 s: still connected, as the next message finds (3 s leaves room
        // for a slow publish on a busy machine).
        await publish(node, 'news', 1)
        await new Promise((r) => setTimeout(r, 200))
        expect(await subscriberIds(node)).toHaveLength(1)
        // Still over it more than 3 s later: the next message closes it.
        await new Promise((r) => setTimeout(r, 4500))
        await publish(node, 'news', 1)
        await waitFor(() => subscriberIds(node), (ids) => ids.length === 0, {what: 'the subscriber to be gone after the soft limit held'})
        sub.socket.destroy()
      } finally {
        await node.stop()
      }
    }, 60_000)

    it('a normal client has no limit by default: a large reply it reads slowly is delivered whole', async () => {
      const node = await startServer({engine, args: ['--save', '']})
      try {
        const c = node.client()
        await c.set('big', 'y'.repeat(20 * 1024 * 1024))
        const reader = connect({port: node.port, host: '127.0.0.1'})
        reader.on('error', () => {})
        await new Promise<void>((resolve) => reader.once('connect', () => resolve()))
        reader.pause()
        reader.write('GET big\r\n')
        await new Promise((r) => setTimeout(r, 500))
        let received = 0
        const done = new Promise<void>((resolve) => reader.on('data', (d: Buffer) => {
          received += d.length
          if (received >= 20 * 1024 * 1024 + 12) resolve()
        }))
        reader.resume()
        await done
        expect(received).toBe(20 * 1024 * 1024 + '$20971520\r\n'.length + 2)
        reader.destroy()
      } finally {
        await node.stop()
      }
    }, 60_000)
  })
}
