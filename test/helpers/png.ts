// A minimal PNG reader for screenshot checks: the signature, IHDR, and the pixels of 8-bit non-interlaced
// greyscale, RGB or RGBA images (what Chromium writes), inflated with node:zlib and unfiltered per scanline.

import {inflateSync} from 'node:zlib'

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

export interface DecodedPng {
  width: number
  height: number
  /** Channels per pixel in `pixels` (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). */
  channels: number
  pixels: Buffer
  /** [r, g, b] of pixel (x, y). */
  rgb(x: number, y: number): [number, number, number]
}

const CHANNELS: Record<number, number> = {0: 1, 2: 3, 4: 2, 6: 4}

const paeth = (a: number, b: number, c: number): number => {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

export function decodePng(file: Buffer): DecodedPng {
  if (!file.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG (bad signature)')
  let off = 8
  let width = 0
  let height = 0
  let channels = 0
  const idat: Buffer[] = []
  while (off + 8 <= file.length) {
    const length = file.readUInt32BE(off)
    const type = file.toString('latin1', off + 4, off + 8)
    const data = file.subarray(off + 8, off + 8 + length)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      const depth = data[8]
      const colorType = data[9] ?? -1
      if (depth !== 8 || data[12] !== 0 || CHANNELS[colorType] === undefined) {
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colorType}, interlace ${data[12]}`)
      }
      channels = CHANNELS[colorType] ?? 0
    } else if (type === 'IDAT') {
      idat.push(data)
    } else if (type === 'IEND') {
      break
    }
    off += 12 + length
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const pixels = Buffer.alloc(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    const row = y * stride
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? (pixels[row + i - channels] ?? 0) : 0
      const b = y > 0 ? (pixels[row - stride + i] ?? 0) : 0
      const c = y > 0 && i >= channels ? (pixels[row - stride + i - channels] ?? 0) : 0
      const predictor = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth(a, b, c)
      pixels[row + i] = ((src[i] ?? 0) + predictor) & 0xff
    }
  }
  const rgb = (x: number, y: number): [number, number, number] => {
    const i = (y * width + x) * channels
    if (channels < 3) return [pixels[i] ?? 0, pixels[i] ?? 0, pixels[i] ?? 0]
    return [pixels[i] ?? 0, pixels[i + 1] ?? 0, pixels[i + 2] ?? 0]
  }
  return {width, height, channels, pixels, rgb}
}
