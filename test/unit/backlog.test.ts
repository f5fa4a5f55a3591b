// The replication backlog ring buffer: offsets numbered from 1, wrap-around, covers() at both edges,
// readFrom() returning exactly the bytes from an offset to the newest, oversize appends and resize, all
// checked against a plain model (the whole stream kept in one Buffer).

import {describe, expect, it} from 'vitest'
import {ReplicationBacklog} from '../../src/server/replication/backlog.js'

const MIN = 16 * 1024

/** Deterministic bytes: byte i of the stream is a function of i, so any slice is recognisable. */
const bytes = (from: number, count: number): Buffer => Buffer.from(Array.from({length: count}, (_, i) => (from + i) * 7 % 251))

/** The model: every byte ever appended, numbered from `start`. */
class Model {
  stream = Buffer.alloc(0)
  constructor(readonly start: number) {}
  append(data: Buffer): void {
    this.stream = Buffer.concat([this.stream, data])
  }
  get next(): number {
    return this.start + this.stream.length
  }
  tail(offset: number): Buffer {
    return this.stream.subarray(offset - this.start)
  }
}

const expectMatches = (backlog: ReplicationBacklog, model: Model): void => {
  const held = Math.min(model.stream.length, backlog.size)
  expect(backlog.histlen).toBe(held)
  expect(backlog.firstByteOffset).toBe(model.next - held)
  expect(backlog.covers(model.next)).toBe(true)
  expect(backlog.covers(model.next + 1)).toBe(false)
  expect(backlog.covers(backlog.firstByteOffset)).toBe(true)
  expect(backlog.covers(backlog.firstByteOffset - 1)).toBe(false)
  for (const offset of [backlog.firstByteOffset, backlog.firstByteOffset + 1, model.next - 1, model.next, Math.floor((backlog.firstByteOffset + model.next) / 2)]) {
    if (!backlog.covers(offset)) continue
    expect(backlog.readFrom(offset).equals(model.tail(offset)), `readFrom(${offset})`).toBe(true)
  }
}

