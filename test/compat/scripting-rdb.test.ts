// Function libraries in RDB files, both ways with real Redis 7.0: libraries loaded on one engine, SAVEd, and
// the file (copied) loaded by the other engine list the same (FUNCTION LIST WITHCODE, flags and descriptions
// included) and can be called; the dataset digests agree; the script cache is not persisted (Redis 7.0 no
// longer saves Lua scripts in RDB files); redis-check-rdb accepts the file we write.

import {execFileSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {bundledMissing, removeDir, startServer, stopAllNodes, type Engine, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {canonical, type RespValue} from '../helpers/resp-value.js'
import {sha1} from '../helpers/script-cases.js'

const skip = realRedisMissing ?? bundledMissing
const args = ['--save', '', '--enable-debug-command', 'yes', '--dbfilename', 'dump.rdb']

const LIBRARIES = [
  "#!lua name=counter\nredis.register_function('bump', function(keys, args) return redis.call('incrby', keys[1], args[1] or 1) end)\n" +
    "redis.register_function{function_name='peek', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes', 'allow-stale'}, description='reads the counter'}",
  // Long enough that the library code is LZF-compressed in the file.
  `#!lua name=long_lib\n-- ${'padding '.repeat(40)}\nredis.register_function('echo_all', function(keys, args) return {keys, args} end)`,
]
const SCRIPT = "return 'cached only in memory'"

interface Saved {
  dir: string
  list: RespValue
  digest: string
  calls: unknown[]
}

const calls = async (node: NodeHandle): Promise<unknown[]> => {
  const c = node.client({protocol: 2})
  return [await c.call('FCALL', 'bump', '1', 'n', '2'), await c.call('FCALL_RO', 'peek', '1', 'n'), await c.call('FCALL', 'echo_all', '1', 'k', 'a', 'b')]
}

async function functionList(node: NodeHandle): Promise<RespValue> {
  const raw = await node.raw()
  try {
    return canonical(await raw.command('FUNCTION', 'LIST', 'WITHCODE'), true)
  } finally {
    raw.close()
  }
}

/** Loads the libraries and a few keys on `engine`, SAVEs, stops; returns what the other side must see. */
async function saveOn(engine: Engine): Promise<Saved> {
  const dir = mkdtempSync(join(tmpdir(), `rtopo-fn-rdb-${engine}-`))
  const node = await startServer({engine, args, dir})
  const c = node.client({protocol: 2})
  for (const code of LIBRARIES) await c.call('FUNCTION', 'LOAD', code)
  await c.set('n', '40')
  await c.call('SCRIPT', 'LOAD', SCRIPT)
  const saved: Saved = {dir, list: await functionList(node), digest: String(await c.call('DEBUG', 'DIGEST')), calls: []}
  expect(await c.call('SAVE')).toBe('OK')
  await node.stop()
  expect(existsSync(join(dir, 'dump.rdb'))).toBe(true)
  return saved
}

/** Starts `engine` on a copy of the saved file and checks libraries, digest, calls and the empty script cache. */
async function loadOn(engine: Engine, saved: Saved, expectedCalls: unknown[]): Promise<NodeHandle> {
  const dir = mkdtempSync(join(tmpdir(), `rtopo-fn-rdb-load-${engine}-`))
  copyFileSync(join(saved.dir, 'dump.rdb'), join(dir, 'dump.rdb'))
  const node = await startServer({engine, args, dir})
  const c = node.client({protocol: 2})
  expect(await functionList(node)).toEqual(saved.list)
  expect(String(await c.call('DEBUG', 'DIGEST'))).toBe(saved.digest)
  expect(await c.call('SCRIPT', 'EXISTS', sha1(SCRIPT))).toEqual([0])
  expect(await calls(node)).toEqual(expectedCalls)
  const stats = (await c.call('FUNCTION', 'STATS')) as unknown[]
  expect(stats[3]).toEqual(['LUA', ['libraries_count', 2, 'functions_count', 3]])
  return node
}

describe.skipIf(!!skip)(`function libraries in RDB files with real Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const dirs: string[] = []
  afterAll(async () => {
    await stopAllNodes()
    for (const dir of dirs) removeDir(dir)
  })

  // What the calls answer right after loading the file (n was 40 when saved).
  const expected = [42, '42', [['k'], ['a', 'b']]]

  it('we load the libraries real Redis saved, and save a file real Redis loads', async () => {
    const saved = await saveOn('redis')
    dirs.push(saved.dir)
    const ours = await loadOn('bundled', saved, expected)
    dirs.push(ours.dir)
    // Ours saves again (n is now 42): real Redis loads that file with the same libraries.
    const client = ours.client({protocol: 2})
    const resaved: Saved = {dir: ours.dir, list: await functionList(ours), digest: String(await client.call('DEBUG', 'DIGEST')), calls: []}
    expect(await client.call('SAVE')).toBe('OK')
    await ours.stop()
    expect(execFileSync('redis-check-rdb', [join(ours.dir, 'dump.rdb')], {encoding: 'utf8'})).toContain('RDB looks OK')
    const real = await loadOn('redis', resaved, [44, '44', [['k'], ['a', 'b']]])
    dirs.push(real.dir)
  })

  it('real Redis loads the libraries we saved', async () => {
    const saved = await saveOn('bundled')
    dirs.push(saved.dir)
    const real = await loadOn('redis', saved, expected)
    dirs.push(real.dir)
  })
})
