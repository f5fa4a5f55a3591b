// The failure lab's report page: one self-contained HTML file (inline CSS and SVG, no script, no external
// resource) with the verdict numbers, the timeline chart, the sentinel events and the latency by phase.
// Every text that comes from the run is escaped.

import type {AuditReport, LatencyStats, WorkloadOptions} from '../types.js'
import {eventTone, renderChart} from './chart.js'
import {byTime, esc, fmtMs, fmtSec, group} from './format.js'
import {STYLE} from './style.js'

const LOST_ROWS = 50

const nodeName = (n: {id: string; port: number} | undefined): string => (n ? `${n.id} :${n.port}` : '?')

/** What the run did, in one line: "kill master-1 :6379" or "workload on mymaster". */
export const runTitle = (report: AuditReport): string => {
  const f = report.fault
  return f ? `${f.kind} ${f.node} :${f.port}` : `workload on ${report.options.group}`
}

const describeOptions = (o: WorkloadOptions): string => [
  `${o.clients} ${o.client} client${o.clients === 1 ? '' : 's'}`,
  o.rate === 'max' ? 'as fast as replies come' : `${group(o.rate)} ops/s`,
  `SET:GET ${o.mix.set}:${o.mix.get}`,
  `reads from ${o.readFrom}`,
  o.waitReplicas > 0 ? `WAIT ${o.waitReplicas} (${fmtMs(o.waitTimeoutMs)})` : 'no WAIT',
  `timeout ${fmtMs(o.opTimeoutMs)}`,
].join(' · ')

/** The sentence at the top: what the application lost. */
const verdict = (report: AuditReport): string => {
  const {writes, unavailable, reads} = report
  const failedReadBack = report.readBack?.error
  const parts = [failedReadBack !== undefined
    ? `<strong class="bad">Lost writes unknown: the read-back failed (${esc(failedReadBack)})</strong>`
    : writes.lost > 0
    ? `<strong class="bad">${esc(group(writes.lost))} acknowledged write${writes.lost === 1 ? ' was' : 's were'} lost</strong>`
    : '<strong class="good">No acknowledged write was lost</strong>']
  parts.push(unavailable ? `writes were unavailable for ${esc(fmtMs(unavailable.durationMs))}` : 'writes never stopped')
  if (report.clientFollowedMs !== undefined) parts.push(`the client followed the new master ${esc(fmtMs(report.clientFollowedMs))} after the fault`)
  if (reads.stale > 0) parts.push(`${esc(group(reads.stale))} read${reads.stale === 1 ? ' was' : 's were'} stale`)
  return `${parts.join('; ')}.`
}

interface Card {
  label: string
  value: string
  unit?: string
  tone?: 'bad' | 'good' | 'wide'
  id: string
}

const cards = (report: AuditReport): string => {
  const {writes, reads, unavailable} = report
  const list: Card[] = [
    {id: 'attempted', label: 'Attempted', value: group(writes.attempted)},
    {id: 'acknowledged', label: 'Acknowledged', value: group(writes.acknowledged)},
    {id: 'failed', label: 'Failed', value: group(writes.failed)},
    report.readBack?.error !== undefined
      ? {id: 'lost', label: 'Lost', value: '?', tone: 'bad'}
      : {id: 'lost', label: 'Lost', value: group(writes.lost), tone: writes.lost > 0 ? 'bad' : 'good'},
    {id: 'unavailable', label: 'Unavailable', value: unavailable ? group(unavailable.durationMs) : '0', unit: 'ms', tone: unavailable ? 'bad' : 'good'},
    {id: 'stale', label: 'Stale reads', value: group(reads.stale), tone: reads.stale > 0 ? 'bad' : undefined},
    {id: 'followed', label: 'Client followed', value: report.clientFollowedMs === undefined ? '—' : group(report.clientFollowedMs),
      unit: report.clientFollowedMs === undefined ? undefined : 'ms'},
  ]
  if (writes.inFlight > 0) list.push({id: 'in-flight', label: 'In flight at stop', value: group(writes.inFlight)})
  if (report.oldMaster || report.newMaster) {
    list.push({id: 'masters', label: 'Master', value: nodeName(report.oldMaster), unit: `→ ${nodeName(report.newMaster)}`, tone: 'wide'})
  }
  return `<dl class="cards">${list.map((c) => `<div class="card${c.tone ? ` ${c.tone}` : ''}" data-card="${c.id}">` +
    `<dt>${esc(c.label)}</dt><dd>${esc(c.value)}${c.unit ? ` <small>${esc(c.unit)}</small>` : ''}</dd></div>`).join('')}</dl>`
}

const legend = (report: AuditReport): string => {
  const keys: Array<[string, string]> = [['k-ok', 'acknowledged writes/s']]
  if (report.series.some((b) => b.writesFailed > 0)) keys.push(['k-failed', 'failed writes/s'])
  if (report.series.some((b) => b.reads > 0)) keys.push(['k-reads', 'reads/s'])
  keys.push(['k-p99', 'p99 latency'], ['k-max', 'max latency'])
  if (report.fault) keys.push(['k-fault', 'fault → healthy again'])
  if (report.unavailable) keys.push(['k-unavail', 'writes unavailable'])
  keys.push(['k-lost', 'lost write (sent at)'])
  if (report.clientFollowedMs !== undefined) keys.push(['k-follow', 'client followed the new master'])
  return `<ul class="legend">${keys.map(([k, text]) => `<li class="${k}">${esc(text)}</li>`).join('')}</ul>`
}

const stat = (v: number | undefined): string => (v === undefined ? '—' : esc(fmtMs(v)))

