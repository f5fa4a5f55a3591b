// The geo searches (geo.c georadiusGeneric): GEOSEARCH and GEOSEARCHSTORE, and the older GEORADIUS and
// GEORADIUSBYMEMBER (with STORE/STOREDIST) and their _RO forms. Options are read in Redis's order with its
// errors; candidates come from the covering geohash cells in Redis's cell order, each cell in score order; the
// distance sort is the stable one Redis's qsort gives, or its partial sort when COUNT cuts the results.

import {keyBytes, keyOf} from '../../common/key.js'
import {NOT_INTEGER, SYNTAX} from '../../resp/errors.js'
import {array, bulk, EMPTY_ARRAY, error, int, type Reply} from '../../resp/reply.js'
import {FIRST_KEY, type CommandContext, type CommandSpec} from '../command-spec.js'
import {align52, decodeScore, isZeroHash, type HashBits} from '../geo/geohash.js'
import {coveringCells, distanceIfWithin, type GeoShape} from '../geo/geo-shape.js'
import {partialSort} from '../geo/partial-sort.js'
import type {SortedSet} from '../keyspace/sorted-set.js'
import {parseInt64, type Parsed} from './args.js'
import {isReply, readCollection} from './collection-access.js'
import {coordinateReply, distanceReply, parseLongLat, parseUnit} from './geo-arguments.js'
import {parseStrictDouble, storeSortedSet} from './sorted-sets.js'

const WRITE = {flags: ['write', 'denyoom'], categories: ['write', 'geo', 'slow']} as const
const READ = {flags: ['readonly'], categories: ['read', 'geo', 'slow']} as const

/** Which command form is running (georadiusGeneric's flags). */
interface SearchForm {
  /** argv index of the key searched. */
  readonly source: 1 | 2
  readonly from: 'coords' | 'member' | 'options'
  readonly noStore?: boolean
  /** GEOSEARCHSTORE: the destination is argv[1]. */
  readonly searchStore?: boolean
}

export const geoSearchCommands: readonly CommandSpec[] = [
  {name: 'georadius', arity: -6, ...WRITE, flags: ['write', 'denyoom', 'movablekeys'], keys: FIRST_KEY, handler: (ctx, a) => geoSearch(ctx, a, {source: 1, from: 'coords'})},
  {name: 'georadius_ro', arity: -6, ...READ, keys: FIRST_KEY, handler: (ctx, a) => geoSearch(ctx, a, {source: 1, from: 'coords', noStore: true})},
  {name: 'georadiusbymember', arity: -5, ...WRITE, flags: ['write', 'denyoom', 'movablekeys'], keys: FIRST_KEY, handler: (ctx, a) => geoSearch(ctx, a, {source: 1, from: 'member'})},
  {name: 'georadiusbymember_ro', arity: -5, ...READ, keys: FIRST_KEY, handler: (ctx, a) => geoSearch(ctx, a, {source: 1, from: 'member', noStore: true})},
  {name: 'geosearch', arity: -7, ...READ, keys: FIRST_KEY, handler: (ctx, a) => geoSearch(ctx, a, {source: 1, from: 'options'})},
  {name: 'geosearchstore', arity: -8, ...WRITE, keys: {first: 1, last: 2, step: 1}, handler: (ctx, a) => geoSearch(ctx, a, {source: 2, from: 'options', searchStore: true})},
]

const COULD_NOT_DECODE = error('ERR could not decode requested zset member')

/** The shape as it is being parsed; complete once a centre and a size are known. */
interface ShapeDraft {
  type: 'circle' | 'box'
  longitude: number
  latitude: number
  conversion: number
  radius: number
  width: number
  height: number
}

/** extractDistanceOrReply: <radius> <unit>. */
function parseRadius(shape: ShapeDraft, radiusArg: Buffer, unitArg: Buffer): Reply | undefined {
  const radius = parseStrictDouble(radiusArg, error('ERR need numeric radius'))
  if (!radius.ok) return radius.error
  if (radius.value < 0) return error('ERR radius cannot be negative')
  const unit = parseUnit(unitArg)
  if (!unit.ok) return unit.error
  shape.radius = radius.value
  shape.conversion = unit.value
  return undefined
}

/** extractBoxOrReply: <width> <height> <unit>. */
function parseBox(shape: ShapeDraft, widthArg: Buffer, heightArg: Buffer, unitArg: Buffer): Reply | undefined {
  const width = parseStrictDouble(widthArg, error('ERR need numeric width'))
  if (!width.ok) return width.error
  const height = parseStrictDouble(heightArg, error('ERR need numeric height'))
  if (!height.ok) return height.error
  if (height.value < 0 || width.value < 0) return error('ERR height or width cannot be negative')
  const unit = parseUnit(unitArg)
  if (!unit.ok) return unit.error
  shape.width = width.value
  shape.height = height.value
  shape.conversion = unit.value
  return undefined
}

