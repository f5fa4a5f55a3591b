// The partial quicksort Redis uses when a geo search wants only the first COUNT of more results (pqsort.c,
// from NetBSD's qsort): Bentley-McIlroy three-way partitioning with median-of-three pivots, recursing only into
// the parts that overlap the wanted range. Which of several equally distant points come first depends on its
// exact swaps, so this follows them one for one; the full sort Redis uses otherwise (glibc's qsort, a merge
// sort) is stable, as Array.prototype.sort is.

type Compare<T> = (a: T, b: T) => number

/** Sorts items[lrange..rrange] (inclusive) into place as pqsort does; elements outside may stay unsorted. */
export function partialSort<T>(items: T[], compare: Compare<T>, lrange: number, rrange: number): void {
  sortRange(items, 0, items.length, compare, lrange, rrange)
}

function swap<T>(items: T[], i: number, j: number): void {
  const t = items[i] as T
  items[i] = items[j] as T
  items[j] = t
}

/** Swaps the n elements at i with the n at j. */
function swapRun<T>(items: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(items, i + k, j + k)
}

function median3<T>(items: T[], a: number, b: number, c: number, compare: Compare<T>): number {
  const [x, y, z] = [items[a] as T, items[b] as T, items[c] as T]
  return compare(x, y) < 0
    ? (compare(y, z) < 0 ? b : compare(x, z) < 0 ? c : a)
    : (compare(y, z) > 0 ? b : compare(x, z) < 0 ? a : c)
}

/** Whether [start, start+length) lies wholly outside the wanted range, on either side. */
const outside = (start: number, length: number, lrange: number, rrange: number): boolean =>
  (lrange < start && rrange < start) || (lrange >= start + length && rrange >= start + length)

function sortRange<T>(items: T[], base: number, n: number, compare: Compare<T>, lrange: number, rrange: number): void {
  for (;;) {
    if (n < 7) {
      for (let m = base + 1; m < base + n; m++) {
        for (let l = m; l > base && compare(items[l - 1] as T, items[l] as T) > 0; l--) swap(items, l, l - 1)
      }
      return
    }
    let pm = base + Math.floor(n / 2)
    if (n > 7) {
      let pl = base
      let pn = base + n - 1
      if (n > 40) {
        const d = Math.floor(n / 8)
        pl = median3(items, pl, pl + d, pl + 2 * d, compare)
        pm = median3(items, pm - d, pm, pm + d, compare)
        pn = median3(items, pn - 2 * d, pn - d, pn, compare)
      }
      pm = median3(items, pl, pm, pn, compare)
    }
    swap(items, base, pm)
    let pa = base + 1
    let pb = pa
    let pc = base + n - 1
    let pd = pc
    for (;;) {
      let c: number
      while (pb <= pc && (c = compare(items[pb] as T, items[base] as T)) <= 0) {
        if (c === 0) swap(items, pa++, pb)
        pb++
      }
      while (pb <= pc && (c = compare(items[pc] as T, items[base] as T)) >= 0) {
        if (c === 0) swap(items, pc, pd--)
        pc--
      }
      if (pb > pc) break
      swap(items, pb++, pc--)
    }
    const pn = base + n
    let r = Math.min(pa - base, pb - pa)
    swapRun(items, base, pb - r, r)
    r = Math.min(pd - pc, pn - pd - 1)
    swapRun(items, pb, pn - r, r)
    r = pb - pa
    if (r > 1 && !outside(base, r, lrange, rrange)) sortRange(items, base, r, compare, lrange, rrange)
    r = pd - pc
    if (r <= 1) return
    base = pn - r
    n = r
    if (outside(base, n, lrange, rrange)) return
  }
}
