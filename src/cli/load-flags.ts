// The workload flags shared by `rtopo load` and the `--load` of the fault commands, defined once, and their
// translation into WorkloadOptions with clear errors for values oclif cannot check by itself.

import {Flags} from '@oclif/core'
import {RtopoError} from './errors.js'
import {DEFAULT_WORKLOAD} from '../lab/workload.js'
import type {ClientLibrary, ReadFrom, WorkloadOptions} from '../lab/types.js'
import type {TopologyPlan} from '../topology/plan.js'

const helpGroup = 'WORKLOAD'

export const workloadFlags = {
  clients: Flags.integer({description: 'concurrent application connections', default: DEFAULT_WORKLOAD.clients, min: 1, max: 1000, helpGroup}),
  rate: Flags.string({description: 'operations per second over all clients, or max (each client sends its next operation when the last one is answered)', default: String(DEFAULT_WORKLOAD.rate), helpGroup}),
  mix: Flags.string({description: 'relative weights set:get, e.g. 80:20 (reads GET keys acknowledged earlier)', default: '1:0', helpGroup}),
  'read-from': Flags.string({description: 'where reads go', options: ['master', 'replicas'], default: 'master', helpGroup}),
  client: Flags.string({description: 'client library, in Sentinel mode', options: ['ioredis', 'node-redis'], default: 'ioredis', helpGroup}),
  'wait-replicas': Flags.integer({description: 'WAIT for this many replicas after each write; a write counts as acknowledged only if WAIT reached them', default: 0, min: 0, helpGroup}),
  'wait-timeout': Flags.integer({description: 'WAIT timeout in ms', default: DEFAULT_WORKLOAD.waitTimeoutMs, min: 1, helpGroup}),
  'op-timeout': Flags.integer({description: 'an operation unanswered after this many ms fails (the application gives up)', default: DEFAULT_WORKLOAD.opTimeoutMs, min: 1, helpGroup}),
  stall: Flags.integer({description: 'a write unanswered this long opens an unavailability window, in ms', default: 500, min: 1, helpGroup}),
  prefix: Flags.string({description: 'key prefix of this run [default: rtopo:load:<random id>:]', helpGroup}),
  samples: Flags.string({description: 'also write every write and read sample to this JSON file', helpGroup}),
}

export interface WorkloadFlagValues {
  clients: number
  rate: string
  mix: string
  'read-from': string
  client: string
  'wait-replicas': number
  'wait-timeout': number
  'op-timeout': number
  stall: number
  prefix?: string
}

export function parseRate(text: string): number | 'max' {
  if (text === 'max') return 'max'
  const rate = Number(text)
  if (!Number.isFinite(rate) || rate <= 0) throw new RtopoError(`--rate must be a positive number of operations per second, or max; got '${text}'`, ['rtopo load --rate 500', 'rtopo load --rate max'])
  return rate
}

export function parseMix(text: string): {set: number; get: number} {
  const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(text.trim())
  const set = Number(match?.[1])
  const get = Number(match?.[2])
  if (!match || set + get <= 0) throw new RtopoError(`--mix must be set:get weights such as 80:20 (not both 0); got '${text}'`, ['rtopo load --mix 1:0   # writes only', 'rtopo load --mix 50:50'])
  return {set, get}
}

/** The group a workload connects to: --group, or the only one. */
export function workloadGroup(plan: TopologyPlan, group: string | undefined): string {
  if (group) {
    if (!plan.groups.some((g) => g.name === group)) throw new RtopoError(`no group '${group}' (groups: ${plan.groups.map((g) => g.name).join(', ')})`, ['rtopo status'])
    return group
  }
  if (plan.groups.length > 1) throw new RtopoError(`there are ${plan.groups.length} groups; say which with --group (${plan.groups.map((g) => g.name).join(', ')})`)
  return (plan.groups[0] as {name: string}).name
}

export function workloadOptions(plan: TopologyPlan, flags: WorkloadFlagValues, group: string, durationMs?: number): WorkloadOptions {
  if (!plan.nodes.some((n) => n.kind === 'sentinel')) {
    throw new RtopoError('the workload connects as an application does, through the sentinels, and this topology has none', ['rtopo down && rtopo up --sentinels 3'])
  }
  const replicas = plan.nodes.filter((n) => n.kind === 'server' && n.group === group).length - 1
  if (flags['wait-replicas'] > replicas) {
    throw new RtopoError(`--wait-replicas ${flags['wait-replicas']} can never be reached: ${group} has ${replicas} replica(s)`, [`--wait-replicas ${Math.max(0, replicas)}`])
  }
  const mix = parseMix(flags.mix)
  if (mix.get > 0 && flags['read-from'] === 'replicas' && replicas === 0) throw new RtopoError(`--read-from replicas: ${group} has no replica`, ['--read-from master'])
  return {
    group, clients: flags.clients, rate: parseRate(flags.rate), mix, readFrom: flags['read-from'] as ReadFrom, client: flags.client as ClientLibrary,
    waitReplicas: flags['wait-replicas'], waitTimeoutMs: flags['wait-timeout'], opTimeoutMs: flags['op-timeout'], stallMs: flags.stall,
    ...(flags.prefix === undefined ? {} : {keyPrefix: flags.prefix}), ...(durationMs === undefined ? {} : {durationMs}),
  }
}

/** --report DIR: the HTML timeline of the audit (lab/report). */
export const reportFlag = Flags.string({description: 'write the audit as an HTML timeline (DIR/index.html) and JSON (DIR/report.json)'})

/** The flags a fault command takes to run a workload around its fault. */
export const faultLoadFlags = {
  load: Flags.boolean({description: 'run a workload (the flags of rtopo load) before, during and after the fault, then audit it', default: false, helpGroup}),
  'load-after': Flags.integer({description: 'with --load: ms to keep writing once the clients write again', default: 1000, min: 0, helpGroup}),
  'load-timeout': Flags.integer({description: 'with --load: ms to wait for the clients to write again after the fault', default: 30_000, min: 1, helpGroup}),
  report: reportFlag,
  ...workloadFlags,
}
