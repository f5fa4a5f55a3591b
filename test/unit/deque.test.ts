// Deque.insertAt, removeAt and findIndex against a plain array, with the ring wrapped at both ends and grown.

import {describe, expect, it} from 'vitest'
import {Deque} from '../../src/server/keyspace/deque.js'

/** A deque of `size` elements and the same as an array, filled from both ends so the ring wraps. */
function wrapped(size: number): [Deque<number>, number[]] {
  const deque = new Deque<number>()
  const model: number[] = []
  for (let i = 0; i < size; i++) {
    if (i % 2 === 0) {
      deque.unshift(i)
      model.unshift(i)
    } else {
      deque.push(i)
      model.push(i)
    }
  }
  return [deque, model]
}

describe('Deque', () => {
  it('insertAt and removeAt match Array.splice at every position, wrapped and growing', () => {
    for (let size = 0; size < 40; size++) {
      for (let at = 0; at <= size; at++) {
        const [deque, model] = wrapped(size)
        deque.insertAt(at, -1)
        model.splice(at, 0, -1)
        expect([...deque]).toEqual(model)
        expect(deque.findIndex((v) => v === -1)).toBe(at)
      }
    }
    for (let size = 1; size < 40; size++) {
      for (let at = 0; at < size; at++) {
        const [deque, model] = wrapped(size)
        deque.removeAt(at)
        model.splice(at, 1)
        expect([...deque]).toEqual(model)
        deque.push(99)
        deque.unshift(98)
        expect([...deque]).toEqual([98, ...model, 99])
      }
    }
    expect(new Deque<number>([1, 2]).findIndex((v) => v === 3)).toBe(-1)
    expect(() => new Deque<number>([1]).insertAt(3, 0)).toThrow(RangeError)
  })
})
