// RDB files on disk: written to temp-<pid>.rdb in the same directory, fsynced and renamed over the target
// (rdb.c rdbSave), so a crash leaves the old file or the new one; loading reports path and offset on errors.

import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {writeFileAtomic, writeFileAtomicAsync} from '../../common/atomic-write.js'
import {readRdb, RdbError, type LoadedRdb, type RdbReadOptions} from './rdb-reader.js'

const tempFor = (path: string): string => join(dirname(path), `temp-${process.pid}.rdb`)

export function saveRdbFile(path: string, data: Buffer): void {
  writeFileAtomic(path, data, tempFor(path))
}

export function saveRdbFileAsync(path: string, data: Buffer): Promise<void> {
  return writeFileAtomicAsync(path, data, join(dirname(path), `temp-bg-${process.pid}.rdb`))
}

/** Undefined when there is no file; throws RdbError naming the file when it is truncated or corrupt. */
export function loadRdbFile(path: string, nowMs: number, options: RdbReadOptions = {}): LoadedRdb | undefined {
  if (!existsSync(path)) return undefined
  const data = readFileSync(path)
  try {
    return readRdb(data, nowMs, options)
  } catch (cause) {
    if (cause instanceof RdbError) throw new RdbError(`${path}: ${cause.message.replace(/ \(at byte \d+\)$/, '')}`, cause.offset)
    throw cause
  }
}
