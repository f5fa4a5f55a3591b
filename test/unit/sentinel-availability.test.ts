// Sentinel availability judgement without processes (sentinel/availability.ts, sentinel/sentinel.ts): SDOWN
// after down-after-milliseconds and ODOWN by quorum on a test clock, and TILT entered on a clock jump and
// left after the tilt period, through the sentinel's own tick driven by an injected clock and timers.

import {describe, expect, it} from 'vitest'
import type {Server} from '../../src/server/server.js'
import {checkObjectivelyDown, checkSubjectivelyDown, Tilt} from '../../src/sentinel/availability.js'
import type {SentinelClock} from '../../src/sentinel/clock.js'
import type {EventSink} from '../../src/sentinel/events.js'
import {Instance, MasterInstance} from '../../src/sentinel/instance.js'
import {Sentinel} from '../../src/sentinel/sentinel.js'
import type {SentinelSettings} from '../../src/sentinel/settings.js'
import {TIMINGS} from '../../src/sentinel/timings.js'

const T0 = 1_700_000_000_000

/** A manual clock: time moves only when the test says, and due timers fire then. */
class TestClock implements SentinelClock {
  private timers: {at: number; callback: () => void; id: number}[] = []
  private nextId = 1
  constructor(public ms = T0) {}
  now(): number {
    return this.ms
  }
  setTimeout(callback: () => void, ms: number): number {
    const id = this.nextId++
    this.timers.push({at: this.ms + ms, callback, id})
    return id
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle)
  }
  /** Moves time on by `ms`, firing each due timer at its own time (a jump fires them after the jump). */
  advance(ms: number, jump = false): void {
    const end = this.ms + ms
    if (jump) this.ms = end
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0]
      if (due === undefined) break
      this.timers = this.timers.filter((t) => t !== due)
      this.ms = Math.max(this.ms, due.at)
      due.callback()
    }
    this.ms = end
  }
}

function recorder(): {events: string[]; sink: EventSink} {
  const events: string[] = []
  return {events, sink: (_level, type, instance, text) => events.push(`${type}${instance === undefined ? '' : ` ${instance.name}`}${text === '' ? '' : ` ${text}`}`)}
}

describe('SDOWN', () => {
  it('is declared once the PING has gone unanswered for longer than down-after-milliseconds, and cleared on a reply', () => {
    const clock = new TestClock()
    const {events, sink} = recorder()
    const master = new MasterInstance('mymaster', '127.0.0.1', 6379, 2, clock.now())
    master.downAfterMs = 5000
    master.flags.delete('disconnected')
    master.actPingMs = clock.now()
    clock.advance(5000)
    checkSubjectivelyDown(master, clock.now(), sink)
    expect(master.flags.has('s_down')).toBe(false)
    clock.advance(1)
    checkSubjectivelyDown(master, clock.now(), sink)
    expect(master.flags.has('s_down')).toBe(true)
    expect(master.sdownSinceMs).toBe(T0 + 5001)
    checkSubjectivelyDown(master, clock.now() + 1000, sink)
    expect(events).toEqual(['+sdown mymaster'])
    master.actPingMs = 0
    master.lastAvailMs = clock.now()
    checkSubjectivelyDown(master, clock.now(), sink)
    expect(master.flags.has('s_down')).toBe(false)
    expect(events).toEqual(['+sdown mymaster', '-sdown mymaster'])
  })

  it('uses the master\'s down-after for its replicas, and counts a lost link from the last availability', () => {
    const clock = new TestClock()
    const {events, sink} = recorder()
    const master = new MasterInstance('mymaster', '127.0.0.1', 6379, 2, clock.now())
    master.downAfterMs = 1000
    const replica = new Instance('slave', '127.0.0.1:6380', '127.0.0.1', 6380, master, clock.now())
    replica.actPingMs = 0
    clock.advance(1000)
    checkSubjectivelyDown(replica, clock.now(), sink)
    expect(events).toEqual([])
    clock.advance(1)
    checkSubjectivelyDown(replica, clock.now(), sink)
    expect(events).toEqual(['+sdown 127.0.0.1:6380'])
  })
})

