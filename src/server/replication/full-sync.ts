// When a master starts the snapshot for replicas waiting for a full sync, and in which form it sends it
// (replication.c syncCommand, shouldStartChildReplication, startBgsaveForReplication): with
// repl-diskless-sync (the 7.0 default) a replica that can read the $EOF form waits repl-diskless-sync-delay
// seconds, counted from the longest-waiting replica's last interaction, so that others can join the same
// transfer; repl-diskless-sync-max-replicas waiting replicas start it early. The check runs in the
// once-a-second replication cron.

import {randomBytes} from 'node:crypto'
import type {ServerConfig} from '../../config/directives.js'
import type {RdbImage} from '../persistence/snapshot-job.js'

export interface FullSyncSettings {
  readonly diskless: boolean
  readonly delaySec: number
  readonly maxReplicas: number
}

export function fullSyncSettings(config: ServerConfig): FullSyncSettings {
  return {
    diskless: config.get('repl-diskless-sync') !== 'no',
    delaySec: Number(config.get('repl-diskless-sync-delay') ?? 5),
    maxReplicas: Number(config.get('repl-diskless-sync-max-replicas') ?? 0),
  }
}

/** A replica that asked for a full sync and has not been sent the snapshot yet. */
export interface WaitingReplica {
  /** Wall-clock ms of the last command it sent (its PSYNC): Redis's lastinteraction. */
  readonly lastInteractionMs: number
  /** REPLCONF capa eof: it can read the diskless `$EOF:<mark>` payload. */
  readonly eof: boolean
}

/**
 * A replica just asked: is the snapshot delayed for more replicas to arrive (diskless, EOF-capable and a
 * non-zero delay), or started at once?
 */
export function delaysNewSync(settings: FullSyncSettings, replica: WaitingReplica): boolean {
  return settings.diskless && replica.eof && settings.delaySec !== 0
}

/**
 * The cron's check: start when replicas wait and either diskless sync is off, max-replicas of them wait,
 * or the longest-waiting one has been idle for the delay (whole seconds, as server.unixtime counts them).
 */
export function readyToStart(settings: FullSyncSettings, waiting: readonly WaitingReplica[], nowMs: number): boolean {
  if (waiting.length === 0) return false
  if (!settings.diskless) return true
  if (settings.maxReplicas > 0 && waiting.length >= settings.maxReplicas) return true
  const nowSec = Math.floor(nowMs / 1000)
  const maxIdle = Math.max(0, ...waiting.map((r) => nowSec - Math.floor(r.lastInteractionMs / 1000)))
  return maxIdle >= settings.delaySec
}

/** Diskless (to the replicas' sockets) only when every replica served can read the EOF form. */
export function socketTarget(settings: FullSyncSettings, replicas: readonly WaitingReplica[]): boolean {
  return settings.diskless && replicas.every((r) => r.eof)
}

/**
 * The snapshot as sent: `$EOF:<40 random chars>\r\n<rdb><mark>` to sockets, or `$<len>\r\n<rdb>` from disk.
 * The framing and the image's own chunks, in order: each goes to the socket as it is, none is copied.
 */
export function payloadParts(image: RdbImage, diskless: boolean): Buffer[] {
  if (!diskless) return [Buffer.from(`$${image.length}\r\n`, 'latin1'), ...image.chunks]
  const mark = Buffer.from(randomBytes(20).toString('hex'), 'latin1')
  return [Buffer.from(`$EOF:${mark.toString('latin1')}\r\n`, 'latin1'), ...image.chunks, mark]
}
