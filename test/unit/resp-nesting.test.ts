// Nesting without recursion: the encoder and the reply parser walk any depth with an explicit stack, and give
// the same bytes and values as for shallow input; splitArgs follows sdssplitargs's two notions of space.

import {describe, expect, it} from 'vitest'
import {encodeReply, ReplyWriter} from '../../src/resp/encoder.js'
import {ReplyParser, type RespValue} from '../../src/resp/reply-parser.js'
import * as R from '../../src/resp/reply.js'
import {splitArgs} from '../../src/resp/split-args.js'

const DEEP = 200_000

function deepReply(depth: number, wrap: (inner: R.Reply, level: number) => R.Reply, leaf: R.Reply = R.int(1)): R.Reply {
  let reply = leaf
  for (let i = 0; i < depth; i++) reply = wrap(reply, i)
  return reply
}

describe('encoder nesting', () => {
  it('encodes a reply nested far deeper than any call stack, in both protocols', () => {
    const reply = deepReply(DEEP, (inner) => R.array([inner]))
    expect(encodeReply(reply, 2).toString('latin1')).toBe(`${'*1\r\n'.repeat(DEEP)}:1\r\n`)
    const mixed = deepReply(DEEP, (inner, i) => (i % 4 === 0 ? R.map([[R.bulk('k'), inner]]) : i % 4 === 1 ? R.set([inner]) : i % 4 === 2 ? R.push([inner, R.NIL]) : R.array([R.int(i), inner])))
    const bytes3 = encodeReply(mixed, 3)
    const bytes2 = encodeReply(mixed, 2)
    expect(bytes3.length).toBeGreaterThan(DEEP * 4)
    expect(bytes2.length).toBeGreaterThan(DEEP * 4)
    // The parser (iterative too) reads them back as one value with nothing left over.
    for (const bytes of [bytes2, bytes3]) {
      const parser = new ReplyParser()
      parser.feed(bytes)
      expect(parser.next()?.raw.length).toBe(bytes.length)
      expect(parser.bufferedBytes).toBe(0)
    }
  })

  it('writes nested and flat aggregates as the RESP shapes of each kind, children in order', () => {
    const reply = R.array([
      R.bulk('a'),
      R.map([[R.bulk('k'), R.array([R.int(1), R.set([R.bulk('s')])])], [R.array([]), R.map([])]]),
      R.push([R.simple('OK'), R.error('ERR x')]),
      R.NIL,
      R.array([R.array([R.array([R.double(1.5)])])]),
      R.int(7),
    ])
    expect(encodeReply(reply, 2).toString('latin1')).toBe(
      '*6\r\n$1\r\na\r\n*4\r\n$1\r\nk\r\n*2\r\n:1\r\n*1\r\n$1\r\ns\r\n*0\r\n*0\r\n*2\r\n+OK\r\n-ERR x\r\n$-1\r\n*1\r\n*1\r\n*1\r\n$3\r\n1.5\r\n:7\r\n',
    )
    expect(encodeReply(reply, 3).toString('latin1')).toBe(
      '*6\r\n$1\r\na\r\n%2\r\n$1\r\nk\r\n*2\r\n:1\r\n~1\r\n$1\r\ns\r\n*0\r\n%0\r\n>2\r\n+OK\r\n-ERR x\r\n_\r\n*1\r\n*1\r\n*1\r\n,1.5\r\n:7\r\n',
    )
  })

  it('one writer encodes deep and flat replies one after the other (its stack is reused)', () => {
    const writer = new ReplyWriter(16)
    writer.write(deepReply(1000, (inner) => R.array([inner, R.bulk('x')])), 2)
    writer.write(R.array([R.int(1), R.int(2)]), 2)
    writer.write(R.OK, 2)
    const text = writer.take().toString('latin1')
    expect(text.endsWith(':1\r\n' + '$1\r\nx\r\n'.repeat(1000) + '*2\r\n:1\r\n:2\r\n+OK\r\n')).toBe(true)
  })
})

describe('reply parser nesting', () => {
  it('parses input nested far deeper than any call stack, split anywhere', () => {
    const bytes = Buffer.from(`${'*1\r\n'.repeat(DEEP)}$1\r\nz\r\n+after\r\n`)
    const parser = new ReplyParser()
    parser.feed(bytes.subarray(0, bytes.length - 12))
    expect(parser.next()).toBeUndefined()
    parser.feed(bytes.subarray(bytes.length - 12))
    let value = parser.next()?.value as RespValue
    let depth = 0
    while (value.type === 'array' && value.value?.length === 1) {
      value = value.value[0] as RespValue
      depth++
    }
    expect(depth).toBe(DEEP)
    expect(value).toEqual({type: 'bulk', value: Buffer.from('z')})
    expect(parser.next()?.value).toEqual({type: 'simple', value: 'after'})
  })

  it('keeps the shapes of maps, sets, pushes, empty and null aggregates', () => {
    const parser = new ReplyParser()
    parser.feed(Buffer.from('%2\r\n+a\r\n*0\r\n~1\r\n:1\r\n>1\r\n_\r\n*-1\r\n%0\r\n*2\r\n*1\r\n:5\r\n#t\r\n'))
    expect(parser.next()?.value).toEqual({type: 'map', value: [[{type: 'simple', value: 'a'}, {type: 'array', value: []}], [{type: 'set', value: [{type: 'int', value: 1n}]}, {type: 'push', value: [{type: 'null'}]}]]})
    expect(parser.next()?.value).toEqual({type: 'array', value: null})
    expect(parser.next()?.value).toEqual({type: 'map', value: []})
    expect(parser.next()?.value).toEqual({type: 'array', value: [{type: 'array', value: [{type: 'int', value: 5n}]}, {type: 'bool', value: true}]})
    expect(parser.next()).toBeUndefined()
  })
})

describe('splitArgs (sdssplitargs)', () => {
  const split = (line: string) => splitArgs(Buffer.from(line, 'latin1'))?.map((b) => b.toString('latin1'))

  it('skips every isspace() byte between words but ends an unquoted word only at space, \\t, \\r, \\n', () => {
    expect(split('a\vb')).toEqual(['a\vb'])
    expect(split('a\fb c')).toEqual(['a\fb', 'c'])
    expect(split('\v\f a \v b\f')).toEqual(['a', 'b\f'])
    expect(split('a\tb\rc\nd e')).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(split('  \t ')).toEqual([])
  })

  it('a closing quote must be followed by an isspace() byte (\\v and \\f count) or the end', () => {
    expect(split('"a"\vb')).toEqual(['a', 'b'])
    expect(split("'a'\fb")).toEqual(['a', 'b'])
    expect(split('"a"b')).toBeUndefined()
    expect(split("'a'b")).toBeUndefined()
    expect(split('"a"\u0001')).toBeUndefined()
    expect(split('x"a b"')).toEqual(['xa b'])
    expect(split('"abc')).toBeUndefined()
    expect(split('"\\x41\\x4" \'\\\'\'')).toEqual(['Ax4', "'"])
  })

  it('stops at a NUL byte as C does: the rest of the line is not read', () => {
    expect(split('a\u0000b c')).toEqual(['a'])
    expect(split('a \u0000"')).toEqual(['a'])
    expect(split('"a\u0000"')).toBeUndefined()
    expect(split('"a"\u0000b')).toEqual(['a'])
  })
})
