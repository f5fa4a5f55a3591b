// Inline requests and redis.conf lines split as Redis 7.0's sdssplitargs does, compared with real Redis: \v and
// \f are skipped between words and accepted after a closing quote, but do not end an unquoted word; a closing
// quote followed by anything else is the "unbalanced quotes" protocol error (reply, then close). A config line
// is trimmed of space, \t, \r and \n only, so a trailing \v stays part of the last argument.

import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing, bundledServerBin, startServer, stopAllNodes} from '../helpers/nodes.js'
import {freePort} from '../helpers/ports.js'
import {realRedis, realRedisMissing} from '../helpers/real-redis.js'

const skipReason = realRedisMissing ?? bundledMissing
const title = (what: string): string => `${what}${skipReason ? ` (skipped: ${skipReason})` : ''}`

describe.skipIf(!!skipReason)(title('inline request splitting matches Redis 7.0'), () => {
  let pair: DifferentialPair

  beforeAll(async () => {
    pair = await startDifferentialPair()
  })
  afterAll(async () => {
    await pair?.stop()
  })
  beforeEach(async () => {
    await pair.reset()
  })

  it('\\v and \\f stay inside an unquoted word and separate words only where a word cannot go on', async () => {
    await pair.expectSameRaw('ECHO a\vb\r\n', 1)
    await pair.expectSameRaw('ECHO \va\fc\r\n', 1)
    await pair.expectSameRaw('\vECHO\vq\r\n', 1)
    await pair.expectSameRaw('ECHO\fq\f\r\n', 1)
    await pair.expectSameRaw('\v\fPING\f\v\r\n', 1)
    await pair.expectSameRaw('ECHO a\v \vb\r\n', 1)
    await pair.expectSameRaw('ECHO\ta\t\r\n', 1)
    await pair.expectSameRaw('ECHO a\r\rb\n', 1)
  })

  it('a closing quote may be followed by \\v or \\f, which then separate words', async () => {
    await pair.expectSameRaw('ECHO "a"\vb\r\n', 1)
    await pair.expectSameRaw("ECHO 'a'\fb\r\n", 1)
    await pair.expectSameRaw('ECHO "a"\v\r\n', 1)
    await pair.expectSameRaw('ECHO x"a b"\r\n', 1)
    await pair.expectSameRaw('ECHO "\\x41\\x4"\r\n', 1)
    await pair.expectSameRaw("ECHO '\\x41\\''\r\n", 1)
  })

  it('a closing quote followed by a non-space byte is a protocol error that closes the connection', async () => {
    for (const line of ['ECHO "a"b', "ECHO 'a'b", 'ECHO "a"\u0001', 'ECHO "a""b"', 'ECHO "abc', "ECHO 'abc", 'ECHO "a"\u00a0']) {
      await pair.reset()
      await pair.expectSameRaw(`PING\r\n${line}\r\nPING\r\n`, 3)
    }
  })
})

describe.skipIf(!!skipReason)(title('config lines split and trimmed as Redis 7.0 does'), () => {
  const dirs: string[] = []
  afterAll(async () => {
    await stopAllNodes()
    for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
  })

  /** Starts both engines on a config file that must be refused; both exit non-zero with the same reason. */
  async function refusedByBoth(config: string, reason: string): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'rtopo-splitargs-'))
    dirs.push(dir)
    const path = join(dir, 'redis.conf')
    writeFileSync(path, `port ${await freePort()}\nbind 127.0.0.1\nsave ""\ndir ${dir}\n${config}`)
    const run = (file: string, args: string[]) => execa(file, args, {cwd: dir, reject: false, timeout: 15_000, stdin: 'ignore', all: true})
    const [ours, real] = await Promise.all([run(process.execPath, [bundledServerBin, path]), run(realRedis!.server, [path])])
    expect(real.exitCode, real.all).not.toBe(0)
    expect(real.all).toContain(reason)
    expect(ours.exitCode, ours.all).not.toBe(0)
    expect(ours.all).toContain(reason)
  }

  it('a trailing \\v or \\f stays in the last argument, an unbalanced quote is refused', async () => {
    await refusedByBoth('maxclients 100\v\n', "argument couldn't be parsed into an integer")
    await refusedByBoth('maxclients 100\f\n', "argument couldn't be parsed into an integer")
    await refusedByBoth('maxclients "100"x\n', 'Unbalanced quotes in configuration line')
    await refusedByBoth('databases\f 7\n', 'Bad directive or wrong number of arguments')
  })

  it('\\v and \\f before the directive or after a closing quote separate words', async () => {
    for (const engine of ['bundled', 'redis'] as const) {
      const node = await startServer({engine, config: '\vmaxclients "123"\v\n\f  databases 7\n'})
      const c = node.client()
      expect(await c.config('GET', 'maxclients')).toEqual(['maxclients', '123'])
      expect(await c.config('GET', 'databases')).toEqual(['databases', '7'])
      await node.stop()
    }
  })
})
