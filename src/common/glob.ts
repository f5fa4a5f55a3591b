// Redis 7.0's glob matcher (util.c stringmatchlen) for KEYS, SCAN MATCH, PSUBSCRIBE, PUBSUB CHANNELS,
// CONFIG GET, COMMAND LIST FILTERBY PATTERN and the sentinel's patterns, byte-wise on latin1 strings.
//
// Redis walks the pattern recursively and prunes with `skipLongerMatches`; here the pattern is compiled once
// into tokens and matched by the classic single-backtrack-point scan, so a match costs at most
// O(|pattern| · |string|) whatever the pattern ("a*a*a*…b" included). The tokens reproduce Redis's reading of
// the pattern exactly, odd cases included:
// - `\x` is a literal x; a `\` that ends the pattern is a literal backslash.
// - `[...]` lists bytes, escapes (`\]`, compared case-sensitively even with nocase) and ranges `a-z` (either
//   order; compared as C's signed char, so a range that crosses 0x7f/0x80 wraps the other way); `^` first
//   negates. `]` cannot be the first member: `[]` matches nothing and `[^]` any byte. `[a-]` is the range
//   a..']'. An unterminated class takes the rest of the pattern as its members.
// - nocase folds A-Z only (the C locale); a range's ends are folded after ordering them, with glibc's
//   tolower() on negative chars (see cToLower).
// - an empty string is matched by the empty pattern only (not even by "*").

const LITERAL = 0
const ANY = 1
const CLASS = 2
const STAR = 3

interface Compiled {
  readonly kinds: Uint8Array
  /** LITERAL: the byte, folded when nocase. */
  readonly codes: Uint16Array
  /** CLASS: membership of each byte 0-255. */
  readonly classes: (Uint8Array | undefined)[]
  readonly nocase: boolean
}

const fold = (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c)
/** A byte as C's (signed) char. */
const signed = (c: number): number => (c >= 0x80 ? c - 0x100 : c)

/**
 * Compiled patterns, so that KEYS/SCAN over many keys and PUBLISH over many subscribed patterns compile each
 * pattern once. Only short patterns are kept, and the cache is emptied when full, so it stays small.
 */
const cache = new Map<string, Compiled>()
const CACHE_ENTRIES = 512
const CACHED_PATTERN_MAX = 256
let lastPattern: string | undefined
let lastNocase = false
let last: Compiled | undefined

/** Whether `text` matches the glob `pattern` (both latin1 strings, one char per byte), as stringmatchlen. */
export function globMatch(pattern: string, text: string, nocase = false): boolean {
  if (last === undefined || lastPattern !== pattern || lastNocase !== nocase) {
    last = compiled(pattern, nocase)
    lastPattern = pattern
    lastNocase = nocase
  }
  return run(last, text)
}

function compiled(pattern: string, nocase: boolean): Compiled {
  if (pattern.length > CACHED_PATTERN_MAX) return compile(pattern, nocase)
  const key = nocase ? `i${pattern}` : `s${pattern}`
  let found = cache.get(key)
  if (found === undefined) {
    if (cache.size >= CACHE_ENTRIES) cache.clear()
    found = compile(pattern, nocase)
    cache.set(key, found)
  }
  return found
}

/** The pattern as C's stringmatch() sees it: up to its first NUL byte (CONFIG GET, the sentinel's patterns). */
export const cPattern = (pattern: string): string => {
  const nul = pattern.indexOf('\0')
  return nul < 0 ? pattern : pattern.slice(0, nul)
}

function compile(p: string, nocase: boolean): Compiled {
  const n = p.length
  const kinds = new Uint8Array(n)
  const codes = new Uint16Array(n)
  const classes: (Uint8Array | undefined)[] = []
  let t = 0
  let i = 0
  while (i < n) {
    const c = p.charCodeAt(i)
    if (c === 0x2a /* * */) {
      kinds[t++] = STAR
      i++
    } else if (c === 0x3f /* ? */) {
      kinds[t++] = ANY
      i++
    } else if (c === 0x5b /* [ */) {
      const parsed = compileClass(p, i + 1, nocase)
      classes[t] = parsed.members
      kinds[t++] = CLASS
      i = parsed.next
    } else {
      if (c === 0x5c /* \ */ && n - i >= 2) i++
      codes[t] = nocase ? fold(p.charCodeAt(i)) : p.charCodeAt(i)
      kinds[t++] = LITERAL
      i++
    }
  }
  return {kinds: kinds.subarray(0, t), codes, classes, nocase}
}

/** The class whose members start at `i` (just after `[`); `next` is the index after the class. */
function compileClass(p: string, i: number, nocase: boolean): {members: Uint8Array; next: number} {
  const n = p.length
  const negate = i < n && p.charCodeAt(i) === 0x5e /* ^ */
  if (negate) i++
  /** Bytes compared as they are (escaped members). */
  const exact = new Uint8Array(256)
  /** Plain members and ranges, indexed by key()+128: the value Redis compares the string's byte as. */
  const keyed = new Uint8Array(384)
  const key = nocase ? foldedKey : signed
  for (;;) {
    if (i >= n) {
      // Unterminated: Redis steps back onto the last byte, which the advance below moves past.
      i--
      break
    }
    const c = p.charCodeAt(i) & 0xff
    if (c === 0x5c /* \ */ && n - i >= 2) {
      i++
      exact[p.charCodeAt(i) & 0xff] = 1
    } else if (c === 0x5d /* ] */) {
      break
    } else if (n - i >= 3 && p.charCodeAt(i + 1) === 0x2d /* - */) {
      let start = signed(c)
      let end = signed(p.charCodeAt(i + 2) & 0xff)
      if (start > end) [start, end] = [end, start]
      // nocase folds the ends after ordering them, so a fold can leave the range empty.
      if (nocase) [start, end] = [cToLower(start), cToLower(end)]
      for (let v = start; v <= end; v++) keyed[v + 128] = 1
      i += 2
    } else {
      keyed[key(c) + 128] = 1
    }
    i++
  }
  const members = new Uint8Array(256)
  for (let b = 0; b < 256; b++) {
    const hit = exact[b] === 1 || keyed[key(b) + 128] === 1
    members[b] = hit !== negate ? 1 : 0
  }
  return {members, next: i + 1}
}

/**
 * glibc's tolower() in the C locale on a (signed) char value: A-Z fold, -1 is EOF and stays, and the other
 * negative values come back as their unsigned byte. Ranges compare the results, so with nocase a range
 * ordered by signed value can end up reversed (empty), as in Redis.
 */
const cToLower = (v: number): number => (v < -1 ? v + 256 : fold(v))
/** The value a byte of the string is compared as in a nocase range. */
const foldedKey = (b: number): number => cToLower(signed(b))

function run(pattern: Compiled, s: string): boolean {
  const {kinds, codes, classes, nocase} = pattern
  const n = s.length
  const last = kinds.length
  if (n === 0) return last === 0
  let t = 0
  let i = 0
  // The most recent star and where its match currently ends: on a mismatch it takes one more byte.
  let starT = -1
  let starI = 0
  while (i < n) {
    if (t < last) {
      const kind = kinds[t]
      if (kind === STAR) {
        starT = t++
        starI = i
        continue
      }
      const ch = s.charCodeAt(i)
      if (kind === ANY || (kind === LITERAL ? codes[t] === (nocase ? fold(ch) : ch) : classes[t]?.[ch] === 1)) {
        t++
        i++
        continue
      }
    }
    if (starT < 0) return false
    t = starT + 1
    i = ++starI
  }
  while (t < last && kinds[t] === STAR) t++
  return t === last
}