/** A member's position (longLatFromMember). */
function memberPosition(zset: SortedSet, member: Buffer): Parsed<[number, number]> {
  const score = zset.score(keyOf(member))
  return score === undefined ? {ok: false, error: COULD_NOT_DECODE} : {ok: true, value: decodeScore(score)}
}

interface Found {
  readonly member: string
  readonly longitude: number
  readonly latitude: number
  readonly score: number
  /** Meters until the reply converts it to the unit. */
  dist: number
}

/** The members whose score lies in a cell's score range [min, max) and whose position is in the shape. */
function membersOfCell(zset: SortedSet, cell: HashBits, shape: GeoShape, found: Found[], limit: number): void {
  const min = Number(align52(cell))
  const max = Number(align52({bits: cell.bits + 1n, step: cell.step}))
  for (const entry of zset.walkFrom(zset.firstIndexByScore(min, false), 1)) {
    if (!(entry.score < max)) break
    const [longitude, latitude] = decodeScore(entry.score)
    const dist = distanceIfWithin(shape, longitude, latitude)
    if (dist !== undefined) found.push({member: entry.member, longitude, latitude, score: entry.score, dist})
    if (found.length > 0 && limit > 0 && found.length >= limit) break
  }
}

/** membersOfAllNeighbors: every cell in order, a cell equal to the last one scanned skipped, stopping at `limit` (ANY). */
function membersInShape(zset: SortedSet, shape: GeoShape, limit: number): Found[] {
  const cells = coveringCells(shape)
  const found: Found[] = []
  let lastScanned = 0
  for (const [i, cell] of cells.entries()) {
    if (isZeroHash(cell)) continue
    const last = cells[lastScanned] as HashBits
    // As in Redis, the centre cell (index 0) never counts as the last one scanned.
    if (lastScanned !== 0 && cell.bits === last.bits && cell.step === last.step) continue
    if (found.length > 0 && limit > 0 && found.length >= limit) break
    membersOfCell(zset, cell, shape, found, limit)
    lastScanned = i
  }
  return found
}

const ascending = (a: Found, b: Found): number => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1)
const descending = (a: Found, b: Found): number => -ascending(a, b)

