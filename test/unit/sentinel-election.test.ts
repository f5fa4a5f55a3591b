// Sentinel leader election without processes (sentinel/election.ts, failover.ts leaderFor): one vote per
// epoch, first come first served; a higher epoch raises ours; a vote for another sentinel delays our own
// attempts; the leader needs a majority and the quorum.

import {describe, expect, it} from 'vitest'
import type {SentinelClock} from '../../src/sentinel/clock.js'
import {voteLeader, type ElectionHost} from '../../src/sentinel/election.js'
import {Failover, type FailoverHost} from '../../src/sentinel/failover.js'
import {Instance, MasterInstance} from '../../src/sentinel/instance.js'

const T0 = 1_700_000_000_000
const ME = 'a'.repeat(40)
const OTHER = 'b'.repeat(40)
const THIRD = 'c'.repeat(40)

const clock: SentinelClock = {now: () => T0, setTimeout: () => 0, clearTimeout: () => undefined}

function host(currentEpoch = 0): ElectionHost & {events: string[]; flushes: number} {
  const h = {
    myid: ME, currentEpoch, clock, events: [] as string[], flushes: 0,
    logger: {warning: () => undefined},
    event: (_level: string, type: string, _instance: unknown, text: string) => void h.events.push(`${type} ${text}`),
    flush: () => {
      h.flushes++
      return true
    },
  }
  return h
}

describe('voteLeader', () => {
  it('gives one vote per epoch: the first candidate wins it, later ones get the same answer', () => {
    const h = host(0)
    const master = new MasterInstance('mymaster', '127.0.0.1', 6379, 2, T0)
    expect(voteLeader(h, master, 1, OTHER)).toEqual({leader: OTHER, epoch: 1})
    expect(voteLeader(h, master, 1, THIRD)).toEqual({leader: OTHER, epoch: 1})
    expect(voteLeader(h, master, 1, ME)).toEqual({leader: OTHER, epoch: 1})
    expect(h.events).toEqual(['+new-epoch 1', `+vote-for-leader ${OTHER} 1`])
    expect(voteLeader(h, master, 2, THIRD)).toEqual({leader: THIRD, epoch: 2})
    expect(h.currentEpoch).toBe(2)
  })

  it('refuses to vote in an epoch older than ours, answering with the last vote', () => {
    const h = host(5)
    const master = new MasterInstance('mymaster', '127.0.0.1', 6379, 2, T0)
    expect(voteLeader(h, master, 4, OTHER)).toEqual({leader: undefined, epoch: 0})
    expect(h.events).toEqual([])
    expect(voteLeader(h, master, 5, OTHER)).toEqual({leader: OTHER, epoch: 5})
    expect(h.events).toEqual([`+vote-for-leader ${OTHER} 5`])
  })

  it('holds our own failover back after voting for another sentinel, not after voting for ourselves', () => {
    const h = host(0)
    const master = new MasterInstance('mymaster', '127.0.0.1', 6379, 2, T0)
    master.failoverStartMs = 0
    voteLeader(h, master, 1, ME)
    expect(master.failoverStartMs).toBe(0)
    voteLeader(h, master, 2, OTHER.toUpperCase())
    expect(master.failoverStartMs).toBeGreaterThanOrEqual(T0)
    expect(master.failoverStartMs).toBeLessThan(T0 + 1000)
  })
})

describe('leaderFor', () => {
  function setup(peerVotes: (string | undefined)[], quorum: number): {failover: Failover; master: MasterInstance; h: FailoverHost} {
    const h = host(1) as unknown as FailoverHost
    Object.assign(h, {voteLeader: (m: MasterInstance, e: number, c: string) => voteLeader(h as unknown as ElectionHost, m, e, c)})
    const master = new MasterInstance('mymaster', '127.0.0.1', 6379, quorum, T0)
    peerVotes.forEach((vote, i) => {
      const peer = new Instance('sentinel', `peer${i}`, '127.0.0.1', 26000 + i, master, T0)
      peer.leader = vote
      peer.leaderEpoch = 1
      master.sentinels.set(`peer${i}`, peer)
    })
    return {failover: new Failover(h), master, h}
  }

  it('elects the candidate with a majority of all sentinels and at least the quorum, counting our vote', () => {
    const {failover, master} = setup([OTHER, OTHER, undefined, undefined], 2)
    expect(failover.leaderFor(master, 1)).toBe(OTHER)
    expect(master.votedLeader).toBe(OTHER)
  })

  it('elects nobody without a majority', () => {
    const {failover, master} = setup([OTHER, THIRD, undefined, undefined], 2)
    expect(failover.leaderFor(master, 1)).toBeUndefined()
  })

  it('votes for ourselves when no peer has voted, and wins only when that alone is a majority and the quorum', () => {
    const alone = setup([], 1)
    expect(alone.failover.leaderFor(alone.master, 1)).toBe(ME)
    const withPeers = setup([undefined, undefined], 1)
    expect(withPeers.failover.leaderFor(withPeers.master, 1)).toBeUndefined()
    expect(withPeers.master.votedLeader).toBe(ME)
  })
})
