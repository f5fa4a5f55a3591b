// The report page in a real browser (Debian's headless chromium): the DOM after parsing holds the SVG with one
// mark per sentinel event and per lost write and the fault window, and no script (an event message carrying
// <script> stays text); a probe copy of the page measures the layout (marks inside the plot, left to right in
// time order, labels not overlapping, nothing wider than the window); the screenshot is a real PNG whose
// pixels inside the fault window are tinted and outside it are not. Skips, saying why, without chromium.

import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {writeReport} from '../../src/lab/report/index.js'
import type {AuditReport} from '../../src/lab/types.js'
import {killMasterReport} from '../helpers/audit-fixture.js'
import {chromiumMissing, runChromium} from '../helpers/chromium.js'
import {decodePng, PNG_SIGNATURE} from '../helpers/png.js'

const WINDOW = {width: 1200, height: 900}
const HOSTILE = '<script>document.title="pwned"</script><b>bold</b>'

interface Box {
  x: number
  y: number
  width: number
  height: number
}

interface Probe {
  innerWidth: number
  scrollWidth: number
  svg: Box
  plot: {left: number; right: number}
  marks: Array<{event: string; atMs: number; cx: number; box: Box}>
  lost: Box[]
  fault: Box
  topLabels: Box[]
  title: string
}

/** Runs in the page: measures what the tests check and writes it as JSON into <pre id="probe">. */
const PROBE = `<script>
(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height} }
  const svg = document.querySelector('svg.timeline')
  const grid = [...svg.querySelectorAll('line.hgrid')].map(box)
  const marks = [...svg.querySelectorAll('g.event-mark')].map((g) => ({event: g.dataset.event, atMs: Number(g.dataset.atMs),
    cx: box(g.querySelector('circle')).x + box(g.querySelector('circle')).width / 2, box: box(g)}))
  const out = {innerWidth: window.innerWidth, scrollWidth: document.documentElement.scrollWidth, svg: box(svg),
    plot: {left: Math.min(...grid.map((b) => b.x)), right: Math.max(...grid.map((b) => b.x + b.width))}, marks,
    lost: [...svg.querySelectorAll('g.lost-write')].map(box), fault: box(svg.querySelector('rect.fault-window')),
    topLabels: [...svg.querySelectorAll('text.top-label')].map(box), title: document.title}
  const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out); document.body.append(pre)
})()
</script>`

const windowArg = `--window-size=${WINDOW.width},${WINDOW.height}`
const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
const unescapeHtml = (s: string): string => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

