// The sorted-set structure: a member → score map plus a (score, member)-ordered array kept sorted by
// binary-search insertion. Ordering is Redis's: by score, then by member bytes (memcmp).
// Members are latin1 keys (see common/key.ts).

export interface ScoredMember {
  readonly member: string
  readonly score: number
}

const compareMembers = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

export const compareScored = (a: ScoredMember, b: ScoredMember): number =>
  a.score < b.score ? -1 : a.score > b.score ? 1 : compareMembers(a.member, b.member)

export class SortedSet {
  private readonly scores = new Map<string, number>()
  private ordered: ScoredMember[] = []

  get size(): number {
    return this.scores.size
  }

  score(member: string): number | undefined {
    return this.scores.get(member)
  }

  has(member: string): boolean {
    return this.scores.has(member)
  }

  /** Sets a member's score; returns true when the member is new. */
  add(member: string, score: number): boolean {
    const previous = this.scores.get(member)
    if (previous !== undefined) {
      if (previous === score) return false
      this.ordered.splice(this.indexOf({member, score: previous}), 1)
    }
    this.scores.set(member, score)
    const entry = {member, score}
    this.ordered.splice(this.lowerBound(entry), 0, entry)
    return previous === undefined
  }

  /** Removes a member; returns true when it was present. */
  delete(member: string): boolean {
    const score = this.scores.get(member)
    if (score === undefined) return false
    this.ordered.splice(this.indexOf({member, score}), 1)
    this.scores.delete(member)
    return true
  }

  /** 0-based rank in ascending order, or undefined when absent. */
  rank(member: string): number | undefined {
    const score = this.scores.get(member)
    return score === undefined ? undefined : this.indexOf({member, score})
  }

  /** Entry at an ascending 0-based rank. */
  at(rank: number): ScoredMember | undefined {
    return this.ordered[rank]
  }

  /** Ascending entries with rank in [start, end] inclusive (already clamped by the caller). */
  rangeByRank(start: number, end: number): ScoredMember[] {
    return this.ordered.slice(start, end + 1)
  }

  /** Index of the first entry not ordered before (score, member); member '' sorts first for a score. */
  lowerBound(entry: ScoredMember): number {
    let lo = 0
    let hi = this.ordered.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareScored(this.ordered[mid] as ScoredMember, entry) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Index of the first entry whose score is >= score (or > score when exclusive). */
  firstIndexByScore(score: number, exclusive: boolean): number {
    let lo = 0
    let hi = this.ordered.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const s = (this.ordered[mid] as ScoredMember).score
      if (s < score || (exclusive && s === score)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Ascending (member, score) pairs. */
  *[Symbol.iterator](): IterableIterator<ScoredMember> {
    yield* this.ordered
  }

  private indexOf(entry: ScoredMember): number {
    return this.lowerBound(entry)
  }
}
