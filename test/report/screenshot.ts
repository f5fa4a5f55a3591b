// Regenerates docs/images/report.png, the README's picture of the report page, from the test fixture:
//   npx tsx test/report/screenshot.ts [out.png] [height]
// Needs chromium (apt-get install chromium).

import {copyFile, mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {writeReport} from '../../src/lab/report/index.js'
import {killMasterReport} from '../helpers/audit-fixture.js'
import {chromiumMissing, runChromium} from '../helpers/chromium.js'

const out = process.argv[2] ?? 'docs/images/report.png'
const height = Number(process.argv[3] ?? 1180)
if (chromiumMissing) throw new Error(chromiumMissing)
const dir = await mkdtemp(join(tmpdir(), 'rtopo-report-shot-'))
try {
  const page = await writeReport(dir, killMasterReport())
  const shot = join(dir, 'shot.png')
  const result = await runChromium([`--screenshot=${shot}`, `--window-size=1200,${height}`], pathToFileURL(page).href)
  if (result.code !== 0) throw new Error(`chromium exited ${result.code}: ${result.stderr.slice(-2000)}`)
  await copyFile(shot, out)
  console.log(out)
} finally {
  await rm(dir, {recursive: true, force: true})
}
