// The failure lab's report page and terminal timeline, checked on their text: the page is self-contained
// (no external resource, no script), every text from the run is escaped, the chart has one mark per sentinel
// event and per lost write, the fault window and the client-followed line at their times; the sparkline has
// exactly `width` cells with the fault and the lost writes marked; writeReport leaves exactly two files.

import {mkdtemp, readFile, readdir, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {renderHtmlReport, terminalTimeline, writeReport} from '../../src/lab/report/index.js'
import {fmtMs} from '../../src/lab/report/format.js'
import {DARK, FAULT, FOLLOWED, IDLE, LOST} from '../../src/lab/report/sparkline.js'
import type {AuditReport} from '../../src/lab/types.js'
import {killMasterReport} from '../helpers/audit-fixture.js'

const count = (text: string, re: RegExp): number => [...text.matchAll(re)].length
const attrs = (html: string, cls: string, attr: string): string[] =>
  [...html.matchAll(new RegExp(`<[a-z]+ class="${cls}[^"]*"[^>]*\\b${attr}="([^"]*)"`, 'g'))].map((m) => m[1] ?? '')

describe('fixture', () => {
  it('is a consistent kill-master run', () => {
    const r = killMasterReport()
    expect(r.writes.attempted).toBe(r.writes.acknowledged + r.writes.failed)
    expect(r.series.reduce((n, b) => n + b.writesOk, 0)).toBe(r.writes.acknowledged)
    expect(r.unavailable?.durationMs).toBe(2300)
    expect(r.lostWrites).toHaveLength(3)
    expect(r.events.map((e) => e.event)).toEqual(expect.arrayContaining(['+sdown', '+odown', '+failover-end', '+switch-master']))
  })
})

describe('renderHtmlReport', () => {
  const report = killMasterReport()
  const html = renderHtmlReport(report)

  it('is one self-contained page', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).toMatch(/<meta charset="utf-8">/)
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i)
    expect(html).not.toMatch(/@import|url\(\s*["']?(?:https?:)?\/\//i)
    expect(html).not.toMatch(/<script|<link|<iframe|<img/i)
    expect(count(html, /<svg\b/g)).toBe(1)
    expect(count(html, /<\/svg>/g)).toBe(1)
  })

  it('shows the verdict numbers', () => {
    const card = (id: string): string =>
      (new RegExp(`data-card="${id}"><dt>[^<]*</dt><dd>(.*?)</dd>`).exec(html)?.[1] ?? '').replace(/<[^>]+>/g, '')
    expect(card('attempted')).toBe('4,000')
    expect(card('acknowledged')).toBe('2,850')
    expect(card('failed')).toBe('1,150')
    expect(card('lost')).toBe('3')
    expect(card('unavailable')).toBe('2,300 ms')
    expect(card('stale')).toBe('0')
    expect(card('followed')).toBe(`${report.clientFollowedMs?.toLocaleString('en-US')} ms`)
    expect(card('masters')).toBe('master-1 :6379 → replica-1 :6380')
    expect(html).toContain('<div class="card bad" data-card="lost">')
  })

  it('marks every sentinel event in time order, each in the lane of its name', () => {
    const events = attrs(html, 'event-mark', 'data-event')
    const times = attrs(html, 'event-mark', 'data-at-ms').map(Number)
    const sorted = [...report.events].sort((a, b) => a.atMs - b.atMs)
    expect(events).toEqual(sorted.map((e) => e.event))
    expect(times).toEqual(sorted.map((e) => e.atMs))
    expect(events.filter((e) => e === '+switch-master')).toHaveLength(3)
    const lanes = [...html.matchAll(/<text class="lane-label[^"]*"[^>]*>([^<]*)</g)].map((m) => m[1])
    expect(lanes).toEqual(['lost writes (3)', ...new Set(sorted.map((e) => e.event))])
    expect(count(html, /<tr class="event-row/g)).toBe(report.events.length)
  })

  it('marks the lost writes, the fault window, the unavailability and the moment the client followed', () => {
    expect(attrs(html, 'lost-write', 'data-sent-ms').map(Number)).toEqual(report.lostWrites.map((w) => w.sentMs))
    expect(attrs(html, 'lost-write', 'data-key')).toEqual(report.lostWrites.map((w) => w.key))
    expect(attrs(html, 'fault-window', 'data-from-ms')).toEqual(['2000'])
    expect(attrs(html, 'fault-window', 'data-to-ms')).toEqual(['5600'])
    expect(attrs(html, 'unavailable-window', 'data-to-ms')).toEqual(['4300'])
    expect(attrs(html, 'client-followed', 'data-at-ms').map(Number)).toEqual([2000 + (report.clientFollowedMs ?? NaN)])
    expect(html).toMatch(/<path class="throughput" data-series="writes-ok" d="M[^"]+Z"/)
    expect(html).toMatch(/<path class="latency" data-stat="p99" d="M[^"]+"/)
    expect(html).toMatch(/<path class="latency" data-stat="max" d="M[^"]+"/)
    expect(html).toContain('SIGKILL master-1 :6379')
  })

  it('puts a mark at the x of its time: the fault window starts where the 2 s tick is', () => {
    const tick = /<line class="vgrid" x1="([\d.]+)"[^>]*\/><text class="xtick" x="[\d.]+" y="[\d.]+">2 s</.exec(html)?.[1]
    const fault = /<rect class="fault-window"[^>]* x="([\d.]+)"/.exec(html)?.[1]
    expect(tick).toBeDefined()
    expect(fault).toBe(tick)
  })

  it('has the latency table by phase', () => {
    for (const phase of ['before the fault', 'during', 'after', 'whole run']) expect(html).toContain(`<tr data-phase="${phase}">`)
    expect(html).toContain(`<td class="num">${fmtMs(report.latency.before?.p99Ms ?? NaN)}</td>`)
  })

  it('escapes every text from the run', () => {
    const hostile: AuditReport = {...killMasterReport(), events: [
      {event: '+sdown', message: '<script>alert("x")</script> & <img src=x onerror=alert(1)>', atMs: 3100, sentinel: 26379},
      {event: '+"odown"<b>', message: "it's", atMs: 3200, sentinel: 26380},
    ], lostWrites: [{key: 'k"><script>1</script>', sentMs: 1990, ackMs: 1991}]}
    hostile.options = {...hostile.options, group: '<i>grp</i>'}
    const out = renderHtmlReport(hostile)
    expect(out).not.toMatch(/<script|<img|<b>|<i>/i)
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;')
    expect(out).toContain('data-event="+&quot;odown&quot;&lt;b&gt;"')
    expect(out).toContain('it&#39;s')
    expect(out).toContain('data-key="k&quot;&gt;&lt;script&gt;1&lt;/script&gt;"')
  })

  it('renders a run without fault, events, writes or series', () => {
    const empty: AuditReport = {...killMasterReport(), fault: undefined, clientFollowedMs: undefined, unavailable: null,
      oldMaster: undefined, newMaster: undefined, events: [], series: [], lostWrites: [], durationMs: 0,
      writes: {attempted: 0, acknowledged: 0, failed: 0, lost: 0, inFlight: 0}}
    const out = renderHtmlReport(empty)
    expect(out).toContain('workload on mymaster')
    expect(out).toContain('No acknowledged write was lost')
    expect(out).toContain('no write completed')
    expect(out).not.toMatch(/class="(fault-window|client-followed|event-mark|lost-write)"/)
    expect(out).not.toMatch(/NaN|undefined|Infinity/)
  })

  it('says how the writes were read back, and that nothing is known when the read-back failed', () => {
    expect(html).toContain('Read back 2,850 acknowledged writes from replica-1 :6380: 3 missing, 0 different.')
    const r = killMasterReport()
    r.writes = {...r.writes, lost: 0}
    r.lostWrites = []
    r.readBack = {checked: 0, missing: 0, different: 0, error: 'connect ECONNREFUSED 127.0.0.1:6380 <x>'}
    const out = renderHtmlReport(r)
    expect(out).not.toContain('No acknowledged write was lost')
    expect(out).toContain('Lost writes unknown: the read-back failed (connect ECONNREFUSED 127.0.0.1:6380 &lt;x&gt;)')
    expect(out).toContain('<div class="card bad" data-card="lost"><dt>Lost</dt><dd>?</dd>')
    expect(terminalTimeline(r)).toContain('? lost (read-back failed)')
  })

  it('shows stale reads in their own lane', () => {
    const r = killMasterReport()
    r.series = r.series.map((b) => (b.tMs === 4400 ? {...b, staleReads: 2} : b))
    r.reads = {...r.reads, stale: 2}
    const out = renderHtmlReport(r)
    expect(attrs(out, 'stale-reads', 'data-t-ms')).toEqual(['4400'])
    expect(out).toContain('2 reads were stale')
  })
})

describe('terminalTimeline', () => {
  const report = killMasterReport()
  const cells = (line: string, width: number): string[] => [...line].slice(0, width)

  it('has exactly `width` cells, then the legend, on one line and without escape codes', () => {
    for (const width of [60, 20, 100]) {
      const line = terminalTimeline(report, width)
      expect(line).not.toContain('\n')
      expect(line).not.toContain('\u001B')
      expect(cells(line, width).every((c) => /[▁-█·░↯✗↑]/.test(c))).toBe(true)
      expect([...line][width]).toBe(' ')
    }
    expect([...terminalTimeline(report)].indexOf(' ')).toBe(60)
  })

  it('marks the fault, the dark window, the client following and the lost writes where they happened', () => {
    const line = terminalTimeline(report, 80)
    const c = cells(line, 80)
    // 80 cells over 8 s: 100 ms each. Lost writes were sent at 1994–1998 ms (cell 19), the kill at 2000 ms (cell 20).
    expect(c[19]).toBe(LOST)
    expect(c[20]).toBe(FAULT)
    expect(c.slice(21, 43).every((x) => x === DARK)).toBe(true)
    expect(c[Math.floor((2000 + (report.clientFollowedMs ?? 0)) / 100)]).toBe(FOLLOWED)
    expect(c.slice(0, 19).every((x) => x === '█')).toBe(true)
    expect(c.slice(50).every((x) => x === '█')).toBe(true)
    expect(line).toContain('kill master-1 @2.0 s')
    expect(line).toContain('3 lost')
    expect(line).toContain('no writes 2,300 ms')
  })

  it('scales a last bucket cut short by the end of the run to its own span', () => {
    const r = killMasterReport()
    r.durationMs = 7950
    r.series = r.series.map((b) => (b.tMs === 7900 ? {...b, writesOk: 25} : b))
    const c = cells(terminalTimeline(r, 40), 40)
    expect(c.slice(-10).every((x) => x === '█')).toBe(true)
    const html = renderHtmlReport(r)
    const d = /<path class="throughput" data-series="writes-ok" d="M([^"]+)Z"/.exec(html)?.[1] ?? ''
    const ys = d.split('L').map((p) => Number(p.split(',')[1]))
    // The top edge of the last bucket (points 2n-2, 2n-1) is as high as the full bucket before it.
    const n = r.series.length
    expect(ys[2 * n - 1]).toBe(ys[2 * n - 3])
  })

  it('colours the same characters when asked', () => {
    const plain = terminalTimeline(report, 60)
    const colored = terminalTimeline(report, 60, {color: true})
    expect(colored).toContain('\u001B[')
    expect(colored.replace(/\u001B\[[\d;]*m/g, '')).toBe(plain)
  })

  it('shows idle cells without a fault', () => {
    const r = killMasterReport()
    r.fault = undefined
    r.clientFollowedMs = undefined
    r.lostWrites = []
    r.series = r.series.map((b) => ({...b, writesOk: b.tMs < 1000 ? 0 : 50}))
    const c = cells(terminalTimeline(r, 8), 8)
    expect(c[0]).toBe(IDLE)
    expect(c.slice(1).every((x) => x === '█')).toBe(true)
  })
})

describe('writeReport', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, {recursive: true, force: true})
  })

  it('creates the directory and writes index.html and report.json, nothing else', async () => {
    const base = await mkdtemp(join(tmpdir(), 'rtopo-report-'))
    dirs.push(base)
    const dir = join(base, 'nested', 'run-1')
    const report = killMasterReport()
    const path = await writeReport(dir, report)
    expect(path).toBe(join(dir, 'index.html'))
    expect((await readdir(dir)).sort()).toEqual(['index.html', 'report.json'])
    expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))).toEqual(report)
    const html = await readFile(path, 'utf8')
    expect(html).toBe(renderHtmlReport(report, {dataFile: 'report.json'}))
    expect(html).toContain('<code>report.json</code>')
    // A second run replaces both files in place.
    await writeReport(dir, {...report, writes: {...report.writes, lost: 0}, lostWrites: []})
    expect((await readdir(dir)).sort()).toEqual(['index.html', 'report.json'])
    expect(await readFile(path, 'utf8')).toContain('No acknowledged write was lost')
  })
})
