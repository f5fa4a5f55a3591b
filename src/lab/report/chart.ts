// The timeline chart of an audit report as an inline SVG string: throughput (acknowledged and failed writes,
// reads) and write latency per bucket on one time axis, the fault window shaded across every panel, the
// unavailability window hatched, and one lane per sentinel event name with a mark per event, plus a lane of
// lost writes. Every mark carries a stable class and data attributes so tests can find it in the DOM.

import type {AuditReport, SeriesBucket} from '../types.js'
import {byTime, esc, fmtMs, fmtTick, group, niceStep, spanOf, ticks} from './format.js'

const W = 1100
const LEFT = 240
const RIGHT = 28
const PLOT_W = W - LEFT - RIGHT
const TOP_LABELS = 46
const TP = {top: TOP_LABELS, height: 130}
const LAT = {top: TP.top + TP.height + 26, height: 150}
const LANES_TOP = LAT.top + LAT.height + 40
const LANE_H = 16

const r = (n: number): number => Math.round(n * 10) / 10

interface Frame {
  endMs: number
  x: (ms: number) => number
}

/** The time domain: everything the report mentions must fit on the axis. */
const frameOf = (report: AuditReport): Frame => {
  const last = report.series.at(-1)
  const candidates = [
    report.durationMs, last ? last.tMs + spanOf(report)(last) : 0, report.fault?.atMs ?? 0, report.fault?.recoveredMs ?? 0,
    report.unavailable?.toMs ?? 0, ...report.events.map((e) => e.atMs), ...report.lostWrites.map((w) => w.ackMs),
  ]
  const endMs = Math.max(1, ...candidates.filter((v) => Number.isFinite(v)))
  return {endMs, x: (ms) => r(LEFT + (Math.min(Math.max(ms, 0), endMs) / endMs) * PLOT_W)}
}

/** A stepped band between lo(b) and hi(b) for every bucket, as one closed path. */
const bandPath = (buckets: readonly SeriesBucket[], span: (b: SeriesBucket) => number, f: Frame, y: (v: number) => number,
  lo: (b: SeriesBucket) => number, hi: (b: SeriesBucket) => number): string => {
  if (buckets.length === 0) return ''
  const top = buckets.flatMap((b) => [`${f.x(b.tMs)},${r(y(hi(b)))}`, `${f.x(b.tMs + span(b))},${r(y(hi(b)))}`])
  const bottom = [...buckets].reverse().flatMap((b) => [`${f.x(b.tMs + span(b))},${r(y(lo(b)))}`, `${f.x(b.tMs)},${r(y(lo(b)))}`])
  return `M${[...top, ...bottom].join('L')}Z`
}

/** A stepped line through the buckets where value(b) > 0, broken where it is 0. */
const stepLine = (buckets: readonly SeriesBucket[], span: (b: SeriesBucket) => number, f: Frame, y: (v: number) => number,
  value: (b: SeriesBucket) => number): string => {
  let d = ''
  let lastEnd: number | undefined
  for (const b of buckets) {
    const v = value(b)
    if (!(v > 0)) {
      lastEnd = undefined
      continue
    }
    const x0 = f.x(b.tMs)
    const x1 = f.x(b.tMs + span(b))
    const yy = r(y(v))
    d += lastEnd !== undefined && Math.abs(lastEnd - x0) < 0.05 ? `V${yy}H${x1}` : `M${x0},${yy}H${x1}`
    lastEnd = x1
  }
  return d
}

const perSecond = (count: number, ms: number): number => (ms > 0 ? (count * 1000) / ms : 0)

