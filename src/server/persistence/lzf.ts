// LZF decompression (liblzf lzf_d.c format), for LZF-compressed strings in RDB files.

export function lzfDecompress(input: Buffer, expectedLength: number): Buffer {
  const out = Buffer.alloc(expectedLength)
  let ip = 0
  let op = 0
  while (ip < input.length) {
    const ctrl = input[ip++] as number
    if (ctrl < 32) {
      const run = ctrl + 1
      if (op + run > expectedLength || ip + run > input.length) throw new Error('corrupt LZF data (literal run overflows)')
      input.copy(out, op, ip, ip + run)
      ip += run
      op += run
    } else {
      let len = ctrl >> 5
      if (len === 7) len += input[ip++] as number
      const ref = op - ((ctrl & 0x1f) << 8) - (input[ip++] as number) - 1
      len += 2
      if (ref < 0 || op + len > expectedLength) throw new Error('corrupt LZF data (back reference out of range)')
      for (let i = 0; i < len; i++) out[op++] = out[ref + i] as number
    }
  }
  if (op !== expectedLength) throw new Error(`corrupt LZF data (got ${op} bytes, expected ${expectedLength})`)
  return out
}
