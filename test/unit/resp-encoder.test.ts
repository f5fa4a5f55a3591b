import {describe, expect, it} from 'vitest'
import {encodeCommand, encodeReply, toPrecision17} from '../../src/resp/encoder.js'
import {ReplyParser} from '../../src/resp/reply-parser.js'
import * as R from '../../src/resp/reply.js'

const enc = (reply: R.Reply, resp: 2 | 3 = 2) => encodeReply(reply, resp).toString('latin1')

describe('encoder', () => {
  it('encodes the RESP2 and RESP3 shapes of resp.md §3', () => {
    expect(enc(R.OK)).toBe('+OK\r\n')
    expect(enc(R.error('ERR bad\r\nthing'))).toBe('-ERR bad  thing\r\n')
    expect(enc(R.int(42))).toBe(':42\r\n')
    expect(enc(R.int(-9223372036854775808n))).toBe(':-9223372036854775808\r\n')
    expect(enc(R.bulk(Buffer.from([0, 255])))).toBe('$2\r\n\x00\xff\r\n')
    expect(enc(R.NIL)).toBe('$-1\r\n')
    expect(enc(R.NIL, 3)).toBe('_\r\n')
    expect(enc(R.NIL_ARRAY)).toBe('*-1\r\n')
    expect(enc(R.map([[R.bulk('a'), R.int(1)]]))).toBe('*2\r\n$1\r\na\r\n:1\r\n')
    expect(enc(R.map([[R.bulk('a'), R.int(1)]]), 3)).toBe('%1\r\n$1\r\na\r\n:1\r\n')
    expect(enc(R.set([R.bulk('x')]), 3)).toBe('~1\r\n$1\r\nx\r\n')
    expect(enc(R.double(1.5))).toBe('$3\r\n1.5\r\n')
    expect(enc(R.double(1.5), 3)).toBe(',1.5\r\n')
    expect(enc(R.double(-Infinity), 3)).toBe(',-inf\r\n')
    expect(enc(R.bool(true))).toBe(':1\r\n')
    expect(enc(R.bool(false), 3)).toBe('#f\r\n')
    expect(enc(R.verbatim('a:b'), 3)).toBe('=7\r\ntxt:a:b\r\n')
    expect(enc(R.verbatim('a:b'))).toBe('$3\r\na:b\r\n')
    expect(enc(R.push([R.bulk('message')]), 3)).toBe('>1\r\n$7\r\nmessage\r\n')
  })

  it('formats doubles like printf %.17g', () => {
    expect(toPrecision17(1.1)).toBe('1.1000000000000001')
    expect(toPrecision17(2)).toBe('2')
    expect(toPrecision17(0.0001)).toBe('0.0001')
    expect(toPrecision17(0.00001)).toBe('1.0000000000000001e-05')
    expect(toPrecision17(1e17)).toBe('1e+17')
    expect(toPrecision17(123456789012345680)).toBe('1.2345678901234568e+17')
    expect(toPrecision17(-3.5)).toBe('-3.5')
  })

  it('round-trips through the reply parser', () => {
    const reply = R.array([R.bulk('a'), R.int(3), R.array([R.NIL, R.simple('OK')])])
    const parser = new ReplyParser()
    const bytes = encodeReply(reply)
    parser.feed(bytes.subarray(0, 5))
    expect(parser.next()).toBeUndefined()
    parser.feed(bytes.subarray(5))
    expect(parser.next()?.raw.equals(bytes)).toBe(true)
    expect(encodeCommand(['SET', 'k', Buffer.from('v')]).toString()).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n')
  })
})
