// `npm run fuzz -- [--target server|sentinel|rdb] [--inputs N] [--seed S] [--start I] [--concurrency C] [--raw-share F] [--no-oracle]`
// --target rdb runs the RDB loader's fuzzer (rdb-fuzzer.ts) in this process instead.
// The long RESP fuzz pass (not part of npm test): starts a bundled server or sentinel (and real Redis as the
// oracle for protocol errors when installed), sends N inputs (default 1,000,000) generated from the seed
// (random and printed when not given), prints progress and the outcome, and exits non-zero on a crash, a
// hang, an internal error or a mismatch. Input i of a run is reproduced with `--seed S --start i --inputs 1`.

import {realRedisMissing} from '../helpers/real-redis.js'
import {stopAllNodes} from '../helpers/nodes.js'
import {stopAllSentinels} from '../helpers/sentinels.js'
import {formatReport, loadCommandModels, runRespFuzz, takeDumpSamples} from './resp-fuzzer.js'
import {generateInput} from './resp-inputs.js'
import type {Target} from './resp-inputs.js'
import {startTarget} from './targets.js'
import {rdbSeeds, runRdbFuzz} from './rdb-fuzzer.js'

const argv = process.argv.slice(2)
const option = (name: string): string | undefined => {
  const at = argv.indexOf(`--${name}`)
  return at >= 0 ? argv[at + 1] : undefined
}
const targetName = option('target') ?? 'server'
if (!['server', 'sentinel', 'rdb'].includes(targetName)) throw new Error(`--target must be server, sentinel or rdb, not ${targetName}`)
const inputs = Number(option('inputs') ?? 1_000_000)
const seed = option('seed') !== undefined ? Number(option('seed')) : Math.floor(Math.random() * 2 ** 31)

if (targetName === 'rdb') {
  console.log(`rtopo RDB fuzz: seed ${seed}, ${inputs} inputs (reproduce with: npm run fuzz -- --target rdb --seed ${seed} --inputs ${inputs})`)
  let findings = 0
  try {
    const seeds = [await rdbSeeds('bundled'), ...(realRedisMissing ? [] : [await rdbSeeds('redis')])]
    const report = runRdbFuzz(seeds, seed, inputs)
    findings = report.findings.length
    console.log(`${report.inputs} inputs: ${report.loaded} loaded, ${report.rdbErrors} RdbError, ${findings} findings; slowest #${report.slowest.index} ${report.slowest.ms.toFixed(1)} ms of CPU`)
    for (const f of report.findings.slice(0, 50)) console.log(`  #${f.index}: ${f.error} (input saved as ${f.file})`)
  } finally {
    await stopAllNodes()
  }
  process.exit(findings > 0 ? 1 : 0)
}
const target = targetName as Target
const startIndex = Number(option('start') ?? 0)
const concurrency = Number(option('concurrency') ?? 16)
const rawShare = option('raw-share') !== undefined ? Number(option('raw-share')) : undefined
const useOracle = !argv.includes('--no-oracle') && !realRedisMissing

console.log(`rtopo RESP fuzz: target ${target}, seed ${seed}, inputs ${startIndex}..${startIndex + inputs - 1}, concurrency ${concurrency}, oracle ${useOracle ? 'real Redis' : 'none'}`)
console.log(`reproduce with: npm run fuzz -- --target ${target} --seed ${seed} --inputs ${inputs}${startIndex ? ` --start ${startIndex}` : ''}`)

if (argv.includes('--show')) {
  // Prints the inputs of the range (label and bytes) without running them; the command table comes from a
  // bundled node started for the purpose, so the inputs are the ones a run generates.
  const node = await startTarget(target, 'bundled')
  const commands = await loadCommandModels(node.node.port)
  await takeDumpSamples(node.node.port)
  for (let i = startIndex; i < startIndex + inputs; i++) {
    const input = generateInput(seed, i, commands, target, rawShare)
    console.log(`#${i} ${input.kind} ${input.label}\n  ${JSON.stringify(input.bytes.toString('latin1'))}\n  splits ${JSON.stringify(input.splits)} fin ${input.fin}`)
  }
  await stopAllNodes()
  await stopAllSentinels()
  process.exit(0)
}

let failed = true
try {
  const ours = await startTarget(target, 'bundled')
  const oracle = useOracle ? await startTarget(target, 'redis') : undefined
  const report = await runRespFuzz({
    target, node: ours.node, seed, inputs, startIndex, concurrency,
    oracle: oracle ? {port: oracle.node.port} : undefined,
    oracleShare: 0.3,
    rawShare,
    progressEvery: 20_000,
    onProgress: (r) => console.log(`… ${r.inputsSent} inputs, ${(r.elapsedMs / 1000).toFixed(0)} s, RSS ${r.finalRssMb.toFixed(0)} MB (max ${r.maxRssMb.toFixed(0)}), hangs ${r.hangs.length}, mismatches ${r.mismatches.length}, distinct errors ${r.distinctErrors.size}`),
  })
  console.log(formatReport(report))
  failed = report.crashes.length + report.hangs.length + report.internalErrors.length + report.mismatches.length > 0
  if (failed) console.log(`\nlog tail of the bundled ${target}:\n${ours.handle.logTail(40)}`)
} finally {
  await stopAllNodes()
  await stopAllSentinels()
}
process.exit(failed ? 1 : 0)
