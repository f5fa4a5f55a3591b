// Crash-safe file replacement: write a temp file in the same directory, fsync it, rename it over the target,
// fsync the directory. A reader sees the old file or the new one, never a half-written one.

import {closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync} from 'node:fs'
import {open, rename, rm} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

const tempPathFor = (path: string): string => join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}`)

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

export function writeFileAtomic(path: string, data: Buffer | string, tempPath = tempPathFor(path)): void {
  const fd = openSync(tempPath, 'w', 0o644)
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data
    let off = 0
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off)
    fsyncSync(fd)
  } catch (cause) {
    closeSync(fd)
    rmSync(tempPath, {force: true})
    throw cause
  }
  closeSync(fd)
  try {
    renameSync(tempPath, path)
  } catch (cause) {
    rmSync(tempPath, {force: true})
    throw cause
  }
  fsyncDir(dirname(path))
}

export async function writeFileAtomicAsync(path: string, data: Buffer | string, tempPath = tempPathFor(path)): Promise<void> {
  const handle = await open(tempPath, 'w', 0o644)
  try {
    await handle.writeFile(data)
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
