// `rtopo up --fast` end to end, as a scenario the cli-fast-*.test.ts files run per setup: the profile reaches
// every node (SENTINEL DEBUG on each sentinel, repl-diskless-sync-delay 0 on each server, the shorter
// down-after and failover-timeout), a killed master fails over and the restarted old master rejoins, and a
// restarted sentinel gets the timings again (SENTINEL DEBUG is not in its config file). No wall-clock time is
// asserted: the timings themselves are measured by bench/failover.js.

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Redis} from 'ioredis'
import {CliSandbox} from '../helpers/cli.js'
import {freePortRange} from '../helpers/ports.js'
import {FAST_SENTINEL_DEBUG} from '../../src/topology/fast-profile.js'
import type {TopologyStatus} from '../../src/topology/inspect-all.js'
import type {KillResult} from '../../src/cli/commands/kill.js'

async function ask<T>(port: number, ...args: string[]): Promise<T> {
  const c = new Redis({port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null})
  c.on('error', () => {})
  await c.connect()
  try {
    return (await c.call(args[0] as string, ...args.slice(1))) as T
  } finally {
    c.disconnect()
  }
}

/** SENTINEL DEBUG without arguments: every timing by name (upper case in both engines), as numbers. */
async function sentinelTimings(port: number): Promise<Record<string, number>> {
  const flat = await ask<string[]>(port, 'SENTINEL', 'DEBUG')
  const out: Record<string, number> = {}
  for (let i = 0; i < flat.length; i += 2) out[String(flat[i]).toLowerCase()] = Number(flat[i + 1])
  return out
}

const expectFastTimings = (timings: Record<string, number>) => {
  for (const [name, value] of Object.entries(FAST_SENTINEL_DEBUG)) expect(timings[name], name).toBe(value)
}

export function describeFast([label, engineArgs, skipReason]: readonly [string, readonly string[], string | undefined]): void {
  describe.skipIf(skipReason !== undefined)(`up --fast on ${label}${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
    const sandbox = new CliSandbox()
    let port = 0
    let sentinelPort = 0
    const servers = () => [port, port + 1, port + 2]
    const sentinels = () => [sentinelPort, sentinelPort + 1, sentinelPort + 2]

    beforeAll(async () => {
      port = await freePortRange(3)
      sentinelPort = await freePortRange(3)
      const up = await sandbox.run('up', ...engineArgs, '--fast', '--port', String(port), '--sentinel-port', String(sentinelPort))
      expect(up.exitCode, up.stderr).toBe(0)
      expect(up.stdout).toContain('with the --fast timings')
    }, 120_000)
    afterAll(() => sandbox.cleanup(), 60_000)

    it('every sentinel runs the profile\'s SENTINEL DEBUG timings and down-after 200, every server repl-diskless-sync-delay 0', async () => {
      for (const p of sentinels()) {
        expectFastTimings(await sentinelTimings(p))
        const master = await ask<string[]>(p, 'SENTINEL', 'MASTER', 'mymaster')
        const field = (name: string) => master[master.indexOf(name) + 1]
        expect(field('down-after-milliseconds')).toBe('200')
        expect(field('failover-timeout')).toBe('5000')
      }
      for (const p of servers()) expect(await ask<string[]>(p, 'CONFIG', 'GET', 'repl-diskless-sync-delay')).toEqual(['repl-diskless-sync-delay', '0'])
      const status = await sandbox.run('status')
      expect(status.stdout).toContain('--fast timings · healthy')
    }, 60_000)

    it('a killed master fails over, and the restarted old master rejoins as a replica', async () => {
      const killed = await sandbox.json<KillResult>('kill', 'master')
      const events = killed.failover?.events.map((e) => e.event) ?? []
      for (const e of ['+sdown', '+odown', '+switch-master']) expect(events).toContain(e)
      const newMaster = killed.failover?.newMaster?.port as number
      expect([port + 1, port + 2]).toContain(newMaster)
      expect(await ask(newMaster, 'SET', 'after-fast-failover', '1')).toBe('OK')
      const start = await sandbox.run('start', 'master-1')
      expect(start.exitCode, start.stderr).toBe(0)
      const info = await ask<string>(port, 'INFO', 'replication')
      expect(info).toContain(`master_port:${newMaster}`)
      expect(info).toContain('master_link_status:up')
      expect((await sandbox.json<TopologyStatus>('status')).healthy).toBe(true)
    }, 120_000)

    it('a restarted sentinel gets the timings again', async () => {
      const stop = await sandbox.run('stop', 'sentinel-2')
      expect(stop.exitCode, stop.stderr).toBe(0)
      const start = await sandbox.run('start', 'sentinel-2')
      expect(start.exitCode, start.stderr).toBe(0)
      expectFastTimings(await sentinelTimings(sentinelPort + 1))
    }, 60_000)
  })
}
