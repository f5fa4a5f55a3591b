// Text helpers shared by the HTML report and the terminal timeline: escaping, digit grouping, durations and
// axis ticks. Pure and locale-free, so a report renders the same on every machine.

import type {AuditReport, SeriesBucket} from '../types.js'

const ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}

/** Escapes text for HTML element content and attribute values (both quote styles). */
export const esc = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)

/** 12345.6 → "12,346" (rounded, grouped by thousands). */
export const group = (n: number): string => {
  if (!Number.isFinite(n)) return String(n)
  const sign = n < 0 ? '-' : ''
  return sign + String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** A duration in ms for people: "0.4 ms", "12 ms", "2,300 ms". */
export const fmtMs = (ms: number): string => {
  if (ms > 0 && ms < 10) return `${ms.toFixed(1).replace(/\.0$/, '')} ms`
  return `${group(ms)} ms`
}

/** Seconds with one decimal: 2300 → "2.3 s". */
export const fmtSec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** A round step (1, 2 or 5 × 10^k) that cuts `span` into about `target` intervals. */
export const niceStep = (span: number, target: number): number => {
  if (!(span > 0) || !(target > 0)) return 1
  const raw = span / target
  const power = 10 ** Math.floor(Math.log10(raw))
  const fraction = raw / power
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
  return nice * power
}

/** Ticks from 0 to `max` inclusive at a nice step. */
export const ticks = (max: number, target: number): number[] => {
  const step = niceStep(max, target)
  const out: number[] = []
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)))
  return out
}

/** A time-axis label: "0", "500 ms", "1.5 s", "12 s". */
export const fmtTick = (ms: number, step: number): string => {
  if (ms === 0) return '0'
  if (step < 1000 && ms < 1000) return `${group(ms)} ms`
  const decimals = step >= 1000 ? 0 : step >= 100 ? 1 : 2
  return `${(ms / 1000).toFixed(decimals)} s`
}

/** Events in time order; the sort is stable, so equal times keep the order they were recorded in. */
export const byTime = <T extends {atMs: number}>(events: readonly T[]): T[] =>
  events.map((e, i) => ({e, i})).sort((a, b) => a.e.atMs - b.e.atMs || a.i - b.i).map(({e}) => e)

/** The ms a bucket really covers: bucketMs, but the last one ends with the run (durationMs). */
export const spanOf = (report: Pick<AuditReport, 'bucketMs' | 'durationMs'>) => (b: SeriesBucket): number => {
  const full = report.bucketMs > 0 ? report.bucketMs : 1
  const left = report.durationMs - b.tMs
  return left > 0 && left < full ? left : full
}
