import {describe, expect, it} from 'vitest'
import {Deque} from '../../src/server/keyspace/deque.js'
import {SortedSet} from '../../src/server/keyspace/sorted-set.js'

describe('Deque', () => {
  it('pushes and pops at both ends across growth', () => {
    const d = new Deque<number>()
    for (let i = 0; i < 100; i++) d.unshift(i)
    for (let i = 0; i < 100; i++) d.push(1000 + i)
    expect(d.length).toBe(200)
    expect(d.at(0)).toBe(99)
    expect(d.at(199)).toBe(1099)
    expect(d.shift()).toBe(99)
    expect(d.pop()).toBe(1099)
    expect(d.slice(97, 100)).toEqual([1, 0, 1000])
    d.replaceAll([3, 2, 1])
    expect([...d]).toEqual([3, 2, 1])
  })
})

describe('SortedSet', () => {
  it('orders by score, then by member bytes, and updates scores', () => {
    const z = new SortedSet()
    expect(z.add('b', 1)).toBe(true)
    expect(z.add('a', 1)).toBe(true)
    expect(z.add('c', 0.5)).toBe(true)
    expect(z.add('c', 2)).toBe(false)
    expect([...z].map((e) => e.member)).toEqual(['a', 'b', 'c'])
    expect(z.rank('c')).toBe(2)
    expect(z.firstIndexByScore(1, true)).toBe(2)
    expect(z.delete('a')).toBe(true)
    expect(z.size).toBe(2)
    expect(z.rank('b')).toBe(0)
  })
})