describe('ReplicationBacklog', () => {
  it('starts empty at the next offset, with at least 16 KiB', () => {
    const backlog = new ReplicationBacklog(100, 85)
    expect(backlog.size).toBe(MIN)
    expect(new ReplicationBacklog(1 << 20, 1).size).toBe(1 << 20)
    expect(backlog.histlen).toBe(0)
    expect(backlog.firstByteOffset).toBe(85)
    // Only the next byte is "covered": PSYNC at master_repl_offset + 1 continues with nothing.
    expect(backlog.covers(85)).toBe(true)
    expect(backlog.covers(84)).toBe(false)
    expect(backlog.covers(86)).toBe(false)
    expect(backlog.readFrom(85).length).toBe(0)
  })

  it('numbers bytes from the first offset and reads any suffix', () => {
    const backlog = new ReplicationBacklog(MIN, 1)
    backlog.append(Buffer.from('*1\r\n$4\r\nping\r\n'))
    expect(backlog.histlen).toBe(14)
    expect(backlog.firstByteOffset).toBe(1)
    expect(backlog.readFrom(1).toString()).toBe('*1\r\n$4\r\nping\r\n')
    expect(backlog.readFrom(5).toString()).toBe('$4\r\nping\r\n')
    expect(backlog.readFrom(14).toString()).toBe('\n')
    expect(backlog.readFrom(15).length).toBe(0)
    expect(backlog.covers(15)).toBe(true)
    expect(backlog.covers(16)).toBe(false)
    backlog.append(Buffer.alloc(0))
    expect(backlog.histlen).toBe(14)
  })

  it('wraps around: keeps the newest `size` bytes, the oldest offset moving forward', () => {
    const model = new Model(1)
    const backlog = new ReplicationBacklog(MIN, 1)
    for (const count of [10_000, 10_000, 5, MIN - 1, 1, 3, MIN, 777]) {
      const data = bytes(model.stream.length, count)
      backlog.append(data)
      model.append(data)
      expectMatches(backlog, model)
    }
    expect(backlog.histlen).toBe(MIN)
  })

  it('an append larger than the buffer keeps only its tail, also after a partial fill', () => {
    for (const prefill of [0, 100, MIN - 1, MIN]) {
      const model = new Model(1001)
      const backlog = new ReplicationBacklog(MIN, 1001)
      const first = bytes(0, prefill)
      backlog.append(first)
      model.append(first)
      const big = bytes(prefill, MIN * 2 + 17)
      backlog.append(big)
      model.append(big)
      expectMatches(backlog, model)
      expect(backlog.firstByteOffset).toBe(1001 + prefill + MIN + 17)
      expect(backlog.readFrom(backlog.firstByteOffset).equals(big.subarray(big.length - MIN))).toBe(true)
      // And it keeps working as a ring afterwards.
      const more = bytes(model.stream.length, 5000)
      backlog.append(more)
      model.append(more)
      expectMatches(backlog, model)
    }
  })

  it('many appends of assorted sizes agree with the model at every step', () => {
    let seed = 12345
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const model = new Model(1)
    const backlog = new ReplicationBacklog(MIN, 1)
    for (let i = 0; i < 300; i++) {
      const count = random(10) === 0 ? random(3 * MIN) : random(300)
      const data = bytes(model.stream.length, count)
      backlog.append(data)
      model.append(data)
      expectMatches(backlog, model)
    }
  })

  it('readFrom returns a copy, not a view of the ring', () => {
    const backlog = new ReplicationBacklog(MIN, 1)
    backlog.append(Buffer.from('abcdef'))
    const read = backlog.readFrom(1)
    read.fill(0x78)
    expect(backlog.readFrom(1).toString()).toBe('abcdef')
    // Also when the held bytes wrap around the end of the ring.
    backlog.append(bytes(0, MIN - 3))
    const wrapped = backlog.readFrom(backlog.firstByteOffset)
    const copy = Buffer.from(wrapped)
    wrapped.fill(0)
    expect(backlog.readFrom(backlog.firstByteOffset).equals(copy)).toBe(true)
  })

  it('resize keeps the newest bytes that fit, and the ring goes on from there', () => {
    const model = new Model(1)
    const backlog = new ReplicationBacklog(2 * MIN, 1)
    const data = bytes(0, 2 * MIN + 1000)
    backlog.append(data)
    model.append(data)
    expectMatches(backlog, model)

    backlog.resize(MIN, model.next)
    expect(backlog.size).toBe(MIN)
    expectMatches(backlog, model)
    expect(backlog.histlen).toBe(MIN)

    backlog.resize(4 * MIN, model.next)
    expect(backlog.size).toBe(4 * MIN)
    expect(backlog.histlen).toBe(MIN)
    expect(backlog.firstByteOffset).toBe(model.next - MIN)
    expect(backlog.readFrom(backlog.firstByteOffset).equals(model.tail(model.next - MIN))).toBe(true)
    for (const count of [3 * MIN, 100, MIN]) {
      const more = bytes(model.stream.length, count)
      backlog.append(more)
      model.append(more)
      expect(backlog.readFrom(model.next - Math.min(backlog.histlen, 5000)).equals(model.tail(model.next - Math.min(backlog.histlen, 5000)))).toBe(true)
    }
    expect(backlog.histlen).toBe(4 * MIN)
    expectMatches(backlog, model)

    // Below the minimum it stays at 16 KiB; an empty backlog stays empty at the same next offset.
    const empty = new ReplicationBacklog(MIN, 50)
    empty.resize(10, 50)
    expect(empty.size).toBe(MIN)
    expect(empty.histlen).toBe(0)
    expect(empty.firstByteOffset).toBe(50)
    expect(empty.covers(50)).toBe(true)
  })
})
