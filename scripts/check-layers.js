#!/usr/bin/env node
// Lint: enforces the layering rule (docs/architecture.md), keeps the server free of run-time import cycles and
// command groups off the composition root, and keeps focused/skipped tests out of the suite.
//   cli → scenario → lab → topology/supervisor → (spawns) server/sentinel → net/resp/config/common
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
  topology: ['cli', 'scenario', 'lab', 'server', 'sentinel', 'net'],
  supervisor: ['cli', 'scenario', 'lab', 'server', 'sentinel', 'net'],
  proxy: ['cli', 'scenario', 'lab', 'topology', 'supervisor', 'server', 'sentinel', 'net'],
  lab: ['cli', 'server', 'sentinel', 'net', 'scenario'],
  scenario: ['cli', 'server', 'sentinel', 'net'],
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
// Inside the server: command groups reach the server only through their call context (no import of the
// composition root), and no run-time import cycle exists (type-only imports are erased, so they do not count).
const serverDir = join(src, 'server')
const runtimeImports = new Map()
for (const file of walk(serverDir).filter((f) => f.endsWith('.ts'))) {
  const text = readFileSync(file, 'utf8')
  const targets = []
  for (const match of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s+'(\.[^']+)'/gm)) {
    const typeOnly = match[1] !== undefined || /^\{[^}]*\}$/.test(match[2].trim()) && match[2].replace(/[{}]/g, '').split(',').every((n) => n.trim() === '' || n.trim().startsWith('type '))
    const target = resolve(dirname(file), match[3].replace(/\.js$/, '.ts'))
    if (relative(serverDir, file).startsWith(`commands${sep}`) && target === join(serverDir, 'server.ts')) {
      problems.push(`${relative(root, file)}: a command group must not import server.ts; use the ports on CommandContext`)
    }
    if (!typeOnly && target.startsWith(serverDir)) targets.push(target)
  }
  runtimeImports.set(file, targets)
}
const state = new Map()
const visit = (file, path) => {
  if (state.get(file) === 'done') return
  if (state.get(file) === 'active') {
    const cycle = path.slice(path.indexOf(file)).concat(file).map((f) => relative(src, f))
    problems.push(`run-time import cycle: ${cycle.join(' → ')}`)
    return
  }
  state.set(file, 'active')
  for (const target of runtimeImports.get(file) ?? []) visit(target, [...path, file])
  state.set(file, 'done')
}
for (const file of runtimeImports.keys()) visit(file, [])

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
