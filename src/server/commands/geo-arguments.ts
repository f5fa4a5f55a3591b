// What the geo commands share: longitude/latitude and unit arguments with Redis's checks and error texts, and
// distances and coordinates printed as Redis prints them.

import {NOT_FLOAT} from '../../resp/errors.js'
import {bulk, error, raw, type Reply} from '../../resp/reply.js'
import type {CommandContext} from '../command-spec.js'
import {formatFixed, formatFixedPoint, formatHumanLongDouble} from '../geo/c-number-format.js'
import {GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN} from '../geo/geohash.js'
import type {Parsed} from './args.js'
import {parseStrictDouble} from './sorted-sets.js'

/** extractLongLatOrReply: a longitude and a latitude within Redis's limits. */
export function parseLongLat(lonArg: Buffer, latArg: Buffer): Parsed<[number, number]> {
  const lon = parseStrictDouble(lonArg, NOT_FLOAT)
  if (!lon.ok) return lon
  const lat = parseStrictDouble(latArg, NOT_FLOAT)
  if (!lat.ok) return lat
  if (lon.value < GEO_LONG_MIN || lon.value > GEO_LONG_MAX || lat.value < GEO_LAT_MIN || lat.value > GEO_LAT_MAX) {
    return {ok: false, error: error(`ERR invalid longitude,latitude pair ${formatFixed(lon.value, 6)},${formatFixed(lat.value, 6)}`)}
  }
  return {ok: true, value: [lon.value, lat.value]}
}

const UNITS: Readonly<Record<string, number>> = {m: 1, km: 1000, ft: 0.3048, mi: 1609.34}

/** extractUnitOrReply: meters per unit. */
export function parseUnit(arg: Buffer): Parsed<number> {
  const factor = UNITS[arg.toString('latin1').toLowerCase()]
  return factor === undefined ? {ok: false, error: error('ERR unsupported unit provided. please use M, KM, FT, MI')} : {ok: true, value: factor}
}

/** A distance as Redis replies with it: four decimals. */
export const distanceReply = (meters: number): Reply => bulk(formatFixedPoint(meters, 4))

/** A coordinate as addReplyHumanLongDouble sends it: a bulk string in RESP2, a double in RESP3. */
export function coordinateReply(ctx: CommandContext, value: number): Reply {
  const text = formatHumanLongDouble(value)
  return ctx.client.resp === 3 ? raw(Buffer.from(`,${text}\r\n`)) : bulk(text)
}

