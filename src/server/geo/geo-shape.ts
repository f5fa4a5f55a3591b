// Searching around a point (geohash_helper.c): the search shape (a circle or a box, in a unit), its bounding box,
// the geohash cells that cover it (a centre cell and its useful neighbours, at a step estimated from the size),
// and the haversine distances on Redis's earth radius.

import {decode, encode, neighbors, WGS84_LATITUDE, WGS84_LONGITUDE, ZERO_HASH, type Area, type HashBits, type Neighbors} from './geohash.js'

const D_R = Math.PI / 180
const EARTH_RADIUS_IN_METERS = 6372797.560856
const MERCATOR_MAX = 20037726.37

const degToRad = (angle: number): number => angle * D_R
const radToDeg = (angle: number): number => angle / D_R

export type GeoShape =
  | {readonly type: 'circle'; readonly longitude: number; readonly latitude: number; readonly conversion: number; readonly radius: number}
  | {readonly type: 'box'; readonly longitude: number; readonly latitude: number; readonly conversion: number; readonly width: number; readonly height: number}

/** Distance in meters along a meridian. */
export const latitudeDistance = (lat1: number, lat2: number): number => EARTH_RADIUS_IN_METERS * Math.abs(degToRad(lat2) - degToRad(lat1))

/** geohashGetDistance: the haversine distance in meters. */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const v = Math.sin((degToRad(lon2) - degToRad(lon1)) / 2)
  // Same longitude: only the latitude differs, no trigonometry needed.
  if (v === 0) return latitudeDistance(lat1, lat2)
  const lat1r = degToRad(lat1)
  const lat2r = degToRad(lat2)
  const u = Math.sin((lat2r - lat1r) / 2)
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v
  return 2 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a))
}

/** geoWithinShape's test: the distance from the shape's centre when (lon, lat) is inside it. */
export function distanceIfWithin(shape: GeoShape, lon: number, lat: number): number | undefined {
  if (shape.type === 'circle') {
    const d = distance(shape.longitude, shape.latitude, lon, lat)
    return d > shape.radius * shape.conversion ? undefined : d
  }
  // Latitude first: it is the cheaper one.
  if (latitudeDistance(lat, shape.latitude) > (shape.height * shape.conversion) / 2) return undefined
  if (distance(lon, lat, shape.longitude, lat) > (shape.width * shape.conversion) / 2) return undefined
  return distance(shape.longitude, shape.latitude, lon, lat)
}

/** geohashEstimateStepsByRadius: the coarsest step whose cells still hold the radius, narrower near the poles. */
function estimateSteps(rangeMeters: number, latitude: number): number {
  if (rangeMeters === 0) return 26
  let step = 1
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2
    step++
  }
  step -= 2
  if (latitude > 66 || latitude < -66) {
    step--
    if (latitude > 80 || latitude < -80) step--
  }
  return Math.min(26, Math.max(1, step))
}

/** geohashBoundingBox: [min lon, min lat, max lon, max lat] around the shape. */
function boundingBox(shape: GeoShape): [number, number, number, number] {
  const {longitude, latitude, conversion} = shape
  const height = conversion * (shape.type === 'circle' ? shape.radius : shape.height / 2)
  const width = conversion * (shape.type === 'circle' ? shape.radius : shape.width / 2)
  const latDelta = radToDeg(height / EARTH_RADIUS_IN_METERS)
  const longDeltaTop = radToDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degToRad(latitude + latDelta)))
  const longDeltaBottom = radToDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degToRad(latitude - latDelta)))
  // The hemispheres widen in opposite directions, so each takes its wider edge.
  const southern = latitude < 0
  return [
    southern ? longitude - longDeltaBottom : longitude - longDeltaTop,
    latitude - latDelta,
    southern ? longitude + longDeltaBottom : longitude + longDeltaTop,
    latitude + latDelta,
  ]
}

/** The cells to scan, in Redis's order: the centre, N, S, E, W, NE, NW, SE, SW (zero hashes are skipped). */
export function coveringCells(shape: GeoShape): HashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape)
  const radiusMeters = (shape.type === 'circle' ? shape.radius : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2))) * shape.conversion
  let steps = estimateSteps(radiusMeters, shape.latitude)
  const at = (step: number): {hash: HashBits; around: Neighbors; area: Area} => {
    const hash = encode(WGS84_LONGITUDE, WGS84_LATITUDE, shape.longitude, shape.latitude, step) ?? {bits: 0n, step}
    return {hash, around: neighbors(hash), area: decode(WGS84_LONGITUDE, WGS84_LATITUDE, hash)}
  }
  let {hash, around, area} = at(steps)
  // A neighbour that does not reach the bounding box's edge means the cells are too small: one step coarser.
  const cellOf = (h: HashBits): Area => decode(WGS84_LONGITUDE, WGS84_LATITUDE, h)
  const tooFine = cellOf(around.north).latitude.max < maxLat || cellOf(around.south).latitude.min > minLat ||
    cellOf(around.east).longitude.max < maxLon || cellOf(around.west).longitude.min > minLon
  if (steps > 1 && tooFine) {
    steps--
    ;({hash, around, area} = at(steps))
  }
  // Drop the neighbours on a side the bounding box does not reach.
  if (steps >= 2) {
    if (area.latitude.min < minLat) around = {...around, south: ZERO_HASH, southWest: ZERO_HASH, southEast: ZERO_HASH}
    if (area.latitude.max > maxLat) around = {...around, north: ZERO_HASH, northEast: ZERO_HASH, northWest: ZERO_HASH}
    if (area.longitude.min < minLon) around = {...around, west: ZERO_HASH, southWest: ZERO_HASH, northWest: ZERO_HASH}
    if (area.longitude.max > maxLon) around = {...around, east: ZERO_HASH, southEast: ZERO_HASH, northEast: ZERO_HASH}
  }
  const cells = [hash, around.north, around.south, around.east, around.west, around.northEast, around.northWest, around.southEast, around.southWest]
  return cells
}

