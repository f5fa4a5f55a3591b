// SLOWLOG (slowlog.c): commands slower than slowlog-log-slower-than µs are kept, newest first, up to
// slowlog-max-len entries. Arguments are trimmed like Redis: at most 32, strings cut at 128 bytes.

import {array, bulk, int, type Reply} from '../resp/reply.js'
import type {Client} from './client.js'
import type {CommandSpec} from './command-spec.js'
import {redactedArgv} from './redaction.js'

const MAX_ARGC = 32
const MAX_ARG_LENGTH = 128

/** The config reads the slow log needs (ServerConfig provides them). */
export interface SlowLogConfig {
  get(name: string): string | undefined
}

export interface SlowLogEntry {
  readonly id: number
  readonly timestampSec: number
  readonly usec: number
  readonly args: readonly Buffer[]
  readonly peerId: string
  readonly clientName: string
}

export class SlowLog {
  private entries: SlowLogEntry[] = []
  private nextId = 0

  /** Called after every command (server.c call → slowlogPushCurrentCommand). */
  record(client: Client, spec: CommandSpec, argv: readonly Buffer[], usec: number, config: SlowLogConfig): void {
    if (spec.flags.includes('skip_slowlog')) return
    const slowerThan = Number(config.get('slowlog-log-slower-than') ?? 10000)
    if (slowerThan < 0 || usec < slowerThan) return
    this.entries.unshift({
      id: this.nextId++,
      timestampSec: Math.floor(Date.now() / 1000),
      usec,
      args: trimArgs(redactedArgv(spec, argv)),
      peerId: client.remoteAddress,
      clientName: client.name,
    })
    const maxLen = Math.max(0, Number(config.get('slowlog-max-len') ?? 128))
    if (this.entries.length > maxLen) this.entries.length = maxLen
  }

  /** SLOWLOG GET [count]: count < 0 means all; default 10. */
  get(count = 10): Reply {
    const shown = count < 0 ? this.entries : this.entries.slice(0, count)
    return array(shown.map((e) => array([
      int(e.id),
      int(e.timestampSec),
      int(e.usec),
      array(e.args.map((a) => bulk(a))),
      bulk(e.peerId),
      bulk(e.clientName),
    ])))
  }

  len(): number {
    return this.entries.length
  }

  reset(): void {
    this.entries = []
  }
}

function trimArgs(argv: readonly Buffer[]): Buffer[] {
  const count = Math.min(argv.length, MAX_ARGC)
  const out: Buffer[] = []
  for (let i = 0; i < count; i++) {
    if (i === count - 1 && argv.length > MAX_ARGC) {
      out.push(Buffer.from(`... (${argv.length - MAX_ARGC + 1} more arguments)`))
      break
    }
    const arg = argv[i] as Buffer
    out.push(arg.length > MAX_ARG_LENGTH
      ? Buffer.concat([arg.subarray(0, MAX_ARG_LENGTH), Buffer.from(`... (${arg.length - MAX_ARG_LENGTH} more bytes)`)])
      : arg)
  }
  return out
}
