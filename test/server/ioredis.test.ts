// ioredis 6 against the real rtopo-server process, in RESP3 (its default: HELLO 3 first) and RESP2:
// handshake, INFO ready check, CLIENT, pub/sub, transactions, MONITOR, SLOWLOG, DEBUG and ROLE.

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {bundledMissing, startServer, stopAllNodes, type NodeHandle} from '../helpers/nodes.js'
import {waitFor} from '../helpers/wait-for.js'

const protocols = [3, 2] as const

describe.skipIf(!!bundledMissing)(`rtopo-server with ioredis${bundledMissing ? ` (skipped: ${bundledMissing})` : ''}`, () => {
  let node: NodeHandle

  beforeAll(async () => {
    node = await startServer({engine: 'bundled', args: ['--save', '', '--enable-debug-command', 'yes']})
  })
  afterAll(async () => {
    await stopAllNodes()
  })

  for (const protocol of protocols) {
    describe(`RESP${protocol}`, () => {
      it('connects through the handshake and the INFO ready check', async () => {
        const redis = node.client({protocol, connectionName: `conn-${protocol}`})
        expect(await redis.ping()).toBe('PONG')
        expect(await redis.client('GETNAME')).toBe(`conn-${protocol}`)
        const hello = (await redis.call('HELLO')) as unknown[]
        expect(hello.slice(0, 6)).toEqual(['server', 'redis', 'version', '7.0.15', 'proto', protocol])
        const list = (await redis.client('LIST')) as string
        expect(list).toMatch(new RegExp(`name=conn-${protocol} .* resp=${protocol}\\n`))
        const info = (await redis.info('server')) as string
        expect(info.startsWith('# Server\r\nredis_version:7.0.15\r\n')).toBe(true)
        expect(info).toMatch(/\r\nrun_id:[0-9a-f]{40}\r\n/)
        expect(info).toContain(`\r\ntcp_port:${node.port}\r\n`)
      })

      it('delivers channel and pattern messages', async () => {
        const subscriber = node.client({protocol})
        const publisher = node.client({protocol})
        const received: string[] = []
        subscriber.on('message', (channel: string, message: string) => received.push(`message ${channel} ${message}`))
        subscriber.on('pmessage', (pattern: string, channel: string, message: string) => received.push(`pmessage ${pattern} ${channel} ${message}`))
        expect(await subscriber.subscribe('news', 'sport')).toBe(2)
        expect(await subscriber.psubscribe('n*')).toBe(3)
        expect(await publisher.publish('news', 'hello')).toBe(2)
        expect(await publisher.publish('other', 'x')).toBe(0)
        await waitFor(() => received.length, (n) => n >= 2, {what: 'two deliveries of news'})
        expect(received.sort()).toEqual(['message news hello', 'pmessage n* news hello'])
        expect(await publisher.pubsub('NUMSUB', 'news', 'sport', 'none')).toEqual(['news', 1, 'sport', 1, 'none', 0])
        expect(await publisher.pubsub('NUMPAT')).toBe(1)
        expect(((await publisher.pubsub('CHANNELS')) as string[]).sort()).toEqual(['news', 'sport'])
        // ioredis never resolves an argument-less (P)UNSUBSCRIBE (with real Redis too), so name them.
        expect(await subscriber.unsubscribe('news', 'sport')).toBe(1)
        expect(await subscriber.punsubscribe('n*')).toBe(0)
        expect(await publisher.pubsub('NUMPAT')).toBe(0)
      })

      it('runs MULTI/EXEC and aborts on a changed WATCHed key', async () => {
        const redis = node.client({protocol})
        const other = node.client({protocol})
        expect(await redis.multi().ping().echo('x').exec()).toEqual([[null, 'PONG'], [null, 'x']])
        // DEBUG POPULATE creates <prefix>:0, changing the watched key from another connection.
        await redis.watch(`w-${protocol}:0`)
        await other.call('DEBUG', 'POPULATE', '1', `w-${protocol}`)
        expect(await redis.multi().ping().exec()).toBe(null)
      })

      it('reports ROLE and the replication section of a fresh master', async () => {
        const redis = node.client({protocol})
        expect(await redis.role()).toEqual(['master', 0, []])
        const info = (await redis.info('replication')) as string
        expect(info).toMatch(/^# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_replid:[0-9a-f]{40}\r\nmaster_replid2:0{40}\r\nmaster_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n$/)
      })
    })
  }

  it('INFO sections come in Redis order and INFO keyspace counts keys', async () => {
    const redis = node.client()
    await redis.call('FLUSHALL')
    await redis.call('DEBUG', 'POPULATE', '7')
    const all = (await redis.info('everything')) as string
    const titles = all.split('\r\n').filter((l) => l.startsWith('# '))
    expect(titles).toEqual(['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Commandstats', '# Errorstats', '# Latencystats', '# Cluster', '# Keyspace'])
    const defaults = ((await redis.info()) as string).split('\r\n').filter((l) => l.startsWith('# '))
    expect(defaults).toEqual(['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Errorstats', '# Cluster', '# Keyspace'])
    expect(await redis.info('keyspace')).toBe('# Keyspace\r\ndb0:keys=7,expires=0,avg_ttl=0\r\n')
    expect(await redis.info('CPU', 'keyspace')).toMatch(/^# CPU\r\nused_cpu_sys:[\d.]+\r\n[\s\S]*\r\n\r\n# Keyspace\r\ndb0:keys=7/)
    expect(await redis.info('no-such-section')).toBe('')
    const persistence = (await redis.info('persistence')) as string
    expect(persistence.startsWith('# Persistence\r\nloading:0\r\n')).toBe(true)
    expect(await redis.call('DBSIZE')).toBe(7)
  })

  it('CLIENT KILL TYPE normal closes other normal clients but never the caller', async () => {
    const killer = node.client()
    const victim = node.client({retryStrategy: () => null})
    const subscriber = node.client({retryStrategy: () => null})
    await victim.ping()
    await subscriber.subscribe('keep')
    const closed = new Promise<void>((resolve) => victim.once('close', () => resolve()))
    const killed = (await killer.call('CLIENT', 'KILL', 'TYPE', 'normal')) as number
    expect(killed).toBeGreaterThanOrEqual(1)
    await closed
    expect(await killer.ping()).toBe('PONG')
    expect(subscriber.status).toBe('ready')
    expect(await killer.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBeGreaterThanOrEqual(1)
    await waitFor(() => subscriber.status, (s) => s !== 'ready', {what: 'the subscriber to be disconnected'})
  })

  it('MONITOR shows executed commands with redacted AUTH arguments', async () => {
    const monitor = await node.client().monitor()
    const lines: string[] = []
    monitor.on('monitor', (_time: string, args: string[], source: string, db: string) => lines.push(`${db} ${source} ${args.join(' ')}`))
    const redis = node.client()
    await redis.call('ECHO', 'a"b')
    await redis.call('AUTH', 'secret').catch(() => {})
    await waitFor(() => lines.filter((l) => l.includes('ECHO') || l.includes('AUTH')).length, (n) => n >= 2, {what: 'ECHO and AUTH in MONITOR'})
    expect(lines.some((l) => /^0 127\.0\.0\.1:\d+ ECHO a"b$/.test(l))).toBe(true)
    expect(lines.some((l) => /^0 127\.0\.0\.1:\d+ AUTH \(redacted\)$/.test(l))).toBe(true)
    monitor.disconnect()
  })

  it('SLOWLOG keeps slow commands newest first and honours slowlog-max-len', async () => {
    const redis = node.client()
    await redis.config('SET', 'slowlog-log-slower-than', '0')
    await redis.config('SET', 'slowlog-max-len', '3')
    await redis.slowlog('RESET')
    for (let i = 0; i < 5; i++) await redis.call('ECHO', `m${i}`)
    expect(await redis.slowlog('LEN')).toBe(3)
    const entries = (await redis.slowlog('GET', 2)) as [number, number, number, string[], string, string][]
    // SLOWLOG LEN itself was slower than 0 µs, so it is the newest entry.
    expect(entries.map((e) => e[3])).toEqual([['slowlog', 'LEN'], ['ECHO', 'm4']])
    await redis.config('SET', 'slowlog-log-slower-than', '10000')
    await redis.config('SET', 'slowlog-max-len', '128')
  })
})