describe('ODOWN', () => {
  function downMaster(quorum: number): MasterInstance {
    const master = new MasterInstance('mymaster', '127.0.0.1', 6379, quorum, T0)
    master.flags.add('s_down')
    for (const id of ['a', 'b', 'c']) master.sentinels.set(id, new Instance('sentinel', id, '127.0.0.1', 26000, master, T0))
    return master
  }

  it('needs the quorum of sentinels (ourselves included) saying the master is down', () => {
    const {events, sink} = recorder()
    const master = downMaster(3)
    master.sentinels.get('a')?.flags.add('master_down')
    checkObjectivelyDown(master, T0, sink)
    expect(master.flags.has('o_down')).toBe(false)
    master.sentinels.get('b')?.flags.add('master_down')
    checkObjectivelyDown(master, T0 + 10, sink)
    expect(master.flags.has('o_down')).toBe(true)
    expect(master.odownSinceMs).toBe(T0 + 10)
    expect(events).toEqual(['+odown mymaster #quorum 3/3'])
  })

  it('is never reached without our own SDOWN, and is cleared when the votes go', () => {
    const {events, sink} = recorder()
    const master = downMaster(2)
    for (const peer of master.sentinels.values()) peer.flags.add('master_down')
    master.flags.delete('s_down')
    checkObjectivelyDown(master, T0, sink)
    expect(events).toEqual([])
    master.flags.add('s_down')
    checkObjectivelyDown(master, T0, sink)
    expect(events).toEqual(['+odown mymaster #quorum 4/2'])
    for (const peer of master.sentinels.values()) peer.flags.delete('master_down')
    checkObjectivelyDown(master, T0, sink)
    expect(master.flags.has('o_down')).toBe(false)
    expect(events).toEqual(['+odown mymaster #quorum 4/2', '-odown mymaster'])
  })
})

describe('TILT', () => {
  it('is entered when the time between ticks exceeds the tilt trigger or goes backwards', () => {
    const {events, sink} = recorder()
    const tilt = new Tilt(T0)
    tilt.tick(T0 + 100, sink)
    tilt.tick(T0 + 100 + TIMINGS['tilt-trigger'], sink)
    expect(tilt.active).toBe(false)
    tilt.tick(T0 + 100 + TIMINGS['tilt-trigger'] * 2 + 1, sink)
    expect(tilt.active).toBe(true)
    expect(events).toEqual(['+tilt #tilt mode entered'])
    const again = new Tilt(T0)
    again.tick(T0 - 1, sink)
    expect(again.active).toBe(true)
  })

  it('drives the sentinel: a clock jump enters TILT, the tilt period of regular ticks leaves it', () => {
    const clock = new TestClock()
    const published: string[] = []
    const logged: string[] = []
    const log = (line: string) => logged.push(line)
    const server = {
      logger: {warning: log, notice: log, verbose: log, debug: log},
      pubsub: {publish: (channel: Buffer, message: Buffer) => published.push(`${channel.toString()} ${message.toString()}`)},
      config: {configFile: '', port: () => 26379, requirepass: () => '', get: () => undefined, rewriteLines: () => new Map()},
    } as unknown as Server
    const settings = {
      myid: 'f'.repeat(40), currentEpoch: 0, masters: new Map(), knownReplicas: [], knownSentinels: [],
      announceIp: '', announcePort: 0, denyScriptsReconfig: true, resolveHostnames: false, announceHostnames: false,
      sentinelUser: undefined, sentinelPass: undefined,
    } as unknown as SentinelSettings
    const sentinel = new Sentinel(server, settings, clock)
    sentinel.start()
    clock.advance(5000)
    expect(sentinel.inTilt).toBe(false)
    clock.advance(TIMINGS['tilt-trigger'] + 1000, true)
    expect(sentinel.inTilt).toBe(true)
    const since = sentinel.tiltSinceMs
    expect(since).toBeGreaterThanOrEqual(T0 + 5000 + TIMINGS['tilt-trigger'] + 1000)
    expect(published).toEqual(['+tilt #tilt mode entered'])
    expect(logged).toContain('+tilt #tilt mode entered')
    clock.advance(TIMINGS['tilt-period'] - 500)
    expect(sentinel.inTilt).toBe(true)
    clock.advance(1000)
    expect(sentinel.inTilt).toBe(false)
    expect(sentinel.tiltSinceMs).toBe(-1)
    expect(published).toEqual(['+tilt #tilt mode entered', '-tilt #tilt mode exited'])
    sentinel.stop()
  })
})
