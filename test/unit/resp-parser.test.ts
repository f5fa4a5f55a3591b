import {describe, expect, it} from 'vitest'
import {ProtocolError} from '../../src/resp/errors.js'
import {RequestParser} from '../../src/resp/parser.js'

const parseAll = (input: Buffer, splits: number[] = []): string[][] => {
  const parser = new RequestParser({maxBulkLength: 512 * 1024 * 1024})
  const out: string[][] = []
  let last = 0
  for (const cut of [...splits, input.length]) {
    parser.feed(input.subarray(last, cut))
    last = cut
    for (let r = parser.next(); r !== undefined; r = parser.next()) out.push(r.args.map((a) => a.toString('latin1')))
  }
  return out
}

const errorOf = (input: string, limits = {}): string => {
  const parser = new RequestParser(limits)
  parser.feed(Buffer.from(input, 'latin1'))
  try {
    while (parser.next() !== undefined) {
      /* drain */
    }
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError)
    return (e as Error).message
  }
  return 'no error'
}

describe('RequestParser', () => {
  const pipeline = Buffer.from('*3\r\n$3\r\nSET\r\n$3\r\nk\x00y\r\n$0\r\n\r\nPING\r\n*-1\r\n\r\n*1\r\n$4\r\nPINGxxGET "a b" \'c\\\'d\' "\\x41\\n"\n', 'latin1')
  const expected = [['SET', 'k\x00y', ''], ['PING'], ['PING'], ['GET', 'a b', "c'd", 'A\n']]

  it('parses a mixed multibulk/inline pipeline in one chunk', () => {
    expect(parseAll(pipeline)).toEqual(expected)
  })

  it('gives the same commands when the input is split at every byte offset', () => {
    for (let cut = 1; cut < pipeline.length; cut++) expect(parseAll(pipeline, [cut])).toEqual(expected)
  })

  it('gives the same commands when fed one byte at a time', () => {
    expect(parseAll(pipeline, Array.from({length: pipeline.length - 1}, (_, i) => i + 1))).toEqual(expected)
  })

  it('assembles a large bulk delivered in many chunks', () => {
    const value = Buffer.alloc(300_000, 0x61)
    const input = Buffer.concat([Buffer.from(`*2\r\n$3\r\nGET\r\n$${value.length}\r\n`), value, Buffer.from('\r\n')])
    const cuts = Array.from({length: 40}, (_, i) => (i + 1) * 7000)
    const result = parseAll(input, cuts)
    expect(result).toHaveLength(1)
    expect(result[0]?.[1]?.length).toBe(300_000)
  })

  it('reports Redis protocol errors', () => {
    expect(errorOf('*3\nPING\r\n')).toBe('invalid multibulk length')
    expect(errorOf('*abc\r\n')).toBe('invalid multibulk length')
    expect(errorOf('*2147483648\r\n')).toBe('invalid multibulk length')
    expect(errorOf('*1\r\n+PING\r\n')).toBe("expected '$', got '+'")
    expect(errorOf('*1\r\n$-1\r\n')).toBe('invalid bulk length')
    expect(errorOf('*1\r\n$10\r\n', {maxBulkLength: 5})).toBe('invalid bulk length')
    expect(errorOf('SET "a b\r\n')).toBe('unbalanced quotes in request')
    expect(errorOf('PING "a"b\r\n')).toBe('unbalanced quotes in request')
    expect(errorOf('x'.repeat(70_000))).toBe('too big inline request')
    expect(errorOf(`*${'1'.repeat(70_000)}`)).toBe('too big mbulk count string')
    expect(errorOf('*11\r\n', {isAuthenticated: () => false})).toBe('unauthenticated multibulk length')
    expect(errorOf('*1\r\n$16385\r\n', {isAuthenticated: () => false})).toBe('unauthenticated bulk length')
  })

  it('ignores blank inline lines and empty multibulks', () => {
    expect(parseAll(Buffer.from('\r\n   \r\n*0\r\nPING\r\n'))).toEqual([['PING']])
  })
})