const latencyTable = (report: AuditReport): string => {
  const rows: Array<[string, LatencyStats | undefined]> = [
    ['before the fault', report.latency.before], ['during', report.latency.during], ['after', report.latency.after],
    ['whole run', report.latency.overall],
  ]
  return `<table class="latency-table"><thead><tr><th>Writes</th><th class="num">count</th><th class="num">p50</th>` +
    `<th class="num">p99</th><th class="num">max</th></tr></thead><tbody>${rows.map(([name, s]) =>
    `<tr data-phase="${esc(name)}"><td>${esc(name)}</td><td class="num">${s ? esc(group(s.count)) : '—'}</td>` +
    `<td class="num">${stat(s?.p50Ms)}</td><td class="num">${stat(s?.p99Ms)}</td><td class="num">${stat(s?.maxMs)}</td></tr>`).join('')}</tbody></table>`
}

const since = (ms: number, fromMs: number | undefined): string => {
  if (fromMs === undefined) return ''
  const d = ms - fromMs
  return `${d < 0 ? '−' : '+'}${group(Math.abs(d))}`
}

const eventsTable = (report: AuditReport): string => {
  const at = report.fault?.atMs
  const rows: Array<{atMs: number; html: string}> = byTime(report.events).map((e) => ({
    atMs: e.atMs,
    html: `<tr class="event-row tone-${eventTone(e.event)}" data-event="${esc(e.event)}"><td class="num">${esc(group(e.atMs))}</td>` +
      `<td class="num">${esc(since(e.atMs, at))}</td><td class="num">${esc(e.sentinel)}</td><td class="event">${esc(e.event)}</td>` +
      `<td class="mono">${esc(e.message)}</td></tr>`,
  }))
  const f = report.fault
  const mark = (ms: number, what: string): {atMs: number; html: string} => ({atMs: ms,
    html: `<tr class="fault-row"><td class="num">${esc(group(ms))}</td><td class="num">${esc(since(ms, at))}</td><td></td>` +
      `<td class="event">${esc(what)}</td><td></td></tr>`})
  if (f) {
    rows.push(mark(f.atMs, runTitle(report)))
    if (f.recoveredMs !== undefined) rows.push(mark(f.recoveredMs, 'healthy again'))
    if (report.clientFollowedMs !== undefined) rows.push(mark(f.atMs + report.clientFollowedMs, 'client followed the new master'))
  }
  const ordered = byTime(rows)
  if (report.events.length === 0) ordered.push({atMs: 0, html: '<tr><td colspan="5">No sentinel event was recorded.</td></tr>'})
  return `<table class="events-table"><thead><tr><th class="num">ms</th><th class="num">since fault</th><th class="num">sentinel</th>` +
    `<th>event</th><th>message</th></tr></thead><tbody>${ordered.map((r) => r.html).join('\n')}</tbody></table>`
}

const lostTable = (report: AuditReport): string => {
  if (report.lostWrites.length === 0) return ''
  const shown = report.lostWrites.slice(0, LOST_ROWS)
  const more = report.writes.lost - shown.length
  return `<h2>Lost writes</h2><table class="lost-table"><thead><tr><th>key</th><th class="num">sent (ms)</th>` +
    `<th class="num">acknowledged (ms)</th></tr></thead><tbody>${shown.map((w) => `<tr><td class="mono">${esc(w.key)}</td>` +
    `<td class="num">${esc(group(w.sentMs))}</td><td class="num">${esc(group(w.ackMs))}</td></tr>`).join('')}` +
    `${more > 0 ? `<tr><td colspan="3">… and ${esc(group(more))} more</td></tr>` : ''}</tbody></table>`
}

export interface RenderOptions {
  /** Name of the JSON file written next to the page, mentioned at its foot. */
  dataFile?: string
}

/** The foot: reads, the read-back and the thresholds the audit used. */
const footnote = (report: AuditReport, dataFile: string | undefined): string => {
  const {reads, readBack} = report
  const lines = [`Reads: ${group(reads.attempted)} attempted, ${group(reads.ok)} ok, ${group(reads.failed)} failed, ${group(reads.stale)} stale.`,
    `Writes in flight at stop: ${group(report.writes.inFlight)}.`]
  if (readBack?.error !== undefined) lines.push(`Read-back failed: ${readBack.error}.`)
  else if (readBack) {
    lines.push(`Read back ${group(readBack.checked)} acknowledged writes from ${readBack.from ? nodeName(readBack.from) : 'the master'}: ` +
      `${group(readBack.missing)} missing, ${group(readBack.different)} different.`)
  }
  if (report.stallMs !== undefined) lines.push(`A write unanswered for ${fmtMs(report.stallMs)} counts as stalled.`)
  const data = dataFile ? ` The data of this page is in <code>${esc(dataFile)}</code> next to it.` : ''
  return `<p class="options">${esc(lines.join(' '))}${data}</p>`
}

/** The whole page. */
export function renderHtmlReport(report: AuditReport, options: RenderOptions = {}): string {
  const title = `rtopo failure lab — ${runTitle(report)}`
  const started = Number.isFinite(report.startedAt) ? new Date(report.startedAt).toISOString() : '?'
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="rtopo">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${esc(title)}</h1>
<p class="sub">${esc(`group ${report.options.group} · started ${started} · ${fmtSec(report.durationMs)} · ${describeOptions(report.options)}`)}</p>
<p class="verdict">${verdict(report)}</p>
${cards(report)}
</header>
<figure>
<figcaption>Every time is in ms since the workload started; buckets of ${esc(fmtMs(report.bucketMs))}.</figcaption>
${legend(report)}
${renderChart(report)}
</figure>
<h2>Sentinel events</h2>
${eventsTable(report)}
<h2>Write latency</h2>
${latencyTable(report)}
${lostTable(report)}
${footnote(report, options.dataFile)}
</main>
</body>
</html>
`
}
