// OBJECT ENCODING: the encoding Redis 7.0 would use for a value, from its content and the size thresholds
// (object.c / t_*.c conversion rules): int/embstr/raw, quicklist, intset/listpack/hashtable, listpack/skiplist.

import type {ServerContext} from '../server-context.js'
import type {RedisValue} from './values.js'

const INT_RE = /^-?(0|[1-9][0-9]*)$/

const setting = (server: ServerContext, name: string, fallback: number): number => {
  const value = Number(server.getConfig(name))
  return Number.isFinite(value) ? value : fallback
}

export function objectEncoding(value: RedisValue, server: ServerContext): string {
  switch (value.type) {
    case 'string': {
      const text = value.value.length <= 20 ? value.value.toString('latin1') : ''
      if (INT_RE.test(text) && BigInt(text) <= 9223372036854775807n && BigInt(text) >= -9223372036854775808n) return 'int'
      return value.value.length <= 44 ? 'embstr' : 'raw'
    }
    // Redis 7.0 keeps every list in a quicklist (small lists became plain listpacks only in 7.2).
    case 'list':
      return 'quicklist'
    case 'set': {
      const members = [...value.value]
      if (members.length <= setting(server, 'set-max-intset-entries', 512) && members.every((m) => INT_RE.test(m) && m.length <= 20)) return 'intset'
      return 'hashtable'
    }
    case 'hash': {
      const max = setting(server, 'hash-max-listpack-value', 64)
      const small = value.value.size <= setting(server, 'hash-max-listpack-entries', 512) &&
        [...value.value].every(([f, v]) => f.length <= max && v.length <= max)
      return small ? 'listpack' : 'hashtable'
    }
    case 'zset': {
      const max = setting(server, 'zset-max-listpack-value', 64)
      const small = value.value.size <= setting(server, 'zset-max-listpack-entries', 128) && [...value.value].every((e) => e.member.length <= max)
      return small ? 'listpack' : 'skiplist'
    }
    case 'stream':
      return 'stream'
  }
}
