// Availability judgement (sentinel.md §6–§7, §11): subjective down (SDOWN) of any instance from its PING
// replies and links, objective down (ODOWN) of a master by the quorum of peers that say it is down, and TILT
// mode, entered when the clock jumps (a tick too late or backwards) and left after the tilt period.

import {MasterInstance, type Instance} from './instance.js'
import type {EventSink} from './events.js'
import {TIMINGS} from './timings.js'

export function checkSubjectivelyDown(instance: Instance, now: number, event: EventSink): void {
  let elapsed = 0
  if (instance.actPingMs !== 0) elapsed = now - instance.actPingMs
  else if (instance.flags.has('disconnected')) elapsed = now - instance.lastAvailMs
  const downAfter = instance.downAfter()
  const masterReportsReplica = instance.kind === 'master' && instance.roleReported === 'slave' &&
    now - instance.roleReportedMs > downAfter + 2 * TIMINGS['info-period']
  const master = instance instanceof MasterInstance ? instance : undefined
  const rebootDown = master !== undefined && master.rebootDownAfterMs > 0 && now - instance.lastAvailMs > master.rebootDownAfterMs &&
    instance.flags.has('master_down')
  if (elapsed > downAfter || masterReportsReplica || rebootDown) {
    if (!instance.flags.has('s_down')) {
      event('warning', '+sdown', instance, '')
      instance.sdownSinceMs = now
      instance.flags.add('s_down')
    }
  } else if (instance.flags.has('s_down')) {
    event('warning', '-sdown', instance, '')
    instance.flags.delete('s_down')
    instance.flags.delete('script_kill_sent')
  }
}

export function checkObjectivelyDown(master: MasterInstance, now: number, event: EventSink): void {
  let quorum = 0
  let odown = false
  if (master.flags.has('s_down')) {
    quorum = 1
    for (const peer of master.sentinels.values()) if (peer.flags.has('master_down')) quorum++
    if (quorum >= master.quorum) odown = true
  }
  if (odown && !master.flags.has('o_down')) {
    event('warning', '+odown', master, `#quorum ${quorum}/${master.quorum}`)
    master.flags.add('o_down')
    master.odownSinceMs = now
  } else if (!odown && master.flags.has('o_down')) {
    event('warning', '-odown', master, '')
    master.flags.delete('o_down')
  }
}

/** TILT mode: while active the sentinel keeps its links and polling but judges and acts on nothing. */
export class Tilt {
  sinceMs = -1
  private lastTickMs: number

  constructor(now: number) {
    this.lastTickMs = now
  }

  get active(): boolean {
    return this.sinceMs >= 0
  }

  /** Called on every tick: a jump of the clock enters TILT, the tilt period without one leaves it. */
  tick(now: number, event: EventSink): void {
    const delta = now - this.lastTickMs
    this.lastTickMs = now
    if (delta < 0 || delta > TIMINGS['tilt-trigger']) {
      this.sinceMs = now
      event('warning', '+tilt', undefined, '#tilt mode entered')
    } else if (this.active && now - this.sinceMs > TIMINGS['tilt-period']) {
      this.sinceMs = -1
      event('warning', '-tilt', undefined, '#tilt mode exited')
    }
  }
}
