// A sorted sequence with positional access, kept as a list of small sorted blocks (an unrolled list). It
// stands where Redis uses a skiplist: insert and delete cost O(log n + block size + n / block size) instead
// of the O(n) shift of one flat array, so building a large sorted set stays O(n log n) as in Redis.

/** Blocks split above this size; a block is merged away once empty. */
const MAX_BLOCK = 512

export class OrderedBlocks<T> {
  private blocks: T[][] = []
  private count = 0

  /** Builds from entries already in order. */
  static fromSorted<T>(sorted: readonly T[]): OrderedBlocks<T> {
    const out = new OrderedBlocks<T>()
    for (let i = 0; i < sorted.length; i += MAX_BLOCK / 2) out.blocks.push(sorted.slice(i, i + MAX_BLOCK / 2))
    out.count = sorted.length
    return out
  }

  get length(): number {
    return this.count
  }

  /**
   * The number of leading entries for which `before` holds; `before` must be true for a prefix of the
   * sequence and false after it (a lower bound).
   */
  countBefore(before: (entry: T) => boolean): number {
    const [block, offset] = this.locate(before)
    let index = offset
    for (let b = 0; b < block; b++) index += (this.blocks[b] as T[]).length
    return index
  }

  /** Inserts `entry` after every entry for which `before` holds. */
  insert(entry: T, before: (entry: T) => boolean): void {
    this.count++
    if (this.blocks.length === 0) {
      this.blocks.push([entry])
      return
    }
    let [b, offset] = this.locate(before)
    if (b === this.blocks.length) {
      b = this.blocks.length - 1
      offset = (this.blocks[b] as T[]).length
    }
    const block = this.blocks[b] as T[]
    block.splice(offset, 0, entry)
    if (block.length > MAX_BLOCK) this.blocks.splice(b, 1, block.slice(0, block.length >> 1), block.slice(block.length >> 1))
  }

  /** Removes the first entry for which `before` is false, which the caller knows to be the one sought. */
  removeFirstNotBefore(before: (entry: T) => boolean): void {
    const [b, offset] = this.locate(before)
    const block = this.blocks[b]
    if (block === undefined || offset >= block.length) return
    block.splice(offset, 1)
    this.count--
    if (block.length === 0) this.blocks.splice(b, 1)
  }

  at(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined
    for (const block of this.blocks) {
      if (index < block.length) return block[index]
      index -= block.length
    }
    return undefined
  }

  /** Entries with index in [start, end). */
  slice(start: number, end: number): T[] {
    const out: T[] = []
    let base = 0
    for (const block of this.blocks) {
      if (base >= end) break
      const next = base + block.length
      if (next > start) {
        for (let i = Math.max(0, start - base); i < block.length && base + i < end; i++) out.push(block[i] as T)
      }
      base = next
    }
    return out
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const block of this.blocks) yield* block
  }

  /** From `index` on, toward the end (step 1) or the start (step -1); nothing when `index` is out of range. */
  *walkFrom(index: number, step: 1 | -1): IterableIterator<T> {
    if (index < 0 || index >= this.count) return
    let b = 0
    while (index >= (this.blocks[b] as T[]).length) index -= (this.blocks[b++] as T[]).length
    for (; b >= 0 && b < this.blocks.length; b += step) {
      const block = this.blocks[b] as T[]
      if (step === 1) {
        for (let i = index; i < block.length; i++) yield block[i] as T
        index = 0
      } else {
        for (let i = index; i >= 0; i--) yield block[i] as T
        index = b > 0 ? (this.blocks[b - 1] as T[]).length - 1 : 0
      }
    }
  }

  /** From the last entry to the first. */
  *reversed(): IterableIterator<T> {
    for (let b = this.blocks.length - 1; b >= 0; b--) {
      const block = this.blocks[b] as T[]
      for (let i = block.length - 1; i >= 0; i--) yield block[i] as T
    }
  }

  /** [block, offset] of the first entry for which `before` is false; [blocks.length, 0] past the end. */
  private locate(before: (entry: T) => boolean): [number, number] {
    let lo = 0
    let hi = this.blocks.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const block = this.blocks[mid] as T[]
      if (before(block[block.length - 1] as T)) lo = mid + 1
      else hi = mid
    }
    if (lo === this.blocks.length) return [lo, 0]
    const block = this.blocks[lo] as T[]
    let l = 0
    let h = block.length
    while (l < h) {
      const mid = (l + h) >>> 1
      if (before(block[mid] as T)) l = mid + 1
      else h = mid
    }
    return [lo, l]
  }
}
