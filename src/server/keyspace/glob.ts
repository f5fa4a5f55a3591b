// Redis's glob matcher (util.c stringmatchlen) for KEYS, SCAN MATCH, PSUBSCRIBE and COMMAND LIST FILTERBY:
// * ? [abc] [^a] [a-z] and backslash escapes, byte-wise on latin1 strings.

export function globMatch(pattern: string, text: string, nocase = false): boolean {
  if (nocase) {
    pattern = pattern.toLowerCase()
    text = text.toLowerCase()
  }
  return matchFrom(pattern, 0, text, 0, 0)
}

function matchFrom(p: string, pi: number, s: string, si: number, depth: number): boolean {
  // Redis caps recursion for patterns like "*a*a*a*…" (CVE-2022-36021); the same limit keeps us safe.
  if (depth > 1000) return false
  while (pi < p.length && si <= s.length) {
    const c = p[pi]
    if (c === '*') {
      while (p[pi + 1] === '*') pi++
      if (pi + 1 === p.length) return true
      for (let k = si; k <= s.length; k++) if (matchFrom(p, pi + 1, s, k, depth + 1)) return true
      return false
    }
    if (si >= s.length) return false
    if (c === '?') {
      pi++
      si++
      continue
    }
    if (c === '[') {
      const result = matchClass(p, pi + 1, s.charCodeAt(si))
      if (!result.matched) return false
      pi = result.next
      si++
      continue
    }
    if (c === '\\' && pi + 1 < p.length) pi++
    if (p[pi] !== s[si]) return false
    pi++
    si++
  }
  while (p[pi] === '*') pi++
  return pi === p.length && si === s.length
}

function matchClass(p: string, pi: number, ch: number): {matched: boolean; next: number} {
  const negate = p[pi] === '^'
  if (negate) pi++
  let matched = false
  while (pi < p.length && p[pi] !== ']') {
    if (p[pi] === '\\' && pi + 1 < p.length) {
      pi++
      if (p.charCodeAt(pi) === ch) matched = true
    } else if (p[pi + 1] === '-' && pi + 2 < p.length && p[pi + 2] !== ']') {
      let lo = p.charCodeAt(pi)
      let hi = p.charCodeAt(pi + 2)
      if (lo > hi) [lo, hi] = [hi, lo]
      if (ch >= lo && ch <= hi) matched = true
      pi += 2
    } else if (p.charCodeAt(pi) === ch) matched = true
    pi++
  }
  // An unterminated class ends the pattern, as in Redis.
  return {matched: negate ? !matched : matched, next: pi < p.length ? pi + 1 : pi}
}
