// Geo commands against real Redis 7.0, byte for byte: GEOADD's scores (the 52-bit geohash), positions, distances
// and geohash strings as Redis prints them, every search form with its options and errors, seeded random points
// and searches (edge coordinates, clusters of equal distances, COUNT cutting the results), STORE/STOREDIST,
// RESP3, DUMP/RESTORE both ways and the commands replicas receive.

import type {Redis} from 'ioredis'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {expectSameEvents, startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {attachSyncReplica} from '../helpers/replication.js'
import {prng} from '../helpers/prng.js'

const skip = realRedisMissing ?? bundledMissing

const LAT_MAX = 85.05112878
const EDGE_LONGITUDES = ['180', '-180', '179.9999999', '-179.9999999', '0', '-0', '0.0000001']
const EDGE_LATITUDES = ['85.05112878', '-85.05112878', '85.05112877', '-85.0511287', '0', '-0', '66.5', '-80.1']

/** Random points over the whole range, a share at the limits, and clusters of identical positions. */
function randomPoints(random: () => number, count: number): string[][] {
  const points: string[][] = []
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
  for (let i = 0; i < count; i++) {
    const kind = random()
    let lon: string
    let lat: string
    if (kind < 0.1) {
      lon = pick(EDGE_LONGITUDES)
      lat = pick(EDGE_LATITUDES)
    } else if (kind < 0.2 && points.length > 0) {
      // Same place as an earlier point: equal distances from every centre.
      const twin = pick(points)
      lon = twin[0] as string
      lat = twin[1] as string
    } else if (kind < 0.6) {
      // A dense area, so radius searches find many points.
      lon = (12 + random() * 4).toFixed(6)
      lat = (36 + random() * 4).toFixed(6)
    } else {
      lon = (random() * 360 - 180).toFixed(Math.floor(random() * 9))
      lat = ((random() * 2 - 1) * LAT_MAX).toFixed(Math.floor(random() * 9))
    }
    points.push([lon, lat, `p${i}`])
  }
  return points
}

describe.skipIf(!!skip)(`geo commands match Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: DifferentialPair
  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(() => pair?.stop())
  beforeEach(() => pair.reset())
  const s = (...args: string[]) => pair.expectSame(...args)

  /**
   * STOREDIST keeps distances at full precision, where V8's sin/cos/asin and glibc's may differ in the last
   * bit: members and their order must be the same, the distances equal to 14 significant digits.
   */
  let clients: Redis[] | undefined
  const sameStoredDistances = async (key: string): Promise<void> => {
    await s('ZRANGE', key, '0', '-1')
    clients ??= [pair.real.client({protocol: 2}), pair.ours.client({protocol: 2})]
    const [a, b] = (await Promise.all(clients.map((c) => c.call('ZRANGE', key, '0', '-1', 'WITHSCORES')))) as string[][]
    expect(b?.length).toBe(a?.length)
    a?.forEach((value, i) => {
      if (i % 2 === 0) return
      const [x, y] = [Number(value), Number(b?.[i])]
      expect(Math.abs(x - y), `${key} score ${i}: ours ${b?.[i]}, Redis ${value}`).toBeLessThanOrEqual(Math.abs(x) * 1e-14)
    })
  }

  /**
   * The keyspace events each server publishes while `run` runs: a subscriber to every channel on each, read up
   * to the message that marks the end.
   */
  const eventsDuring = (run: () => Promise<void>): Promise<void> => expectSameEvents(pair, 'KEA', run)

  const sicily = () => s('GEOADD', 'Sicily', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania', '12.758489', '38.788135', 'edge1', '13.5', '37.25', 'Agrigento')

  it('GEOADD: scores, NX, XX, CH, repeated members, and the ZADD it is underneath', async () => {
    await sicily()
    await s('ZRANGE', 'Sicily', '0', '-1', 'WITHSCORES')
    await s('GEOADD', 'Sicily', '13.361389', '38.115556', 'Palermo')
    await s('GEOADD', 'Sicily', 'CH', '13.361389', '38.115556', 'Palermo', '13.4', '38.1', 'Catania')
    await s('GEOADD', 'Sicily', 'NX', 'CH', '1', '1', 'Palermo', '2', '2', 'new')
    await s('GEOADD', 'Sicily', 'XX', 'CH', '3', '3', 'Palermo', '4', '4', 'absent')
    await s('GEOADD', 'Sicily', 'xx', 'nx', '3', '3', 'Palermo')
    await s('GEOADD', 'Sicily', 'ch', 'ch', 'NX', 'NX', '5', '5', 'more')
    await s('GEOADD', 'Sicily', '1', '1', 'dup', '2', '2', 'dup', '1', '1', 'dup')
    await s('GEOADD', 'Sicily', 'CH', '1', '1', 'dup', '2', '2', 'dup')
    await s('GEOADD', 'missing', 'XX', '1', '1', 'a')
    await s('EXISTS', 'missing')
    await s('GEOADD', 'missing', 'NX', '1', '1', 'a')
    await s('ZRANGE', 'Sicily', '0', '-1', 'WITHSCORES')
    await s('GEOADD', 'limits', '180', '85.05112878', 'ne', '-180', '-85.05112878', 'sw', '180', '-85.05112878', 'se', '-180', '85.05112878', 'nw', '0', '0', 'zero', '-0', '-0', 'negzero')
    await s('ZRANGE', 'limits', '0', '-1', 'WITHSCORES')
    await s('GEOPOS', 'limits', 'ne', 'sw', 'se', 'nw', 'zero', 'negzero')
    await s('GEOHASH', 'limits', 'ne', 'sw', 'se', 'nw', 'zero', 'negzero')
    await s('OBJECT', 'ENCODING', 'limits')
  })

  it('GEOADD errors: coordinates out of range (printed as %f), not numbers, syntax, wrong type, arity', async () => {
    for (const [lon, lat] of [['200', '100'], ['-180.0000001', '0'], ['0', '85.05112879'], ['0', '-85.06'], ['inf', '1'], ['-inf', '1'],
      ['1e300', '100'], ['0.0078125', '100'], ['-0', '90'], ['1', '1e-320'], ['181', '-0.0000005'], ['0x10', '100'], ['1.5e2', '95.5']]) {
      await s('GEOADD', 'g', lon as string, lat as string, 'm')
    }
    await s('GEOADD', 'g', 'abc', '1', 'm')
    await s('GEOADD', 'g', '1', 'nan', 'm')
    await s('GEOADD', 'g', '1', ' 1', 'm')
    await s('GEOADD', 'g', '1', '1e400', 'm')
    await s('GEOADD', 'g', '1', '1', 'm', '2')
    await s('GEOADD', 'g', 'NX', '1', '1')
    await s('GEOADD', 'g', 'NX', 'XX', 'CH')
    await s('GEOADD', 'g', 'NX', 'CH', 'CH')
    await s('GEOADD', 'g', 'GT', '1', '1', 'm')
    await s('GEOADD', 'g', '1', '1')
    await s('GEOADD', 'g', '1', '1', 'ok', '500', '1', 'bad')
    await s('EXISTS', 'g')
    await s('SET', 'str', 'x')
    await s('GEOADD', 'str', '1', '1', 'm')
    await s('GEOADD', 'str', '1', '100', 'm')
    await s('GEOPOS', 'str', 'm')
    await s('GEODIST', 'str', 'a', 'b')
    await s('GEOHASH', 'str', 'm')
    await s('GEOPOS')
    await s('GEODIST', 'k', 'a')
  })

  it('GEOPOS, GEODIST and GEOHASH: units, missing keys and members, scores ZADD put there', async () => {
    await sicily()
    await s('GEOPOS', 'Sicily', 'Palermo', 'nope', 'Catania')
    await s('GEOPOS', 'Sicily')
    await s('GEOPOS', 'nokey', 'a', 'b')
    await s('GEOHASH', 'Sicily', 'Palermo', 'nope', 'Catania', 'edge1', 'Agrigento')
    await s('GEOHASH', 'nokey', 'a')
    for (const unit of ['m', 'km', 'ft', 'mi', 'KM', 'Mi', 'M', 'yd', '']) await s('GEODIST', 'Sicily', 'Palermo', 'Catania', unit)
    await s('GEODIST', 'Sicily', 'Palermo', 'Catania')
    await s('GEODIST', 'Sicily', 'Palermo', 'Palermo')
    await s('GEODIST', 'Sicily', 'Palermo', 'nope')
    await s('GEODIST', 'nokey', 'a', 'b')
    await s('GEODIST', 'nokey', 'a', 'b', 'yd')
    await s('GEODIST', 'Sicily', 'Palermo', 'Catania', 'km', 'extra')
    await s('ZADD', 'raw', '-1', 'neg', '1.5', 'frac', '1e20', 'huge', 'inf', 'inf', '-inf', 'minf', '4503599627370496', 'bit52', '9007199254740993', 'big', '0', 'zero')
    const members = ['neg', 'frac', 'huge', 'inf', 'minf', 'bit52', 'big', 'zero']
    await s('GEOPOS', 'raw', ...members)
    await s('GEOHASH', 'raw', ...members)
    for (const m of members) await s('GEODIST', 'raw', 'zero', m)
    await s('GEORADIUS', 'raw', '0', '0', '20000', 'km', 'WITHCOORD', 'WITHHASH', 'WITHDIST')
  })

  it('search errors and option parsing, in Redis order', async () => {
    await sicily()
    const cases: string[][] = [
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'yd'],
      ['GEORADIUS', 'Sicily', '15', '37', '-1', 'km'],
      ['GEORADIUS', 'Sicily', '15', '37', 'abc', 'km'],
      ['GEORADIUS', 'Sicily', '200', '37', '200', 'km'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', '0'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', '-3'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', 'x'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'ANY'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'ANY', 'COUNT', '1'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'd', 'WITHDIST'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'FROMMEMBER', 'Palermo'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'BOGUS'],
      ['GEORADIUS_RO', 'Sicily', '15', '37', '200', 'km', 'STORE', 'd'],
      ['GEORADIUS_RO', 'Sicily', '15', '37', '200', 'km', 'STOREDIST', 'd'],
      ['GEORADIUSBYMEMBER', 'Sicily', 'nope', '200', 'km'],
      ['GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '200', 'yd'],
      ['GEORADIUSBYMEMBER', 'nokey', 'nope', 'abc', 'yd', 'WITHDIST'],
      ['GEORADIUSBYMEMBER', 'nokey', 'nope', 'abc', 'yd', 'STORE', 'd'],
      ['GEORADIUSBYMEMBER', 'nokey', 'nope', 'abc', 'yd', 'BOGUS'],
      ['GEORADIUSBYMEMBER_RO', 'Sicily', 'Palermo', '200', 'km', 'STORE', 'd'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'STORE', 'd'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'STOREDIST'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'nope', 'BYRADIUS', '200', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'FROMLONLAT', '1', '1', 'BYRADIUS', '200', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'FROMMEMBER', 'Catania', 'BYRADIUS', '200', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '100', 'BYRADIUS', '200', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '1', '1', 'km', 'BYRADIUS', '200', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'BYBOX', '1', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '1', 'km', 'BYRADIUS', '200', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', 'x', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '1', 'x', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '-1', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '1', '-1', 'yd'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '1', '1', 'yd'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '1', '1'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200'],
      ['GEOSEARCH', 'Sicily', 'BYRADIUS', '200', 'km', 'ASC'],
      ['geosearch', 'Sicily', 'BYRADIUS', '200', 'km', 'ASC'],
      ['GeoSearch', 'Sicily', 'FROMLONLAT', '15', '37', 'ASC', 'DESC'],
      ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'x', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'x', 'ASC'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'ANY'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'WITHDIST', 'WITHDIST', 'ASC', 'DESC'],
      ['GEOSEARCHSTORE', 'd', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'WITHDIST'],
      ['GEOSEARCHSTORE', 'd', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STORE', 'x'],
      ['GEOSEARCHSTORE', 'd', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'WITHCOORD', 'STOREDIST'],
      ['GEOSEARCHSTORE', 'd', 'Sicily', 'BYRADIUS', '200', 'km', 'STOREDIST'],
      ['geosearchstore', 'd', 'Sicily', 'FROMLONLAT', '15', '37', 'COUNT', '1'],
      ['GEORADIUS', 'Sicily', '15', '37'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37'],
      ['GEOSEARCHSTORE', 'd', 'Sicily', 'FROMLONLAT', '15', '37', 'ASC'],
    ]
    for (const call of cases) await s(...call)
    await s('SET', 'str', 'x')
    await s('GEORADIUS', 'str', '200', '37', '200', 'km')
    await s('GEOSEARCH', 'str', 'BOGUS')
    await s('GEOSEARCHSTORE', 'd', 'str', 'BOGUS')
    await s('GEORADIUSBYMEMBER', 'str', 'x', '1', 'km')
    await s('EXISTS', 'd')
  })

  it('searches around Sicily: every form, sort, COUNT, ANY, WITH* options, STORE and STOREDIST', async () => {
    await sicily()
    const withs = [[], ['WITHDIST'], ['WITHCOORD'], ['WITHHASH'], ['WITHDIST', 'WITHHASH', 'WITHCOORD'], ['WITHCOORD', 'WITHDIST']]
    const orders = [[], ['ASC'], ['DESC'], ['COUNT', '1'], ['COUNT', '2', 'DESC'], ['COUNT', '3', 'ANY'], ['COUNT', '10', 'ANY', 'ASC'], ['COUNT', '9223372036854775807']]
    for (const w of withs) {
      for (const o of orders) {
        await s('GEORADIUS', 'Sicily', '15', '37', '200', 'km', ...w, ...o)
        await s('GEORADIUS_RO', 'Sicily', '15', '37', '200', 'km', ...o, ...w)
        await s('GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '150', 'km', ...w, ...o)
        await s('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Agrigento', 'BYBOX', '300', '200', 'km', ...w, ...o)
        await s('GEOSEARCH', 'Sicily', 'FROMLONLAT', '14', '38', 'BYRADIUS', '100', 'mi', ...o, ...w)
      }
    }
    await s('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'near')
    await s('ZRANGE', 'near', '0', '-1', 'WITHSCORES')
    await s('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STOREDIST', 'near', 'COUNT', '1')
    await s('ZRANGE', 'near', '0', '-1', 'WITHSCORES')
    await s('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'a', 'STOREDIST', 'b')
    await s('EXISTS', 'a', 'b')
    await s('ZRANGE', 'b', '0', '-1', 'WITHSCORES')
    await s('GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '500', 'ft', 'STOREDIST', 'byMember')
    await s('ZRANGE', 'byMember', '0', '-1', 'WITHSCORES')
    await s('GEOSEARCHSTORE', 'box', 'Sicily', 'FROMLONLAT', '14', '38', 'BYBOX', '400', '400', 'km', 'DESC', 'COUNT', '2')
    await s('ZRANGE', 'box', '0', '-1', 'WITHSCORES')
    await s('GEOSEARCHSTORE', 'box', 'Sicily', 'FROMLONLAT', '14', '38', 'BYBOX', '400', '400', 'km', 'STOREDIST')
    await s('ZRANGE', 'box', '0', '-1', 'WITHSCORES')
    await s('SET', 'str', 'x')
    await s('EXPIRE', 'str', '100')
    await s('GEOSEARCHSTORE', 'str', 'Sicily', 'FROMLONLAT', '14', '38', 'BYRADIUS', '10', 'km')
    await s('EXISTS', 'str')
    await s('SET', 'str', 'x')
    await s('GEOSEARCHSTORE', 'str', 'Sicily', 'FROMLONLAT', '14', '38', 'BYRADIUS', '1000', 'km')
    await s('TTL', 'str')
    await s('TYPE', 'str')
    await s('GEOSEARCHSTORE', 'str', 'nokey', 'FROMLONLAT', '14', '38', 'BYRADIUS', '1000', 'km')
    await s('EXISTS', 'str')
    await s('GEORADIUS', 'nokey', '15', '37', '200', 'km')
    await s('GEORADIUS', 'nokey', '15', '37', '200', 'km', 'STORE', 'near')
    await s('EXISTS', 'near')
    await s('GEOSEARCH', 'Sicily', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'm')
    await s('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '0', 'm', 'WITHDIST')
    await s('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYBOX', '0', '0', 'm', 'WITHDIST')
  })

  it('seeded random points and searches: all forms, edge coordinates, equal distances, COUNT cuts', async () => {
    const random = prng(1729)
    const points = randomPoints(random, 2500)
    // A small set (listpack in Redis) and a big one (skiplist).
    await s('GEOADD', 'small', ...points.slice(0, 100).flat())
    for (let i = 0; i < points.length; i += 250) await s('GEOADD', 'big', ...points.slice(i, i + 250).flat())
    await s('ZRANGE', 'big', '0', '-1', 'WITHSCORES')
    const members = points.map((p) => p[2] as string)
    for (let i = 0; i < members.length; i += 500) {
      await s('GEOPOS', 'big', ...members.slice(i, i + 500))
      await s('GEOHASH', 'big', ...members.slice(i, i + 500))
    }
    const units = ['m', 'km', 'mi', 'ft']
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
    const radius = (): string => pick(['0', '1', '50', '1000', '50000', '400000', '2500000', '9000000', '20037726', '30000000', (random() * 800).toFixed(3)])
    for (let round = 0; round < 400; round++) {
      const key = random() < 0.2 ? 'small' : 'big'
      const unit = pick(units)
      const size = unit === 'm' ? radius() : String(Math.round(Number(radius()) / 1000))
      const centre = random() < 0.5 ? pick(points) : [(random() * 360 - 180).toFixed(5), ((random() * 2 - 1) * LAT_MAX).toFixed(5)]
      const options: string[] = []
      if (random() < 0.5) options.push('WITHDIST')
      if (random() < 0.3) options.push('WITHCOORD')
      if (random() < 0.2) options.push('WITHHASH')
      const order = random()
      if (order < 0.3) options.push('ASC')
      else if (order < 0.6) options.push('DESC')
      if (random() < 0.5) {
        options.push('COUNT', String(1 + Math.floor(random() * 60)))
        if (random() < 0.3) options.push('ANY')
      }
      const form = random()
      if (form < 0.35) {
        const by = random() < 0.5 ? ['BYRADIUS', size, unit] : ['BYBOX', size, String(Math.round(Number(size) * (0.2 + random() * 2))), unit]
        const from = random() < 0.5 ? ['FROMMEMBER', pick(members)] : ['FROMLONLAT', centre[0] as string, centre[1] as string]
        await s('GEOSEARCH', key, ...from, ...by, ...options)
      } else if (form < 0.55) {
        await s(random() < 0.5 ? 'GEORADIUS' : 'GEORADIUS_RO', key, centre[0] as string, centre[1] as string, size, unit, ...options)
      } else if (form < 0.7) {
        await s(random() < 0.5 ? 'GEORADIUSBYMEMBER' : 'GEORADIUSBYMEMBER_RO', key, pick(members), size, unit, ...options)
      } else {
        const plain = options.filter((o) => !o.startsWith('WITH'))
        const storeDist = random() < 0.5
        if (random() < 0.5) {
          await s('GEOSEARCHSTORE', 'dest', key, 'FROMLONLAT', centre[0] as string, centre[1] as string, 'BYRADIUS', size, unit, ...plain, ...(storeDist ? ['STOREDIST'] : []))
        } else {
          await s('GEORADIUS', key, centre[0] as string, centre[1] as string, size, unit, ...plain, storeDist ? 'STOREDIST' : 'STORE', 'dest')
        }
        if (storeDist) await sameStoredDistances('dest')
        else await s('ZRANGE', 'dest', '0', '-1', 'WITHSCORES')
      }
    }
    for (let i = 0; i < 200; i++) await s('GEODIST', 'big', pick(members), pick(members), pick(units))
  })

  it('COMMAND GETKEYS finds the STORE and STOREDIST destinations of GEORADIUS and GEORADIUSBYMEMBER', async () => {
    const calls = [
      ['GEORADIUS', 'src', '1', '2', '3', 'km'], ['GEORADIUS', 'src', '1', '2', '3', 'km', 'STORE', 'd'],
      ['GEORADIUS', 'src', '1', '2', '3', 'km', 'STOREDIST', 'd'], ['GEORADIUS', 'src', '1', '2', '3', 'km', 'STORE', 'a', 'STOREDIST', 'b'],
      ['GEORADIUS', 'src', '1', '2', '3', 'km', 'COUNT', '1', 'store', 'd'], ['GEORADIUS', 'src', '1', '2', '3', 'km', 'STORE'],
      ['GEORADIUS', 'src', 'STORE', 'x', '3', 'km'], ['GEORADIUSBYMEMBER', 'src', 'm', '3', 'km', 'STORE', 'd'],
      ['GEORADIUSBYMEMBER', 'src', 'm', '3', 'km', 'STOREDIST', 'd', 'ASC'], ['GEORADIUSBYMEMBER', 'src', 'STORE', '3', 'km', 'WITHDIST'],
      ['GEORADIUS_RO', 'src', '1', '2', '3', 'km', 'STORE', 'd'], ['GEOSEARCHSTORE', 'dst', 'src', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'src', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'km'], ['GEOADD', 'k', '1', '2', 'm'],
    ]
    for (const call of calls) {
      await s('COMMAND', 'GETKEYS', ...call)
      await s('COMMAND', 'GETKEYSANDFLAGS', ...call)
    }
    await s('COMMAND', 'INFO', 'georadius', 'georadiusbymember', 'geosearchstore', 'geoadd', 'geosearch', 'geopos')
  })

  it('keyspace events: zadd for GEOADD that changed something, georadiusstore, geosearchstore, del', async () => {
    await eventsDuring(async () => {
      await sicily()
      await s('GEOADD', 'Sicily', 'NX', '13.361389', '38.115556', 'Palermo')
      await s('GEOADD', 'Sicily', 'XX', 'CH', '13.4', '38.1', 'Palermo')
      await s('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'near')
      await s('GEORADIUS', 'Sicily', '15', '37', '200', 'km')
      await s('GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '200', 'km', 'STOREDIST', 'near2')
      await s('GEOSEARCHSTORE', 'box', 'Sicily', 'FROMLONLAT', '14', '38', 'BYBOX', '400', '400', 'km')
      await s('GEOSEARCHSTORE', 'box', 'Sicily', 'FROMLONLAT', '0', '0', 'BYBOX', '1', '1', 'km')
      await s('GEOSEARCHSTORE', 'box', 'Sicily', 'FROMLONLAT', '0', '0', 'BYBOX', '1', '1', 'km')
      await s('GEORADIUS', 'nokey', '15', '37', '200', 'km', 'STORE', 'near')
      await s('GEORADIUS', 'nokey', '15', '37', '200', 'km', 'STORE', 'near')
    })
  })

  it('RESP3: coordinates as doubles, nulls for missing members', async () => {
    await sicily()
    await pair.resp3()
    await s('GEOPOS', 'Sicily', 'Palermo', 'nope')
    await s('GEOPOS', 'nokey', 'a')
    await s('GEOHASH', 'Sicily', 'Palermo', 'nope')
    await s('GEODIST', 'Sicily', 'Palermo', 'nope')
    await s('GEODIST', 'nokey', 'a', 'b')
    await s('GEODIST', 'Sicily', 'Palermo', 'Catania', 'mi')
    await s('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'WITHCOORD', 'WITHDIST', 'WITHHASH')
    await s('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHCOORD')
    await s('GEOADD', 'limits', '180', '85.05112878', 'ne', '-0', '-0', 'z')
    await s('GEOPOS', 'limits', 'ne', 'z')
  })

  it('DUMP/RESTORE: geo sets dumped by Redis restore on ours and the reverse', async () => {
    const random = prng(5)
    await s('GEOADD', 'small', ...randomPoints(random, 50).flat())
    await s('GEOADD', 'big', ...randomPoints(random, 400).flat())
    const payloadOf = (reply: Buffer): Buffer => reply.subarray(reply.indexOf('\r\n') + 2, reply.length - 2)
    for (const key of ['small', 'big']) {
      await s('DUMP', key)
      const [fromRedis, fromOurs] = await Promise.all([pair.realClient.command('DUMP', key), pair.ourClient.command('DUMP', key)])
      expect((await pair.ourClient.command('RESTORE', `${key}-r`, '0', payloadOf(fromRedis))).toString()).toBe('+OK\r\n')
      expect((await pair.realClient.command('RESTORE', `${key}-r`, '0', payloadOf(fromOurs))).toString()).toBe('+OK\r\n')
      await s('ZRANGE', `${key}-r`, '0', '-1', 'WITHSCORES')
      await s('GEOSEARCH', `${key}-r`, 'FROMLONLAT', '14', '38', 'BYRADIUS', '3000', 'km', 'WITHDIST', 'ASC')
    }
  })

  describe('what replicas receive', () => {
    it('GEOADD as ZADD (only when it changed something), the STORE forms verbatim, read-only searches never', async () => {
      const [real, ours] = await Promise.all([attachSyncReplica(pair.real), attachSyncReplica(pair.ours)])
      try {
        await sicily()
        await s('geoadd', 'Sicily', 'Ch', 'xX', '13.361389', '38.115556', 'Palermo', '1', '1', 'absent')
        await s('GEOADD', 'Sicily', 'CH', 'XX', '13.4', '38.1', 'Palermo')
        await s('GEOADD', 'Sicily', 'NX', '13.4', '38.1', 'Palermo')
        await s('GEOADD', 'limits', '180', '85.05112878', 'ne', '-180', '-85.05112878', 'sw')
        await s('GEORADIUS', 'Sicily', '15', '37', '200', 'km')
        await s('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'near')
        await s('GEORADIUS', 'Sicily', '15', '37', '1', 'm', 'STORE', 'near')
        await s('GEORADIUS', 'Sicily', '15', '37', '1', 'm', 'STORE', 'near')
        await s('GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '300', 'km', 'STOREDIST', 'd2')
        await s('GEOSEARCHSTORE', 'd3', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYBOX', '300', '300', 'km', 'COUNT', '2')
        await s('GEOSEARCHSTORE', 'd3', 'nokey', 'FROMMEMBER', 'Palermo', 'BYBOX', '300', '300', 'km')
        await s('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYBOX', '300', '300', 'km')
        await s('SET', 'done', '1')
        const [a, b] = await Promise.all([real.stream(), ours.stream()])
        expect(b).toBe(a)
      } finally {
        real.close()
        ours.close()
      }
    })
  })
})
