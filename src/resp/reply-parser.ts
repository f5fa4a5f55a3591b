// Incremental parser of server replies (RESP2 and RESP3), for the outbound links (replica → master,
// sentinel → instance) and for tests. Like parser.ts it knows nothing about sockets.

export type RespValue =
  | {type: 'simple'; value: string}
  | {type: 'error'; value: string}
  | {type: 'int'; value: bigint}
  | {type: 'bulk'; value: Buffer | null}
  | {type: 'array'; value: RespValue[] | null}
  | {type: 'map'; value: [RespValue, RespValue][]}
  | {type: 'set'; value: RespValue[]}
  | {type: 'push'; value: RespValue[]}
  | {type: 'double'; value: string}
  | {type: 'bool'; value: boolean}
  | {type: 'null'}
  | {type: 'verbatim'; value: Buffer; format: string}
  | {type: 'bignum'; value: string}

interface Parsed {
  value: RespValue
  end: number
}

export class ReplyParseError extends Error {
  override readonly name = 'ReplyParseError'
}

export class ReplyParser {
  private buf: Buffer = Buffer.alloc(0)

  feed(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
  }

  /** Unconsumed bytes (e.g. the start of an RDB payload after +FULLRESYNC). */
  takeRemaining(): Buffer {
    const rest = this.buf
    this.buf = Buffer.alloc(0)
    return rest
  }

  get bufferedBytes(): number {
    return this.buf.length
  }

  /** The next complete reply with its raw bytes, or undefined when more input is needed. */
  next(): {value: RespValue; raw: Buffer} | undefined {
    const parsed = parseValue(this.buf, 0)
    if (parsed === undefined) return undefined
    const raw = this.buf.subarray(0, parsed.end)
    this.buf = this.buf.subarray(parsed.end)
    return {value: parsed.value, raw}
  }
}

function readLine(buf: Buffer, start: number): {text: string; end: number} | undefined {
  const cr = buf.indexOf('\r\n', start, 'latin1')
  if (cr < 0) return undefined
  return {text: buf.toString('latin1', start, cr), end: cr + 2}
}

function parseAggregate(buf: Buffer, start: number, count: number): {items: RespValue[]; end: number} | undefined {
  const items: RespValue[] = []
  let pos = start
  for (let i = 0; i < count; i++) {
    const item = parseValue(buf, pos)
    if (item === undefined) return undefined
    items.push(item.value)
    pos = item.end
  }
  return {items, end: pos}
}

function parseValue(buf: Buffer, start: number): Parsed | undefined {
  if (start >= buf.length) return undefined
  const type = String.fromCharCode(buf[start] as number)
  const line = readLine(buf, start + 1)
  if (line === undefined) return undefined
  const {text, end} = line
  switch (type) {
    case '+':
      return {value: {type: 'simple', value: text}, end}
    case '-':
      return {value: {type: 'error', value: text}, end}
    case ':':
      return {value: {type: 'int', value: BigInt(text)}, end}
    case ',':
      return {value: {type: 'double', value: text}, end}
    case '#':
      return {value: {type: 'bool', value: text === 't'}, end}
    case '_':
      return {value: {type: 'null'}, end}
    case '(':
      return {value: {type: 'bignum', value: text}, end}
    case '$':
    case '=': {
      const length = Number(text)
      if (length < 0) return {value: {type: 'bulk', value: null}, end}
      if (buf.length < end + length + 2) return undefined
      const data = buf.subarray(end, end + length)
      if (type === '=') return {value: {type: 'verbatim', value: data.subarray(4), format: data.subarray(0, 3).toString('latin1')}, end: end + length + 2}
      return {value: {type: 'bulk', value: data}, end: end + length + 2}
    }
    case '*':
    case '~':
    case '>': {
      const count = Number(text)
      if (count < 0) return {value: {type: 'array', value: null}, end}
      const agg = parseAggregate(buf, end, count)
      if (agg === undefined) return undefined
      const value: RespValue = type === '*' ? {type: 'array', value: agg.items} : type === '~' ? {type: 'set', value: agg.items} : {type: 'push', value: agg.items}
      return {value, end: agg.end}
    }
    case '%': {
      const agg = parseAggregate(buf, end, Number(text) * 2)
      if (agg === undefined) return undefined
      const pairs: [RespValue, RespValue][] = []
      for (let i = 0; i < agg.items.length; i += 2) pairs.push([agg.items[i] as RespValue, agg.items[i + 1] as RespValue])
      return {value: {type: 'map', value: pairs}, end: agg.end}
    }
    default:
      throw new ReplyParseError(`unexpected reply type byte '${type}'`)
  }
}
