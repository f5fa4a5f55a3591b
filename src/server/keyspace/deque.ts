// A growable ring buffer: O(1) push/pop at both ends and O(1) index access, for list values
// (LPUSH/RPOP on a 200k-element list must not shift arrays).

export class Deque<T> {
  private items: (T | undefined)[]
  private head = 0
  private count = 0

  constructor(initial: Iterable<T> = []) {
    this.items = new Array<T | undefined>(16)
    for (const item of initial) this.push(item)
  }

  get length(): number {
    return this.count
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow()
    this.items[(this.head + this.count) & (this.items.length - 1)] = item
    this.count++
  }

  unshift(item: T): void {
    if (this.count === this.items.length) this.grow()
    this.head = (this.head - 1 + this.items.length) & (this.items.length - 1)
    this.items[this.head] = item
    this.count++
  }

  pop(): T | undefined {
    if (this.count === 0) return undefined
    const index = (this.head + this.count - 1) & (this.items.length - 1)
    const item = this.items[index]
    this.items[index] = undefined
    this.count--
    return item
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined
    const item = this.items[this.head]
    this.items[this.head] = undefined
    this.head = (this.head + 1) & (this.items.length - 1)
    this.count--
    return item
  }

  /** Element at a 0-based index from the head; undefined when out of range. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined
    return this.items[(this.head + index) & (this.items.length - 1)]
  }

  setAt(index: number, item: T): void {
    if (index < 0 || index >= this.count) throw new RangeError(`index ${index} out of range`)
    this.items[(this.head + index) & (this.items.length - 1)] = item
  }

  /** Index of the first element for which `match` holds, or -1. */
  findIndex(match: (item: T) => boolean): number {
    const mask = this.items.length - 1
    for (let i = 0; i < this.count; i++) if (match(this.items[(this.head + i) & mask] as T)) return i
    return -1
  }

  /** Inserts before position `index` (0..length), moving the shorter side by one (LINSERT). */
  insertAt(index: number, item: T): void {
    if (index < 0 || index > this.count) throw new RangeError(`index ${index} out of range`)
    if (this.count === this.items.length) this.grow()
    const mask = this.items.length - 1
    if (index < this.count / 2) {
      this.head = (this.head - 1) & mask
      for (let i = 0; i < index; i++) this.items[(this.head + i) & mask] = this.items[(this.head + i + 1) & mask]
    } else {
      for (let i = this.count; i > index; i--) this.items[(this.head + i) & mask] = this.items[(this.head + i - 1) & mask]
    }
    this.items[(this.head + index) & mask] = item
    this.count++
  }

  /** Removes the element at `index`, moving the shorter side by one. */
  removeAt(index: number): void {
    if (index < 0 || index >= this.count) throw new RangeError(`index ${index} out of range`)
    const mask = this.items.length - 1
    if (index < this.count / 2) {
      for (let i = index; i > 0; i--) this.items[(this.head + i) & mask] = this.items[(this.head + i - 1) & mask]
      this.items[this.head] = undefined
      this.head = (this.head + 1) & mask
    } else {
      for (let i = index; i < this.count - 1; i++) this.items[(this.head + i) & mask] = this.items[(this.head + i + 1) & mask]
      this.items[(this.head + this.count - 1) & mask] = undefined
    }
    this.count--
  }

  /** Elements [start, end) as a plain array. */
  slice(start = 0, end = this.count): T[] {
    const out: T[] = []
    for (let i = Math.max(0, start); i < Math.min(end, this.count); i++) out.push(this.at(i) as T)
    return out
  }

  toArray(): T[] {
    return this.slice()
  }

  /** Replaces the whole content (used by LINSERT, LREM, LTRIM, LSET-style rewrites). */
  replaceAll(items: readonly T[]): void {
    let capacity = 16
    while (capacity < items.length) capacity *= 2
    this.items = new Array<T | undefined>(capacity)
    this.head = 0
    this.count = 0
    for (const item of items) this.push(item)
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.items[(this.head + i) & (this.items.length - 1)] as T
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.items.length * 2)
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & (this.items.length - 1)]
    this.items = next
    this.head = 0
  }
}
