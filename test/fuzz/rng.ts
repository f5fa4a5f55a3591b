// A small seeded PRNG (sfc32) for the fuzzers. Input number i of a run is generated from forInput(seed, i)
// alone, so any single input of a long run can be regenerated from the seed and its index, whatever the
// concurrency or the timing of the run that found it.

export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number, stream = 0) {
    this.a = 0x9e3779b9 ^ seed
    this.b = 0x243f6a88 ^ stream
    this.c = 0xb7e15162 ^ Math.imul(seed, 0x85ebca6b)
    this.d = 1 ^ Math.imul(stream, 0xc2b2ae35)
    for (let i = 0; i < 15; i++) this.u32()
  }

  /** The generator for input `index` of the run seeded with `seed`. */
  static forInput(seed: number, index: number): Rng {
    return new Rng(seed, index)
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** A float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n)
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1)
  }

  chance(p: number): boolean {
    return this.float() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }

  /** Picks by weight: [[weight, value], …]. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    let total = 0
    for (const [w] of items) total += w
    let x = this.float() * total
    for (const [w, v] of items) {
      x -= w
      if (x < 0) return v
    }
    return (items[items.length - 1] as readonly [number, T])[1]
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n)
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff
    return out
  }
}
