// The sorted-set structure: a member → score map plus the (score, member) order in sorted blocks (see
// ordered-blocks.ts; Redis's skiplist). Ordering is Redis's: by score, then by member bytes (memcmp).
// Members are latin1 keys (see common/key.ts).

import {OrderedBlocks} from './ordered-blocks.js'

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
  private ordered = new OrderedBlocks<ScoredMember>()

  /** Builds a set from distinct members in one sort (the *STORE commands), instead of one insertion each. */
  static fromEntries(entries: Iterable<ScoredMember>): SortedSet {
    const zset = new SortedSet()
    const sorted: ScoredMember[] = []
    for (const e of entries) {
      const score = storedScore(e.score)
      zset.scores.set(e.member, score)
      sorted.push({member: e.member, score})
    }
    zset.ordered = OrderedBlocks.fromSorted(sorted.sort(compareScored))
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
      this.ordered.removeFirstNotBefore(before({member, score: previous}))
    }
    this.scores.set(member, score)
    const entry = {member, score}
    this.ordered.insert(entry, before(entry))
    return previous === undefined
  }

  /** Removes a member; returns true when it was present. */
  delete(member: string): boolean {
    const score = this.scores.get(member)
    if (score === undefined) return false
    this.ordered.removeFirstNotBefore(before({member, score}))
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
    return this.ordered.at(rank)
  }

  /** Entries from `rank` on, ascending (step 1) or descending (step -1), each step O(1). */
  walkFrom(rank: number, step: 1 | -1): IterableIterator<ScoredMember> {
    return this.ordered.walkFrom(rank, step)
  }

  /** Ascending entries with rank in [start, end] inclusive (already clamped by the caller). */
  rangeByRank(start: number, end: number): ScoredMember[] {
    return this.ordered.slice(start, end + 1)
  }

  /** Index of the first entry not ordered before (score, member); member '' sorts first for a score. */
  lowerBound(entry: ScoredMember): number {
    return this.ordered.countBefore(before(entry))
  }

  /** Index of the first entry whose score is >= score (or > score when exclusive). */
  firstIndexByScore(score: number, exclusive: boolean): number {
    return this.ordered.countBefore((e) => e.score < score || (exclusive && e.score === score))
  }

  /**
   * Rank where a lex range starts: the first member in range walking up, or with reverse the last walking down;
   * -1 when the range selects nothing. Lex ranges assume equal scores; like Redis's listpack walk this checks
   * the set's ends first and then scans, so sets with mixed scores answer as Redis does for small sets.
   */
  lexRangeStart(min: LexBound, max: LexBound, reverse: boolean): number {
    const n = this.ordered.length
    const first = this.ordered.at(0)
    const last = this.ordered.at(n - 1)
    if (first === undefined || last === undefined || lexRangeIsEmpty(min, max)) return -1
    if (!lexAboveMin(last.member, min) || !lexBelowMax(first.member, max)) return -1
    if (reverse) {
      let i = n - 1
      for (const e of this.ordered.reversed()) {
        if (lexBelowMax(e.member, max)) return lexAboveMin(e.member, min) ? i : -1
        i--
      }
      return -1
    }
    let i = 0
    for (const e of this.ordered) {
      if (lexAboveMin(e.member, min)) return lexBelowMax(e.member, max) ? i : -1
      i++
    }
    return -1
  }

  /** Ascending (member, score) pairs. */
  *[Symbol.iterator](): IterableIterator<ScoredMember> {
    yield* this.ordered
  }

  private indexOf(entry: ScoredMember): number {
    return this.lowerBound(entry)
  }
}

/** The predicate that holds for the entries ordered before `entry`. */
function before(entry: ScoredMember): (e: ScoredMember) => boolean {
  return (e) => compareScored(e, entry) < 0
}
