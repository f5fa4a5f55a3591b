// How the server starts and announces itself, side by side for rtopo-server and real redis-server 7.0:
// the always-show-logo block (harnesses wait for its `PID:` line), config from stdin (`-`) and its
// precedence, `--port 0` with a unix socket (unixsocketperm, redis-cli -s, CLIENT LIST), a bare `save`,
// relative paths resolved in `dir`, rdb-key-save-delay stretching a BGSAVE and key-load-delay the start-up
// load (-LOADING meanwhile).
// Every process and temp dir a test creates is removed after it, pass or fail.

import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa, type ResultPromise} from 'execa'
import {Redis, type RedisOptions} from 'ioredis'
import {afterEach, describe, expect, it} from 'vitest'
import {bundledMissing, bundledServerBin, removeDir, startServer, stopAllNodes, type Engine, type NodeHandle} from '../helpers/nodes.js'
import {freePort} from '../helpers/ports.js'
import {realRedis, realRedisMissing, redisCli} from '../helpers/real-redis.js'
import {bundledSentinelBin} from '../helpers/sentinels.js'
import {waitFor} from '../helpers/wait-for.js'

interface Launched {
  readonly child: ResultPromise
  readonly pid: number
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string
  exited(): boolean
}

const children: ResultPromise[] = []
const clients: Redis[] = []
const dirs: string[] = []

const nodes: NodeHandle[] = []

afterEach(async () => {
  await stopAllNodes()
  for (const node of nodes.splice(0)) removeDir(node.dir)
  for (const c of clients.splice(0)) c.disconnect()
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await child
  }
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

const tempDir = (engine: Engine): string => {
  // Short paths: a unix socket path must stay under 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), `rt-start-${engine[0]}-`))
  dirs.push(dir)
  return dir
}

/** Starts the engine's server with `args` (stdin piped when `stdin` is given), in `cwd`. */
function launch(engine: Engine, args: string[], {stdin, cwd, sentinel}: {stdin?: string; cwd?: string; sentinel?: boolean} = {}): Launched {
  const [file, argv] = engine === 'bundled'
    ? [process.execPath, [sentinel ? bundledSentinelBin : bundledServerBin, ...args]]
    : [sentinel ? realRedis!.sentinel : realRedis!.server, args]
  const child = execa(file, argv, {
    reject: false, cleanup: true, cwd, input: stdin, stdin: stdin === undefined ? 'ignore' : undefined,
    stdout: 'pipe', stderr: 'pipe',
  })
  children.push(child)
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  return {child, pid: child.pid ?? -1, output: () => output, exited: () => child.exitCode !== null || child.signalCode !== null}
}

const client = (options: RedisOptions): Redis => {
  const c = new Redis({host: '127.0.0.1', maxRetriesPerRequest: 20, retryStrategy: (n) => (n > 60 ? null : 50), ...options})
  c.on('error', () => {})
  clients.push(c)
  return c
}

/** Waits until the process printed `text` (or fails with its output when it exits first). */
const waitForOutput = (p: Launched, text: string | RegExp): Promise<string> =>
  waitFor(() => {
    if (p.exited() && !matches(p.output(), text)) throw new Error(`exited early:\n${p.output()}`)
    return p.output()
  }, (out) => matches(out, text), {what: `output ${String(text)}`, timeoutMs: 15_000})

const matches = (out: string, text: string | RegExp): boolean => (typeof text === 'string' ? out.includes(text) : text.test(out))

const info = async (c: Redis, section: string): Promise<Record<string, string>> => {
  const out: Record<string, string> = {}
  for (const line of (await c.info(section)).split('\r\n')) {
    const at = line.indexOf(':')
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1)
  }
  return out
}

const engines: {engine: Engine; skip: string | undefined}[] = [
  {engine: 'bundled', skip: bundledMissing},
  {engine: 'redis', skip: realRedisMissing},
]

