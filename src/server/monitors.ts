// MONITOR (replication.c replicationFeedMonitors): every executed command, except admin and skip_monitor
// ones, is echoed to monitoring clients as `+<sec>.<usec> [<db> <addr>] "arg" …`, quoted with sdscatrepr.

import {simple} from '../resp/reply.js'
import type {Client} from './client.js'
import type {Caller, CommandSpec} from './command-spec.js'
import {redactedArgv} from './redaction.js'

export class Monitors {
  private readonly clients = new Set<Client>()

  get size(): number {
    return this.clients.size
  }

  add(client: Client): void {
    client.isMonitor = true
    this.clients.add(client)
  }

  remove(client: Client): void {
    client.isMonitor = false
    this.clients.delete(client)
  }

  has(client: Client): boolean {
    return this.clients.has(client)
  }

  /** True when some client runs MONITOR (callers skip building the line otherwise). */
  get active(): boolean {
    return this.clients.size > 0
  }

  /** Called after a command ran; like Redis 7.0 the line shows the db selected after it (SELECT shows the new one). */
  feed(client: Client, spec: CommandSpec, argv: readonly Buffer[], nowMs: number, caller: Caller = 'client'): void {
    if (this.clients.size === 0) return
    if (spec.flags.includes('admin') || spec.flags.includes('skip_monitor')) return
    this.feedNow(client, spec, argv, nowMs, caller)
  }

  /** Sends the line whatever the command's flags (EVAL feeds itself before the commands it runs). */
  feedNow(client: Client, spec: CommandSpec, argv: readonly Buffer[], nowMs: number, caller: Caller = 'client'): void {
    if (this.clients.size === 0) return
    const line = monitorLine(caller === 'script' ? 'lua' : client.remoteAddress, redactedArgv(spec, argv), client.dbIndex, nowMs)
    const reply = simple(line)
    for (const monitor of this.clients) monitor.sink.push(reply)
  }
}

/**
 * `1700000000.123456 [0 127.0.0.1:54321] "set" "k" "v"` (without the leading '+'); a command run by a script
 * shows `lua` instead of the address (replication.c replicationFeedMonitors, CLIENT_SCRIPT).
 */
export function monitorLine(origin: string, argv: readonly Buffer[], dbIndex: number, nowMs: number): string {
  const micros = Math.floor(nowMs * 1000) + subMillisecondMicros()
  const seconds = Math.floor(micros / 1_000_000)
  const fraction = String(micros % 1_000_000).padStart(6, '0')
  const args = argv.map(quoteRepr).join(' ')
  return `${seconds}.${fraction} [${dbIndex} ${origin}] ${args}`
}

/** The clock gives milliseconds; the microsecond digits come from the high-resolution timer. */
function subMillisecondMicros(): number {
  return Math.floor((performance.now() % 1) * 1000)
}

/** sds.c sdscatrepr: double-quoted, with C escapes for quotes, backslash, control and non-printable bytes. */
export function quoteRepr(arg: Buffer): string {
  let out = '"'
  for (const byte of arg) {
    switch (byte) {
      case 0x5c: out += '\\\\'; break
      case 0x22: out += '\\"'; break
      case 0x0a: out += '\\n'; break
      case 0x0d: out += '\\r'; break
      case 0x09: out += '\\t'; break
      case 0x07: out += '\\a'; break
      case 0x08: out += '\\b'; break
      default:
        out += byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`
    }
  }
  return `${out}"`
}
