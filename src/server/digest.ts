// DEBUG DIGEST / DIGEST-VALUE (debug.c computeDatasetDigest, xorObjectDigest): an order-independent SHA1
// mix of every key and value, byte-compatible with Redis 7.0 so equal datasets give equal digests.

import {createHash} from 'node:crypto'
import {formatReplyDouble} from '../resp/encoder.js'
import type {Database} from './keyspace/database.js'
import type {Keyspace} from './keyspace/keyspace.js'
import type {Entry} from './keyspace/values.js'
import {idMs, idSeq, MAX_ID, MIN_ID} from './keyspace/stream-id.js'

const sha1 = (data: Buffer): Buffer => createHash('sha1').update(data).digest()

/** digest ^= SHA1(data) */
function xorDigest(digest: Buffer, data: Buffer): void {
  const hash = sha1(data)
  for (let i = 0; i < 20; i++) digest[i] = (digest[i] as number) ^ (hash[i] as number)
}

/** digest = SHA1(digest ^ SHA1(data)) */
function mixDigest(digest: Buffer, data: Buffer): void {
  xorDigest(digest, data)
  sha1(digest).copy(digest)
}

/** Redis object type codes (OBJ_STRING … OBJ_HASH), mixed in as a big-endian uint32. */
const TYPE_CODE = {string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6} as const

const EXPIRE_MARK = Buffer.from('!!expire!!')

function uint32(value: number): Buffer {
  const buf = Buffer.alloc(4)
  buf.writeUInt32BE(value)
  return buf
}

/** xorObjectDigest: the value's own digest, mixed into `digest`. */
export function xorValueDigest(digest: Buffer, entry: Entry): void {
  const value = entry.value
  mixDigest(digest, uint32(TYPE_CODE[value.type]))
  switch (value.type) {
    case 'string':
      mixDigest(digest, value.value)
      break
    case 'list':
      for (const item of value.value) mixDigest(digest, item)
      break
    case 'set':
      for (const member of value.value) xorDigest(digest, Buffer.from(member, 'latin1'))
      break
    case 'zset':
      for (const {member, score} of value.value) {
        const element = Buffer.alloc(20)
        mixDigest(element, Buffer.from(member, 'latin1'))
        mixDigest(element, Buffer.from(formatReplyDouble(score)))
        xorDigest(digest, element)
      }
      break
    case 'hash':
      for (const [field, fieldValue] of value.value) {
        const element = Buffer.alloc(20)
        mixDigest(element, Buffer.from(field, 'latin1'))
        mixDigest(element, fieldValue)
        xorDigest(digest, element)
      }
      break
    case 'stream':
      // Live entries in order: the ID as "<ms>.<seq>", then each field and value (consumer groups do not count).
      for (const item of value.value.range(MIN_ID, MAX_ID)) {
        mixDigest(digest, Buffer.from(`${idMs(item.id)}.${idSeq(item.id)}`))
        item.fields.forEach((field, i) => {
          mixDigest(digest, field)
          mixDigest(digest, item.values[i] as Buffer)
        })
      }
      break
  }
  if (entry.expiresAt !== undefined) xorDigest(digest, EXPIRE_MARK)
}

/** The whole dataset: 40 zeros when empty. Logically expired keys still count, as in Redis. */
export function datasetDigest(keyspace: Keyspace): string {
  const final = Buffer.alloc(20)
  for (const db of keyspace.databases) {
    if (db.size === 0) continue
    mixDigest(final, uint32(db.index))
    for (const [key, entry] of db.entries) {
      const digest = Buffer.alloc(20)
      mixDigest(digest, Buffer.from(key, 'latin1'))
      xorValueDigest(digest, entry)
      xorDigest(final, digest)
    }
  }
  return final.toString('hex')
}

/** DEBUG DIGEST-VALUE for one key of `db` (zeros when missing). */
export function valueDigest(db: Database, key: string): string {
  const digest = Buffer.alloc(20)
  const entry = db.entries.get(key)
  if (entry !== undefined) xorValueDigest(digest, entry)
  return digest.toString('hex')
}
