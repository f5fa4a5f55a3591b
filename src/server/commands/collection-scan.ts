// HSCAN, SSCAN and ZSCAN (db.c scanGenericCommand): small collections come back whole with cursor 0, as
// Redis's listpack/intset encodings do; larger ones page through a snapshot of their elements by COUNT.

import {keyBytes, keyOf} from '../../common/key.js'
import {INVALID_CURSOR, SYNTAX} from '../../resp/errors.js'
import {array, bulk, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import {globMatch} from '../keyspace/glob.js'
import {formatReplyDouble} from '../../resp/encoder.js'
import {isOption, parseInt64, parseInteger} from './args.js'
import {isReply, readCollection} from './collection-access.js'

const SMALL = 128

export const collectionScanCommands: readonly CommandSpec[] = [
  {name: 'hscan', arity: -3, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'hash', 'slow'], handler: (ctx, a) => scan(ctx, a, 'hash')},
  {name: 'sscan', arity: -3, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'set', 'slow'], handler: (ctx, a) => scan(ctx, a, 'set')},
  {name: 'zscan', arity: -3, flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'sortedset', 'slow'], handler: (ctx, a) => scan(ctx, a, 'zset')},
]

/** [element, value?] pairs of a collection, in a stable order. */
function elements(ctx: CommandContext, key: string, type: 'hash' | 'set' | 'zset'): [string, Buffer | undefined][] | undefined | Reply {
  if (type === 'hash') {
    const hash = readCollection(ctx, key, 'hash')
    return isReply(hash) || hash === undefined ? hash : [...hash]
  }
  if (type === 'set') {
    const members = readCollection(ctx, key, 'set')
    return isReply(members) || members === undefined ? members : [...members].map((m) => [m, undefined])
  }
  const zset = readCollection(ctx, key, 'zset')
  return isReply(zset) || zset === undefined ? zset : [...zset].map((e) => [e.member, Buffer.from(formatReplyDouble(e.score))])
}

function scan(ctx: CommandContext, args: readonly Buffer[], type: 'hash' | 'set' | 'zset'): Reply {
  const cursor = parseInt64(args[1] as Buffer)
  if (!cursor.ok || cursor.value < 0n) return INVALID_CURSOR
  let count = 10
  let pattern: string | undefined
  for (let i = 2; i < args.length; i++) {
    if (i + 1 >= args.length) return SYNTAX
    if (isOption(args[i], 'COUNT')) {
      const n = parseInteger(args[++i] as Buffer)
      if (!n.ok) return n.error
      if (n.value < 1) return SYNTAX
      count = n.value
    } else if (isOption(args[i], 'MATCH')) pattern = keyOf(args[++i] as Buffer)
    else return SYNTAX
  }
  const all = elements(ctx, keyOf(args[0] as Buffer), type)
  if (isReply(all)) return all
  const items = all ?? []
  const start = Number(cursor.value)
  const end = items.length <= SMALL ? items.length : Math.min(items.length, start + count)
  const out: Reply[] = []
  for (const [element, value] of items.slice(items.length <= SMALL ? 0 : start, end)) {
    if (pattern !== undefined && pattern !== '*' && !globMatch(pattern, element)) continue
    out.push(bulk(keyBytes(element)))
    if (value !== undefined) out.push(bulk(value))
  }
  return array([bulk(String(end >= items.length ? 0 : end)), array(out)])
}
