#!/usr/bin/env node
// Lint: enforces the layering rule (docs/architecture.md) and keeps focused/skipped tests out of the suite.
//   cli → topology/supervisor → (spawns) server/sentinel → net/resp/config/common
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative, resolve, dirname, sep} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'src')

// layer → layers it must never import
const forbidden = {
  resp: ['cli', 'topology', 'supervisor', 'server', 'sentinel', 'net', 'config'],
  common: ['cli', 'topology', 'supervisor', 'server', 'sentinel', 'net', 'resp', 'config'],
  config: ['cli', 'topology', 'supervisor', 'server', 'sentinel', 'net'],
  net: ['cli', 'topology', 'supervisor', 'server', 'sentinel'],
  server: ['cli', 'topology', 'supervisor'],
  sentinel: ['cli', 'topology', 'supervisor'],
  topology: ['cli', 'server', 'sentinel', 'net'],
  supervisor: ['cli', 'server', 'sentinel', 'net'],
}

const walk = (dir) => readdirSync(dir).flatMap((name) => {
  const path = join(dir, name)
  return statSync(path).isDirectory() ? walk(path) : [path]
})

const problems = []
for (const file of walk(src).filter((f) => f.endsWith('.ts'))) {
  const layer = relative(src, file).split(sep)[0]
  const text = readFileSync(file, 'utf8')
  for (const match of text.matchAll(/from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)) {
    const target = relative(src, resolve(dirname(file), match[1] ?? match[2])).split(sep)[0]
    if ((forbidden[layer] ?? []).includes(target)) {
      problems.push(`${relative(root, file)}: layer '${layer}' must not import '${target}' (${match[1] ?? match[2]})`)
    }
  }
}
for (const file of walk(join(root, 'test')).filter((f) => f.endsWith('.ts'))) {
  const text = readFileSync(file, 'utf8')
  text.split('\n').forEach((line, i) => {
    if (/\b(it|test|describe)\.only\(/.test(line)) problems.push(`${relative(root, file)}:${i + 1}: focused test (.only)`)
  })
}
if (problems.length > 0) {
  console.error(problems.join('\n'))
  console.error(`lint: ${problems.length} problem(s)`)
  process.exit(1)
}
console.log('lint: layering and test hygiene OK')