const throughputPanel = (report: AuditReport, f: Frame): string => {
  const {series} = report
  const span = spanOf(report)
  const wOk = (b: SeriesBucket): number => perSecond(b.writesOk, span(b))
  const wAll = (b: SeriesBucket): number => perSecond(b.writesOk + b.writesFailed, span(b))
  const rd = (b: SeriesBucket): number => perSecond(b.reads, span(b))
  const peak = Math.max(1, ...series.map(wAll), ...series.map(rd))
  const step = niceStep(peak, 4)
  const max = Math.ceil(peak / step) * step
  const bottom = TP.top + TP.height
  const y = (v: number): number => bottom - (v / max) * TP.height
  const out = [`<text class="panel-title" x="12" y="${TP.top + 12}">Throughput</text>`,
    `<text class="panel-sub" x="12" y="${TP.top + 27}">operations per second</text>`]
  for (const v of ticks(max, 4)) {
    out.push(`<line class="hgrid" x1="${LEFT}" x2="${W - RIGHT}" y1="${r(y(v))}" y2="${r(y(v))}"/>`,
      `<text class="ytick" x="${LEFT - 8}" y="${r(y(v)) + 4}">${esc(group(v))}</text>`)
  }
  out.push(`<path class="throughput" data-series="writes-ok" d="${bandPath(series, span, f, y, () => 0, wOk)}"/>`)
  if (series.some((b) => b.writesFailed > 0)) {
    out.push(`<path class="throughput-failed" data-series="writes-failed" d="${bandPath(series, span, f, y, wOk, wAll)}"/>`)
  }
  if (series.some((b) => b.reads > 0)) out.push(`<path class="throughput-reads" data-series="reads" d="${stepLine(series, span, f, y, rd)}"/>`)
  out.push(`<line class="baseline" x1="${LEFT}" x2="${W - RIGHT}" y1="${bottom}" y2="${bottom}"/>`)
  return out.join('\n')
}

const fmtLatencyTick = (v: number): string => (v >= 1000 ? `${group(v / 1000)} s` : `${v < 1 ? v : group(v)} ms`)

const latencyPanel = (report: AuditReport, f: Frame): string => {
  const {series} = report
  const span = spanOf(report)
  const values = series.flatMap((b) => [b.p99Ms, b.maxMs]).filter((v) => v > 0)
  const bottom = LAT.top + LAT.height
  const out = [`<text class="panel-title" x="12" y="${LAT.top + 12}">Write latency</text>`,
    `<text class="panel-sub" x="12" y="${LAT.top + 27}">p99 and max per bucket, log scale</text>`]
  if (values.length === 0) {
    out.push(`<text class="empty" x="${LEFT + PLOT_W / 2}" y="${LAT.top + LAT.height / 2}">no write completed</text>`)
    return out.join('\n')
  }
  let lo = Math.floor(Math.log10(Math.min(...values)))
  let hi = Math.ceil(Math.log10(Math.max(...values)))
  if (hi - lo < 1) hi = lo + 1
  if (hi - lo > 6) lo = hi - 6
  const y = (v: number): number => bottom - ((Math.max(Math.log10(v), lo) - lo) / (hi - lo)) * LAT.height
  for (let p = lo; p <= hi; p++) {
    const v = Number((10 ** p).toPrecision(6))
    out.push(`<line class="hgrid" x1="${LEFT}" x2="${W - RIGHT}" y1="${r(y(v))}" y2="${r(y(v))}"/>`,
      `<text class="ytick" x="${LEFT - 8}" y="${r(y(v)) + 4}">${esc(fmtLatencyTick(v))}</text>`)
  }
  out.push(`<path class="latency" data-stat="max" d="${stepLine(series, span, f, y, (b) => b.maxMs)}"/>`,
    `<path class="latency" data-stat="p99" d="${stepLine(series, span, f, y, (b) => b.p99Ms)}"/>`,
    `<line class="baseline" x1="${LEFT}" x2="${W - RIGHT}" y1="${bottom}" y2="${bottom}"/>`)
  return out.join('\n')
}

/** The time axis: vertical grid lines through every panel and labels under the latency panel and the lanes. */
const timeAxis = (f: Frame, lanesBottom: number): string => {
  const step = niceStep(f.endMs, 10)
  return ticks(f.endMs, 10).map((t) => {
    const x = f.x(t)
    const label = esc(fmtTick(t, step))
    return `<line class="vgrid" x1="${x}" x2="${x}" y1="${TP.top}" y2="${lanesBottom}"/>` +
      `<text class="xtick" x="${x}" y="${LAT.top + LAT.height + 16}">${label}</text>` +
      `<text class="xtick" x="${x}" y="${lanesBottom + 16}">${label}</text>`
  }).join('\n')
}

