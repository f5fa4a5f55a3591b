// RDB persistence of a running server (rdb.c rdbSave/rdbSaveBackground/rdbLoad and serverCron's save points):
// load at start-up, SAVE, BGSAVE, save points and the state INFO persistence reports.

import {existsSync, statSync} from 'node:fs'
import {join} from 'node:path'
import type {Server} from '../server.js'
import {keyDelayMs, sleepSync} from './key-delay.js'
import {paceLoading, type LoadingProgress} from './loading.js'
import {writeRdb, type RdbAux} from './rdb-writer.js'
import {SnapshotJob, type RdbImage} from './snapshot-job.js'
import {loadRdbFile, saveRdbFile, saveRdbFileAsync} from './snapshot.js'

type ReplicationAux = {replId?: string; replOffset?: number; replStreamDb?: number}

export class Persistence {
  lastSaveMs: number
  lastBgsaveOk = true
  lastBgsaveStartedMs = -1
  lastBgsaveDurationSec = -1
  bgsaveInProgress = false
  /** A BGSAVE was asked for (BGSAVE SCHEDULE) while another was running. */
  bgsaveScheduled = false
  saves = 0
  private dirtyAtLastSave = 0
  private dirtyAtBgsaveStart = 0
  private lastBgsaveTryMs = 0
  /** repl-id / repl-offset from the RDB loaded at start-up, so replication can resume that history. */
  loadedReplication: {replid: string; offset: number; streamDb: number} | undefined
  /** Set while the start-up load runs with the listeners open (INFO loading:1, -LOADING replies). */
  loading: LoadingProgress | undefined
  /** The background snapshot being written (one at a time), and the ones waiting for it to end. */
  private job: SnapshotJob | undefined
  private readonly waitingForJob: (() => void)[] = []

  constructor(private readonly server: Server) {
    this.lastSaveMs = server.clock.nowMs()
  }

  get path(): string {
    return join(this.server.config.dir(), this.server.config.dbfilename())
  }

  get changesSinceLastSave(): number {
    return this.server.keyspace.dirty - this.dirtyAtLastSave
  }

  /** Loads the RDB file if present, blocking (DEBUG RELOAD). Throws (with path and offset) on a corrupt or truncated file. */
  loadAtStartup(): void {
    const read = this.readFile()
    if (read === undefined) return
    sleepSync(read.delayMs)
    this.install(read)
  }

  /**
   * Start-up, with the listeners already open (rdbLoad under startLoading): clients get -LOADING until the
   * dataset is in. key-load-delay stretches the load; events are served each time the load crosses another
   * loading-process-events-interval-bytes of the file, as Redis's progress callback does.
   */
  async loadServing(): Promise<void> {
    const read = this.readFile()
    if (read === undefined) return
    const interval = Number(this.server.config.get('loading-process-events-interval-bytes') ?? 2 * 1024 * 1024)
    this.loading = {startedMs: read.startedMs, totalBytes: read.fileBytes, loadedBytes: 0, rdbUsedMem: read.rdbUsedMem}
    try {
      await paceLoading(this.loading, read.delayMs, interval)
    } finally {
      this.loading = undefined
    }
    this.install(read)
  }

  private readFile(): {loaded: NonNullable<ReturnType<typeof loadRdbFile>>; commit: () => void; startedMs: number; delayMs: number; fileBytes: number; rdbUsedMem: number} | undefined {
    const {clock} = this.server
    if (!existsSync(this.path)) return undefined
    const startedMs = clock.nowMs()
    // The file's libraries replace ours only once the whole file has loaded.
    const functions = this.server.scripting.functions.stageForRdb()
    let loaded
    try {
      loaded = loadRdbFile(this.path, clock.nowMs(), {loadFunction: functions.loadFunction})
    } catch (cause) {
      functions.discard()
      throw cause
    }
    if (loaded === undefined) return undefined
    const keys = loaded.databases.reduce((n, db) => n + db.size, 0)
    return {
      loaded, commit: () => functions.commit(), startedMs, delayMs: keyDelayMs(this.delayUsec('key-load-delay'), keys),
      fileBytes: statSync(this.path).size, rdbUsedMem: Number(loaded.aux.get('used-mem')?.toString('latin1') ?? 0) || 0,
    }
  }

