// The terminal version of the timeline: one line of `width` cells, a block sparkline of acknowledged writes
// per cell, with the fault and the lost writes marked in place, then a short legend. Plain text by default
// (NO_COLOR-safe); `color: true` adds ANSI colours to the same characters.

import type {AuditReport} from '../types.js'
import {fmtMs, fmtSec, group, spanOf} from './format.js'

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█']
/** No write acknowledged in the cell, outside and inside the fault window. */
export const IDLE = '·'
export const DARK = '░'
export const FAULT = '↯'
export const LOST = '✗'
export const FOLLOWED = '↑'

export interface TimelineOptions {
  color?: boolean
}

const paint = (on: boolean, code: string, text: string): string => (on ? `\u001B[${code}m${text}\u001B[0m` : text)

/** Acknowledged writes per cell: each bucket's count split over the cells its span covers, by overlap. */
const cellsOf = (report: AuditReport, width: number, endMs: number): number[] => {
  const cells = Array.from({length: width}, () => 0)
  const cellMs = endMs / width
  const spanMs = spanOf(report)
  for (const b of report.series) {
    const span = spanMs(b)
    const from = Math.max(0, b.tMs)
    const to = Math.min(endMs, b.tMs + span)
    for (let i = Math.floor(from / cellMs); i < width && i * cellMs < to; i++) {
      const overlap = Math.min(to, (i + 1) * cellMs) - Math.max(from, i * cellMs)
      if (overlap > 0) cells[i] = (cells[i] ?? 0) + (b.writesOk * overlap) / span
    }
  }
  return cells
}

/**
 * One line: `width` cells of sparkline, then the legend. A cell shows the acknowledged writes of its span
 * (▁…█ scaled to the busiest cell, · for none, ░ for none inside the fault window); ↯ marks the cell of the
 * fault, ↑ the cell where the client followed the new master, ✗ a cell where a lost write was sent.
 */
export function terminalTimeline(report: AuditReport, width = 60, options: TimelineOptions = {}): string {
  const w = Math.max(1, Math.floor(width))
  const color = options.color === true
  const last = report.series.at(-1)
  const endMs = Math.max(1, report.durationMs, last ? last.tMs + spanOf(report)(last) : 0)
  const cellOf = (ms: number): number => Math.min(w - 1, Math.max(0, Math.floor((ms / endMs) * w)))
  const cells = cellsOf(report, w, endMs)
  const peak = Math.max(0, ...cells)
  const fault = report.fault
  const inFault = (i: number): boolean => fault !== undefined &&
    (i + 1) * endMs / w > fault.atMs && i * endMs / w < (fault.recoveredMs ?? endMs)
  const chars = cells.map((n, i) => {
    if (n < 0.5) return inFault(i) ? paint(color, '31', DARK) : paint(color, '2', IDLE)
    const block = BLOCKS[Math.min(BLOCKS.length - 1, Math.floor((n / peak) * BLOCKS.length - 1e-9))] ?? '▁'
    return inFault(i) ? paint(color, '33', block) : block
  })
  const followedAt = fault && report.clientFollowedMs !== undefined ? fault.atMs + report.clientFollowedMs : undefined
  if (followedAt !== undefined) chars[cellOf(followedAt)] = paint(color, '32;1', FOLLOWED)
  if (fault) chars[cellOf(fault.atMs)] = paint(color, '31;1', FAULT)
  for (const lost of report.lostWrites) chars[cellOf(lost.sentMs)] = paint(color, '31;1', LOST)
  const legend = [`0–${fmtSec(endMs)}`, `peak ${group((peak * 1000 * w) / endMs)} w/s`]
  if (fault) legend.push(`${FAULT} ${fault.kind} ${fault.node} @${fmtSec(fault.atMs)}`)
  if (report.unavailable) legend.push(`${DARK} no writes ${fmtMs(report.unavailable.durationMs)}`)
  if (followedAt !== undefined && report.clientFollowedMs !== undefined) legend.push(`${FOLLOWED} followed +${fmtMs(report.clientFollowedMs)}`)
  legend.push(report.readBack?.error !== undefined ? `${LOST} ? lost (read-back failed)` : `${LOST} ${group(report.writes.lost)} lost`)
  return `${chars.join('')}  ${paint(color, '2', legend.join(' · '))}`
}