/** Colour family of a sentinel event, by name. */
export const eventTone = (event: string): string => {
  if (event === '+switch-master' || event === '+failover-end') return 'done'
  if (event === '+sdown' || event === '+odown') return 'down'
  if (event.startsWith('-')) return 'cleared'
  if (['+slave', '+new-epoch', '+vote-for-leader', '+config-update-from'].includes(event)) return 'info'
  return 'failover'
}

interface Lanes {
  svg: string
  bottom: number
}

const lanes = (report: AuditReport, f: Frame): Lanes => {
  const events = byTime(report.events)
  const names = [...new Set(events.map((e) => e.event))]
  const stale = report.series.filter((b) => b.staleReads > 0)
  const rows = [`lost writes (${group(report.writes.lost)})`, ...(stale.length > 0 ? ['stale reads'] : []), ...names]
  const rowY = (i: number): number => LANES_TOP + i * LANE_H
  const out = [`<text class="panel-title" x="12" y="${LANES_TOP - 10}">Sentinel events</text>`]
  rows.forEach((name, i) => {
    const tone = i === 0 ? 'lost' : name === 'stale reads' && stale.length > 0 && i === 1 ? 'stale' : eventTone(name)
    out.push(`<rect class="lane lane-${i % 2 === 0 ? 'even' : 'odd'}" x="${LEFT}" y="${rowY(i)}" width="${PLOT_W}" height="${LANE_H}"/>`,
      `<text class="lane-label tone-${tone}" x="${LEFT - 8}" y="${rowY(i) + 12}">${esc(name)}</text>`)
  })
  const mid = (i: number): number => rowY(i) + LANE_H / 2
  for (const w of report.lostWrites) {
    const x = f.x(w.sentMs)
    out.push(`<g class="lost-write" data-key="${esc(w.key)}" data-sent-ms="${w.sentMs}" data-ack-ms="${w.ackMs}">` +
      `<title>${esc(`lost: ${w.key} sent at ${fmtMs(w.sentMs)}, acknowledged at ${fmtMs(w.ackMs)}`)}</title>` +
      `<line x1="${x}" x2="${x}" y1="${rowY(0) + 2}" y2="${rowY(0) + LANE_H - 2}"/>` +
      `<line x1="${x}" x2="${x}" y1="${TP.top + TP.height - 10}" y2="${TP.top + TP.height}"/></g>`)
  }
  for (const b of stale) {
    const x = f.x(b.tMs)
    out.push(`<rect class="stale-reads" data-t-ms="${b.tMs}" data-count="${b.staleReads}" x="${x}" y="${rowY(1) + 3}" ` +
      `width="${r(Math.max(2, f.x(b.tMs + spanOf(report)(b)) - x))}" height="${LANE_H - 6}"><title>${esc(`${b.staleReads} stale reads`)}</title></rect>`)
  }
  const first = stale.length > 0 ? 2 : 1
  for (const e of events) {
    const row = first + names.indexOf(e.event)
    out.push(`<g class="event-mark tone-${eventTone(e.event)}" data-event="${esc(e.event)}" data-at-ms="${e.atMs}" data-sentinel="${e.sentinel}">` +
      `<title>${esc(`${fmtMs(e.atMs)}  :${e.sentinel}  ${e.event} ${e.message}`)}</title>` +
      `<circle cx="${f.x(e.atMs)}" cy="${mid(row)}" r="4"/></g>`)
  }
  return {svg: out.join('\n'), bottom: rowY(rows.length)}
}

interface TopLabel {
  x: number
  text: string
  cls: string
}

