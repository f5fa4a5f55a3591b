import {describe, expect, it} from 'vitest'
import {ProtocolError} from '../../src/resp/errors.js'
import {RequestParser, RequestProtocolError} from '../../src/resp/parser.js'

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

describe('RequestParser limits (networking.c, PROTO_INLINE_MAX_SIZE)', () => {
  const feedAll = (parser: RequestParser, input: string): string[][] => {
    parser.feed(Buffer.from(input, 'latin1'))
    const out: string[][] = []
    for (let r = parser.next(); r !== undefined; r = parser.next()) out.push(r.args.map((a) => a.toString('latin1')))
    return out
  }
  const thrown = (run: () => unknown): RequestProtocolError => {
    try {
      run()
    } catch (e) {
      expect(e).toBeInstanceOf(RequestProtocolError)
      return e as RequestProtocolError
    }
    throw new Error('no protocol error')
  }

  it('a NUL byte before the end of a line leaves it incomplete, as strchr() does', () => {
    for (const input of ['PING\0\r\n', '\0\n', '*1\0\r\n', '*1\r\n$4\0\r\nPING\r\n', '$\0\r\n']) {
      const parser = new RequestParser()
      expect(feedAll(parser, input), JSON.stringify(input)).toEqual([])
      expect(parser.bufferedBytes).toBeGreaterThan(0)
    }
    // A NUL inside a payload is data, and one after the line end does not matter.
    expect(feedAll(new RequestParser(), '*1\r\n$5\r\nPI\0NG\r\nPING\r\n\0')).toEqual([['PI\0NG'], ['PING']])
  })

  it('more than 64 KB without a complete line is an error, whatever hides the line end', () => {
    // [prefix, filler byte, bytes of complete header lines the parser consumes first, error]
    const cases: [string, string, number, string][] = [
      ['\0', 'x', 0, 'too big inline request'],
      ['PING\0\r\n', '\n', 0, 'too big inline request'],
      ['*\0', 'x', 0, 'too big mbulk count string'],
      ['*1\0\r\n', '\r', 0, 'too big mbulk count string'],
      ['*1\r\n$\0', 'x', 4, 'too big bulk count string'],
      ['*1\r\n', 'x', 4, 'too big bulk count string'],
    ]
    for (const [prefix, filler, consumed, message] of cases) {
      // Exactly 64 KB + 1 bytes are left unparsed with the last byte, fed in 1000-byte pieces: the error
      // comes with that byte, not before.
      const input = `${prefix}${filler.repeat(64 * 1024 + 1 - (prefix.length - consumed))}`
      // Fed in 1000-byte pieces: the error comes with the last byte, when the buffer passes 64 KB, not before.
      const parser = new RequestParser()
      const bytes = Buffer.from(input, 'latin1')
      for (let at = 0; at < bytes.length - 1; at += 1000) {
        expect(feedAll(parser, bytes.subarray(at, Math.min(at + 1000, bytes.length - 1)).toString('latin1'))).toEqual([])
      }
      const error = thrown(() => feedAll(parser, bytes.subarray(bytes.length - 1).toString('latin1')))
      expect(error.message, JSON.stringify(prefix)).toBe(message)
      expect(error.logReason).toBe(message)
    }
  })

  it('logs Redis\'s reasons, which are not the reply texts', () => {
    const reason = (input: string, limits = {}): string => thrown(() => feedAll(new RequestParser(limits), input)).logReason
    expect(reason('*x\r\n')).toBe('invalid mbulk count')
    expect(reason('*11\r\n', {isAuthenticated: () => false})).toBe('unauth mbulk count')
    expect(reason('*1\r\n+x\r\n')).toBe('expected $ but got something else')
    expect(reason('*1\r\n$-2\r\n')).toBe('invalid bulk length')
    expect(reason('*1\r\n$16385\r\n', {isAuthenticated: () => false})).toBe('unauth bulk length')
    expect(reason('SET "a\r\n')).toBe('unbalanced quotes in inline request')
    expect(thrown(() => feedAll(new RequestParser(), '*1\r\n\r\n')).message).toBe("expected '$', got ' '")
  })

  it('samples the query buffer as setProtocolError() logs it', () => {
    const short = new RequestParser()
    short.feed(Buffer.from('*1\r\n+P\x01NG\r\n'))
    expect(short.sample()).toBe('*1..+P.NG..')
    const nul = new RequestParser()
    nul.feed(Buffer.from('AB\0CD'))
    expect(nul.sample()).toBe('AB')
    const long = new RequestParser()
    long.feed(Buffer.from(`${'a'.repeat(64)}${'b'.repeat(100)}${'c'.repeat(64)}`))
    expect(long.sample()).toBe(`${'a'.repeat(64)}' (... more 100 bytes ...) '${'c'.repeat(64)}`)
  })

  it('samples the first 64 bytes as sdscatrepr() for the query buffer limit, across chunks', () => {
    const parser = new RequestParser()
    parser.feed(Buffer.from('*1\r\n$100\r\n'))
    expect(parser.next()).toBeUndefined()
    parser.feed(Buffer.from('a"b\\c\0\xff\t', 'latin1'))
    for (let i = 0; i < 100; i++) parser.feed(Buffer.from('z'))
    expect(parser.sampleRepr()).toBe(`a\\"b\\\\c\\x00\\xff\\t${'z'.repeat(56)}`)
  })

  it('keeps chunks fed while it is not asked to parse, and parses them in one go', () => {
    const parser = new RequestParser()
    const command = '*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n'
    for (let i = 0; i < 10_000; i++) parser.feed(Buffer.from(command))
    parser.feed(Buffer.from(command.slice(0, 5)))
    expect(parser.bufferedBytes).toBe(5 + 10_000 * command.length)
    const all = feedAll(parser, command.slice(5))
    expect(all).toHaveLength(10_001)
    expect(parser.bufferedBytes).toBe(0)
  })
})
