// The versioned state file (<state dir>/topology.json): the plan later commands work from, written atomically.

import {existsSync, mkdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../common/atomic-write.js'
import {routeAroundProxy} from './inspect.js'
import type {TopologyPlan} from './plan.js'

export const STATE_FILE = 'topology.json'

export class StateFileError extends Error {
  override readonly name = 'StateFileError'
}

export const statePath = (stateDir: string): string => join(stateDir, STATE_FILE)

export function readState(stateDir: string): TopologyPlan | undefined {
  const path = statePath(stateDir)
  if (!existsSync(path)) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (cause) {
    throw new StateFileError(`${path} is not valid JSON (${(cause as Error).message})`)
  }
  const plan = parsed as Partial<TopologyPlan>
  if (plan.version !== 1 || !Array.isArray(plan.nodes) || !Array.isArray(plan.groups) || (plan.engine !== 'bundled' && plan.engine !== 'redis') ||
    (plan.sentinelEngine !== undefined && plan.sentinelEngine !== 'bundled' && plan.sentinelEngine !== 'redis')) {
    throw new StateFileError(`${path} is not an rtopo state file of version 1`)
  }
  routeAroundProxy(plan as TopologyPlan)
  return plan as TopologyPlan
}

export function writeState(plan: TopologyPlan): void {
  routeAroundProxy(plan)
  mkdirSync(plan.stateDir, {recursive: true})
  writeFileAtomic(statePath(plan.stateDir), `${JSON.stringify(plan, null, 2)}\n`)
}
