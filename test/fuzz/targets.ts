// The processes a fuzz run attacks: a bundled server or a bundled sentinel (and, as the oracle for protocol
// errors, real Redis of the same kind), started through the test helpers so they are always cleaned up.

import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {startServer, type NodeHandle} from '../helpers/nodes.js'
import {startSentinel, type SentinelHandle} from '../helpers/sentinels.js'
import type {Target} from './resp-inputs.js'
import type {FuzzNode} from './resp-fuzzer.js'

/** The bundled server as the fuzzer runs it: DEBUG enabled (only its inspecting subcommands are sent), scripts busy early. */
export const FUZZ_SERVER_ARGS = ['--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes', '--busy-reply-threshold', '200']

export interface StartedTarget {
  node: FuzzNode
  handle: NodeHandle | SentinelHandle
}

const readLog = (path: string) => () => (existsSync(path) ? readFileSync(path, 'latin1') : '')

export async function startTarget(target: Target, engine: 'bundled' | 'redis' = 'bundled'): Promise<StartedTarget> {
  if (target === 'server') {
    const handle = await startServer({engine, args: engine === 'bundled' ? FUZZ_SERVER_ARGS : ['--save', '']})
    return {handle, node: {port: handle.port, pid: handle.pid, readLog: readLog(join(handle.dir, 'server.log'))}}
  }
  const handle = await startSentinel({engine})
  return {handle, node: {port: handle.port, pid: handle.pid, readLog: readLog(join(handle.dir, 'sentinel.log'))}}
}
