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

/** An aggregate whose elements are still being read: its type byte, how many it needs and those read so far. */
interface Open {
  readonly type: string
  readonly need: number
  readonly items: RespValue[]
}

function closeAggregate(open: Open): RespValue {
  const items = open.items
  switch (open.type) {
    case '~':
      return {type: 'set', value: items}
    case '>':
      return {type: 'push', value: items}
    case '%': {
      const pairs: [RespValue, RespValue][] = []
      for (let i = 0; i < items.length; i += 2) pairs.push([items[i] as RespValue, items[i + 1] as RespValue])
      return {type: 'map', value: pairs}
    }
    default:
      return {type: 'array', value: items}
  }
}

/**
 * The value starting at `start`, or undefined while it is incomplete. Iterative: the aggregates being read
 * are kept on an explicit stack, so no nesting depth (a peer can send any) can overflow the call stack.
 */
function parseValue(buf: Buffer, start: number): Parsed | undefined {
  const open: Open[] = []
  let pos = start
  for (;;) {
    if (pos >= buf.length) return undefined
    const type = String.fromCharCode(buf[pos] as number)
    const line = readLine(buf, pos + 1)
    if (line === undefined) return undefined
    const {text, end} = line
    let value: RespValue
    pos = end
    switch (type) {
      case '+':
        value = {type: 'simple', value: text}
        break
      case '-':
        value = {type: 'error', value: text}
        break
      case ':':
        value = {type: 'int', value: BigInt(text)}
        break
      case ',':
        value = {type: 'double', value: text}
        break
      case '#':
        value = {type: 'bool', value: text === 't'}
        break
      case '_':
        value = {type: 'null'}
        break
      case '(':
        value = {type: 'bignum', value: text}
        break
      case '$':
      case '=': {
        const length = Number(text)
        if (length < 0) {
          value = {type: 'bulk', value: null}
          break
        }
        if (buf.length < end + length + 2) return undefined
        const data = buf.subarray(end, end + length)
        value = type === '=' ? {type: 'verbatim', value: data.subarray(4), format: data.subarray(0, 3).toString('latin1')} : {type: 'bulk', value: data}
        pos = end + length + 2
        break
      }
      case '*':
      case '~':
      case '>':
      case '%': {
        const count = Number(text)
        if (count < 0 && type !== '%') {
          value = {type: 'array', value: null}
          break
        }
        const aggregate: Open = {type, need: type === '%' ? count * 2 : count, items: []}
        if (aggregate.need > 0) {
          open.push(aggregate)
          continue
        }
        value = closeAggregate(aggregate)
        break
      }
      default:
        throw new ReplyParseError(`unexpected reply type byte '${type}'`)
    }
    // Hand the value to the aggregates it completes, innermost first.
    for (;;) {
      const parent = open[open.length - 1]
      if (parent === undefined) return {value, end: pos}
      parent.items.push(value)
      if (parent.items.length < parent.need) break
      open.pop()
      value = closeAggregate(parent)
    }
  }
}
