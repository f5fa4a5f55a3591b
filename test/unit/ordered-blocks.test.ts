// OrderedBlocks against a plain sorted array: random inserts and removals (enough to split and empty blocks),
// checked after each batch for order, positions, lower bounds, slices and walks in both directions.

import {describe, expect, it} from 'vitest'
import {OrderedBlocks} from '../../src/server/keyspace/ordered-blocks.js'
import {prng} from '../helpers/prng.js'

const below = (v: number) => (e: number): boolean => e < v

describe('OrderedBlocks', () => {
  it('matches a sorted array through random inserts and removals', () => {
    const random = prng(7)
    const blocks = new OrderedBlocks<number>()
    const model: number[] = []
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 500; i++) {
        if (model.length > 0 && random() < (round % 10 < 6 ? 0.3 : 0.8)) {
          const victim = model[Math.floor(random() * model.length)] as number
          blocks.removeFirstNotBefore(below(victim))
          model.splice(model.indexOf(victim), 1)
        } else {
          const value = Math.floor(random() * 5000)
          blocks.insert(value, below(value))
          model.splice(model.filter((m) => m < value).length, 0, value)
        }
      }
      expect(blocks.length).toBe(model.length)
      expect([...blocks]).toEqual(model)
      expect([...blocks.reversed()]).toEqual([...model].reverse())
      for (let k = 0; k < 20; k++) {
        const probe = Math.floor(random() * 5200)
        expect(blocks.countBefore(below(probe))).toBe(model.filter((m) => m < probe).length)
        const at = Math.floor(random() * (model.length + 2)) - 1
        expect(blocks.at(at)).toBe(model[at])
        const start = Math.floor(random() * (model.length + 1))
        const end = start + Math.floor(random() * 700)
        expect(blocks.slice(start, end)).toEqual(model.slice(start, end))
        expect([...blocks.walkFrom(at, 1)]).toEqual(at < 0 || at >= model.length ? [] : model.slice(at))
        expect([...blocks.walkFrom(at, -1)]).toEqual(at < 0 || at >= model.length ? [] : model.slice(0, at + 1).reverse())
      }
    }
  })

  it('fromSorted keeps the order and splits into blocks that take further inserts', () => {
    const sorted = Array.from({length: 3000}, (_, i) => i * 2)
    const blocks = OrderedBlocks.fromSorted(sorted)
    blocks.insert(1001, below(1001))
    blocks.removeFirstNotBefore(below(0))
    expect([...blocks]).toEqual([...sorted.slice(1, 501), 1001, ...sorted.slice(501)])
    expect(new OrderedBlocks<number>().at(0)).toBeUndefined()
    expect([...OrderedBlocks.fromSorted<number>([]).walkFrom(0, 1)]).toEqual([])
  })
})
