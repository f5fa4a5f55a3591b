// Deeply nested replies against real Redis 7.0: a script returning tables nested thousands of levels deep
// (arrays, {map=…} by key and by value, {set=…}, and mixtures) converts level by level until Lua 5.1's
// C-stack limit, where Redis puts `-ERR reached lua stack limit` in place of the value and goes on. The cut-off
// depths were measured on Redis 7.0.15; the reply bytes are compared around each of them, in RESP2 and RESP3,
// from EVAL and FCALL, and the node must keep answering (a recursive encoder used to overflow its stack).

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startDifferentialPair, type DifferentialPair} from '../helpers/differential.js'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'

const skipReason = realRedisMissing ?? bundledMissing
const title = (what: string): string => `${what}${skipReason ? ` (skipped: ${skipReason})` : ''}`

/**
 * A script returning `leaf` wrapped `depth` times; wrapping n (1-based) uses pattern[n % pattern.length]:
 * a = {v}, m = {map={x=v}} (by value), k = {map={[v]=1}} (by key), s = {set={[v]=true}}.
 */
const nested = (pattern: string, depth: number, leaf = '1'): string => `local k = '${pattern}'
local v = ${leaf}
for n = 1, ${depth} do
  local i = (n % #k) + 1
  local c = string.sub(k, i, i)
  if c == 'a' then v = {v} elseif c == 'm' then v = {map={x=v}} elseif c == 'k' then v = {map={[v]=1}} else v = {set={[v]=true}} end
end
return v`

/** The first depth at which Redis 7.0.15 answers the stack-limit error somewhere in the reply (measured). */
const CUTOFFS: [pattern: string, depth: number][] = [['a', 7995], ['m', 2665], ['k', 1999], ['s', 2665], ['am', 3997], ['ams', 3426]]

describe.skipIf(!!skipReason)(title('deeply nested script replies match Redis 7.0'), () => {
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

  it.each(CUTOFFS)('pattern %s: converted up to the cut-off depth %i, the stack-limit error in place from there (RESP2)', async (pattern, depth) => {
    expect(await pair.expectSame('EVAL', nested(pattern, depth - 1), '0')).not.toContain('stack limit')
    expect(await pair.expectSame('EVAL', nested(pattern, depth), '0')).toContain('-ERR reached lua stack limit\r\n')
    await pair.expectSame('EVAL', nested(pattern, depth + 1), '0')
    await pair.expectSame('PING')
  })

  it('RESP3 callers and scripts (maps and sets as RESP3 types), other leaves, and far deeper than the limit', async () => {
    await pair.resp3()
    for (const [pattern, depth] of CUTOFFS) {
      await pair.expectSame('EVAL', nested(pattern, depth - 1), '0')
      await pair.expectSame('EVAL', nested(pattern, depth), '0')
      await pair.expectSame('EVAL', `redis.setresp(3)\n${nested(pattern, depth)}`, '0')
    }
    for (const leaf of ["'str'", '{}', '{map={}}', "{ok='fine'}", "{err='bad'}", '{double=1.5}', 'true', 'false']) {
      await pair.expectSame('EVAL', nested('a', 7994, leaf), '0')
      await pair.expectSame('EVAL', nested('a', 7995, leaf), '0')
    }
    await pair.expectSame('EVAL', nested('a', 20_000), '0')
    await pair.expectSame('EVAL', nested('ms', 12_000), '0')
    await pair.expectSame('PING')
  })

  it('a wide and deep table: siblings after the cut-off are converted too', async () => {
    const script = `local t = {}
local c = t
for i = 1, 7996 do c[1] = {} c[2] = i c = c[1] end
return t`
    await pair.expectSame('EVAL', script, '0')
  })

  it('FCALL has the same cut-off as EVAL', async () => {
    const library = (pattern: string, depth: number): string =>
      `#!lua name=deep\nredis.register_function('f', function(keys, args)\n${nested(pattern, depth)}\nend)`
    for (const [pattern, depth] of [['a', 7995], ['m', 2665]] as const) {
      await pair.expectSame('FUNCTION', 'LOAD', 'REPLACE', library(pattern, depth - 1))
      await pair.expectSame('FCALL', 'f', '0')
      await pair.expectSame('FUNCTION', 'LOAD', 'REPLACE', library(pattern, depth))
      await pair.expectSame('FCALL', 'f', '0')
    }
    await pair.expectSame('FUNCTION', 'FLUSH')
  })

  it('inside MULTI/EXEC the nested reply is one more level down, the cut-off the same', async () => {
    await pair.expectSame('MULTI')
    await pair.expectSame('EVAL', nested('a', 7994), '0')
    await pair.expectSame('EVAL', nested('a', 7995), '0')
    await pair.expectSame('EXEC')
  })
})
