// Reply → RESP bytes, into a reusable growing buffer so a pipeline's replies leave in one write.
// RESP2 or RESP3 per client (HELLO); the shapes follow networking.c addReply* (see resp.md §3).

import type {Reply} from './reply.js'

const CRLF = '\r\n'
/** Up to this many chars (bytes) a JS loop beats Buffer#write (Buffer#copy), which cross into C++. */
const SHORT_TEXT = 64
const SHORT_BYTES = 64

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

type Aggregate = Extract<Reply, {kind: 'array' | 'set' | 'push' | 'map'}>

const isAggregate = (reply: Reply): reply is Aggregate => {
  const kind = reply.kind
  return kind === 'array' || kind === 'set' || kind === 'push' || kind === 'map'
}

export class ReplyWriter {
  private buf: Buffer
  private length = 0
  /** The aggregates a nested write has left half-written: children (items or map entries) and position. */
  private readonly stackItems: (readonly Reply[] | undefined)[] = []
  private readonly stackEntries: (readonly (readonly [Reply, Reply])[] | undefined)[] = []
  private readonly stackAt: number[] = []

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

  /**
   * Encodes one reply. Aggregates are walked with an explicit stack (no recursion), so no nesting depth can
   * overflow the call stack; the items of an aggregate that holds only scalars are written in one loop.
   */
  write(reply: Reply, resp: 2 | 3): void {
    switch (reply.kind) {
      case 'array':
      case 'set':
      case 'push':
      case 'map':
        return this.aggregate(reply, resp)
      default:
        return this.scalar(reply, resp)
    }
  }

