// RDB files on disk: written to temp-<pid>.rdb in the same directory, fsynced and renamed over the target
// (rdb.c rdbSave), so a crash leaves the old file or the new one; loading reports path and offset on errors.

import {closeSync, existsSync, fsyncSync, openSync, readFileSync} from 'node:fs'
import {open, rename, rm} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {writeFileAtomic} from '../../common/atomic-write.js'
import {readRdb, RdbError, type LoadedRdb, type RdbReadOptions} from './rdb-reader.js'

const tempFor = (path: string): string => join(dirname(path), `temp-${process.pid}.rdb`)

export function saveRdbFile(path: string, data: Buffer): void {
  writeFileAtomic(path, data, tempFor(path))
}

/**
 * BGSAVE's write: the image's chunks one after another into temp-bg-<pid>.rdb, fsynced, renamed over the
 * target and the directory fsynced, as writeFileAtomicAsync does for one Buffer; the chunks are never joined.
 */
export async function saveRdbFileAsync(path: string, chunks: readonly Buffer[]): Promise<void> {
  const tempPath = join(dirname(path), `temp-bg-${process.pid}.rdb`)
  const handle = await open(tempPath, 'w', 0o644)
  try {
    for (const chunk of chunks) {
      let off = 0
      while (off < chunk.length) off += (await handle.write(chunk, off, chunk.length - off)).bytesWritten
    }
    await handle.sync()
  } catch (cause) {
    await handle.close()
    await rm(tempPath, {force: true})
    throw cause
  }
  await handle.close()
  try {
    await rename(tempPath, path)
  } catch (cause) {
    await rm(tempPath, {force: true})
    throw cause
  }
  fsyncDir(dirname(path))
}

const fsyncDir = (dir: string): void => {
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  }
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
