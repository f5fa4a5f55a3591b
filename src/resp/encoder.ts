// Reply → RESP bytes, into a reusable growing buffer so a pipeline's replies leave in one write.
// RESP2 or RESP3 per client (HELLO); the shapes follow networking.c addReply* (see resp.md §3).

import type {Reply} from './reply.js'

const CRLF = '\r\n'

/** %.17g-style text of a double as Redis 7.0 prints it (inf, -inf, nan). */
export function formatReplyDouble(value: number): string {
  if (value === Infinity) return 'inf'
  if (value === -Infinity) return '-inf'
  if (Number.isNaN(value)) return 'nan'
  return toPrecision17(value)
}

/** C's printf("%.17g"): 17 significant digits, trailing zeros removed, exponent form when exp < -4 or >= 17. */
export function toPrecision17(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0'
  const exp = Math.floor(Math.log10(Math.abs(value)))
  let text = value.toPrecision(17)
  let mantissa = text
  let exponent: number | undefined
  const e = text.indexOf('e')
  if (e >= 0) {
    mantissa = text.slice(0, e)
    exponent = Number(text.slice(e + 1))
  }
  const realExp = exponent ?? exp
  if (realExp < -4 || realExp >= 17) {
    // Exponent form: d.ddd…e±XX with at least two exponent digits, as C does.
    const m = value.toExponential(16)
    const [mm = '', ee = '0'] = m.split('e')
    const trimmed = mm.includes('.') ? mm.replace(/0+$/, '').replace(/\.$/, '') : mm
    const n = Number(ee)
    return `${trimmed}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`
  }
  if (mantissa.includes('.')) mantissa = mantissa.replace(/0+$/, '').replace(/\.$/, '')
  text = mantissa
  return text
}

export class ReplyWriter {
  private buf: Buffer
  private length = 0

  constructor(initialSize = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize)
  }

  get size(): number {
    return this.length
  }

  /** Takes the encoded bytes out, leaving the writer empty. The result is a copy safe to hand to a socket. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.length))
    this.length = 0
    if (this.buf.length > 1024 * 1024) this.buf = Buffer.allocUnsafe(16 * 1024)
    return out
  }

  write(reply: Reply, resp: 2 | 3): void {
    switch (reply.kind) {
      case 'simple':
        return this.line('+', reply.value)
      case 'error':
        return this.line('-', reply.message.replace(/[\r\n]/g, ' '))
      case 'int':
        return this.line(':', String(reply.value))
      case 'bulk':
        return this.bulk(reply.value)
      case 'nil':
        return this.ascii(resp === 3 ? '_\r\n' : '$-1\r\n')
      case 'nilArray':
        return this.ascii(resp === 3 ? '_\r\n' : '*-1\r\n')
      case 'array':
        this.line('*', String(reply.items.length))
        for (const item of reply.items) this.write(item, resp)
        return
      case 'set':
        this.line(resp === 3 ? '~' : '*', String(reply.items.length))
        for (const item of reply.items) this.write(item, resp)
        return
      case 'push':
        this.line(resp === 3 ? '>' : '*', String(reply.items.length))
        for (const item of reply.items) this.write(item, resp)
        return
      case 'map':
        if (resp === 3) this.line('%', String(reply.entries.length))
        else this.line('*', String(reply.entries.length * 2))
        for (const [k, v] of reply.entries) {
          this.write(k, resp)
          this.write(v, resp)
        }
        return
      case 'double':
        if (resp === 3) return this.line(',', formatReplyDouble(reply.value))
        return this.bulk(Buffer.from(formatReplyDouble(reply.value)))
      case 'bool':
        return this.ascii(resp === 3 ? (reply.value ? '#t\r\n' : '#f\r\n') : reply.value ? ':1\r\n' : ':0\r\n')
      case 'verbatim':
        if (resp === 3) {
          this.line('=', String(reply.value.length + 4))
          this.ascii('txt:')
          this.bytes(reply.value)
          return this.ascii(CRLF)
        }
        return this.bulk(reply.value)
      case 'raw':
        return this.bytes(reply.bytes)
      case 'none':
        return
    }
  }

  private bulk(value: Buffer): void {
    this.line('$', String(value.length))
    this.bytes(value)
    this.ascii(CRLF)
  }

  private line(prefix: string, text: string): void {
    this.ensure(text.length + 3)
    this.buf[this.length++] = prefix.charCodeAt(0)
    this.length += this.buf.write(text, this.length, 'latin1')
    this.buf[this.length++] = 13
    this.buf[this.length++] = 10
  }

  private ascii(text: string): void {
    this.ensure(text.length)
    this.length += this.buf.write(text, this.length, 'latin1')
  }

  private bytes(data: Buffer): void {
    this.ensure(data.length)
    data.copy(this.buf, this.length)
    this.length += data.length
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + extra) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.length)
    this.buf = next
  }
}

/** Encodes one reply on its own (for tests, pub/sub fan-out and propagation). */
export function encodeReply(reply: Reply, resp: 2 | 3 = 2): Buffer {
  const writer = new ReplyWriter(256)
  writer.write(reply, resp)
  return writer.take()
}

/** Encodes a command as a RESP multibulk (for propagation to replicas and outbound links). */
export function encodeCommand(args: readonly (Buffer | string)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)]
  for (const arg of args) {
    const data = typeof arg === 'string' ? Buffer.from(arg) : arg
    parts.push(Buffer.from(`$${data.length}\r\n`), data, Buffer.from(CRLF))
  }
  return Buffer.concat(parts)
}
