// The geo group (geo.c): members of a sorted set whose scores are 52-bit geohashes. GEOADD stores them (and
// reaches replicas as the ZADD it amounts to), GEOPOS, GEODIST and GEOHASH read them back; the searches are in
// geo-search.ts. Coordinates and distances are printed exactly as Redis prints them.

import {keyOf} from '../../common/key.js'
import {SYNTAX} from '../../resp/errors.js'
import {array, bulk, int, NIL, NIL_ARRAY, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import {align52, decodeScore, encode, encodeWGS84, GEO_STEP_MAX} from '../geo/geohash.js'
import {distance} from '../geo/geo-shape.js'
import type {SortedSet} from '../keyspace/sorted-set.js'
import {isOption} from './args.js'
import {isReply, readCollection, writeCollection} from './collection-access.js'
import {coordinateReply, distanceReply, parseLongLat, parseUnit} from './geo-arguments.js'

const READ = {flags: ['readonly'], keys: FIRST_KEY, categories: ['read', 'geo', 'slow']} as const

export const geoCommands: readonly CommandSpec[] = [
  {name: 'geoadd', arity: -5, flags: ['write', 'denyoom'], keys: FIRST_KEY, categories: ['write', 'geo', 'slow'], handler: geoaddCommand},
  {name: 'geopos', arity: -2, ...READ, handler: geoposCommand},
  {name: 'geodist', arity: -4, ...READ, handler: geodistCommand},
  {name: 'geohash', arity: -2, ...READ, handler: geohashCommand},
]

const ZADD_NAME = Buffer.from('zadd')

function geoaddCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  let nx = false
  let xx = false
  let ch = false
  let first = 1
  for (; first < args.length; first++) {
    const arg = args[first] as Buffer
    if (isOption(arg, 'NX')) nx = true
    else if (isOption(arg, 'XX')) xx = true
    else if (isOption(arg, 'CH')) ch = true
    else break
  }
  const triples = args.length - first
  if (triples % 3 !== 0 || (xx && nx) || triples === 0) return SYNTAX
  const points: {score: number; scoreText: Buffer; member: Buffer}[] = []
  for (let i = first; i < args.length; i += 3) {
    const position = parseLongLat(args[i] as Buffer, args[i + 1] as Buffer)
    if (!position.ok) return position.error
    const hash = encodeWGS84(position.value[0], position.value[1], GEO_STEP_MAX)
    const bits = hash === undefined ? 0n : align52(hash)
    // ZADD parses the integer text as a double: hashes at the limits round, as there.
    points.push({score: Number(bits), scoreText: Buffer.from(bits.toString()), member: args[i + 2] as Buffer})
  }
  const key = keyOf(args[0] as Buffer)
  const existing = readCollection(ctx, key, 'zset')
  if (isReply(existing)) return existing
  if (existing === undefined && xx) return int(0)
  const zset = writeCollection(ctx, key, 'zset') as SortedSet
  let added = 0
  let updated = 0
  for (const {score, member} of points) {
    const name = keyOf(member)
    const current = zset.score(name)
    if ((nx && current !== undefined) || (xx && current === undefined)) continue
    if (current === undefined) added++
    else if (current !== score) updated++
    else continue
    zset.add(name, score)
  }
  if (added + updated > 0) {
    ctx.db.modified(key)
    ctx.keyspace.dirty += added + updated - 1
    // Redis runs GEOADD as the ZADD it builds, and that ZADD is what replicas get.
    ctx.propagateAs([ZADD_NAME, ...args.slice(0, first), ...points.flatMap((p) => [p.scoreText, p.member])])
    ctx.notify('z', 'zadd', args[0] as Buffer)
  }
  return int(ch ? added + updated : added)
}

function geoposCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const zset = readCollection(ctx, keyOf(args[0] as Buffer), 'zset')
  if (isReply(zset)) return zset
  return array(args.slice(1).map((member) => {
    const score = zset?.score(keyOf(member))
    if (score === undefined) return NIL_ARRAY
    const [lon, lat] = decodeScore(score)
    return array([coordinateReply(ctx, lon), coordinateReply(ctx, lat)])
  }))
}

function geodistCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  let toMeters = 1
  if (args.length === 4) {
    const unit = parseUnit(args[3] as Buffer)
    if (!unit.ok) return unit.error
    toMeters = unit.value
  } else if (args.length > 4) return SYNTAX
  const zset = readCollection(ctx, keyOf(args[0] as Buffer), 'zset')
  if (isReply(zset)) return zset
  if (zset === undefined) return NIL
  const score1 = zset.score(keyOf(args[1] as Buffer))
  const score2 = zset.score(keyOf(args[2] as Buffer))
  if (score1 === undefined || score2 === undefined) return NIL
  const [lon1, lat1] = decodeScore(score1)
  const [lon2, lat2] = decodeScore(score2)
  return distanceReply(distance(lon1, lat1, lon2, lat2) / toMeters)
}

const GEO_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz'
/** The standard geohash ranges: GEOHASH re-encodes positions over a latitude of ±90. */
const STANDARD_LONGITUDE = {min: -180, max: 180}
const STANDARD_LATITUDE = {min: -90, max: 90}

function geohashCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const zset = readCollection(ctx, keyOf(args[0] as Buffer), 'zset')
  if (isReply(zset)) return zset
  return array(args.slice(1).map((member) => {
    const score = zset?.score(keyOf(member))
    if (score === undefined) return NIL
    const [lon, lat] = decodeScore(score)
    const bits = encode(STANDARD_LONGITUDE, STANDARD_LATITUDE, lon, lat, GEO_STEP_MAX)?.bits ?? 0n
    let text = ''
    // 52 bits give ten characters; the eleventh is always '0'.
    for (let i = 0; i < 10; i++) text += GEO_ALPHABET[Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn)]
    return bulk(`${text}0`)
  }))
}
