// maxmemory-clients (networking.c evictClients / getClientEvictionLimit): when the memory of all normal and
// pub/sub clients reaches the limit, the largest evictable clients are closed until it is below again.
// Masters, replicas and clients with CLIENT NO-EVICT on are never evicted (their memory still counts).
// A client's memory is the tot-mem CLIENT LIST shows.

/** Redis never lets the limit go below 128 KB, so that a bad setting cannot lock everyone out. */
const MIN_LIMIT = 128 * 1024

/** The limit in bytes for a maxmemory-clients value (bytes or `N%` of maxmemory); 0 when off. */
export function clientEvictionLimit(setting: string, maxmemoryBytes: number): number {
  const percent = /^(\d+)%$/.exec(setting)
  let limit: number
  if (percent !== null) {
    if (maxmemoryBytes <= 0) return 0
    limit = Math.floor(maxmemoryBytes * (Number(percent[1]) / 100))
  } else {
    limit = Number(setting)
    if (!(limit > 0)) return 0
  }
  return Math.max(limit, MIN_LIMIT)
}

export interface EvictionCandidate {
  /** Normal or pub/sub: its memory counts toward the limit. */
  counted: boolean
  /** Counted and may be closed (not NO-EVICT). */
  evictable: boolean
  memory: number
}

/** The candidates to close, largest first, to bring the counted total below `limit`. */
export function clientsToEvict<T extends EvictionCandidate>(clients: readonly T[], limit: number): T[] {
  let total = 0
  for (const c of clients) if (c.counted) total += c.memory
  if (total < limit) return []
  const evict: T[] = []
  for (const c of clients.filter((x) => x.evictable).sort((a, b) => b.memory - a.memory)) {
    if (total < limit) break
    evict.push(c)
    total -= c.memory
  }
  return evict
}
