// The hello channel (sentinel.md §10): our hello published to every instance on the publish period, and the
// peers' hellos, which add or move peer sentinels, raise the current epoch and carry newer master configs.

import type {RespValue} from '../resp/reply-parser.js'
import type {Server} from '../server/server.js'
import type {SentinelClock} from './clock.js'
import {replyText} from './connection.js'
import type {EventSink} from './events.js'
import {Instance, MasterInstance} from './instance.js'
import {HELLO_CHANNEL} from './timings.js'

/** What the hello exchange needs from the sentinel. */
export interface HelloHost {
  readonly myid: string
  currentEpoch: number
  readonly masters: Map<string, MasterInstance>
  readonly announceIp: string
  readonly announcePort: number
  readonly server: Pick<Server, 'config'>
  readonly clock: SentinelClock
  readonly event: EventSink
  readonly failover: {resetMasterAndChangeAddress(master: MasterInstance, host: string, port: number): void}
  command(instance: Instance, args: string[]): string[]
  runReconfigScript(master: MasterInstance, role: 'leader' | 'observer', from: {host: string; port: number}, to: {host: string; port: number}): void
  flush(): boolean
}

export class Hello {
  constructor(private readonly host: HelloHost) {}

  send(instance: Instance): void {
    const s = this.host
    const cc = instance.cc
    const master = instance instanceof MasterInstance ? instance : instance.master
    if (cc === undefined || !cc.connected || master === undefined) return
    const address = master.currentAddress()
    const ip = s.announceIp !== '' ? s.announceIp : cc.localAddress ?? '127.0.0.1'
    const port = s.announcePort !== 0 ? s.announcePort : s.server.config.port()
    const payload = [ip, port, s.myid, s.currentEpoch, master.name, address.host, address.port, master.configEpoch].join(',')
    cc.send(s.command(instance, ['PUBLISH', HELLO_CHANNEL, payload]), (reply) => {
      if (reply !== undefined && reply.type !== 'error') instance.lastPubMs = s.clock.now()
    })
  }

  /** Sends a hello everywhere right away (after a promotion), by making every instance's last one old. */
  force(master: MasterInstance): void {
    master.lastPubMs = 0
    for (const r of master.replicas.values()) r.lastPubMs = 0
    for (const s of master.sentinels.values()) s.lastPubMs = 0
  }

  onPubSubMessage(instance: Instance, message: RespValue): void {
    const items = message.type === 'array' || message.type === 'push' ? message.value ?? [] : []
    const kind = replyText(items[0])
    if (kind !== 'message' || replyText(items[1]) !== HELLO_CHANNEL) return
    const payload = replyText(items[2])
    if (payload === undefined || payload.includes(this.host.myid)) return
    this.process(payload)
  }

  /** A hello from a pub/sub link or from a PUBLISH sent to us (§10). */
  process(payload: string): void {
    const s = this.host
    const fields = payload.split(',')
    if (fields.length !== 8) return
    const [ip, portText, runid, epochText, name, masterIp, masterPortText, configEpochText] = fields as [string, string, string, string, string, string, string, string]
    const master = s.masters.get(name)
    if (master === undefined || runid === s.myid) return
    const now = s.clock.now()
    const port = Number(portText)
    let peer = [...master.sentinels.values()].find((p) => p.host === ip && p.port === port && p.runid === runid)
    if (peer === undefined) {
      let switched = false
      for (const m of s.masters.values()) {
        const old = m.sentinels.get(runid)
        if (old !== undefined && (old.host !== ip || old.port !== port)) {
          old.closeLinks()
          m.sentinels.delete(runid)
          switched = true
          s.event('notice', '+sentinel-address-switch', m, `ip ${ip} port ${port} for ${runid}`)
        }
      }
      for (const m of s.masters.values()) {
        for (const [id, other] of m.sentinels) {
          if (other.host === ip && other.port === port && id !== runid) {
            s.event('notice', '+sentinel-invalid-addr', other, '')
            other.closeLinks()
            m.sentinels.delete(id)
          }
        }
      }
      peer = new Instance('sentinel', runid, ip, port, master, now)
      peer.runid = runid
      master.sentinels.set(runid, peer)
      if (!switched) s.event('notice', '+sentinel', peer, '')
      s.flush()
    }
    const epoch = Number(epochText)
    if (epoch > s.currentEpoch) {
      s.currentEpoch = epoch
      s.flush()
      s.event('warning', '+new-epoch', undefined, String(epoch))
    }
    const configEpoch = Number(configEpochText)
    const masterPort = Number(masterPortText)
    if (configEpoch > master.configEpoch) {
      master.configEpoch = configEpoch
      if (master.host !== masterIp || master.port !== masterPort) {
        const old = {host: master.host, port: master.port}
        s.event('warning', '+config-update-from', peer, '')
        s.event('warning', '+switch-master', undefined, `${master.name} ${old.host} ${old.port} ${masterIp} ${masterPort}`)
        s.failover.resetMasterAndChangeAddress(master, masterIp, masterPort)
        s.runReconfigScript(master, 'observer', old, {host: masterIp, port: masterPort})
      }
    }
    peer.lastHelloMs = now
  }
}