function geoSearch(ctx: CommandContext, args: readonly Buffer[], form: SearchForm): Reply {
  const commandName = ctx.argv?.[0]?.toString('latin1') ?? ''
  // argv as Redis indexes it: the command name at 0.
  const argv = [Buffer.alloc(0), ...args]
  const argc = argv.length
  const zset = readCollection(ctx, keyOf(argv[form.source] as Buffer), 'zset')
  if (isReply(zset)) return zset
  const search = form.from === 'options'
  const shape: ShapeDraft = {type: 'circle', longitude: 0, latitude: 0, conversion: 0, radius: 0, width: 0, height: 0}
  let storeKey: Buffer | undefined
  let storeDist = false
  let base: number
  if (form.from === 'coords') {
    base = 6
    const centre = parseLongLat(argv[2] as Buffer, argv[3] as Buffer)
    if (!centre.ok) return centre.error
    ;[shape.longitude, shape.latitude] = centre.value
    const refused = parseRadius(shape, argv[4] as Buffer, argv[5] as Buffer)
    if (refused) return refused
  } else if (form.from === 'member') {
    base = 5
    // Without the key there is nothing to decode: the options are still read, for the reply's form.
    if (zset !== undefined) {
      const centre = memberPosition(zset, argv[2] as Buffer)
      if (!centre.ok) return centre.error
      ;[shape.longitude, shape.latitude] = centre.value
      const refused = parseRadius(shape, argv[3] as Buffer, argv[4] as Buffer)
      if (refused) return refused
    }
  } else {
    base = form.searchStore ? 3 : 2
    if (form.searchStore) storeKey = argv[1]
  }

  let withDist = false
  let withHash = false
  let withCoords = false
  let fromMember = false
  let fromLonLat = false
  let byRadius = false
  let byBox = false
  let sort: 'none' | 'asc' | 'desc' = 'none'
  let any = false
  let count = 0
  const remaining = argc - base
  for (let i = 0; i < remaining; i++) {
    const at = (k: number): Buffer => argv[base + i + k] as Buffer
    const option = at(0).toString('latin1').toLowerCase()
    if (option === 'withdist') withDist = true
    else if (option === 'withhash') withHash = true
    else if (option === 'withcoord') withCoords = true
    else if (option === 'any') any = true
    else if (option === 'asc') sort = 'asc'
    else if (option === 'desc') sort = 'desc'
    else if (option === 'count' && i + 1 < remaining) {
      const parsed = parseInt64(at(1))
      if (!parsed.ok) return NOT_INTEGER
      if (parsed.value <= 0n) return error('ERR COUNT must be > 0')
      count = Number(parsed.value)
      i++
    } else if ((option === 'store' || option === 'storedist') && i + 1 < remaining && !form.noStore && !search) {
      storeKey = at(1)
      storeDist = option === 'storedist'
      i++
    } else if (option === 'storedist' && search && form.searchStore) storeDist = true
    else if (option === 'frommember' && i + 1 < remaining && search && !fromLonLat) {
      if (zset !== undefined) {
        const centre = memberPosition(zset, at(1))
        if (!centre.ok) return centre.error
        ;[shape.longitude, shape.latitude] = centre.value
      }
      fromMember = true
      i++
    } else if (option === 'fromlonlat' && i + 2 < remaining && search && !fromMember) {
      const centre = parseLongLat(at(1), at(2))
      if (!centre.ok) return centre.error
      ;[shape.longitude, shape.latitude] = centre.value
      fromLonLat = true
      i += 2
    } else if (option === 'byradius' && i + 2 < remaining && search && !byBox) {
      const refused = parseRadius(shape, at(1), at(2))
      if (refused) return refused
      shape.type = 'circle'
      byRadius = true
      i += 2
    } else if (option === 'bybox' && i + 3 < remaining && search && !byRadius) {
      const refused = parseBox(shape, at(1), at(2), at(3))
      if (refused) return refused
      shape.type = 'box'
      byBox = true
      i += 3
    } else return SYNTAX
  }

  if (storeKey !== undefined && (withDist || withHash || withCoords)) {
    return error(`ERR ${form.searchStore ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`)
  }
  if (search && !(fromMember || fromLonLat)) return error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${commandName}`)
  if (search && !(byRadius || byBox)) return error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${commandName}`)
  if (any && count === 0) return error('ERR the ANY argument requires COUNT argument')

  if (zset === undefined) {
    if (storeKey === undefined) return EMPTY_ARRAY
    if (ctx.db.delete(keyOf(storeKey))) ctx.notify('g', 'del', storeKey)
    return int(0)
  }
  // COUNT means the nearest ones: it implies ASC unless ANY asks for whichever come first.
  if (count !== 0 && sort === 'none' && !any) sort = 'asc'

  const geoShape: GeoShape = shape.type === 'circle'
    ? {type: 'circle', longitude: shape.longitude, latitude: shape.latitude, conversion: shape.conversion, radius: shape.radius}
    : {type: 'box', longitude: shape.longitude, latitude: shape.latitude, conversion: shape.conversion, width: shape.width, height: shape.height}
  const found = membersInShape(zset, geoShape, any ? count : 0)
  if (found.length === 0 && storeKey === undefined) return EMPTY_ARRAY
  const returned = count === 0 || found.length < count ? found.length : count
  if (sort !== 'none') {
    const compare = sort === 'asc' ? ascending : descending
    if (returned === found.length) found.sort(compare)
    else partialSort(found, compare, 0, returned - 1)
  }
  const results = found.slice(0, returned)
  for (const point of results) point.dist /= shape.conversion

  if (storeKey !== undefined) {
    const existed = returned === 0 && ctx.db.peek(keyOf(storeKey)) !== undefined
    const reply = storeSortedSet(ctx, storeKey, results.map((p) => ({member: p.member, score: storeDist ? p.dist : p.score})))
    if (returned > 0) {
      ctx.keyspace.dirty += returned - 1
      ctx.notify('z', search ? 'geosearchstore' : 'georadiusstore', storeKey)
    } else if (existed) ctx.notify('g', 'del', storeKey)
    return reply
  }
  const withOptions = withDist || withHash || withCoords
  return array(results.map((point) => {
    const member = bulk(keyBytes(point.member))
    if (!withOptions) return member
    const items: Reply[] = [member]
    if (withDist) items.push(distanceReply(point.dist))
    if (withHash) items.push(int(Math.trunc(point.score)))
    if (withCoords) items.push(array([coordinateReply(ctx, point.longitude), coordinateReply(ctx, point.latitude)]))
    return array(items)
  }))
}
