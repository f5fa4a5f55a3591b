// rdb-key-save-delay and key-load-delay (rdb.c, debugDelay): Redis sleeps that many microseconds after each
// key it saves or loads; a negative value sleeps 1 µs for one key in |value| on average. The bundled server
// serialises an image in one go, so the delay of the whole image is the sum over its keys.

/** Milliseconds the per-key delay adds up to for `keys` keys. */
export function keyDelayMs(usecPerKey: number, keys: number): number {
  if (!Number.isFinite(usecPerKey) || usecPerKey === 0 || keys <= 0) return 0
  const usec = usecPerKey > 0 ? usecPerKey * keys : keys / -usecPerKey
  return usec / 1000
}

/** Blocks the process for `ms` (SAVE and loading block Redis the same way). */
export function sleepSync(ms: number): void {
  if (ms <= 0) return
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}
