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

/**
 * One end of a lex range (ZRANGEBYLEX …): '-' and '+' are the extremes below and above every member;
 * otherwise a member bound, inclusive ('[') or exclusive ('(').
 */
export type LexBound = {readonly kind: '-' | '+'} | {readonly kind: 'member'; readonly member: string; readonly exclusive: boolean}

/** Orders two bounds as Redis's sdscmplex does: '-' below everything, '+' above, members by bytes. */
const compareLexBounds = (a: LexBound, b: LexBound): number => {
  if (a.kind === 'member' && b.kind === 'member') return compareMembers(a.member, b.member)
  if (a.kind === b.kind) return 0
  return a.kind === '-' || b.kind === '+' ? -1 : 1
}

export const lexAboveMin = (member: string, min: LexBound): boolean =>
  min.kind === '-' || (min.kind === 'member' && (min.exclusive ? member > min.member : member >= min.member))

export const lexBelowMax = (member: string, max: LexBound): boolean =>
  max.kind === '+' || (max.kind === 'member' && (max.exclusive ? member < max.member : member <= max.member))

/** A range that can hold no member whatever the set: min above max, or equal with an exclusive end ('-' and '+' are exclusive). */
const lexRangeIsEmpty = (min: LexBound, max: LexBound): boolean => {
  const cmp = compareLexBounds(min, max)
  const exclusive = (b: LexBound): boolean => b.kind !== 'member' || b.exclusive
  return cmp > 0 || (cmp === 0 && (exclusive(min) || exclusive(max)))
}

/**
 * Redis keeps small sorted sets as listpacks, whose score strings are re-read as integers, so a stored -0 reads back
 * as 0 (ZADD z -0 m; ZSCORE z m answers 0). Stored scores follow that; computed replies (ZUNION …) keep -0.
 */
const storedScore = (score: number): number => (score === 0 ? 0 : score)

export class SortedSet {
  private readonly scores = new Map<string, number>()
  private ordered: ScoredMember[] = []

  /** Builds a set from distinct members in one sort (the *STORE commands), instead of one insertion each. */
  static fromEntries(entries: Iterable<ScoredMember>): SortedSet {
    const zset = new SortedSet()
    for (const e of entries) {
      const score = storedScore(e.score)
      zset.scores.set(e.member, score)
      zset.ordered.push({member: e.member, score})
    }
    zset.ordered.sort(compareScored)
    return zset
  }

  get size(): number {
    return this.scores.size
  }

  score(member: string): number | undefined {
    return this.scores.get(member)
  }

  has(member: string): boolean {
    return this.scores.has(member)
  }

  /** Sets a member's score; returns true when the member is new. A score of -0 is stored as 0 (see storedScore). */
  add(member: string, score: number): boolean {
    score = storedScore(score)
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

  /**
   * Rank where a lex range starts: the first member in range walking up, or with reverse the last walking down;
   * -1 when the range selects nothing. Lex ranges assume equal scores; like Redis's listpack walk this checks
   * the set's ends first and then scans, so sets with mixed scores answer as Redis does for small sets.
   */
  lexRangeStart(min: LexBound, max: LexBound, reverse: boolean): number {
    const n = this.ordered.length
    const first = this.ordered[0]
    const last = this.ordered[n - 1]
    if (first === undefined || last === undefined || lexRangeIsEmpty(min, max)) return -1
    if (!lexAboveMin(last.member, min) || !lexBelowMax(first.member, max)) return -1
    if (reverse) {
      let i = n - 1
      while (i >= 0 && !lexBelowMax((this.ordered[i] as ScoredMember).member, max)) i--
      return i >= 0 && lexAboveMin((this.ordered[i] as ScoredMember).member, min) ? i : -1
    }
    let i = 0
    while (i < n && !lexAboveMin((this.ordered[i] as ScoredMember).member, min)) i++
    return i < n && lexBelowMax((this.ordered[i] as ScoredMember).member, max) ? i : -1
  }

  /** Ascending (member, score) pairs. */
  *[Symbol.iterator](): IterableIterator<ScoredMember> {
    yield* this.ordered
  }

  private indexOf(entry: ScoredMember): number {
    return this.lowerBound(entry)
  }
}
