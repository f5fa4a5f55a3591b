// The two engines behind one interface: the bundled rtopo-server/rtopo-sentinel (run with this node binary)
// and the real redis-server/redis-sentinel from PATH or --redis-bin. Both read the same rendered files.

import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {engineOf, type EngineName, type NodeKind, type PlannedNode, type TopologyPlan} from '../topology/plan.js'

export interface Engine {
  readonly name: EngineName
  /** The executable and arguments that start a node from its config file. */
  command(kind: NodeKind, conf: string): {file: string; args: string[]}
  /** Why this engine cannot run a node of this kind here, or undefined. */
  unavailable(kind: NodeKind): string | undefined
}

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

const bundled: Engine = {
  name: 'bundled',
  command: (kind, conf) => ({
    file: process.execPath,
    args: [join(packageRoot, 'bin', kind === 'server' ? 'rtopo-server.js' : 'rtopo-sentinel.js'), conf],
  }),
  unavailable: (kind) => {
    if (!existsSync(join(packageRoot, 'dist', 'server', 'main.js'))) return 'the bundled server is not built (run npm run build)'
    if (kind === 'sentinel' && !existsSync(join(packageRoot, 'dist', 'sentinel', 'main.js'))) return 'the bundled sentinel is not built (run npm run build)'
    return undefined
  },
}

const findBinary = (name: string, binDir: string | undefined): string | undefined => {
  if (binDir !== undefined) {
    const path = join(binDir, name)
    return existsSync(path) ? path : undefined
  }
  try {
    return execFileSync('which', [name], {encoding: 'utf8'}).trim() || undefined
  } catch {
    return undefined
  }
}

function redisEngine(binDir: string | undefined): Engine {
  const binary = (kind: NodeKind) => (kind === 'server' ? 'redis-server' : 'redis-sentinel')
  return {
    name: 'redis',
    command: (kind, conf) => ({file: findBinary(binary(kind), binDir) ?? binary(kind), args: [conf]}),
    unavailable: (kind) =>
      findBinary(binary(kind), binDir) === undefined
        ? `${binary(kind)} not found ${binDir ? `in ${binDir}` : 'on PATH'} (apt-get install redis-server redis-sentinel, or --redis-bin DIR)`
        : undefined,
  }
}

export function engineFor(name: EngineName, redisBinDir?: string): Engine {
  return name === 'bundled' ? bundled : redisEngine(redisBinDir)
}

/** The engine that runs `node` in `plan` (sentinels may run on their own engine). */
export const engineForNode = (plan: TopologyPlan, node: PlannedNode, redisBinDir?: string): Engine =>
  engineFor(engineOf(plan, node.kind), redisBinDir)