  /**
   * An aggregate: its header, then its children. The fast path writes scalar children in one loop; at the
   * first child that is an aggregate itself, the rest is walked by `nested`.
   */
  private aggregate(root: Aggregate, resp: 2 | 3): void {
    this.header(root, resp)
    if (root.kind === 'map') {
      const entries = root.entries
      for (let i = 0; i < entries.length; i++) {
        const [key, value] = entries[i] as readonly [Reply, Reply]
        if (isAggregate(key)) return this.nested(undefined, entries, i * 2, resp)
        this.scalar(key, resp)
        if (isAggregate(value)) return this.nested(undefined, entries, i * 2 + 1, resp)
        this.scalar(value, resp)
      }
      return
    }
    const items = root.items
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as Reply
      if (isAggregate(item)) return this.nested(items, undefined, i, resp)
      this.scalar(item, resp)
    }
  }

  /**
   * Walks the children of an aggregate (its items, or its map entries with child i = entries[i >> 1][i & 1])
   * from child `at` on, depth first. The aggregates left half-written (their children and the position in
   * them) go on stacks kept by the writer, so no nesting depth needs the call stack.
   */
  private nested(rootItems: readonly Reply[] | undefined, rootEntries: readonly (readonly [Reply, Reply])[] | undefined, from: number, resp: 2 | 3): void {
    const stackItems = this.stackItems
    const stackEntries = this.stackEntries
    const stackAt = this.stackAt
    let depth = 0
    let items = rootItems
    let entries = rootEntries
    let count = entries === undefined ? (items as readonly Reply[]).length : entries.length * 2
    let at = from
    for (;;) {
      if (at >= count) {
        if (depth === 0) return
        depth--
        items = stackItems[depth]
        entries = stackEntries[depth]
        at = stackAt[depth] as number
        stackItems[depth] = undefined
        stackEntries[depth] = undefined
        count = entries === undefined ? (items as readonly Reply[]).length : entries.length * 2
        continue
      }
      const child = entries === undefined ? ((items as readonly Reply[])[at] as Reply) : ((entries[at >> 1] as readonly [Reply, Reply])[at & 1] as Reply)
      at++
      if (!isAggregate(child)) {
        this.scalar(child, resp)
        continue
      }
      stackItems[depth] = items
      stackEntries[depth] = entries
      stackAt[depth] = at
      depth++
      this.header(child, resp)
      if (child.kind === 'map') {
        items = undefined
        entries = child.entries
        count = entries.length * 2
      } else {
        items = child.items
        entries = undefined
        count = items.length
      }
      at = 0
    }
  }

  /** An aggregate's header line: its type and length in the client's protocol. */
  private header(reply: Aggregate, resp: 2 | 3): void {
    switch (reply.kind) {
      case 'array':
        return this.intLine(0x2a /* * */, reply.items.length)
      case 'set':
        return this.intLine(resp === 3 ? 0x7e /* ~ */ : 0x2a, reply.items.length)
      case 'push':
        return this.intLine(resp === 3 ? 0x3e /* > */ : 0x2a, reply.items.length)
      case 'map':
        return resp === 3 ? this.intLine(0x25 /* % */, reply.entries.length) : this.intLine(0x2a, reply.entries.length * 2)
    }
  }

  private scalar(reply: Reply, resp: 2 | 3): void {
    switch (reply.kind) {
      case 'simple':
        return this.line(0x2b /* + */, reply.value)
      case 'error':
        return this.errorLine(reply.message)
      case 'int':
        if (typeof reply.value === 'number') return this.intLine(0x3a /* : */, reply.value)
        return this.line(0x3a, String(reply.value))
      case 'bulk':
        return this.bulk(reply.value)
      case 'nil':
        return this.ascii(resp === 3 ? '_\r\n' : '$-1\r\n')
      case 'nilArray':
        return this.ascii(resp === 3 ? '_\r\n' : '*-1\r\n')
      case 'double':
        if (resp === 3) return this.line(0x2c /* , */, formatReplyDouble(reply.value))
        return this.bulk(Buffer.from(formatReplyDouble(reply.value)))
      case 'bool':
        return this.ascii(resp === 3 ? (reply.value ? '#t\r\n' : '#f\r\n') : reply.value ? ':1\r\n' : ':0\r\n')
      case 'verbatim':
        if (resp === 3) {
          this.intLine(0x3d /* = */, reply.value.length + 4)
          this.ascii('txt:')
          this.bytes(reply.value)
          return this.crlf()
        }
        return this.bulk(reply.value)
      case 'raw':
        return this.bytes(reply.bytes)
      case 'none':
        return
      case 'array':
      case 'set':
      case 'push':
      case 'map':
        return this.aggregate(reply, resp)
    }
  }

  private bulk(value: Buffer): void {
    this.intLine(0x24 /* $ */, value.length)
    this.bytes(value)
    this.crlf()
  }

  /** prefix, text (latin1), CRLF. Short texts are copied char by char: cheaper than Buffer#write. */
  private line(prefix: number, text: string): void {
    const n = text.length
    this.ensure(n + 3)
    const buf = this.buf
    let at = this.length
    buf[at++] = prefix
    if (n <= SHORT_TEXT) {
      for (let i = 0; i < n; i++) buf[at + i] = text.charCodeAt(i)
      at += n
    } else {
      at += buf.write(text, at, 'latin1')
    }
    buf[at++] = 13
    buf[at++] = 10
    this.length = at
  }

  /** An error line: CR and LF inside the message become spaces so the reply stays one line. */
  private errorLine(message: string): void {
    const n = message.length
    this.ensure(n + 3)
    const buf = this.buf
    let at = this.length
    buf[at++] = 0x2d /* - */
    for (let i = 0; i < n; i++) {
      const c = message.charCodeAt(i)
      buf[at++] = c === 13 || c === 10 ? 0x20 : c
    }
    buf[at++] = 13
    buf[at++] = 10
    this.length = at
  }

  /** prefix, the decimal integer, CRLF; digits are written directly for 31-bit values. */
  private intLine(prefix: number, value: number): void {
    if (!(value > -0x80000000 && value < 0x80000000) || !Number.isInteger(value) || Object.is(value, -0)) {
      return this.line(prefix, String(value))
    }
    this.ensure(14)
    const buf = this.buf
    let at = this.length
    buf[at++] = prefix
    let v = value
    if (v < 0) {
      buf[at++] = 0x2d
      v = -v
    }
    let digits = 1
    for (let x = v; x >= 10; x = (x / 10) | 0) digits++
    let i = at + digits
    at = i
    do {
      buf[--i] = 0x30 + (v % 10)
      v = (v / 10) | 0
    } while (v > 0)
    buf[at++] = 13
    buf[at++] = 10
    this.length = at
  }

  private crlf(): void {
    this.ensure(2)
    this.buf[this.length++] = 13
    this.buf[this.length++] = 10
  }

  private ascii(text: string): void {
    const n = text.length
    this.ensure(n)
    const buf = this.buf
    const at = this.length
    for (let i = 0; i < n; i++) buf[at + i] = text.charCodeAt(i)
    this.length = at + n
  }

  private bytes(data: Buffer): void {
    const n = data.length
    this.ensure(n)
    const buf = this.buf
    const at = this.length
    if (n <= SHORT_BYTES) {
      for (let i = 0; i < n; i++) buf[at + i] = data[i] as number
    } else {
      buf.set(data, at)
    }
    this.length = at + n
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
