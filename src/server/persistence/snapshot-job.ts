// A background snapshot without fork: the RDB image of the keyspace as it was when the job began, written in
// slices of a few milliseconds between the event loop's other work, so clients are served while a BGSAVE or
// a full sync's image is made (Redis gets the same from the fork's copy-on-write pages).
//
// Copy-on-write at the key level: while the job runs, every database tells it before a key is looked up,
// replaced, re-timed or removed (Database.snapshotGuard). A key not yet written is written then, as it still
// is; a key that did not exist yet is remembered so the walk skips it later. The walk itself goes over each
// database's live Map iterator, which visits keys added after it began (skipped as remembered) and never
// revisits one. Clearing or replacing a whole database (FLUSHALL, SWAPDB, a loaded dataset) first finishes
// the walk at once.

import type {Database, SnapshotGuard} from '../keyspace/database.js'
import type {Entry} from '../keyspace/values.js'
import {RdbSink} from './rdb-sink.js'
import {crc64} from './crc64.js'
import {OPCODE} from './rdb-format.js'
import {rdbWriteDefaults, writeDbHeader, writeKey, writeRdbHeader, type RdbAux, type RdbWriteOptions} from './rdb-writer.js'

/** How long one slice of the walk may run before the event loop gets a turn. */
const SLICE_MS = 2
/** Keys between clock reads within a slice. */
const KEYS_PER_CLOCK_READ = 128

let lastJobId = 0

/**
 * A finished image as the chunks it was written in, in file order, and their total size: it goes to a file
 * or a replica's socket chunk by chunk, never joined into one Buffer (tens of MB copied in one turn).
 */
export interface RdbImage {
  readonly chunks: readonly Buffer[]
  readonly length: number
}

interface DbWalk {
  readonly db: Database
  readonly body: RdbSink
  readonly iterator: Iterator<[string, Entry]>
  /** Keys the job has dealt with outside the walk: written on first touch, or absent when it began. */
  readonly handled: Set<string>
  finished: boolean
}

export class SnapshotJob implements SnapshotGuard {
  private readonly header = new RdbSink()
  private readonly walks: DbWalk[]
  private readonly walkOf = new Map<Database, DbWalk>()
  /** Stamped on each entry written (an entry replaced later is a new object, not stamped). */
  private readonly id = ++lastJobId
  private readonly opts: Required<RdbWriteOptions>
  private timer: NodeJS.Immediate | undefined
  private resolveDone!: (image: RdbImage) => void
  private rejectDone!: (cause: unknown) => void
  /** The image, once every database has been walked. */
  readonly done: Promise<RdbImage>
  private finished = false
  /** The checksum so far, and the part (0 the header, then each walk's body) and chunk it has reached. */
  private crc = 0n
  private crcPart = 0
  private crcChunk = 0

  constructor(
    private readonly databases: readonly Database[],
    aux: RdbAux,
    private readonly nowMs: number,
    options: RdbWriteOptions = {},
  ) {
    this.opts = rdbWriteDefaults(options)
    writeRdbHeader(this.header, aux)
    // RESIZEDB gives the sizes of the dicts when the job began, as rdbSaveRio does (expired keys included).
    this.walks = databases.filter((db) => db.size > 0).map((db) => {
      const body = new RdbSink()
      writeDbHeader(body, db.index, db.size, db.volatileKeys.size)
      return {db, body, iterator: db.entries.entries(), handled: new Set<string>(), finished: false}
    })
    for (const walk of this.walks) this.walkOf.set(walk.db, walk)
    this.done = new Promise<RdbImage>((resolve, reject) => {
      this.resolveDone = resolve
      this.rejectDone = reject
    })
    for (const db of databases) {
      if (db.snapshotGuard !== undefined) throw new Error('a background snapshot is already running')
      db.snapshotGuard = this
    }
    this.schedule()
  }

  get running(): boolean {
    return !this.finished
  }

  beforeKey(db: Database, key: string): void {
    const walk = this.walkOf.get(db)
    // A database empty when the job began has no walk: whatever is written there now is newer than the image.
    if (walk === undefined || walk.finished || walk.handled.has(key)) return
    walk.handled.add(key)
    const entry = db.entries.get(key)
    if (entry !== undefined && entry.snapshotId !== this.id) this.write(walk, key, entry)
  }

  beforeAll(): void {
    this.finishNow()
  }

  /** Walks whatever is left at once (a whole database is about to change, or the caller cannot wait). */
  finishNow(): void {
    if (this.finished) return
    try {
      for (const walk of this.walks) this.walk(walk, Infinity)
      this.checksum()
    } catch (cause) {
      this.fail(cause)
      return
    }
    this.complete()
  }

  private schedule(): void {
    this.timer = setImmediate(() => this.slice())
  }

  private slice(): void {
    this.timer = undefined
    if (this.finished) return
    const deadline = performance.now() + SLICE_MS
    try {
      for (const walk of this.walks) {
        if (walk.finished) continue
        if (!this.walk(walk, deadline)) {
          this.checksum()
          this.schedule()
          return
        }
      }
      this.checksum()
    } catch (cause) {
      this.fail(cause)
      return
    }
    this.complete()
  }

  /** Writes the walk's next keys until `deadline`; true once the database is done. */
  private walk(walk: DbWalk, deadline: number): boolean {
    if (walk.finished) return true
    for (;;) {
      for (let i = 0; i < KEYS_PER_CLOCK_READ; i++) {
        const next = walk.iterator.next()
        if (next.done === true) {
          walk.finished = true
          return true
        }
        const [key, entry] = next.value
        if (entry.snapshotId === this.id || walk.handled.has(key)) continue
        this.write(walk, key, entry)
      }
      if (performance.now() >= deadline) return false
    }
  }

  private write(walk: DbWalk, key: string, entry: Entry): void {
    entry.snapshotId = this.id
    writeKey(walk.body, key, entry, this.nowMs, this.opts)
  }

  /**
   * Advances the CRC-64 over the image in file order as far as it is final: the header, every database
   * already walked, and what the current one has written so far. Done a slice at a time, so the end of the
   * job does not checksum the whole image in one go.
   */
  private checksum(): void {
    for (;;) {
      const part = this.crcPart === 0 ? this.header : this.walks[this.crcPart - 1]?.body
      if (part === undefined) return
      const chunks = part.sealedChunks()
      while (this.crcChunk < chunks.length) this.crc = crc64(chunks[this.crcChunk++] as Buffer, this.crc)
      const final = this.crcPart === 0 || (this.walks[this.crcPart - 1] as DbWalk).finished
      if (!final) return
      this.crcPart++
      this.crcChunk = 0
    }
  }

  private complete(): void {
    this.detach()
    const chunks = [this.header, ...this.walks.map((w) => w.body)].flatMap((part) => part.sealedChunks())
    const tail = Buffer.alloc(9)
    tail[0] = OPCODE.EOF
    tail.writeBigUInt64LE(crc64(tail.subarray(0, 1), this.crc), 1)
    chunks.push(tail)
    let length = 0
    for (const chunk of chunks) length += chunk.length
    this.resolveDone({chunks, length})
  }

  private fail(cause: unknown): void {
    this.detach()
    this.rejectDone(cause)
  }

  private detach(): void {
    this.finished = true
    if (this.timer !== undefined) clearImmediate(this.timer)
    this.timer = undefined
    for (const db of this.databases) if (db.snapshotGuard === this) db.snapshotGuard = undefined
  }
}
