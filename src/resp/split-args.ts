// Redis sdssplitargs, for inline requests, redis.conf lines and the first line of scripts and libraries:
// words, "double quotes" with \n \r \t \b \a \xHH escapes, 'single quotes' with only \' escaped. The line is
// a C string there, so a NUL byte ends it. Two notions of white space meet: the gaps between words are
// skipped with isspace() (space, \t, \n, \v, \f, \r) and a closing quote must be followed by one of those or
// the end, but an unquoted word only ends at a space, \n, \r, \t or the end, so \v and \f inside it are kept.

/** C isspace() in the C locale: what separates words and may follow a closing quote. */
const isSpace = (c: number | undefined): boolean => c === 0x20 || (c !== undefined && c >= 0x09 && c <= 0x0d)
/** The bytes that end an unquoted word (no \v, no \f). */
const endsWord = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
const hexValue = (c: number | undefined): number =>
  c === undefined ? -1 : c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1
const ESCAPES: Record<number, number> = {0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x61: 0x07}

/** Splits a line into arguments; undefined when quotes are unbalanced (or a closing quote is followed by a non-space). */
export function splitArgs(input: Buffer): Buffer[] | undefined {
  const nul = input.indexOf(0)
  const line = nul < 0 ? input : input.subarray(0, nul)
  const n = line.length
  const args: Buffer[] = []
  let i = 0
  for (;;) {
    while (i < n && isSpace(line[i])) i++
    if (i >= n) return args
    const out: number[] = []
    let inDouble = false
    let inSingle = false
    for (;;) {
      const c = line[i]
      if (inDouble) {
        if (c === undefined) return undefined
        const h1 = c === 0x5c && line[i + 1] === 0x78 ? hexValue(line[i + 2]) : -1
        const h2 = h1 >= 0 ? hexValue(line[i + 3]) : -1
        if (h2 >= 0) {
          out.push(h1 * 16 + h2)
          i += 3
        } else if (c === 0x5c && i + 1 < n) {
          const next = line[++i] as number
          out.push(ESCAPES[next] ?? next)
        } else if (c === 0x22) {
          if (i + 1 < n && !isSpace(line[i + 1])) return undefined
          i++
          break
        } else out.push(c)
      } else if (inSingle) {
        if (c === undefined) return undefined
        if (c === 0x5c && line[i + 1] === 0x27) {
          out.push(0x27)
          i++
        } else if (c === 0x27) {
          if (i + 1 < n && !isSpace(line[i + 1])) return undefined
          i++
          break
        } else out.push(c)
      } else {
        if (c === undefined || endsWord(c)) break
        if (c === 0x22) inDouble = true
        else if (c === 0x27) inSingle = true
        else out.push(c)
      }
      i++
    }
    args.push(Buffer.from(out))
  }
}
