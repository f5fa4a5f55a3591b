// A set of strings with O(1) add, delete and uniform random pick (an array plus each member's index), for the
// keys with an expiry: volatile-* eviction samples them as Redis's dictGetSomeKeys samples db->expires.

export class IndexedSet implements Iterable<string> {
  private readonly members: string[] = []
  private readonly index = new Map<string, number>()

  get size(): number {
    return this.members.length
  }

  has(member: string): boolean {
    return this.index.has(member)
  }

  add(member: string): this {
    if (!this.index.has(member)) {
      this.index.set(member, this.members.length)
      this.members.push(member)
    }
    return this
  }

  delete(member: string): boolean {
    const at = this.index.get(member)
    if (at === undefined) return false
    this.index.delete(member)
    const last = this.members.pop() as string
    if (at < this.members.length) {
      this.members[at] = last
      this.index.set(last, at)
    }
    return true
  }

  clear(): void {
    this.members.length = 0
    this.index.clear()
  }

  /** The member at a position (0 … size-1); deleting one moves the last member into its place. */
  at(index: number): string | undefined {
    return this.members[index]
  }

  /** A uniformly random member, or undefined when empty. */
  random(): string | undefined {
    return this.members.length === 0 ? undefined : this.members[Math.floor(Math.random() * this.members.length)]
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.index.keys()
  }
}
