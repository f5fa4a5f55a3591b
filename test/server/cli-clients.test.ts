// Smoke tests with the other real clients: redis-cli (one-shot and RESP3) and redis-py (python3-redis,
// which sends HELLO 3 in 8.x). Each skips visibly when its client is not installed.

import {execFileSync} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {bundledMissing, startServer, stopAllNodes, type NodeHandle} from '../helpers/nodes.js'
import {redisCli} from '../helpers/real-redis.js'

const redisPyMissing = ((): string | undefined => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import redis'], {stdio: 'ignore'})
    return undefined
  } catch {
    return 'python3-redis not installed (apt-get install python3-redis)'
  }
})()

describe.skipIf(!!bundledMissing)(`other clients against rtopo-server${bundledMissing ? ` (skipped: ${bundledMissing})` : ''}`, () => {
  let node: NodeHandle

  beforeAll(async () => {
    node = await startServer({engine: 'bundled', args: ['--save', '']})
  })
  afterAll(async () => {
    await stopAllNodes()
  })

  const cli = (...args: string[]): string => execFileSync(redisCli as string, ['-p', String(node.port), ...args], {encoding: 'utf8'})

  it.skipIf(!redisCli)(`redis-cli one-shot, RESP3 and INFO${redisCli ? '' : ' (skipped: redis-cli not installed)'}`, () => {
    expect(cli('PING')).toBe('PONG\n')
    expect(cli('-3', 'HELLO', '3')).toContain('proto 3\n')
    expect(cli('ROLE')).toBe('master\n0\n\n')
    expect(cli('INFO', 'replication')).toMatch(/^# Replication\r\nrole:master\r\n/)
    expect(cli('CLIENT', 'SETNAME', 'a b')).toBe('ERR Client names cannot contain spaces, newlines or special characters.\n\n')
  })

  it.skipIf(!!redisPyMissing)(`redis-py connects and runs commands${redisPyMissing ? ` (skipped: ${redisPyMissing})` : ''}`, () => {
    const script = [
      'import redis',
      `r = redis.Redis(port=${node.port}, client_name="py")`,
      'assert r.ping() is True',
      'assert r.client_getname() in (b"py", "py"), r.client_getname()',
      'assert r.info("server")["redis_version"] == "7.0.15"',
      'p = r.pubsub(); p.subscribe("ch"); p.get_message(timeout=1)',
      'assert r.publish("ch", "hi") == 1',
      'm = p.get_message(timeout=2); assert m["data"] == b"hi", m',
      'print("ok", r.execute_command("ROLE")[0])',
    ].join('\n')
    expect(execFileSync('/usr/bin/python3', ['-c', script], {encoding: 'utf8'}).trim()).toMatch(/^ok (master|b'master')$/)
  })
})
