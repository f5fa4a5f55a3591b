// Binary-safe keys: Map keys are the latin1 decoding of the raw bytes, an exact byte-for-byte mapping.

/** Node's own latin1 decoder behind buf.toString('latin1'), without toString's encoding dispatch. */
type Latin1Decoding = Buffer & {latin1Slice(start: number, end: number): string}

/**
 * Recently decoded short keys in a direct-mapped cache: a pipeline touches the same keys again and again,
 * and a hit costs a hash and a compare of the bytes instead of a new string (whose hash V8 must also
 * compute again on the Map lookup that follows). At most CACHE_SLOTS strings of MAX_CACHED bytes are kept.
 */
const CACHE_SLOTS = 4096
const MAX_CACHED = 64
const cache: string[] = Array.from({length: CACHE_SLOTS}, () => '')

export const keyOf = (buf: Buffer): string => {
  const n = buf.length
  if (n > MAX_CACHED || n === 0) return (buf as Latin1Decoding).latin1Slice(0, n)
  let h = n
  for (let i = 0; i < n; i++) h = (Math.imul(h, 31) + (buf[i] as number)) | 0
  const slot = (h ^ (h >>> 13)) & (CACHE_SLOTS - 1)
  const cached = cache[slot] as string
  if (cached.length === n) {
    let i = 0
    while (i < n && cached.charCodeAt(i) === buf[i]) i++
    if (i === n) return cached
  }
  const key = (buf as Latin1Decoding).latin1Slice(0, n)
  cache[slot] = key
  return key
}

export const keyBytes = (key: string): Buffer => Buffer.from(key, 'latin1')
