// The failure lab's report on disk: `--report DIR` writes DIR/index.html (the page) and DIR/report.json (the
// AuditReport it was drawn from), each atomically, so a reader never sees half a file.

import {mkdir} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {writeFileAtomicAsync} from '../../common/atomic-write.js'
import type {AuditReport} from '../types.js'
import {renderHtmlReport} from './html.js'

export {renderHtmlReport, type RenderOptions} from './html.js'
export {terminalTimeline, type TimelineOptions} from './sparkline.js'

export const REPORT_HTML = 'index.html'
export const REPORT_JSON = 'report.json'

/** Creates `dir` if needed, writes the JSON and then the page, and returns the page's absolute path. */
export async function writeReport(dir: string, report: AuditReport): Promise<string> {
  const root = resolve(dir)
  await mkdir(root, {recursive: true})
  await writeFileAtomicAsync(join(root, REPORT_JSON), `${JSON.stringify(report, null, 2)}\n`)
  const html = join(root, REPORT_HTML)
  await writeFileAtomicAsync(html, renderHtmlReport(report, {dataFile: REPORT_JSON}))
  return html
}
