// The bytes of libraries outside the server: RDB_OPCODE_FUNCTION2 records (rdb.c rdbSaveFunctions: the opcode,
// then the library code as rdbSaveRawString writes it, LZF when it pays off) in RDB files, full-sync payloads
// and FUNCTION DUMP; and the FUNCTION DUMP payload itself: those records, the RDB version (2 bytes LE) and a
// CRC-64 of everything before it (functions.c functionDumpCommand, cluster.c verifyDumpPayload).

import {lzfCompress} from '../../commands/dump-restore.js'
import {crc64} from '../../persistence/crc64.js'
import {encodeLength, encodeString, OPCODE, RDB_VERSION} from '../../persistence/rdb-format.js'
import {readFunctionRecord} from '../../persistence/rdb-reader.js'

const FUNCTION2 = Buffer.from([OPCODE.FUNCTION2])

/** rdbSaveRawString: LZF for strings over 20 bytes when it saves at least 4 bytes (rdbcompression yes). */
function rawString(s: Buffer, compress: boolean): Buffer {
  if (compress && s.length > 20) {
    const packed = lzfCompress(s, s.length - 4)
    if (packed !== undefined) return Buffer.concat([Buffer.from([0xc3]), encodeLength(packed.length), encodeLength(s.length), packed])
  }
  return encodeString(s)
}

/** One FUNCTION2 record per library, in the registry's order. */
export function encodeFunctionRecords(codes: Iterable<Buffer>, compress: boolean): Buffer {
  const parts: Buffer[] = []
  for (const code of codes) parts.push(FUNCTION2, rawString(code, compress))
  return Buffer.concat(parts)
}

export function functionDumpPayload(records: Buffer): Buffer {
  const version = Buffer.alloc(2)
  version.writeUInt16LE(RDB_VERSION, 0)
  const checksum = Buffer.alloc(8)
  checksum.writeBigUInt64LE(crc64(Buffer.concat([records, version])), 0)
  return Buffer.concat([records, version, checksum])
}

export const BAD_PAYLOAD = 'DUMP payload version or checksum are wrong'

/**
 * Reads a FUNCTION RESTORE payload one library at a time (so a library that fails to load is reported before
 * a later record that fails to parse, as Redis does): `onLibrary` returns an error text to stop.
 */
export function readFunctionPayload(payload: Buffer, onLibrary: (code: Buffer) => string | undefined): string | undefined {
  if (payload.length < 10) return BAD_PAYLOAD
  const footer = payload.length - 10
  if (payload.readUInt16LE(footer) > RDB_VERSION) return BAD_PAYLOAD
  if (crc64(payload.subarray(0, footer + 2)) !== payload.readBigUInt64LE(footer + 2)) return BAD_PAYLOAD
  let pos = 0
  while (payload.length - pos > 10) {
    const record = readFunctionRecord(payload, pos)
    if ('error' in record) return record.error
    const failure = onLibrary(record.code)
    if (failure !== undefined) return failure
    pos = record.next
  }
  return undefined
}
