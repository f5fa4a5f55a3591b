// RDB opcodes, type bytes and the length/string encodings shared by the writer and the reader (rdb.h).

export const RDB_VERSION = 10

export const OPCODE = {
  EOF: 0xff,
  SELECTDB: 0xfe,
  EXPIRETIME: 0xfd,
  EXPIRETIME_MS: 0xfc,
  RESIZEDB: 0xfb,
  AUX: 0xfa,
  FREQ: 0xf9,
  IDLE: 0xf8,
  MODULE_AUX: 0xf7,
  FUNCTION: 0xf6,
  FUNCTION2: 0xf5,
} as const

export const TYPE = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
} as const

export const QUICKLIST_NODE = {PLAIN: 1, PACKED: 2} as const

/** Shortest length encoding (6-bit, 14-bit big-endian, 32-bit or 64-bit big-endian). */
export function encodeLength(n: number): Buffer {
  if (n < 64) return Buffer.from([n])
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff])
  if (n <= 0xffffffff) {
    const b = Buffer.alloc(5)
    b[0] = 0x80
    b.writeUInt32BE(n, 1)
    return b
  }
  const b = Buffer.alloc(9)
  b[0] = 0x81
  b.writeBigUInt64BE(BigInt(n), 1)
  return b
}

const CANONICAL_INT = /^-?(0|[1-9][0-9]*)$/

/** A string with Redis's choice of INT8/16/32 encoding for short canonical integers; otherwise raw. */
export function encodeString(value: Buffer): Buffer {
  if (value.length <= 11) {
    const text = value.toString('latin1')
    if (CANONICAL_INT.test(text) && text !== '-0') {
      const n = Number(text)
      if (n >= -128 && n <= 127) return Buffer.from([0xc0, n & 0xff])
      if (n >= -32768 && n <= 32767) {
        const b = Buffer.alloc(3)
        b[0] = 0xc1
        b.writeInt16LE(n, 1)
        return b
      }
      if (n >= -2147483648 && n <= 2147483647) {
        const b = Buffer.alloc(5)
        b[0] = 0xc2
        b.writeInt32LE(n, 1)
        return b
      }
    }
  }
  return Buffer.concat([encodeLength(value.length), value])
}
