// The gate list (server/gates.ts): Redis processCommand's order, which gates each caller runs, and EXEC
// judged by what its queue holds. A fake server state turns every condition on, so the first gate wins.

import {describe, expect, it} from 'vitest'
import {error, type Reply} from '../../src/resp/reply.js'
import {Client} from '../../src/server/client.js'
import {NO_KEYS, type Caller, type CommandFlag, type CommandSpec} from '../../src/server/command-spec.js'
import {GATES, GATES_BY_CALLER, type GateState} from '../../src/server/gates.js'

const BUSY = error('BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.')

const spec = (name: string, flags: readonly CommandFlag[]): CommandSpec => ({name, arity: -1, flags, keys: NO_KEYS, handler: () => error('unused')})

/** Every condition these tests know of is on; a condition added later answers false unless overridden. */
const state = (overrides: Partial<GateState> = {}): GateState => {
  const known: Partial<GateState> = {
    requiresAuth: () => true,
    isReadOnlyReplica: () => true,
    isStaleReplica: () => true,
    isLoading: () => true,
    isOutOfMemory: () => true,
    busyReply: () => BUSY,
    isMasterCalling: () => false,
    ...overrides,
  }
  return new Proxy(known, {get: (target, key) => (key in target ? target[key as keyof GateState] : () => false)}) as GateState
}

/** The first refusal for `caller`, as Dispatcher.gate computes it. */
const firstRefusal = (client: Client, command: CommandSpec, caller: Caller, s: GateState): Reply | undefined => {
  for (const gate of GATES_BY_CALLER[caller]) {
    const refused = gate.check(client, command, s)
    if (refused !== undefined) return refused
  }
  return undefined
}

const text = (reply: Reply | undefined): string | undefined => (reply?.kind === 'error' ? reply.message.split(' ')[0] : undefined)

describe('the gate list', () => {
  it('runs in processCommand order', () => {
    const order = ['noauth', 'no_multi', 'oom', 'readonly', 'pubsub', 'masterdown', 'loading', 'busy', 'noscript', 'script-stale']
    expect(GATES.map((g) => g.name).filter((name) => order.includes(name))).toEqual(order)
    expect(new Set(GATES.map((g) => g.name)).size).toBe(GATES.length)
  })

  it('refuses with the first gate that applies, peeling one condition at a time', () => {
    const client = new Client(1, '127.0.0.1:1', '127.0.0.1:2', 0)
    const set = spec('set', ['write', 'denyoom'])
    expect(text(firstRefusal(client, set, 'client', state()))).toBe('NOAUTH')
    client.authenticated = true
    expect(text(firstRefusal(client, set, 'client', state()))).toBe('OOM')
    expect(text(firstRefusal(client, set, 'client', state({isOutOfMemory: () => false})))).toBe('READONLY')
    const calm = state({isOutOfMemory: () => false, isReadOnlyReplica: () => false})
    expect(text(firstRefusal(client, set, 'client', calm))).toBe('MASTERDOWN')
    expect(text(firstRefusal(client, spec('get', ['readonly', 'stale']), 'client', calm))).toBe('LOADING')
    expect(firstRefusal(client, spec('info', ['loading', 'stale']), 'client', calm)).toBe(BUSY)
    expect(firstRefusal(client, spec('shutdown', ['loading', 'stale', 'allow_busy']), 'client', calm)).toBeUndefined()
  })

  it('lets the master write on a read-only replica', () => {
    const master = new Client(1, 'm:1', 'l:1', 0)
    master.kind = 'master'
    master.authenticated = true
    const calm = {isOutOfMemory: () => false, isStaleReplica: () => false, isLoading: () => false, busyReply: () => undefined}
    const s = state(calm)
    expect(firstRefusal(master, spec('set', ['write']), 'master', s)).toBeUndefined()
    const normal = new Client(2, 'c:1', 'l:1', 0)
    normal.authenticated = true
    expect(text(firstRefusal(normal, spec('set', ['write']), 'client', s))).toBe('READONLY')
    expect(firstRefusal(normal, spec('set', ['write']), 'client', state({...calm, isMasterCalling: () => true}))).toBeUndefined()
  })

  it('judges EXEC by its queue: a queued write makes it a write, a queued command without stale makes it deny stale', () => {
    const client = new Client(1, '127.0.0.1:1', '127.0.0.1:2', 0)
    client.authenticated = true
    client.multi = {queue: [{name: 'get', args: [], flags: ['readonly', 'fast']}], aborted: false}
    const exec = spec('exec', ['noscript', 'loading', 'stale', 'skip_slowlog'])
    const quiet = {isOutOfMemory: () => false, isStaleReplica: () => false, isLoading: () => false, busyReply: () => undefined}
    const replica = state(quiet)
    expect(firstRefusal(client, exec, 'client', replica)).toBeUndefined()
    client.multi.queue.push({name: 'set', args: [], flags: ['write', 'denyoom']})
    expect(text(firstRefusal(client, exec, 'client', replica))).toBe('READONLY')
    expect(text(firstRefusal(client, exec, 'client', state({...quiet, isReadOnlyReplica: () => false, isStaleReplica: () => true})))).toBe('MASTERDOWN')
  })

  it('gives a script only its own checks, and EXEC\'s queue none', () => {
    expect(GATES_BY_CALLER.script.map((g) => g.name)).toEqual(['noscript', 'script-stale'])
    expect(GATES_BY_CALLER.exec).toEqual([])
    const client = new Client(1, '127.0.0.1:1', '127.0.0.1:2', 0)
    expect(text(firstRefusal(client, spec('multi', ['noscript']), 'script', state()))).toBe('ERR')
    expect(firstRefusal(client, spec('get', ['readonly', 'stale']), 'script', state())).toBeUndefined()
  })
})
