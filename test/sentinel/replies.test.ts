// The bundled sentinel's replies against redis-sentinel 7.0 on one topology: a bundled master and replica,
// watched by one sentinel of each engine (so each knows one replica and one other sentinel). Deterministic
// replies are compared byte for byte on raw connections; replies carrying times, ids or run ids are compared
// by their field names and order.

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {bundledMissing, type NodeHandle} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {freePort} from '../helpers/ports.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {monitorLines, pairs, sentinelScope, type SentinelHandle} from '../helpers/sentinels.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing
const show = (b: Buffer): string => JSON.stringify(b.toString('latin1'))
/** The even elements of a flat field/value array. */
const keys = (reply: unknown): string[] => (reply as string[]).filter((_, i) => i % 2 === 0)
/** HELLO's reply carries the connection id: blank it. */
const withoutId = (reply: string): string => reply.replace(/\$2\r\nid\r\n:\d+\r\n/, '$2\r\nid\r\n:ID\r\n')
const infoKeys = (text: string): string[] => text.split('\r\n').map((l) => l.split(':')[0] as string)

describe.skipIf(!!skip)(`sentinel replies match redis-sentinel 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const finish: (() => Promise<void>)[] = []
  let master: NodeHandle
  let replica: NodeHandle
  let real: SentinelHandle
  let ours: SentinelHandle
  let realRaw: RawClient
  let ourRaw: RawClient

  /** Sends the command to both sentinels; returns [real, ours] reply bytes. */
  const both = async (...command: string[]): Promise<[Buffer, Buffer]> => Promise.all([realRaw.command(...command), ourRaw.command(...command)])
  const expectSame = async (...command: string[]): Promise<string> => {
    const [a, b] = await both(...command)
    expect(show(b), `reply to ${command.join(' ')}`).toBe(show(a))
    return b.toString('latin1')
  }
  /** Fresh raw connections (RESP2), optionally switched to RESP3. */
  const reconnect = async (protocol: 2 | 3 = 2): Promise<void> => {
    realRaw?.close()
    ourRaw?.close()
    realRaw = await real.raw()
    ourRaw = await ours.raw()
    if (protocol === 3) await both('HELLO', '3')
  }

  beforeAll(async () => {
    const scope = sentinelScope((fn) => finish.push(fn))
    master = await scope.server({engine: 'bundled', args: ['--save', '']})
    replica = await scope.server({engine: 'bundled', args: ['--save', '', '--replicaof', '127.0.0.1', String(master.port)]})
    await waitFor(() => master.client().info('replication'), (i) => i.includes(`slave0:ip=127.0.0.1,port=${replica.port},state=online`), {what: 'replica online'})
    // A long down-after: nothing may go down while the replies are compared.
    const config = monitorLines(master.port, {downAfter: 60000, failoverTimeout: 180000})
    ;[real, ours] = await Promise.all([scope.sentinel({engine: 'redis', config}), scope.sentinel({engine: 'bundled', config})])
    // Settled: each sees the replica and the other sentinel with healthy links.
    for (const s of [real, ours]) {
      await waitFor(async () => {
        const [r, p] = await Promise.all([s.sentinel('REPLICAS', 'mymaster'), s.sentinel('SENTINELS', 'mymaster')])
        return [...(r as unknown[][]).map((x) => pairs(x).flags), ...(p as unknown[][]).map((x) => pairs(x).flags)]
      }, (flags) => flags.join(' ') === 'slave sentinel', {what: `${s.engine} sentinel sees 1 replica and 1 sentinel, all linked`, timeoutMs: 20_000})
    }
    await reconnect()
  }, 40_000)

  afterAll(async () => {
    realRaw?.close()
    ourRaw?.close()
    for (const fn of finish) await fn()
  })

  it('GET-MASTER-ADDR-BY-NAME: the address as two bulks, a null array for an unknown name (RESP2 and RESP3)', async () => {
    for (const protocol of [2, 3] as const) {
      await reconnect(protocol)
      expect(await expectSame('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')).toBe(`*2\r\n$9\r\n127.0.0.1\r\n$${String(master.port).length}\r\n${master.port}\r\n`)
      expect(await expectSame('SENTINEL', 'get-master-addr-by-name', 'nope')).toBe(protocol === 2 ? '*-1\r\n' : '_\r\n')
    }
    await reconnect()
  })

  it('SENTINEL MASTER and MASTERS: the same fields in the same order, deterministic values equal', async () => {
    const [a, b] = await Promise.all([real.sentinel('MASTER', 'mymaster'), ours.sentinel('MASTER', 'mymaster')])
    expect(keys(b)).toEqual(keys(a))
    expect(keys(a)).toHaveLength(20)
    const [ra, rb] = [pairs(a), pairs(b)]
    for (const field of ['name', 'ip', 'port', 'runid', 'flags', 'link-pending-commands', 'link-refcount', 'last-ping-sent', 'down-after-milliseconds', 'role-reported',
      'config-epoch', 'num-slaves', 'num-other-sentinels', 'quorum', 'failover-timeout', 'parallel-syncs']) {
      expect(rb[field], field).toBe(ra[field])
    }
    expect(rb.runid).toMatch(/^[0-9a-f]{40}$/)
    const [ma, mb] = await Promise.all([real.sentinel('MASTERS'), ours.sentinel('MASTERS')]) as [unknown[][], unknown[][]]
    expect(mb.map(keys)).toEqual(ma.map(keys))
    // RESP2 flat array of 40, RESP3 map of 20, every value a bulk string.
    const [rawA, rawB] = await both('SENTINEL', 'MASTER', 'mymaster')
    expect(rawB.toString('latin1').slice(0, 35)).toBe(rawA.toString('latin1').slice(0, 35))
    expect(rawB.toString('latin1')).toMatch(/^\*40\r\n(\$\d+\r\n[^\r]*\r\n){40}$/)
    await reconnect(3)
    const [rawA3, rawB3] = await both('SENTINEL', 'MASTER', 'mymaster')
    expect(rawA3.toString('latin1')).toMatch(/^%20\r\n/)
    expect(rawB3.toString('latin1')).toMatch(/^%20\r\n(\$\d+\r\n[^\r]*\r\n){40}$/)
    await reconnect()
  })

  it('SENTINEL REPLICAS / SLAVES / SENTINELS: the same fields in the same order', async () => {
    for (const sub of ['REPLICAS', 'SLAVES', 'SENTINELS']) {
      const [a, b] = await Promise.all([real.sentinel(sub, 'mymaster'), ours.sentinel(sub, 'mymaster')]) as [unknown[][], unknown[][]]
      expect(b.map(keys), sub).toEqual(a.map(keys))
      expect(b).toHaveLength(1)
    }
    const [ra, rb] = (await Promise.all([real.sentinel('REPLICAS', 'mymaster'), ours.sentinel('REPLICAS', 'mymaster')]) as unknown[][][]).map((r) => pairs(r[0]))
    expect(keys((await ours.sentinel('REPLICAS', 'mymaster') as unknown[][])[0])).toHaveLength(21)
    for (const field of ['name', 'ip', 'port', 'runid', 'flags', 'role-reported', 'master-link-status', 'master-host', 'master-port', 'slave-priority', 'replica-announced']) {
      expect(rb?.[field], field).toBe(ra?.[field])
    }
    expect(rb).toMatchObject({name: `127.0.0.1:${replica.port}`, flags: 'slave', 'master-port': String(master.port)})
    // Each lists the other: name and runid are the other's SENTINEL MYID.
    const [sa, sb] = (await Promise.all([real.sentinel('SENTINELS', 'mymaster'), ours.sentinel('SENTINELS', 'mymaster')]) as unknown[][][]).map((r) => pairs(r[0]))
    const [idA, idB] = await Promise.all([real.sentinel('MYID'), ours.sentinel('MYID')])
    expect(sa).toMatchObject({name: idB, runid: idB, ip: '127.0.0.1', port: String(ours.port), flags: 'sentinel', 'voted-leader': '?', 'voted-leader-epoch': '0'})
    expect(sb).toMatchObject({name: idA, runid: idA, ip: '127.0.0.1', port: String(real.port), flags: 'sentinel', 'voted-leader': '?', 'voted-leader-epoch': '0'})
    expect(keys((await ours.sentinel('SENTINELS', 'mymaster') as unknown[][])[0])).toHaveLength(14)
  })

  it('SENTINEL MYID: 40 hex characters, not the INFO run_id', async () => {
    const [a, b] = await both('SENTINEL', 'MYID')
    expect(a.toString('latin1')).toMatch(/^\$40\r\n[0-9a-f]{40}\r\n$/)
    expect(b.toString('latin1')).toMatch(/^\$40\r\n[0-9a-f]{40}\r\n$/)
    const runId = /run_id:([0-9a-f]{40})/.exec(String(await ours.client().info('server')))?.[1]
    expect(runId).toBeDefined()
    expect(b.toString('latin1')).not.toContain(runId)
  })

  it('errors: unknown subcommand, arity, unknown master', async () => {
    await expectSame('SENTINEL', 'FOO')
    await expectSame('SENTINEL', 'foo', 'bar')
    await expectSame('SENTINEL')
    for (const sub of ['MASTER', 'REPLICAS', 'SLAVES', 'SENTINELS', 'GET-MASTER-ADDR-BY-NAME', 'CKQUORUM', 'FAILOVER', 'RESET', 'REMOVE', 'SIMULATE-FAILURE', 'IS-MASTER-DOWN-BY-ADDR', 'MONITOR', 'SET', 'CONFIG']) {
      await expectSame('SENTINEL', sub)
    }
    await expectSame('SENTINEL', 'MYID', 'extra')
    await expectSame('SENTINEL', 'MASTERS', 'extra')
    for (const sub of ['MASTER', 'REPLICAS', 'SLAVES', 'SENTINELS', 'CKQUORUM', 'FAILOVER', 'REMOVE']) {
      expect(await expectSame('SENTINEL', sub, 'nope')).toBe('-ERR No such master with that name\r\n')
    }
    expect(await expectSame('SENTINEL', 'SET', 'nope', 'quorum', '2')).toBe('-ERR No such master with that name\r\n')
    await expectSame('SENTINEL', 'INFO-CACHE', 'nope')
    // [name, [[age, INFO] for the master then each replica]], a repeated name once.
    for (const args of [['mymaster'], ['mymaster', 'nope', 'mymaster']]) {
      const [a, b] = (await Promise.all([real.sentinel('INFO-CACHE', ...args), ours.sentinel('INFO-CACHE', ...args)])) as unknown[][]
      const shape = (reply: unknown[] | undefined) => (reply ?? []).map((x) => (Array.isArray(x) ? x.map((e) => (e as unknown[]).map((v) => typeof v)) : x))
      expect(shape(b)).toEqual(shape(a))
      expect(shape(b)).toEqual(['mymaster', [['number', 'string'], ['number', 'string']]])
    }
    await expectSame('SENTINEL', 'PENDING-SCRIPTS')
    await expectSame('SENTINEL', 'RESET', 'no-such-*')
  })

  it('SENTINEL MONITOR: every validation error, and +OK then REMOVE', async () => {
    const cases: [string[], string][] = [
      [['a', '127.0.0.1', '1', 'x'], 'Invalid quorum'],
      [['a', '127.0.0.1', 'x', '1'], 'Invalid port'],
      [['a', '127.0.0.1', '1', '0'], 'Quorum must be 1 or greater.'],
      [['a', '127.0.0.1', '1', '-3'], 'Quorum must be 1 or greater.'],
      [['a', 'localhost', '1', '1'], 'Invalid IP address or hostname specified'],
      [['a', 'not an ip', '1', '1'], 'Invalid IP address or hostname specified'],
      [['mymaster', '127.0.0.1', '1', '1'], 'Duplicate master name.'],
      [['a', '127.0.0.1', '70000', '1'], 'Invalid port number.'],
      [['a', '127.0.0.1', '-1', '1'], 'Invalid port number.'],
      [['mymaster', '127.0.0.1', '70000', '1'], 'Invalid port number.'],
      [['a', '127.0.0.1', '01', '1'], 'Invalid port'],
      [['a', '127.0.0.1', '+1', '1'], 'Invalid port'],
      [['a', '127.0.0.1', '1', '1e0'], 'Invalid quorum'],
    ]
    for (const [args, text] of cases) expect(await expectSame('SENTINEL', 'MONITOR', ...args)).toBe(`-ERR ${text}\r\n`)
    // Port 0 is a valid port for Redis; the new master shows up disconnected.
    expect(await expectSame('SENTINEL', 'MONITOR', 'extra', '127.0.0.1', '0', '1')).toBe('+OK\r\n')
    const [a, b] = await Promise.all([real.sentinel('MASTER', 'extra'), ours.sentinel('MASTER', 'extra')])
    expect(keys(b)).toEqual(keys(a))
    expect(pairs(b)).toMatchObject({flags: 'master,disconnected', runid: '', quorum: '1', port: '0'})
    expect(pairs(a).flags).toBe('master,disconnected')
    // ROLE lists the masters in dict order (random on redis-sentinel).
    const roles = (await Promise.all([real.client().call('ROLE'), ours.client().call('ROLE')])) as [string, string[]][]
    expect(roles.map(([role, names]) => [role, [...names].sort()])).toEqual([['sentinel', ['extra', 'mymaster']], ['sentinel', ['extra', 'mymaster']]])
    expect(await expectSame('SENTINEL', 'REMOVE', 'extra')).toBe('+OK\r\n')
    await expectSame('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'extra')
  })

  it('SENTINEL SET: errors, partial application, +OK', async () => {
    for (const args of [
      ['quorum', '0'], ['quorum', 'x'], ['down-after-milliseconds', '-5'], ['failover-timeout', '0'], ['parallel-syncs', '0'], ['parallel-syncs', '-1'],
      ['master-reboot-down-after-period', '-1'], ['foo', '1'], ['rename-command', 'config'], ['notification-script', '/bin/true'],
      ['client-reconfig-script', '/bin/true'], ['quorum', '2', 'failover-timeout', 'x'], ['quorum', '2', 'nope'],
    ]) {
      await expectSame('SENTINEL', 'SET', 'mymaster', ...args)
    }
    // Numbers are read like Redis's string2ll: no exponent, sign, spaces or leading zeros.
    for (const value of ['1e3', '01', '+2', ' 2', '2 ', '0x10', '']) await expectSame('SENTINEL', 'SET', 'mymaster', 'quorum', value)
    await expectSame('SENTINEL', 'SET', 'mymaster', 'master-reboot-down-after-period', '1e3')
    await expectSame('SENTINEL', 'SET', 'mymaster', 'quorum')
    expect(await expectSame('SENTINEL', 'SET', 'mymaster', 'quorum', '2', 'failover-timeout', '180000', 'down-after-milliseconds', '60000')).toBe('+OK\r\n')
    expect(await expectSame('SENTINEL', 'SET', 'mymaster', 'master-reboot-down-after-period', '0', 'parallel-syncs', '1')).toBe('+OK\r\n')
    expect(await expectSame('SENTINEL', 'SET', 'MYMASTER', 'quorum', '2')).toBe('-ERR No such master with that name\r\n')
    // An option applied before a failing one stays applied.
    await expectSame('SENTINEL', 'SET', 'mymaster', 'quorum', '3', 'parallel-syncs', '0')
    const [a, b] = await Promise.all([real.sentinel('MASTER', 'mymaster'), ours.sentinel('MASTER', 'mymaster')])
    expect([pairs(a).quorum, pairs(b).quorum]).toEqual(['3', '3'])
    expect(await expectSame('SENTINEL', 'SET', 'mymaster', 'quorum', '2')).toBe('+OK\r\n')
  })

  it('CKQUORUM and IS-MASTER-DOWN-BY-ADDR reply types', async () => {
    expect(await expectSame('SENTINEL', 'CKQUORUM', 'mymaster')).toBe('+OK 2 usable Sentinels. Quorum and failover authorization can be reached\r\n')
    // [integer, bulk, integer]: unknown address, and the master's address without a vote (epoch 0 is not newer).
    expect(await expectSame('SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', '1', '0', '*')).toBe('*3\r\n:0\r\n$1\r\n*\r\n:0\r\n')
    expect(await expectSame('SENTINEL', 'is-master-down-by-addr', '127.0.0.1', String(master.port), '0', '*')).toBe('*3\r\n:0\r\n$1\r\n*\r\n:0\r\n')
    expect(await expectSame('SENTINEL', 'is-master-down-by-addr', '127.0.0.1', String(master.port), '0', 'abc')).toBe('*3\r\n:0\r\n$1\r\n*\r\n:0\r\n')
    await expectSame('SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', 'x', '0', '*')
    await expectSame('SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', '1', 'x', '*')
    await expectSame('SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', '1', '0')
    for (const [port, epoch] of [['', '0'], ['1e3', '0'], [' 1', '0'], ['1', '0x1'], ['1', '01']]) await expectSame('SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', port as string, epoch as string, '*')
    await reconnect(3)
    await expectSame('SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', '1', '0', '*')
    await reconnect()
  })

  it('SENTINEL CONFIG GET / SET', async () => {
    for (const pattern of ['*', 'announce-*', 'resolve-hostnames', 'SENTINEL-*', 'nothing']) await expectSame('SENTINEL', 'CONFIG', 'GET', pattern)
    for (const args of [['SET', 'announce-port', 'x'], ['SET', 'announce-port', '70000'], ['SET', 'resolve-hostnames', 'maybe'], ['SET', 'announce-hostnames', ''],
      ['SET', 'announce-port', '1e3'], ['SET', 'announce-port', '-1'], ['SET', 'foo', '1'], ['GET'], ['SET', 'a'], ['FOO', 'x'], ['GET', 'a', 'b'], ['SET', 'announce-port', '1', '2']]) {
      await expectSame('SENTINEL', 'CONFIG', ...args)
    }
    expect(await expectSame('SENTINEL', 'CONFIG', 'SET', 'announce-port', '0')).toBe('+OK\r\n')
    expect(await expectSame('SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'no')).toBe('+OK\r\n')
    await reconnect(3)
    await expectSame('SENTINEL', 'CONFIG', 'GET', '*')
    await reconnect()
  })

  it('SENTINEL DEBUG: the 13 timings as a map, errors, +OK', async () => {
    expect(await expectSame('SENTINEL', 'DEBUG')).toMatch(/^\*26\r\n\$11\r\nINFO-PERIOD\r\n\$5\r\n10000\r\n/)
    await reconnect(3)
    expect(await expectSame('SENTINEL', 'DEBUG')).toMatch(/^%13\r\n/)
    await reconnect()
    for (const args of [['ping-period'], ['foo', '1'], ['ping-period', 'x'], ['ping-period', '0'], ['ping-period', '1e3'], ['ping-period', '01'], ['info-period', '10000', 'bad', '1']]) {
      await expectSame('SENTINEL', 'DEBUG', ...args)
    }
    // Back to the defaults on both (the failing pair above applied info-period before the error).
    expect(await expectSame('SENTINEL', 'DEBUG', 'info-period', '10000', 'PING-PERIOD', '1000')).toBe('+OK\r\n')
    await expectSame('SENTINEL', 'DEBUG')
  })

  it('SENTINEL SIMULATE-FAILURE and HELP', async () => {
    expect(await expectSame('SENTINEL', 'SIMULATE-FAILURE', 'HELP')).toBe('*2\r\n$20\r\ncrash-after-election\r\n$21\r\ncrash-after-promotion\r\n')
    await expectSame('SENTINEL', 'SIMULATE-FAILURE', 'help')
    await expectSame('SENTINEL', 'SIMULATE-FAILURE', 'foo')
    await expectSame('SENTINEL', 'SIMULATE-FAILURE')
    // The flags show in INFO; each call starts from none, and an unknown name or HELP stops the list.
    for (const [args, flags] of [[['crash-after-election', 'CRASH-AFTER-PROMOTION'], 3], [['crash-after-promotion', 'foo', 'crash-after-election'], 2],
      [['crash-after-election', 'help'], 1], [['foo'], 0]] as const) {
      await expectSame('SENTINEL', 'SIMULATE-FAILURE', ...args)
      expect(await expectSame('INFO', 'sentinel')).toContain(`\r\nsentinel_simulate_failure_flags:${flags}\r\n`)
    }
    expect(await expectSame('SENTINEL', 'HELP')).toMatch(/^\*49\r\n/)
    await expectSame('SENTINEL', 'help')
  })

  it('INFO: the same sections and fields; the sentinel section byte for byte (RESP2 and RESP3)', async () => {
    const [a, b] = await Promise.all([real.client().info(), ours.client().info()])
    expect(infoKeys(String(b))).toEqual(infoKeys(String(a)))
    expect(String(b)).toContain('redis_mode:sentinel\r\n')
    for (const sections of [['sentinel'], ['SENTINEL'], ['server', 'sentinel'], ['keyspace'], ['cpu'], ['everything'], ['default']]) {
      const [x, y] = await both('INFO', ...sections)
      if (sections[0] === 'sentinel' || sections[0] === 'SENTINEL' || sections[0] === 'keyspace') expect(show(y)).toBe(show(x))
      else expect(infoKeys(y.toString('latin1').replace(/^\$\d+/, ''))).toEqual(infoKeys(x.toString('latin1').replace(/^\$\d+/, '')))
    }
    expect(await expectSame('INFO', 'sentinel')).toContain(`master0:name=mymaster,status=ok,address=127.0.0.1:${master.port},slaves=1,sentinels=2\r\n`)
    await reconnect(3)
    expect(await expectSame('INFO', 'sentinel')).toMatch(/^\$\d+\r\n# Sentinel\r\n/)
    await reconnect()
  })

  it('ROLE, PING, PUBLISH to another channel, commands a sentinel does not have', async () => {
    expect(await expectSame('ROLE')).toBe('*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n')
    await expectSame('PING')
    await expectSame('PING', 'hello')
    expect(await expectSame('PUBLISH', 'foo', 'bar')).toBe('-ERR Only HELLO messages are accepted by Sentinel instances.\r\n')
    await expectSame('PUBLISH', 'foo')
    for (const command of [['GET', 'x'], ['SET', 'a', 'b'], ['SELECT', '1'], ['ECHO', 'hi'], ['CONFIG', 'GET', 'port'], ['QUIT'], ['RESET'], ['FLUSHALL'], ['MULTI'], ['REPLICAOF', 'NO', 'ONE']]) {
      expect(await expectSame(...command)).toMatch(/^-ERR unknown command '/)
    }
    await reconnect(3)
    await expectSame('ROLE')
    await reconnect()
  })

  it('HELLO: the same map (mode sentinel), RESP2 and RESP3', async () => {
    for (const args of [['HELLO'], ['HELLO', '2'], ['HELLO', '3'], ['HELLO', '4']]) {
      const [a, b] = await both(...args)
      expect(withoutId(b.toString('latin1')), args.join(' ')).toBe(withoutId(a.toString('latin1')))
    }
    await reconnect()
    const hello = (await ours.client().call('HELLO', '2')) as unknown[]
    expect(keys(hello)).toEqual(['server', 'version', 'proto', 'id', 'mode', 'modules'])
    expect(pairs(hello).mode).toBe('sentinel')
  })

  it('COMMAND COUNT: 15 on redis-sentinel, 14 here — the bundled server has no ACL command', async () => {
    const [a, b] = await both('COMMAND', 'COUNT')
    expect(a.toString()).toBe(':15\r\n')
    expect(b.toString()).toBe(':14\r\n')
    const [la, lb] = (await Promise.all([real.client().call('COMMAND', 'LIST'), ours.client().call('COMMAND', 'LIST')])) as [string[], string[]]
    // Everything we have, redis-sentinel has; what it has in addition is the ACL family.
    expect(lb.filter((n) => !la.includes(n))).toEqual([])
    expect(la.filter((n) => !lb.includes(n)).sort()).toEqual([
      'acl', 'acl|cat', 'acl|deluser', 'acl|dryrun', 'acl|genpass', 'acl|getuser', 'acl|help', 'acl|list', 'acl|load', 'acl|log', 'acl|save',
      'acl|setuser', 'acl|users', 'acl|whoami',
    ])
  })
})

describe.skipIf(!!skip)(`sentinel replies with unreachable peers${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('CKQUORUM texts and SENTINELS fields when the known sentinels are down', async ({onTestFinished}) => {
    const scope = sentinelScope(onTestFinished)
    const master = await scope.server({engine: 'bundled', args: ['--save', '']})
    // Two known-sentinel lines on ports nobody listens on (reserved, never opened).
    const [p1, p2] = [await freePort(), await freePort()]
    const config = `${monitorLines(master.port, {quorum: 1, downAfter: 1000})}sentinel known-sentinel mymaster 127.0.0.1 ${p1} ${'a'.repeat(40)}\n` +
      `sentinel known-sentinel mymaster 127.0.0.1 ${p2} ${'b'.repeat(40)}\n`
    const replies: Record<string, string[]> = {}
    // One engine after the other: running together they would find each other through the master.
    for (const engine of ['redis', 'bundled'] as const) {
      const s = await scope.sentinel({engine, config})
      const peers = (await s.sentinel('SENTINELS', 'mymaster')) as unknown[][]
      // Known from the file, never heard from: the times count from the entry's creation.
      for (const peer of peers.map(pairs)) {
        expect(peer.flags).toBe('sentinel,disconnected')
        expect(Number(peer['last-hello-message'])).toBeLessThan(60_000)
      }
      const raw = await s.raw()
      const texts = [(await raw.command('SENTINEL', 'CKQUORUM', 'mymaster')).toString()]
      await waitFor(() => s.sentinel('SENTINELS', 'mymaster'), (list) => (list as unknown[][]).every((p) => (pairs(p).flags ?? '').startsWith('s_down,')), {what: `${engine}: known sentinels s_down`})
      texts.push((await raw.command('SENTINEL', 'CKQUORUM', 'mymaster')).toString())
      await raw.command('SENTINEL', 'SET', 'mymaster', 'quorum', '2')
      texts.push((await raw.command('SENTINEL', 'CKQUORUM', 'mymaster')).toString())
      await raw.command('SENTINEL', 'SET', 'mymaster', 'quorum', '1')
      raw.close()
      replies[engine] = texts
      await s.kill()
    }
    expect(replies.bundled).toEqual(replies.redis)
    expect(replies.bundled).toEqual([
      '+OK 3 usable Sentinels. Quorum and failover authorization can be reached\r\n',
      '-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the majority and authorize a failover\r\n',
      '-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master. Not enough available Sentinels to reach the majority and authorize a failover\r\n',
    ])
  }, 30_000)
})
