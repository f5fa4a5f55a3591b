// redis-py's Lock (python3-redis 4.3.4: its acquire, extend, reacquire and release Lua scripts through
// register_script, EVALSHA with a SCRIPT LOAD on NOSCRIPT) against each engine, from a python3 process:
// acquire, extend (added or replaced TTL), a second lock refused while the first is held, release, a lock that
// expired taken over, and a blocked acquire in another thread that gets the lock once it is released.

import {execFileSync} from 'node:child_process'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {bundledMissing, removeDir, startServer, type Engine, type NodeHandle} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'

/** The first python3 that can import redis (Debian's python3-redis lives under /usr/bin/python3). */
const python = ['/usr/bin/python3', 'python3'].find((candidate) => {
  try {
    execFileSync(candidate, ['-c', 'import redis'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})
const pythonMissing = python ? undefined : 'python3 -c "import redis" fails (apt-get install python3-redis)'

const SCENARIO = String.raw`import json, sys, time, threading
import redis
from redis.exceptions import LockError, LockNotOwnedError

r = redis.Redis(host='127.0.0.1', port=int(sys.argv[1]))
out = {}
a = r.lock('resource', timeout=5)
out['acquired'] = a.acquire(blocking=False)
out['locked'] = a.locked()
out['owned'] = a.owned()
out['stored token is ours'] = r.get('resource') == a.local.token
out['ttl within timeout'] = 0 < r.pttl('resource') <= 5000
out['extended'] = a.extend(10)
out['ttl after extend above 5 s'] = r.pttl('resource') > 5000
out['extend replacing ttl'] = a.extend(2, replace_ttl=True)
out['ttl replaced within 2 s'] = 0 < r.pttl('resource') <= 2000
a.extend(30, replace_ttl=True)
b = r.lock('resource', timeout=5)
out['second lock, non-blocking'] = b.acquire(blocking=False)
out['second lock, 0.2 s timeout'] = b.acquire(blocking_timeout=0.2)
out['second lock owned'] = b.owned()
a.release()
out['key after release'] = r.exists('resource')
out['second lock after release'] = b.acquire(blocking=False)
try:
    a.release()
    out['releasing a released lock'] = 'no error'
except LockError as e:
    out['releasing a released lock'] = type(e).__name__ + ': ' + str(e)
try:
    a.extend(1)
    out['extending a released lock'] = 'no error'
except LockError as e:
    out['extending a released lock'] = type(e).__name__ + ': ' + str(e)
b.release()

c = r.lock('short', timeout=0.3)
out['short lock'] = c.acquire()
while r.exists('short'):
    time.sleep(0.01)
d = r.lock('short', timeout=5)
out['expired lock taken over'] = d.acquire(blocking=False)
try:
    c.release()
    out['releasing an expired lock'] = 'no error'
except LockError as e:
    out['releasing an expired lock'] = type(e).__name__ + ': ' + str(e)
try:
    c.extend(1)
    out['extending an expired lock'] = 'no error'
except LockError as e:
    out['extending an expired lock'] = type(e).__name__ + ': ' + str(e)
out['reacquire'] = d.reacquire()
out['ttl after reacquire'] = 4000 < r.pttl('short') <= 5000
d.release()

first = r.lock('blocking', timeout=10)
first.acquire()
state = {}
def waiter():
    second = r.lock('blocking', timeout=10, sleep=0.02)
    state['waiting'] = True
    state['acquired'] = second.acquire(blocking_timeout=20)
    state['token'] = r.get('blocking') == second.local.token
    second.release()
t = threading.Thread(target=waiter)
t.start()
while not state.get('waiting'):
    time.sleep(0.01)
out['waiter still blocked'] = r.get('blocking') == first.local.token
first.release()
t.join(30)
out['waiter got the lock after the release'] = state.get('acquired')
out['waiter token stored'] = state.get('token')
scripts = [redis.lock.Lock.lua_release, redis.lock.Lock.lua_extend, redis.lock.Lock.lua_reacquire]
out['the lock scripts are cached'] = r.script_exists(*[s.sha for s in scripts])
print(json.dumps(out))
`

/** What the scenario prints, the same for every engine (checked against real Redis 7.0). */
const EXPECTED = {
  'acquired': true,
  'locked': true,
  'owned': true,
  'stored token is ours': true,
  'ttl within timeout': true,
  'extended': true,
  'ttl after extend above 5 s': true,
  'extend replacing ttl': true,
  'ttl replaced within 2 s': true,
  'second lock, non-blocking': false,
  'second lock, 0.2 s timeout': false,
  'second lock owned': false,
  'key after release': 0,
  'second lock after release': true,
  'releasing a released lock': 'LockError: Cannot release an unlocked lock',
  'extending a released lock': 'LockError: Cannot extend an unlocked lock',
  'short lock': true,
  'expired lock taken over': true,
  'releasing an expired lock': "LockNotOwnedError: Cannot release a lock that's no longer owned",
  'extending an expired lock': 'LockError: Cannot extend an unlocked lock',
  'reacquire': true,
  'ttl after reacquire': true,
  'waiter still blocked': true,
  'waiter got the lock after the release': true,
  'waiter token stored': true,
  'the lock scripts are cached': [true, true, true],
}

const ENGINES: [Engine, string | undefined][] = [['bundled', bundledMissing], ['redis', realRedisMissing]]

for (const [engine, missing] of ENGINES) {
  const skip = pythonMissing ?? missing
  describe.skipIf(!!skip)(`redis-py Lock on ${engine}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let node: NodeHandle
    beforeAll(async () => {
      node = await startServer({engine, args: ['--save', '']})
    })
    afterAll(async () => {
      await node?.kill()
      if (node) removeDir(node.dir)
    })

    it('acquires, extends, blocks a second lock, releases, and hands over expired and released locks', async () => {
      const run = await execa(python as string, ['-c', SCENARIO, String(node.port)], {reject: false, timeout: 60_000})
      expect(run.exitCode, `${run.stdout}${run.stderr}`).toBe(0)
      expect(JSON.parse(run.stdout)).toEqual(EXPECTED)
      // Every lock was released or expired: no key is left.
      const client = node.client()
      expect(Number(await client.call('DBSIZE'))).toBe(0)
    })
  })
}
