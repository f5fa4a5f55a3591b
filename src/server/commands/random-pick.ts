// The random picks of SPOP, SRANDMEMBER, HRANDFIELD and ZRANDMEMBER (t_set.c, t_hash.c, t_zset.c): a positive
// count picks distinct items, a negative one draws |count| items that may repeat.

export const LONG_MAX = 9223372036854775807n

const randomIndex = (size: number): number => Math.floor(Math.random() * size)

/** Up to `count` distinct items in random order: a partial Fisher-Yates shuffle of a copy. */
export function pickDistinct<T>(items: Iterable<T>, count: number): T[] {
  const all = [...items]
  const n = Math.min(count, all.length)
  for (let i = 0; i < n; i++) {
    const j = i + randomIndex(all.length - i)
    const swap = all[i] as T
    all[i] = all[j] as T
    all[j] = swap
  }
  return all.slice(0, n)
}

/** `count` independent draws from a non-empty array, so items may repeat. */
export const pickWithRepeats = <T>(items: readonly T[], count: number): T[] =>
  Array.from({length: count}, () => items[randomIndex(items.length)] as T)

/**
 * The *RANDMEMBER count rule for a non-zero count over a non-empty collection: a negative count (and 1)
 * draws with repeats; a count reaching the size returns `whole` (each command's own order); otherwise
 * distinct picks in random order.
 */
export function pickByCount<T>(items: readonly T[], count: bigint, whole: (items: readonly T[]) => T[] = (all) => [...all]): T[] {
  if (count < 0n || count === 1n) return pickWithRepeats(items, Number(count < 0n ? -count : count))
  if (count >= BigInt(items.length)) return whole(items)
  return pickDistinct(items, Number(count))
}
