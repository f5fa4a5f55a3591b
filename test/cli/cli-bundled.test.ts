// The bundled engine end to end: rtopo-server masters and replicas that ioredis talks to, several groups
// and logs. The sentinel topologies are in cli-topology.test.ts.

import {afterAll, describe, expect, it} from 'vitest'
import {Redis} from 'ioredis'
import {CliSandbox} from '../helpers/cli.js'
import {bundledMissing} from '../helpers/nodes.js'
import {freePortRange} from '../helpers/ports.js'
import type {TopologyStatus} from '../../src/topology/inspect-all.js'

describe.skipIf(!!bundledMissing)(`rtopo on the bundled engine${bundledMissing ? ` (skipped: ${bundledMissing})` : ''}`, () => {
  const sandbox = new CliSandbox()
  afterAll(() => sandbox.cleanup(), 60_000)

  it('runs a single master that real clients use', async () => {
    const port = await freePortRange(1)
    const up = await sandbox.run('up', '--masters', '1', '--replicas', '0', '--sentinels', '0', '--port', String(port))
    expect(up.exitCode, up.stderr + up.stdout).toBe(0)
    const status = await sandbox.json<TopologyStatus>('status')
    expect(status).toMatchObject({engine: 'bundled', healthy: true})
    const client = new Redis({port, host: '127.0.0.1', lazyConnect: true})
    await client.connect()
    await client.set('k', 'v')
    expect(await client.get('k')).toBe('v')
    client.disconnect()
    const kill = await sandbox.run('kill', 'master-1')
    expect(kill.exitCode, kill.stderr).toBe(0)
    // SIGKILL leaves the pidfile behind: start reports it as stale, removes it and starts the node again.
    const start = await sandbox.run('start', 'master-1')
    expect(start.exitCode, start.stderr).toBe(0)
    expect(start.stdout).toMatch(/pid \d+ in .*master-1\.pid is not running; removed/)
    expect((await sandbox.json<TopologyStatus>('status')).healthy).toBe(true)
    const down = await sandbox.run('down')
    expect(down.stdout).toContain('master-1')
  }, 60_000)

  it('runs several masters as groups; logs prints a node log and -f follows it', async () => {
    const other = new CliSandbox()
    try {
      const port = await freePortRange(2)
      const up = await other.run('up', '--masters', '2', '--replicas', '0', '--sentinels', '0', '--port', String(port), '--name', 'shop')
      expect(up.exitCode, up.stderr + up.stdout).toBe(0)
      const status = await other.json<TopologyStatus>('status')
      expect(status.healthy).toBe(true)
      expect(status.nodes.map((n) => [n.id, n.port])).toEqual([['master-1', port], ['master-2', port + 1]])
      // The group selects among the masters: `master --group shop-2` is master-2.
      const stopped = await other.run('stop', 'master', '--group', 'shop-2')
      expect(stopped.exitCode, stopped.stderr).toBe(0)
      expect(stopped.stdout).toContain('master-2')
      expect(stopped.stdout).not.toContain('master-1')
      const unknownGroup = await other.run('stop', 'master', '--group', 'nope')
      expect(unknownGroup.exitCode).not.toBe(0)
      expect(unknownGroup.stderr).toContain('nope')
      expect((await other.run('start', 'master-2')).exitCode).toBe(0)

      const logs = await other.run('logs', 'master-1', '-n', '20')
      expect(logs.exitCode, logs.stderr).toBe(0)
      expect(logs.stdout).toContain('Ready to accept connections')
      const follow = other.spawn('logs', 'master-1', '-f', '-n', '1')
      try {
        let seen = ''
        follow.stdout?.on('data', (chunk: Buffer) => (seen += chunk.toString()))
        const client = new Redis({port, host: '127.0.0.1', lazyConnect: true})
        await client.connect()
        // Each SAVE logs "DB saved on disk"; repeat until the follower has printed one written after it started.
        const deadline = Date.now() + 20_000
        while (!seen.includes('DB saved on disk') && Date.now() < deadline) {
          await client.save()
          await new Promise((resolve) => setTimeout(resolve, 200))
        }
        client.disconnect()
        expect(seen).toContain('DB saved on disk')
      } finally {
        follow.kill('SIGTERM')
        await follow
      }
    } finally {
      await other.cleanup()
    }
  }, 60_000)

  it('runs replicas on the bundled engine, linked and replicating', async () => {
    const other = new CliSandbox()
    try {
      const port = await freePortRange(3)
      const up = await other.run('up', '--replicas', '2', '--sentinels', '0', '--port', String(port))
      expect(up.exitCode, up.stderr + up.stdout).toBe(0)
      const status = await other.json<TopologyStatus>('status')
      expect(status.healthy, status.verdict).toBe(true)
      for (const id of ['replica-1', 'replica-2']) {
        expect(status.nodes.find((n) => n.id === id)).toMatchObject({role: 'replica', link: 'up', master: `127.0.0.1:${port}`})
      }
      const master = new Redis({port, host: '127.0.0.1', lazyConnect: true})
      const replica = new Redis({port: port + 2, host: '127.0.0.1', lazyConnect: true})
      try {
        await master.connect()
        await replica.connect()
        await master.set('written-on-master', 'seen-on-replica')
        expect(await master.wait(2, 5000)).toBe(2)
        expect(await replica.get('written-on-master')).toBe('seen-on-replica')
        await expect(replica.set('x', '1')).rejects.toThrow(/READONLY/)
      } finally {
        master.disconnect()
        replica.disconnect()
      }
    } finally {
      await other.cleanup()
    }
  }, 60_000)
})
