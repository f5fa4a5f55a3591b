// The audit's pure functions on hand-made samples: percentiles, unavailability windows, the client following
// the new master, series buckets and lost writes from a read-back.

import {describe, expect, it} from 'vitest'
import {clientFollowed, computeAudit, percentile, series, unavailability} from '../../src/lab/audit.js'
import type {FaultMark, WorkloadOptions, WriteSample} from '../../src/lab/types.js'

const ok = (key: string, sentMs: number, doneMs: number, port?: number): WriteSample => ({key, sentMs, doneMs, ok: true, value: `${key}@${sentMs}`, ...(port ? {port} : {})})
const failed = (key: string, sentMs: number, doneMs: number): WriteSample => ({key, sentMs, doneMs, ok: false, error: 'ECONNREFUSED'})
const options: WorkloadOptions = {group: 'g', clients: 1, rate: 100, mix: {set: 1, get: 0}, readFrom: 'master', client: 'ioredis', waitReplicas: 0, waitTimeoutMs: 1000, opTimeoutMs: 1000, keyPrefix: 'p:'}

describe('lab audit', () => {
  it('percentile is nearest-rank', () => {
    expect(percentile([], 0.99)).toBe(0)
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2)
    expect(percentile(Array.from({length: 100}, (_, i) => i + 1), 0.99)).toBe(99)
    expect(percentile([5], 0.99)).toBe(5)
  })

  it('unavailability: from the first failed write to the ack of the first write sent after it; the longest window wins', () => {
    const writes = [ok('a', 0, 1), failed('b', 10, 11), failed('c', 20, 21), ok('d', 30, 32), failed('e', 40, 41), ok('f', 100, 150)]
    expect(unavailability(writes, 500, 200)).toEqual({fromMs: 40, toMs: 150, durationMs: 110})
    expect(unavailability([ok('a', 0, 1), ok('b', 2, 3)], 500, 10)).toBeNull()
    // The window closes at the earliest acknowledgement of a later write, whichever client sent it.
    expect(unavailability([failed('x', 10, 11), ok('slow', 20, 100), ok('fast', 30, 50)], 500, 200)).toEqual({fromMs: 10, toMs: 50, durationMs: 40})
  })

  it('unavailability: a stalled write opens a window, one still open at the end closes there', () => {
    expect(unavailability([ok('a', 0, 1), ok('slow', 10, 900), ok('b', 20, 905)], 500, 1000)).toEqual({fromMs: 10, toMs: 905, durationMs: 895})
    expect(unavailability([ok('a', 0, 1), {key: 'hang', sentMs: 100, ok: false}], 500, 1000)).toEqual({fromMs: 100, toMs: 1000, durationMs: 900})
    // In flight but younger than the stall threshold at the end: no window.
    expect(unavailability([ok('a', 0, 1), {key: 'young', sentMs: 900, ok: false}], 500, 1000)).toBeNull()
  })

  it('clientFollowed counts from the fault to the first ack on the new master', () => {
    const fault: FaultMark = {kind: 'kill', node: 'master-1', port: 1, atMs: 100}
    const writes = [ok('a', 50, 51, 1), ok('late-old', 101, 102, 1), ok('b', 300, 310, 2), ok('c', 290, 305, 2)]
    expect(clientFollowed(writes, fault, 2)).toBe(205)
    expect(clientFollowed(writes, fault, undefined)).toBe(2)
    expect(clientFollowed(writes, undefined, 2)).toBeUndefined()
  })

  it('series buckets writes by completion time', () => {
    const buckets = series([ok('a', 0, 50), ok('b', 60, 150), failed('c', 100, 120), {key: 'd', sentMs: 190, ok: false}], [], 100, 200)
    expect(buckets.map((b) => [b.tMs, b.writesOk, b.writesFailed, b.maxMs])).toEqual([[0, 1, 0, 50], [100, 1, 1, 90]])
  })

  it('computeAudit counts lost writes from the read-back, with phases around the fault', () => {
    const writes = [ok('p:a', 0, 2), ok('p:b', 10, 13), failed('p:c', 20, 25), ok('p:d', 30, 34), {key: 'p:e', sentMs: 40, ok: false}]
    const readBack = new Map<string, string | null>([['p:a', 'p:a@0'], ['p:b', null], ['p:d', 'other']])
    const fault: FaultMark = {kind: 'kill', node: 'master-1', port: 1, atMs: 15, recoveredMs: 28}
    const audit = computeAudit({startedAt: 1, durationMs: 50, options, writes, reads: [], readBack, fault})
    expect(audit.writes).toEqual({attempted: 5, acknowledged: 3, failed: 1, lost: 2, inFlight: 1})
    expect(audit.lostWrites).toEqual([{key: 'p:b', sentMs: 10, ackMs: 13}, {key: 'p:d', sentMs: 30, ackMs: 34}])
    expect(audit.readBack).toMatchObject({checked: 3, missing: 1, different: 1})
    expect(audit.latency.before).toMatchObject({count: 2, maxMs: 3})
    expect(audit.latency.during).toBeUndefined()
    expect(audit.latency.after).toMatchObject({count: 1, maxMs: 4})
    expect(audit.clientFollowedMs).toBe(19)
    expect(audit.keyPrefix).toBe('p:')
  })
})
