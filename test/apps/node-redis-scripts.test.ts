// node-redis 5 scripting on each engine, in RESP2 and RESP3: EVAL/EVALSHA/SCRIPT commands, scripts declared
// with defineScript (EVALSHA first, EVAL on NOSCRIPT, then cached), functions loaded, listed, called (FCALL and
// FCALL_RO) and deleted, declared functions, RESP3 types returned by a script, and EVAL inside MULTI.

import {createClient, defineScript} from 'redis'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {bundledMissing, removeDir, startServer, type Engine, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {sha1} from '../helpers/script-cases.js'

const ENGINES: [Engine, string | undefined][] = [['bundled', bundledMissing], ['redis', realRedisMissing]]

const ADD_AND_GET = "redis.call('incrby', KEYS[1], ARGV[1]); return redis.call('get', KEYS[1])"
const LIBRARY = "#!lua name=nr\n" +
  "redis.register_function('nr_add', function(keys, args) return redis.call('incrby', keys[1], args[1]) end)\n" +
  "redis.register_function{function_name='nr_get', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads one key'}"

const scripts = {
  addAndGet: defineScript({
    SCRIPT: ADD_AND_GET,
    NUMBER_OF_KEYS: 1,
    parseCommand(parser, key: string, by: number) {
      parser.pushKey(key)
      parser.push(String(by))
    },
    transformReply: (reply: unknown) => Number(reply),
  }),
}

for (const [engine, missing] of ENGINES) {
  for (const RESP of [2, 3] as const) {
    describe.skipIf(!!missing)(`node-redis scripting on ${engine}, RESP${RESP}${missing ? ` (skipped: ${missing})` : ''}`, () => {
      let node: NodeHandle
      let client: ReturnType<typeof makeClient>
      const makeClient = (port: number) => createClient({socket: {port, host: '127.0.0.1', reconnectStrategy: false}, RESP, scripts})

      beforeAll(async () => {
        node = await startServer({engine, args: ['--save', '']})
        client = makeClient(node.port)
        client.on('error', () => {})
        await client.connect()
      })
      afterAll(async () => {
        await client?.close().catch(() => undefined)
        await node?.kill()
        if (node) removeDir(node.dir)
      })

      it('EVAL, SCRIPT LOAD/EXISTS/FLUSH and EVALSHA', async () => {
        expect(await client.eval("return {KEYS[1], ARGV[1], 3}", {keys: ['k'], arguments: ['a']})).toEqual(['k', 'a', 3])
        const sha = await client.scriptLoad(ADD_AND_GET)
        expect(sha).toBe(sha1(ADD_AND_GET))
        expect(await client.scriptExists([sha, sha1('never loaded')])).toEqual([1, 0])
        expect(await client.evalSha(sha, {keys: ['n'], arguments: ['5']})).toBe('5')
        expect(await client.scriptFlush()).toBe('OK')
        await expect(client.evalSha(sha, {keys: ['n'], arguments: ['1']})).rejects.toThrow('NOSCRIPT No matching script. Please use EVAL.')
        await expect(client.eval("return redis.call('nosuch')")).rejects.toThrow(/^ERR Unknown Redis command called from script script: [0-9a-f]{40}, on @user_script:1\.$/)
      })

      it('a script declared with defineScript falls back to EVAL once, then runs by its sha', async () => {
        await client.scriptFlush()
        expect(await client.addAndGet('counter', 2)).toBe(2)
        expect(await client.scriptExists([sha1(ADD_AND_GET)])).toEqual([1])
        expect(await client.addAndGet('counter', 3)).toBe(5)
      })

      it('functions: FUNCTION LOAD, LIST, FCALL, FCALL_RO, DELETE', async () => {
        await client.functionFlush()
        expect(await client.functionLoad(LIBRARY)).toBe('nr')
        await expect(client.functionLoad(LIBRARY)).rejects.toThrow("Library 'nr' already exists")
        expect(await client.functionLoad(LIBRARY, {REPLACE: true})).toBe('nr')
        const [library] = await client.functionList()
        expect(library?.library_name).toBe('nr')
        expect(library?.engine).toBe('LUA')
        const functions = [...(library?.functions ?? [])].sort((a, b) => String(a.name).localeCompare(String(b.name)))
        expect(functions.map((f) => [f.name, f.description, [...f.flags]])).toEqual([['nr_add', null, []], ['nr_get', 'reads one key', ['no-writes']]])
        expect(await client.fCall('nr_add', {keys: ['f'], arguments: ['7']})).toBe(7)
        expect(await client.fCallRo('nr_get', {keys: ['f']})).toBe('7')
        await expect(client.fCallRo('nr_add', {keys: ['f'], arguments: ['1']})).rejects.toThrow('Can not execute a script with write flag using *_ro command.')
        expect(await client.functionDelete('nr')).toBe('OK')
        await expect(client.fCall('nr_add', {keys: ['f'], arguments: ['1']})).rejects.toThrow('Function not found')
      })

      it('RESP3 values returned by a script, and EVAL inside MULTI', async () => {
        const reply = await client.eval("redis.setresp(3); return {{map={a=1}}, {double=1.5}, true, {set={x=true}}}")
        if (RESP === 3) expect(reply).toEqual([{a: 1}, 1.5, true, ['x']])
        else expect(reply).toEqual([['a', 1], '1.5', 1, ['x']])
        const results = await client.multi().eval("return redis.call('incr', KEYS[1])", {keys: ['m']}).eval("return redis.call('incr', KEYS[1])", {keys: ['m']}).exec()
        expect(results).toEqual([1, 2])
      })
    })
  }
}

