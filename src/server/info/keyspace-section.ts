// INFO keyspace: `db<N>:keys=…,expires=…,avg_ttl=…` for every non-empty database (avg_ttl in ms).

import type {Keyspace} from '../keyspace/keyspace.js'

export function keyspaceSection(keyspace: Keyspace, nowMs: number): string[] {
  const lines: string[] = []
  for (const db of keyspace.databases) {
    if (db.size === 0) continue
    let ttlSum = 0
    let live = 0
    for (const key of db.volatileKeys) {
      const expiresAt = db.entries.get(key)?.expiresAt
      if (expiresAt === undefined || expiresAt <= nowMs) continue
      ttlSum += expiresAt - nowMs
      live++
    }
    const avgTtl = live === 0 ? 0 : Math.floor(ttlSum / live)
    lines.push(`db${db.index}:keys=${db.size},expires=${db.volatileKeys.size},avg_ttl=${avgTtl}`)
  }
  return lines
}
