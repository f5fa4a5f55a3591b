// Counters behind INFO stats / commandstats / errorstats and CONFIG RESETSTAT.

export interface CommandStats {
  calls: number
  usec: number
  rejectedCalls: number
  failedCalls: number
}

export class Stats {
  totalConnectionsReceived = 0
  totalCommandsProcessed = 0
  rejectedConnections = 0
  expiredKeys = 0
  /** Keys deleted by maxmemory eviction (stat_evictedkeys). */
  evictedKeys = 0
  /** Clients closed by maxmemory-clients (stat_evictedclients). */
  evictedClients = 0
  keyspaceHits = 0
  keyspaceMisses = 0
  totalNetInputBytes = 0
  totalNetOutputBytes = 0
  totalErrorReplies = 0
  /** INFO stats acl_access_denied_auth: failed AUTH / HELLO AUTH. */
  aclAccessDeniedAuth = 0
  readonly commands = new Map<string, CommandStats>()
  /** Error code (first word of the error) → count. */
  readonly errors = new Map<string, number>()
  /** Ops/sec sampling (INFO instantaneous_ops_per_sec). */
  private samples: number[] = []
  private lastSampleCommands = 0
  private lastSampleAtMs = Date.now()

  command(name: string): CommandStats {
    let stats = this.commands.get(name)
    if (stats === undefined) {
      stats = {calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0}
      this.commands.set(name, stats)
    }
    return stats
  }

  error(message: string): void {
    this.totalErrorReplies++
    const code = message.split(' ', 1)[0] ?? 'ERR'
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1)
  }

  /** Called from the server cron (every 100 ms). */
  sample(nowMs: number): void {
    const elapsed = nowMs - this.lastSampleAtMs
    if (elapsed <= 0) return
    this.samples.push(((this.totalCommandsProcessed - this.lastSampleCommands) * 1000) / elapsed)
    if (this.samples.length > 16) this.samples.shift()
    this.lastSampleCommands = this.totalCommandsProcessed
    this.lastSampleAtMs = nowMs
  }

  get instantaneousOpsPerSec(): number {
    if (this.samples.length === 0) return 0
    return Math.round(this.samples.reduce((a, b) => a + b, 0) / this.samples.length)
  }

  reset(): void {
    this.totalConnectionsReceived = 0
    this.totalCommandsProcessed = 0
    this.rejectedConnections = 0
    this.expiredKeys = 0
    this.evictedKeys = 0
    this.evictedClients = 0
    this.keyspaceHits = 0
    this.keyspaceMisses = 0
    this.totalNetInputBytes = 0
    this.totalNetOutputBytes = 0
    this.totalErrorReplies = 0
    this.aclAccessDeniedAuth = 0
    this.commands.clear()
    this.errors.clear()
  }
}
