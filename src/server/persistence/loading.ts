// The start-up load as clients see it (rdb.c startLoading / rdbLoadProgressCallback): while it runs the
// listeners are open and commands without the loading flag get -LOADING. Redis serves events each time the
// load crosses another loading-process-events-interval-bytes of the file; the bundled server parses the
// file in one go, so it spreads key-load-delay over the same crossings and serves events at each.

import {sleepSync} from './key-delay.js'

/** What INFO persistence shows while loading (loading_* fields). */
export interface LoadingProgress {
  startedMs: number
  totalBytes: number
  loadedBytes: number
  /** The used-mem aux field of the file (loading_rdb_used_mem). */
  rdbUsedMem: number
}

const serveEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Sleeps `delayMs` in all, with the bytes loaded advancing evenly, and serves events at every interval crossed. */
export async function paceLoading(progress: LoadingProgress, delayMs: number, intervalBytes: number): Promise<void> {
  const total = progress.totalBytes
  const crossings = intervalBytes > 0 ? Math.floor(total / intervalBytes) : 0
  if (delayMs <= 0 || crossings === 0) {
    sleepSync(delayMs)
    progress.loadedBytes = total
    return
  }
  const slice = delayMs * (intervalBytes / total)
  for (let k = 1; k <= crossings; k++) {
    sleepSync(slice)
    progress.loadedBytes = k * intervalBytes
    await serveEvents()
  }
  // The tail after the last crossing, during which Redis serves nothing.
  sleepSync(delayMs - slice * crossings)
  progress.loadedBytes = total
}

/** INFO persistence's loading_* lines (after the AOF block), as genRedisInfoString computes them. */
export function loadingInfoLines(progress: LoadingProgress, nowMs: number): string[] {
  let perc = 0
  let remaining = 1
  if (progress.totalBytes > 0) {
    perc = (progress.loadedBytes / progress.totalBytes) * 100
    remaining = progress.totalBytes - progress.loadedBytes
  } else if (progress.rdbUsedMem > 0) {
    perc = Math.min(99.99, (progress.loadedBytes / progress.rdbUsedMem) * 100)
    remaining = Math.max(1, progress.rdbUsedMem - progress.loadedBytes)
  }
  const startSec = Math.floor(progress.startedMs / 1000)
  const elapsed = Math.floor(nowMs / 1000) - startSec
  const eta = elapsed === 0 ? 1 : Math.floor((elapsed * remaining) / (progress.loadedBytes + 1))
  return [
    `loading_start_time:${startSec}`,
    `loading_total_bytes:${progress.totalBytes}`,
    `loading_rdb_used_mem:${progress.rdbUsedMem}`,
    `loading_loaded_bytes:${progress.loadedBytes}`,
    `loading_loaded_perc:${perc.toFixed(2)}`,
    `loading_eta_seconds:${eta}`,
  ]
}