for (const {engine, skip} of engines) {
  describe.skipIf(!!skip)(`${engine} server start-up${skip ? ` (skipped: ${skip})` : ''}`, () => {
    it('always-show-logo yes prints the logo block with version, mode, Port: and PID:', async () => {
      const port = await freePort()
      const dir = tempDir(engine)
      const p = launch(engine, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--always-show-logo', 'yes'])
      const out = await waitForOutput(p, `PID: ${p.pid}`)
      const lines = out.split('\n')
      const at = (text: string): string => lines.find((l) => l.includes(text)) ?? ''
      expect(at('Redis 7.0.15 (')).toMatch(/^ {6}_\.-``    `\.  `_\.  ''-\._ {11}Redis 7\.0\.15 \(\w+\/\d\) 64 bit$/)
      expect(at('Running in standalone mode')).toBe(" (    '      ,       .-`  | `,    )     Running in standalone mode")
      expect(at('Port: ')).toBe(` |\`-._\`-...-\` __...-.\`\`-._|'\` _.-'|     Port: ${port}`)
      expect(at('PID: ')).toBe(` |    \`-._   \`._    /     _.-'    |     PID: ${p.pid}`)
      expect(at('https://redis.io')).toBe(" |    `-._`-._        _.-'_.-'    |           https://redis.io       ")
      expect(out).not.toContain('Running mode=')
      await waitForOutput(p, 'Ready to accept connections')
    })

    it('a sentinel with always-show-logo says "Running in sentinel mode" beside its port and PID', async () => {
      const port = await freePort()
      const dir = tempDir(engine)
      const conf = join(dir, 'sentinel.conf')
      writeFileSync(conf, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nalways-show-logo yes\nsentinel monitor mymaster 127.0.0.1 1 2\n`)
      const p = launch(engine, [conf], {sentinel: true})
      const out = await waitForOutput(p, `PID: ${p.pid}`)
      expect(out).toContain("  (    '      ,       .-`  | `,    )     Running in sentinel mode\n".slice(1))
      expect(out).toContain(`|     Port: ${port}\n`)
    })

    it('without always-show-logo (and no tty) it logs the short form', async () => {
      const port = await freePort()
      const p = launch(engine, ['--port', String(port), '--bind', '127.0.0.1', '--dir', tempDir(engine), '--save', ''])
      const out = await waitForOutput(p, 'Ready to accept connections')
      expect(out).toContain(`Running mode=standalone, port=${port}.`)
      expect(out).not.toContain('PID: ')
    })

    it('reads the config from stdin with "-": file, then stdin, then --options', async () => {
      const port = await freePort()
      const dir = tempDir(engine)
      const conf = join(dir, 'base.conf')
      writeFileSync(conf, `port 1\nmaxclients 55\nhz 11\nbind 127.0.0.1\ndir ${dir}\nsave ""\n`)
      const p = launch(engine, [conf, '--hz', '12', '-'], {stdin: `port ${port}\nmaxclients 77\nhz 13\n`})
      const out = await waitForOutput(p, 'Ready to accept connections')
      expect(out).toContain('Reading config from stdin')
      const c = client({port})
      expect(await c.config('GET', 'maxclients')).toEqual(['maxclients', '77'])
      expect(await c.config('GET', 'hz')).toEqual(['hz', '12'])
      expect(await c.config('GET', 'port')).toEqual(['port', String(port)])
    })

    it('stdin alone ("-" first) configures the server', async () => {
      const port = await freePort()
      const dir = tempDir(engine)
      const p = launch(engine, ['-', '--maxclients', '99'], {stdin: `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsave ""\nmaxclients 10\n`})
      await waitForOutput(p, 'Ready to accept connections')
      expect(await client({port}).config('GET', 'maxclients')).toEqual(['maxclients', '99'])
    })

    it('a bad line from stdin is fatal, naming the line and the reason', async () => {
      const p = launch(engine, ['-'], {stdin: 'port 5\nno-such-directive 1\n'})
      await p.child
      expect(p.child.exitCode).toBe(1)
      expect(p.output()).toContain('*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***')
      expect(p.output()).toMatch(/Reading the configuration (file|from standard input), at line 2/)
      expect(p.output()).toContain(">>> 'no-such-directive 1'")
      expect(p.output()).toContain('Bad directive or wrong number of arguments')
    })

    it('--port 0 with unixsocket: only the unix socket, with unixsocketperm, removed at shutdown', async () => {
      const dir = tempDir(engine)
      const path = join(dir, 'r.sock')
      const p = launch(engine, ['--port', '0', '--unixsocket', path, '--unixsocketperm', '700', '--dir', dir, '--save', ''])
      await waitForOutput(p, `The server is now ready to accept connections at ${path}`)
      expect(p.output()).not.toContain('Ready to accept connections\n')
      expect(statSync(path).isSocket()).toBe(true)
      expect(statSync(path).mode & 0o777).toBe(0o700)
      const c = client({path})
      expect(await c.config('GET', 'unixsocketperm')).toEqual(['unixsocketperm', '700'])
      expect(await c.config('GET', 'port')).toEqual(['port', '0'])
      const list = String(await c.client('LIST'))
      expect(list).toContain(`addr=${path}:0 laddr=${path}:0 `)
      expect(list).toMatch(/ flags=U /)
      if (redisCli) {
        expect(execFileSync(redisCli, ['-s', path, 'PING'], {encoding: 'utf8'}).trim()).toBe('PONG')
        expect(execFileSync(redisCli, ['-s', path, 'CLIENT', 'INFO'], {encoding: 'utf8'})).toContain(`addr=${path}:0`)
      }
      c.disconnect()
      if (redisCli) execFileSync(redisCli, ['-s', path, 'SHUTDOWN', 'NOSAVE'])
      else p.child.kill('SIGTERM')
      await p.child
      expect(p.output()).toContain('Removing the unix socket file.')
      expect(existsSync(path)).toBe(false)
    })

    it('--port 0 without a unixsocket refuses to start', async () => {
      const p = launch(engine, ['--port', '0', '--dir', tempDir(engine), '--save', ''])
      await p.child
      expect(p.child.exitCode).toBe(1)
      expect(p.output()).toContain('Configured to not listen anywhere, exiting.')
    })

    it('a unixsocket in a missing directory fails as anet.c reports it', async () => {
      const dir = tempDir(engine)
      const p = launch(engine, ['--port', '0', '--unixsocket', join(dir, 'missing', 'r.sock'), '--dir', dir, '--save', ''])
      await p.child
      expect(p.child.exitCode).toBe(1)
      expect(p.output()).toContain('Failed opening Unix socket: bind: No such file or directory')
    })

    it('unixsocketperm must be octal', async () => {
      const p = launch(engine, ['--unixsocketperm', '800'])
      await p.child
      expect(p.child.exitCode).toBe(1)
      expect(p.output()).toContain("argument couldn't be parsed as an octal number")
    })

    it('a bare save line clears the save points; after a save line it adds nothing', async () => {
      const dir = tempDir(engine)
      const port1 = await freePort()
      writeFileSync(join(dir, 'a.conf'), `bind 127.0.0.1\nport ${port1}\ndir ${dir}\nsave\n`)
      const a = launch(engine, [join(dir, 'a.conf')])
      await waitForOutput(a, 'Ready to accept connections')
      expect(await client({port: port1}).config('GET', 'save')).toEqual(['save', ''])
      const port2 = await freePort()
      writeFileSync(join(dir, 'b.conf'), `bind 127.0.0.1\nport ${port2}\ndir ${dir}\nsave 60 1\nsave\n`)
      const b = launch(engine, [join(dir, 'b.conf')])
      await waitForOutput(b, 'Ready to accept connections')
      expect(await client({port: port2}).config('GET', 'save')).toEqual(['save', '60 1'])
    })

    it('the deprecated list-max-ziplist-entries/-value and lua-replicate-commands lines are read and ignored', async () => {
      const port = await freePort()
      const p = launch(engine, ['--port', String(port), '--bind', '127.0.0.1', '--dir', tempDir(engine), '--save', '',
        '--list-max-ziplist-entries', '5', '--list-max-ziplist-value', '7', '--lua-replicate-commands', 'yes'])
      await waitForOutput(p, 'Ready to accept connections')
      expect(await client({port}).config('GET', 'list-max-ziplist-entries')).toEqual([])
    })

    it('works in dir: a relative dbfilename and logfile land there, not in the launch directory', async () => {
      const dir = tempDir(engine)
      const elsewhere = tempDir(engine)
      const port = await freePort()
      const p = launch(engine, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', 'rel.rdb', '--logfile', 'rel.log', '--save', ''], {cwd: elsewhere})
      const c = client({port})
      await waitFor(() => c.ping(), (r) => r === 'PONG', {what: 'PING', timeoutMs: 15_000}).catch((e: Error) => {
        throw new Error(`${e.message}\n${p.output()}`)
      })
      await c.set('k', 'v')
      expect(await c.save()).toBe('OK')
      expect(existsSync(join(dir, 'rel.rdb'))).toBe(true)
      expect(existsSync(join(dir, 'rel.log'))).toBe(true)
      expect(existsSync(join(elsewhere, 'rel.rdb'))).toBe(false)
      expect(existsSync(join(elsewhere, 'rel.log'))).toBe(false)
      expect(await c.config('GET', 'dir')).toEqual(['dir', dir])
    })

    it('rdb-key-save-delay keeps a BGSAVE of many keys in progress; key-load-delay is accepted', async () => {
      const dir = tempDir(engine)
      const port = await freePort()
      const p = launch(engine, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''])
      const c = client({port})
      await waitFor(() => c.ping(), (r) => r === 'PONG', {what: 'PING', timeoutMs: 15_000}).catch((e: Error) => {
        throw new Error(`${e.message}\n${p.output()}`)
      })
      const keys = 10_000
      for (let i = 0; i < keys; i += 1000) {
        const batch = c.pipeline()
        for (let j = i; j < i + 1000; j++) batch.set(`key:${j}`, 'v')
        await batch.exec()
      }
      expect(await c.config('SET', 'rdb-key-save-delay', '100')).toBe('OK')
      expect(await c.config('GET', 'rdb-key-save-delay')).toEqual(['rdb-key-save-delay', '100'])
      // Hidden configs answer by name only.
      expect(await c.config('GET', '*key-save*')).toEqual([])
      expect(await c.config('SET', 'key-load-delay', '5')).toBe('OK')
      expect(await c.config('GET', 'key-load-delay')).toEqual(['key-load-delay', '5'])
      expect(await c.bgsave()).toBe('Background saving started')
      expect((await info(c, 'persistence')).rdb_bgsave_in_progress).toBe('1')
      await waitFor(() => info(c, 'persistence'), (i) => i.rdb_bgsave_in_progress === '0', {what: 'BGSAVE to end', timeoutMs: 30_000})
      expect((await info(c, 'persistence')).rdb_last_bgsave_status).toBe('ok')
      expect(existsSync(join(dir, 'dump.rdb'))).toBe(true)
    }, 60_000)

    it('key-load-delay stretches the start-up load: clients get -LOADING and INFO loading:1 meanwhile; SIGTERM then exits without saving', async () => {
      const dir = tempDir(engine)
      const port = await freePort()
      const base = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '']
      const writer = launch(engine, base)
      const w = client({port})
      await waitFor(() => w.ping(), (r) => r === 'PONG', {what: 'PING', timeoutMs: 15_000})
      const keys = 2000
      const batch = w.pipeline()
      for (let i = 0; i < keys; i++) batch.set(`key:${i}`, 'v'.repeat(100))
      await batch.exec()
      expect(await w.save()).toBe('OK')
      await w.call('SHUTDOWN', 'NOSAVE').catch(() => undefined)
      await writer.child
      const file = readFileSync(join(dir, 'dump.rdb'))

      // 1 ms per key: about 2 s of loading, with events served every KB of the file.
      const slow = [...base, '--key-load-delay', '1000', '--loading-process-events-interval-bytes', '1024']
      const loading = launch(engine, slow)
      const c = client({port, enableReadyCheck: false})
      const reply = await waitFor(() => c.ping().then(() => 'PONG', (e: Error) => e.message), (r) => r !== 'PONG' && !r.includes('ECONNREFUSED'), {what: 'a reply while loading', timeoutMs: 15_000, intervalMs: 20})
      expect(reply).toBe('LOADING Redis is loading the dataset in memory')
      const during = await info(c, 'persistence')
      expect(during.loading).toBe('1')
      expect(during.loading_total_bytes).toBe(String(file.length))
      expect(Number(during.loading_loaded_bytes)).toBeLessThanOrEqual(file.length)
      expect(during.loading_loaded_perc).toMatch(/^\d+\.\d\d$/)
      expect(during.loading_eta_seconds).toMatch(/^\d+$/)
      await waitFor(() => c.dbsize(), (n) => n === keys, {what: 'the keys after the load', timeoutMs: 30_000})
      expect((await info(c, 'persistence')).loading).toBe('0')
      expect((await info(c, 'persistence')).loading_total_bytes).toBeUndefined()
      await c.call('SHUTDOWN', 'NOSAVE').catch(() => undefined)
      await loading.child

      // A SIGTERM during the load ends the process at once, cleanly, and leaves the file as it was.
      const stopped = launch(engine, [...slow, '--save', '3600 1'])
      const s = client({port, enableReadyCheck: false})
      await waitFor(() => s.ping().then(() => 'PONG', (e: Error) => e.message), (r) => r.startsWith('LOADING'), {what: 'LOADING', timeoutMs: 15_000, intervalMs: 20})
      stopped.child.kill('SIGTERM')
      const result = await stopped.child
      expect(result.exitCode, stopped.output()).toBe(0)
      expect(stopped.output()).toContain('Received shutdown signal during loading, scheduling shutdown.')
      expect(stopped.output()).not.toContain('DB saved on disk')
      expect(readFileSync(join(dir, 'dump.rdb')).equals(file)).toBe(true)
    }, 90_000)

    it('rdb-key-save-delay stretches a full sync; writes made meanwhile reach the replica after it', async () => {
      const master = await startServer({engine, args: ['--save', '', '--repl-diskless-sync-delay', '0']})
      nodes.push(master)
      const replica = await startServer({engine, args: ['--save', '']})
      nodes.push(replica)
      const m = master.client()
      const keys = 10_000
      for (let i = 0; i < keys; i += 1000) {
        const batch = m.pipeline()
        for (let j = i; j < i + 1000; j++) batch.set(`key:${j}`, 'v')
        await batch.exec()
      }
      expect(await m.config('SET', 'rdb-key-save-delay', '100')).toBe('OK')
      const r = replica.client()
      expect(await r.replicaof('127.0.0.1', String(master.port))).toBe('OK')
      // While the snapshot is produced the replica waits in wait_bgsave and a save counts as in progress.
      const during = await waitFor(() => info(m, 'everything'), (i) => /state=(wait_bgsave|send_bulk|online)/.test(i.slave0 ?? ''), {what: 'replica attached', timeoutMs: 15_000})
      expect(during.slave0).toMatch(/state=wait_bgsave,/)
      expect(during.rdb_bgsave_in_progress).toBe('1')
      await m.set('written-during-sync', 'yes')
      expect((await info(r, 'replication')).master_link_status).toBe('down')
      await waitFor(() => info(r, 'replication'), (i) => i.master_link_status === 'up', {what: 'link up', timeoutMs: 30_000})
      await waitFor(() => r.get('written-during-sync'), (v) => v === 'yes', {what: 'write made during the sync', timeoutMs: 10_000})
      expect(await r.dbsize()).toBe(keys + 1)
    }, 60_000)
  })
}
