// Redis sdssplitargs for inline requests: whitespace-separated words, "double quotes" with \n \r \t \b \a \xHH
// escapes, 'single quotes' with only \' escaped; a closing quote must be followed by whitespace or the end.

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0x0b || c === 0x0c
const hexValue = (c: number): number =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1
const ESCAPES: Record<number, number> = {0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x61: 0x07}

/** Splits a line into arguments; undefined when quotes are unbalanced. */
export function splitArgs(line: Buffer): Buffer[] | undefined {
  const args: Buffer[] = []
  let i = 0
  for (;;) {
    while (i < line.length && isSpace(line[i])) i++
    if (i >= line.length) return args
    const out: number[] = []
    let inDouble = false
    let inSingle = false
    for (;;) {
      const c = line[i]
      if (inDouble) {
        if (c === undefined) return undefined
        if (c === 0x5c && line[i + 1] === 0x78 && i + 3 < line.length && hexValue(line[i + 2] as number) >= 0 && hexValue(line[i + 3] as number) >= 0) {
          out.push(hexValue(line[i + 2] as number) * 16 + hexValue(line[i + 3] as number))
          i += 3
        } else if (c === 0x5c && i + 1 < line.length) {
          const next = line[++i] as number
          out.push(ESCAPES[next] ?? next)
        } else if (c === 0x22) {
          if (i + 1 < line.length && !isSpace(line[i + 1])) return undefined
          inDouble = false
          i++
          break
        } else out.push(c)
      } else if (inSingle) {
        if (c === undefined) return undefined
        if (c === 0x5c && line[i + 1] === 0x27) {
          out.push(0x27)
          i++
        } else if (c === 0x27) {
          if (i + 1 < line.length && !isSpace(line[i + 1])) return undefined
          inSingle = false
          i++
          break
        } else out.push(c)
      } else {
        if (c === undefined || isSpace(c)) break
        if (c === 0x22) inDouble = true
        else if (c === 0x27) inSingle = true
        else out.push(c)
      }
      i++
    }
    args.push(Buffer.from(out))
  }
}