  private install({loaded, commit, startedMs}: NonNullable<ReturnType<Persistence['readFile']>>): void {
    const {logger, keyspace, clock} = this.server
    commit()
    const version = loaded.aux.get('redis-ver')
    if (version !== undefined) logger.notice(`Loading RDB produced by version ${version.toString()}`)
    keyspace.replaceAll(loaded.databases)
    this.dirtyAtLastSave = keyspace.dirty
    const replid = loaded.aux.get('repl-id')?.toString('latin1')
    const replOffset = Number(loaded.aux.get('repl-offset')?.toString('latin1'))
    if (replid !== undefined && /^[0-9a-f]{40}$/.test(replid) && Number.isSafeInteger(replOffset)) {
      const streamDb = Number(loaded.aux.get('repl-stream-db')?.toString('latin1') ?? 0)
      this.loadedReplication = {replid, offset: replOffset, streamDb: Number.isInteger(streamDb) && streamDb >= 0 ? streamDb : 0}
    }
    const keys = loaded.databases.reduce((n, db) => n + db.size, 0)
    logger.notice(`Done loading RDB, keys loaded: ${keys}, keys expired: ${loaded.expiredKeys ?? 0}.`)
    logger.notice(`DB loaded from disk: ${((clock.nowMs() - startedMs) / 1000).toFixed(3)} seconds`)
  }

  /** What rdb-key-save-delay adds to writing a snapshot of the current keyspace (also a full sync's). */
  saveDelayMs(): number {
    return keyDelayMs(this.delayUsec('rdb-key-save-delay'), this.keyCount())
  }

  private delayUsec(name: 'rdb-key-save-delay' | 'key-load-delay'): number {
    return Number(this.server.config.get(name) ?? 0)
  }

  private keyCount(): number {
    return this.server.keyspace.databases.reduce((n, db) => n + db.size, 0)
  }

  /** Serialises the whole keyspace as an RDB image at once, blocking (SAVE, DEBUG RELOAD, SHUTDOWN). */
  snapshot(extraAux: ReplicationAux = this.server.replication.snapshotAux()): Buffer {
    const {keyspace, clock, config} = this.server
    const compress = config.get('rdbcompression') !== 'no'
    return writeRdb(keyspace.databases, this.aux(extraAux, compress), clock.nowMs(), {compress})
  }

  /**
   * A background snapshot (BGSAVE, a full sync), written a few milliseconds at a time while clients are
   * served (snapshot-job.ts). It starts now, or once the one running has ended; `begin` runs at that moment,
   * which is the image's point in time, and gives the replication fields it records. Resolves to the image
   * as its chunks (written out one by one, never joined).
   */
  snapshotInBackground(begin: () => ReplicationAux): Promise<RdbImage> {
    return new Promise<RdbImage>((resolve, reject) => {
      const start = (): void => {
        const {keyspace, clock, config} = this.server
        const compress = config.get('rdbcompression') !== 'no'
        let job: SnapshotJob
        try {
          job = new SnapshotJob(keyspace.databases, this.aux(begin(), compress), clock.nowMs(), {compress})
        } catch (cause) {
          reject(cause)
          return
        }
        this.job = job
        job.done.then(resolve, reject).finally(() => {
          this.job = undefined
          while (this.job === undefined && this.waitingForJob.length > 0) (this.waitingForJob.shift() as () => void)()
        })
      }
      if (this.job === undefined) start()
      else this.waitingForJob.push(start)
    })
  }

