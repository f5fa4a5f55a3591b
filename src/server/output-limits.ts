// client-output-buffer-limit (networking.c checkClientOutputBufferLimits): a client whose pending output
// reaches its class's hard limit, or stays at or over the soft limit for more than soft-seconds, is closed
// and logged, so that a subscriber that stops reading or a replica that falls far behind cannot eat the
// node's memory. Checked whenever output is queued for the client, as Redis does.

import {parseMemory} from '../config/directive-types.js'
import type {ClientKind} from './client.js'

export interface OutputLimit {
  hardBytes: number
  softBytes: number
  softSeconds: number
}

type LimitClass = 'normal' | 'replica' | 'pubsub'

const DEFAULT_LIMITS = 'normal 0 0 0 replica 268435456 67108864 60 pubsub 33554432 8388608 60'

/** The limits per class from the config value, later entries winning over earlier ones and the defaults. */
export function parseOutputLimits(value: string): Record<LimitClass, OutputLimit> {
  const limits = {} as Record<LimitClass, OutputLimit>
  const words = `${DEFAULT_LIMITS} ${value}`.split(' ').filter(Boolean)
  for (let i = 0; i + 3 < words.length; i += 4) {
    const name = (words[i] as string).toLowerCase()
    const cls: LimitClass | undefined = name === 'slave' || name === 'replica' ? 'replica' : name === 'pubsub' ? 'pubsub' : name === 'normal' || name === 'master' ? 'normal' : undefined
    if (!cls) continue
    limits[cls] = {hardBytes: parseMemory(words[i + 1] as string) ?? 0, softBytes: parseMemory(words[i + 2] as string) ?? 0, softSeconds: Number(words[i + 3]) || 0}
  }
  return limits
}

/** One client's soft-limit clock: when its output first reached the soft limit (0: below it). */
export interface SoftLimitState {
  obufSoftLimitReachedAt: number
}

/**
 * Whether a client of `kind` with `usedBytes` of pending output is over its limits now (unix seconds
 * `nowSec`). A master link counts as a normal client; a replica's hard limit is at least repl-backlog-size.
 */
export function overOutputLimit(kind: ClientKind, usedBytes: number, limits: Record<LimitClass, OutputLimit>, state: SoftLimitState, nowSec: number, backlogSize: number): boolean {
  const cls: LimitClass = kind === 'replica' ? 'replica' : kind === 'pubsub' ? 'pubsub' : 'normal'
  const limit = limits[cls]
  let hardBytes = limit.hardBytes
  if (cls === 'replica' && hardBytes > 0 && hardBytes < backlogSize) hardBytes = backlogSize
  const hard = hardBytes > 0 && usedBytes >= hardBytes
  let soft = limit.softBytes > 0 && usedBytes >= limit.softBytes
  if (soft) {
    if (state.obufSoftLimitReachedAt === 0) {
      state.obufSoftLimitReachedAt = nowSec
      soft = false
    } else if (nowSec - state.obufSoftLimitReachedAt <= limit.softSeconds) {
      soft = false
    }
  } else {
    state.obufSoftLimitReachedAt = 0
  }
  return hard || soft
}