describe.skipIf(!!chromiumMissing)(`report page in headless chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let dir = ''
  let page = ''
  let report: AuditReport
  let measured: Promise<Probe> | undefined

  /** Loads a copy of the page with the probe script appended, once, and returns its measurements. */
  const measure = (): Promise<Probe> => (measured ??= (async () => {
    const probePage = join(dir, 'probe.html')
    await writeFile(probePage, (await readFile(page, 'utf8')).replace('</body>', `${PROBE}</body>`))
    const result = await runChromium(['--dump-dom', windowArg], pathToFileURL(probePage).href)
    if (result.code !== 0) throw new Error(`chromium exited ${result.code}: ${result.stderr.slice(-2000)}`)
    const json = /<pre id="probe">([^<]*)<\/pre>/.exec(result.stdout)?.[1]
    if (json === undefined) throw new Error('the probe script wrote no measurements')
    return JSON.parse(unescapeHtml(json)) as Probe
  })())

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rtopo-report-browser-'))
    report = killMasterReport()
    report.events = [...report.events, {event: '+sdown', message: HOSTILE, atMs: 7500, sentinel: 26380}]
    page = await writeReport(join(dir, 'report'), report)
  })

  afterAll(async () => {
    if (dir) await rm(dir, {recursive: true, force: true})
  })

  it('parses into an SVG with every mark, and runs no script', async () => {
    const result = await runChromium(['--dump-dom', windowArg], pathToFileURL(page).href)
    expect(result.code, result.stderr.slice(-2000)).toBe(0)
    const dom = result.stdout
    expect(dom).toMatch(/<svg class="timeline"/)
    expect(dom).not.toMatch(/<script/i)
    const marks = [...dom.matchAll(/<g class="event-mark[^"]*" data-event="([^"]*)"/g)].map((m) => unescapeHtml(m[1] ?? ''))
    expect(marks).toEqual([...report.events].sort((a, b) => a.atMs - b.atMs).map((e) => e.event))
    expect([...dom.matchAll(/<g class="lost-write"/g)]).toHaveLength(report.lostWrites.length)
    expect([...dom.matchAll(/<rect class="fault-window"/g)]).toHaveLength(1)
    expect(dom).toMatch(/<path class="throughput"[^>]* d="M/)
    expect(dom).toMatch(/<line class="client-followed"/)
    // The hostile message is text in the table and in the mark's tooltip, not markup.
    expect(dom).toContain('&lt;script&gt;document.title="pwned"&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;')
    expect(dom).not.toContain('<b>bold</b>')
    expect(dom).toMatch(/<title>rtopo failure lab — kill master-1 :6379<\/title>/)
  })

  it('lays the marks out inside the plot, in time order, with no label overlapping another', async () => {
    const probe = await measure()
    expect(probe.title).toBe('rtopo failure lab — kill master-1 :6379')
    expect(probe.scrollWidth).toBeLessThanOrEqual(probe.innerWidth)
    expect(probe.svg.width).toBeGreaterThan(900)
    expect(probe.marks).toHaveLength(report.events.length)
    for (const m of probe.marks) {
      expect(m.box.width, `${m.event} at ${m.atMs} is drawn`).toBeGreaterThan(0)
      expect(m.cx).toBeGreaterThanOrEqual(probe.plot.left - 0.5)
      expect(m.cx).toBeLessThanOrEqual(probe.plot.right + 0.5)
    }
    for (let i = 1; i < probe.marks.length; i++) {
      const [a, b] = [probe.marks[i - 1], probe.marks[i]]
      if (a && b) expect(b.cx, `${b.event}@${b.atMs} is not left of ${a.event}@${a.atMs}`).toBeGreaterThanOrEqual(a.cx - 0.01)
    }
    expect(probe.lost).toHaveLength(3)
    for (const l of probe.lost) expect(l.x).toBeLessThanOrEqual(probe.fault.x + 0.5)
    expect(probe.fault.width).toBeGreaterThan(100)
    expect(probe.topLabels.length).toBeGreaterThanOrEqual(3)
    probe.topLabels.forEach((a, i) => probe.topLabels.slice(i + 1).forEach((b) => expect(overlaps(a, b), 'top labels overlap').toBe(false)))
  })

  it('screenshots to a PNG whose fault window is tinted', async () => {
    const shot = join(dir, 'shot.png')
    const result = await runChromium([`--screenshot=${shot}`, windowArg], pathToFileURL(page).href)
    expect(result.code, result.stderr.slice(-2000)).toBe(0)
    expect((await stat(shot)).size).toBeGreaterThan(20_000)
    const file = await readFile(shot)
    expect(file.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true)
    const png = decodePng(file)
    expect([png.width, png.height]).toEqual([WINDOW.width, WINDOW.height])
    const colours = new Set<number>()
    let inked = 0
    for (let y = 0; y < png.height; y += 3) {
      for (let x = 0; x < png.width; x += 3) {
        const [r, g, b] = png.rgb(x, y)
        colours.add((r << 16) | (g << 8) | b)
        if (r + g + b < 600) inked++
      }
    }
    expect(colours.size, 'distinct colours').toBeGreaterThan(100)
    expect(inked / ((png.width / 3) * (png.height / 3)), 'share of inked pixels').toBeGreaterThan(0.02)
    // Sample a grid inside the fault window (as the probe measured it) and the same height before it.
    const probe = await measure()
    const tinted = (x0: number, width: number): number => {
      let hits = 0
      let total = 0
      const bottom = Math.min(probe.fault.y + probe.fault.height, png.height) - 2
      for (let y = probe.fault.y + 2; y < bottom; y += 7) {
        for (let x = x0 + 2; x < x0 + width - 2; x += 7) {
          const [r, g, b] = png.rgb(Math.round(x), Math.round(y))
          total++
          if (r > g + 12 && r > b + 12) hits++
        }
      }
      return total === 0 ? 0 : hits / total
    }
    const width = Math.min(probe.fault.width, probe.fault.x - probe.plot.left)
    expect(tinted(probe.fault.x, probe.fault.width), 'tinted share inside the fault window').toBeGreaterThan(0.5)
    expect(tinted(probe.fault.x - width, width), 'tinted share before the fault').toBeLessThan(0.1)
  })
})