  private aux(extraAux: ReplicationAux, compress: boolean): RdbAux {
    const {clock, scripting} = this.server
    return {
      redisVer: '7.0.15',
      redisBits: 64,
      ctime: Math.floor(clock.nowMs() / 1000),
      usedMem: process.memoryUsage().rss,
      aofBase: 0,
      functions: scripting.functions.rdbRecords(compress),
      ...extraAux,
    }
  }

  /** SAVE: blocks until the file is on disk. Returns false (and logs why) on failure. */
  saveNow(): boolean {
    const {logger, keyspace, clock} = this.server
    try {
      const dirty = keyspace.dirty
      const image = this.snapshot()
      sleepSync(keyDelayMs(this.delayUsec('rdb-key-save-delay'), this.keyCount()))
      saveRdbFile(this.path, image)
      this.dirtyAtLastSave = dirty
      this.lastSaveMs = clock.nowMs()
      this.lastBgsaveOk = true
      this.saves++
      logger.notice('DB saved on disk')
      return true
    } catch (cause) {
      logger.warning(`Failed opening the temp RDB file ${this.path} (in server root dir ${process.cwd()}) for saving: ${(cause as Error).message}`)
      return false
    }
  }

  /**
   * BGSAVE: the image of this moment is made in the background (snapshotInBackground, as fork gives Redis a
   * point in time), then written to disk without blocking clients. Returns false when a save is already running.
   */
  backgroundSave(): boolean {
    if (this.bgsaveInProgress) return false
    const {logger, keyspace, clock} = this.server
    this.dirtyAtBgsaveStart = keyspace.dirty
    this.bgsaveInProgress = true
    this.lastBgsaveStartedMs = clock.nowMs()
    this.lastBgsaveTryMs = clock.nowMs()
    logger.notice(`Background saving started by pid ${process.pid}`)
    // The child of a fork sleeps rdb-key-save-delay per key while it writes: the save ends that much later.
    let delayMs = 0
    const written = this.snapshotInBackground(() => {
      this.dirtyAtBgsaveStart = keyspace.dirty
      delayMs = keyDelayMs(this.delayUsec('rdb-key-save-delay'), this.keyCount())
      return this.server.replication.snapshotAux()
    }).then(async (image) => {
      if (delayMs > 0) await new Promise<void>((resolve) => setTimeout(resolve, delayMs))
      await saveRdbFileAsync(this.path, image.chunks)
    })
    written.then(
      () => {
        this.dirtyAtLastSave = this.dirtyAtBgsaveStart
        this.lastSaveMs = clock.nowMs()
        this.lastBgsaveOk = true
        this.saves++
        logger.notice('DB saved on disk')
        logger.notice('Background saving terminated with success')
      },
      (cause: Error) => {
        this.lastBgsaveOk = false
        logger.warning(`Background saving error: ${cause.message}`)
      },
    ).finally(() => {
      this.bgsaveInProgress = false
      this.lastBgsaveDurationSec = Math.round((clock.nowMs() - this.lastBgsaveStartedMs) / 1000)
      if (this.bgsaveScheduled) {
        this.bgsaveScheduled = false
        this.backgroundSave()
      }
    })
    return true
  }

  /** Save points: "save <seconds> <changes>"; after a failed BGSAVE wait 5 s before retrying (serverCron). */
  cron(nowMs: number): void {
    if (this.bgsaveInProgress) return
    const changes = this.changesSinceLastSave
    if (changes === 0) return
    for (const point of this.server.config.savePoints()) {
      const due = changes >= point.changes && nowMs - this.lastSaveMs > point.seconds * 1000
      const mayRetry = this.lastBgsaveOk || nowMs - this.lastBgsaveTryMs > 5000
      if (due && mayRetry) {
        this.server.logger.notice(`${point.changes} changes in ${point.seconds} seconds. Saving...`)
        this.backgroundSave()
        return
      }
    }
  }
}
