// `rtopo up --fast`: Redis's timings shortened for test suites that want a failover in about a second.
// Without it every node runs Redis 7.0's own timings, so that what users measure is what production does.
//
// What it changes, on both engines alike:
// - the sentinels' down-after-milliseconds and failover-timeout defaults (flags still win);
// - the sentinels' periods and timeouts through SENTINEL DEBUG, sent to each sentinel as it starts (SENTINEL
//   DEBUG is not written to the config file, so `rtopo start` of a sentinel sends it again);
// - repl-diskless-sync-delay 0 in every server's config, so a (re)joining replica syncs at once instead of
//   after Redis's 5 s wait for more replicas to share the transfer.
// What it cannot change: while a failover is in progress Redis sends INFO to the replicas every 1000 ms
// whatever info-period says (sentinel.c, sentinelSendPeriodicCommands), so the promotion and each replica's
// reconfiguration are each seen up to a second late.

import type {PlannedNode, TopologyPlan} from './plan.js'
import {withNode} from './inspect.js'

export const FAST_DOWN_AFTER_MS = 200
export const FAST_FAILOVER_TIMEOUT_MS = 5000

/**
 * SENTINEL DEBUG settings of the profile (Redis's defaults in the comments). The tilt settings are looser
 * than the periods would suggest: a sentinel enters TILT when its 100 ms timer runs tilt-trigger ms late,
 * which a busy 2-core machine running a test suite can do.
 */
export const FAST_SENTINEL_DEBUG: Readonly<Record<string, number>> = {
  'info-period': 100, // 10000
  'ping-period': 100, // 1000
  'ask-period': 100, // 1000
  'publish-period': 200, // 2000
  'election-timeout': 1000, // 10000
  'slave-reconf-timeout': 2000, // 10000
  'min-link-reconnect-period': 2000, // 15000
  'tilt-trigger': 5000, // 2000
  'tilt-period': 5000, // 30000
}

/** Server config lines of the profile, by template placeholder. */
export const FAST_SERVER_CONFIG = {repl_diskless_sync_delay: '0'}

/** The arguments of the one SENTINEL DEBUG command that applies the profile. */
export function sentinelDebugArgs(): string[] {
  return ['DEBUG', ...Object.entries(FAST_SENTINEL_DEBUG).flatMap(([name, value]) => [name, String(value)])]
}

/**
 * Sends the profile's SENTINEL DEBUG to a sentinel that just started; a no-op for servers and for
 * topologies without --fast. Throws when the sentinel refuses it, so a profile is never half applied.
 */
export async function applyFastProfile(plan: TopologyPlan, node: PlannedNode): Promise<void> {
  if (!plan.fast || node.kind !== 'sentinel') return
  const reply = await withNode(node.port, undefined, (c) => c.call('SENTINEL', ...sentinelDebugArgs()))
  if (reply !== 'OK') throw new Error(`${node.id} (port ${node.port}) did not take the --fast timings (SENTINEL ${sentinelDebugArgs().join(' ')})`)
}
