// Raw RESP2/RESP3 reply bytes → a plain value, for comparisons where the order of some elements is not part of
// the contract (a Lua table's iteration order, a dict's order in FUNCTION LIST): `normalize` sorts maps and sets,
// and optionally arrays whose elements are all arrays.

export type RespValue =
  | {type: 'simple' | 'error' | 'bulk' | 'verbatim' | 'bignum' | 'double'; text: string}
  | {type: 'int'; value: string}
  | {type: 'bool'; value: boolean}
  | {type: 'null'; raw: string}
  | {type: 'array' | 'set' | 'push'; items: RespValue[]}
  | {type: 'map' | 'attribute'; entries: [RespValue, RespValue][]}

/** Parses exactly one reply from `raw` (latin1 bytes); throws when bytes are left over or missing. */
export function parseResp(raw: Buffer | string): RespValue {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1')
  let at = 0
  const line = (): string => {
    const end = text.indexOf('\r\n', at)
    if (end < 0) throw new Error(`incomplete reply: ${JSON.stringify(text)}`)
    const out = text.slice(at, end)
    at = end + 2
    return out
  }
  const one = (): RespValue => {
    const head = line()
    const kind = head[0]
    const rest = head.slice(1)
    switch (kind) {
      case '+': return {type: 'simple', text: rest}
      case '-': return {type: 'error', text: rest}
      case ':': return {type: 'int', value: rest}
      case ',': return {type: 'double', text: rest}
      case '(': return {type: 'bignum', text: rest}
      case '#': return {type: 'bool', value: rest === 't'}
      case '_': return {type: 'null', raw: head}
      case '$': case '=': {
        const n = Number(rest)
        if (n < 0) return {type: 'null', raw: head}
        const body = text.slice(at, at + n)
        at += n + 2
        return {type: kind === '$' ? 'bulk' : 'verbatim', text: body}
      }
      case '*': case '~': case '>': {
        const n = Number(rest)
        if (n < 0) return {type: 'null', raw: head}
        const items = Array.from({length: n}, one)
        return {type: kind === '*' ? 'array' : kind === '~' ? 'set' : 'push', items}
      }
      case '%': case '|': {
        const n = Number(rest)
        const entries = Array.from({length: n}, () => [one(), one()] as [RespValue, RespValue])
        return {type: kind === '%' ? 'map' : 'attribute', entries}
      }
      default: throw new Error(`unknown reply type ${JSON.stringify(head)}`)
    }
  }
  const value = one()
  if (at !== text.length) throw new Error(`bytes after the reply: ${JSON.stringify(text.slice(at))}`)
  return value
}

const key = (v: unknown): string => JSON.stringify(v)

/**
 * The value with map entries and set members in a canonical order; with `sortArraysOfArrays`, also arrays
 * whose elements are all arrays or all maps (records such as FUNCTION LIST's libraries or COMMAND INFO's subcommands).
 */
export function normalize(value: RespValue, sortArraysOfArrays = false): RespValue {
  switch (value.type) {
    case 'array': case 'push': {
      const items = value.items.map((i) => normalize(i, sortArraysOfArrays))
      if (sortArraysOfArrays && items.length > 0 && (items.every((i) => i.type === 'array') || items.every((i) => i.type === 'map'))) items.sort((a, b) => key(a).localeCompare(key(b)))
      return {type: value.type, items}
    }
    case 'set': {
      const items = value.items.map((i) => normalize(i, sortArraysOfArrays)).sort((a, b) => key(a).localeCompare(key(b)))
      return {type: 'set', items}
    }
    case 'map': case 'attribute': {
      const entries = value.entries
        .map(([k, v]) => [normalize(k, sortArraysOfArrays), normalize(v, sortArraysOfArrays)] as [RespValue, RespValue])
        .sort((a, b) => key(a[0]).localeCompare(key(b[0])))
      return {type: value.type, entries}
    }
    default:
      return value
  }
}

/** Parses and normalizes; convenient for expect(...).toEqual(...). */
export function canonical(raw: Buffer | string, sortArraysOfArrays = false): RespValue {
  return normalize(parseResp(raw), sortArraysOfArrays)
}