/** Labels above the panels, placed left to right in the first of three rows where they do not overlap. */
const topLabels = (labels: TopLabel[]): string => {
  const rowsEnd = [-Infinity, -Infinity, -Infinity]
  return [...labels].sort((a, b) => a.x - b.x).map((l) => {
    const width = l.text.length * 6.4 + 10
    const flip = l.x + width > W - 4
    const start = flip ? l.x - width : l.x
    let row = rowsEnd.findIndex((end) => end < start)
    if (row < 0) row = rowsEnd.indexOf(Math.min(...rowsEnd))
    rowsEnd[row] = start + width
    const y = 12 + row * 14
    return `<text class="top-label ${l.cls}" x="${r(flip ? l.x - 4 : l.x + 4)}" y="${y}" text-anchor="${flip ? 'end' : 'start'}">${esc(l.text)}</text>` +
      `<line class="top-leader ${l.cls}" x1="${l.x}" x2="${l.x}" y1="${y - 10}" y2="${TP.top}"/>`
  }).join('\n')
}

const FAULT_VERB: Record<string, string> = {kill: 'SIGKILL', pause: 'SIGSTOP', partition: 'partition', latency: 'latency', failover: 'failover'}

/** The whole chart. */
export function renderChart(report: AuditReport): string {
  const f = frameOf(report)
  const lane = lanes(report, f)
  const bottom = lane.bottom
  const height = bottom + 28
  const labels: TopLabel[] = []
  const back: string[] = []
  const front: string[] = []
  const {fault, unavailable} = report
  if (fault) {
    const x0 = f.x(fault.atMs)
    const x1 = f.x(fault.recoveredMs ?? f.endMs)
    back.push(`<rect class="fault-window" data-kind="${esc(fault.kind)}" data-from-ms="${fault.atMs}" data-to-ms="${fault.recoveredMs ?? ''}" ` +
      `x="${x0}" y="${TP.top}" width="${r(Math.max(1, x1 - x0))}" height="${bottom - TP.top}"/>`)
    front.push(`<line class="fault-mark" x1="${x0}" x2="${x0}" y1="${TP.top}" y2="${bottom}"/>`)
    labels.push({x: x0, text: `${FAULT_VERB[fault.kind] ?? fault.kind} ${fault.node} :${fault.port}`, cls: 'label-fault'})
    if (fault.recoveredMs !== undefined) labels.push({x: x1, text: 'healthy again', cls: 'label-recovered'})
  }
  if (unavailable) {
    const x0 = f.x(unavailable.fromMs)
    const x1 = f.x(unavailable.toMs)
    back.push(`<rect class="unavailable-window" data-from-ms="${unavailable.fromMs}" data-to-ms="${unavailable.toMs}" ` +
      `x="${x0}" y="${TP.top}" width="${r(Math.max(1, x1 - x0))}" height="${TP.height}"/>`)
    if (x1 - x0 > 90) {
      front.push(`<text class="unavailable-label" x="${r((x0 + x1) / 2)}" y="${TP.top + 16}">${esc(`no writes ${fmtMs(unavailable.durationMs)}`)}</text>`)
    }
  }
  const switched = byTime(report.events).find((e) => e.event === '+switch-master')
  if (switched) {
    const x = f.x(switched.atMs)
    front.push(`<line class="switch-line" data-at-ms="${switched.atMs}" x1="${x}" x2="${x}" y1="${TP.top}" y2="${bottom}"/>`)
    labels.push({x, text: '+switch-master', cls: 'label-switch'})
  }
  if (fault && report.clientFollowedMs !== undefined) {
    const at = fault.atMs + report.clientFollowedMs
    const x = f.x(at)
    front.push(`<line class="client-followed" data-at-ms="${at}" x1="${x}" x2="${x}" y1="${TP.top}" y2="${LAT.top + LAT.height}"/>`)
    labels.push({x, text: `client followed +${fmtMs(report.clientFollowedMs)}`, cls: 'label-followed'})
  }
  return `<svg class="timeline" viewBox="0 0 ${W} ${height}" width="100%" role="img" aria-label="Timeline of the run" ` +
    `data-end-ms="${f.endMs}" preserveAspectRatio="xMidYMin meet">
<defs><pattern id="rtopo-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
    `<line x1="0" y1="0" x2="0" y2="6" class="hatch"/></pattern></defs>
${timeAxis(f, bottom)}
${back.join('\n')}
${throughputPanel(report, f)}
${latencyPanel(report, f)}
${lane.svg}
${front.join('\n')}
${topLabels(labels)}
</svg>`
}
