// A script that runs past busy-reply-threshold (alias lua-time-limit): other clients get -BUSY, SCRIPT KILL and
// FUNCTION KILL stop a script that has not written, a script that wrote is UNKILLABLE and only SHUTDOWN NOSAVE
// ends it (the process exits). Each scenario runs on a fresh real Redis 7.0 and on a fresh rtopo-server with
// several raw clients; the transcripts of what the clients received must be equal. Waits are polls with a
// stated reason; nothing depends on how long a script has run beyond "past the threshold".

import {afterAll, describe, expect, it} from 'vitest'
import {bundledMissing, startServer, stopAllNodes, removeDir, type Engine, type NodeHandle} from '../helpers/nodes.js'
import type {RawClient} from '../helpers/raw-client.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {waitFor} from '../helpers/wait-for.js'

const skip = realRedisMissing ?? bundledMissing

const SPIN_LIB = "#!lua name=spin\nredis.register_function('spin', function() while true do end end)\n" +
  "redis.register_function('wspin', function(keys) redis.call('set', keys[1], '1') while true do end end)\n" +
  "redis.register_function{function_name='rospin', callback=function() while true do end end, flags={'no-writes'}}"

interface Ctx {
  node: NodeHandle
  open(): Promise<RawClient>
  log(label: string, reply: Buffer | string): void
  /** Polls PING on `client` until the server answers -BUSY (the script is past the threshold). */
  untilBusy(client: RawClient): Promise<void>
}
type Scenario = (ctx: Ctx) => Promise<void>

/** FUNCTION STATS while a function runs carries its running time; the rest must match. */
const withoutDuration = (reply: Buffer): string => reply.toString('latin1').replace(/(\$11\r\nduration_ms\r\n):\d+\r\n/, '$1:<ms>\r\n')

async function runOn(engine: Engine, scenario: Scenario): Promise<string[]> {
  const node = await startServer({engine, args: ['--save', '']})
  const transcript: string[] = []
  const clients: RawClient[] = []
  try {
    await scenario({
      node,
      open: async () => {
        const c = await node.raw()
        clients.push(c)
        return c
      },
      log: (label, reply) => transcript.push(`${label}: ${JSON.stringify(typeof reply === 'string' ? reply : reply.toString('latin1'))}`),
      untilBusy: async (client) => {
        // One PING at a time, each awaited in full, so that no late reply is left for the next command.
        const ping = async (): Promise<Buffer> => {
          client.send('*1\r\n$4\r\nPING\r\n')
          return client.reply(15_000)
        }
        const busy = await waitFor(ping, (r) => r.toString('latin1').startsWith('-BUSY'), {
          what: `${engine}: PING answered -BUSY once the script runs past busy-reply-threshold (100 ms)`,
          timeoutMs: 15_000,
        })
        transcript.push(`ping while busy: ${JSON.stringify(busy.toString('latin1'))}`)
      },
    })
  } finally {
    for (const c of clients) c.close()
    await node.kill()
    removeDir(node.dir)
  }
  return transcript
}

async function sameScenario(scenario: Scenario): Promise<string[]> {
  const real = await runOn('redis', scenario)
  const ours = await runOn('bundled', scenario)
  expect(ours).toEqual(real)
  return real
}

/** Sets the threshold through its alias and shows both names read back. */
async function lowThreshold(ctx: Ctx, admin: RawClient): Promise<void> {
  ctx.log('config set lua-time-limit', await admin.command('CONFIG', 'SET', 'lua-time-limit', '100'))
  ctx.log('config get busy-reply-threshold', await admin.command('CONFIG', 'GET', 'busy-reply-threshold'))
  ctx.log('config set busy-reply-threshold', await admin.command('CONFIG', 'SET', 'busy-reply-threshold', '100'))
  ctx.log('config get lua-time-limit', await admin.command('CONFIG', 'GET', 'lua-time-limit'))
}

describe.skipIf(!!skip)(`busy scripts match Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(stopAllNodes)

  it('an EVAL loop makes others BUSY; SCRIPT KILL stops it and the server answers again', async () => {
    const transcript = await sameScenario(async (ctx) => {
      const [a, b, c] = [await ctx.open(), await ctx.open(), await ctx.open()]
      await lowThreshold(ctx, b)
      a.send('*3\r\n$4\r\nEVAL\r\n$17\r\nwhile true do end\r\n$1\r\n0\r\n')
      await ctx.untilBusy(b)
      for (const command of [['GET', 'x'], ['EVAL', 'return 1', '0'], ['SCRIPT', 'EXISTS', 'x'], ['SCRIPT', 'LOAD', 'return 1'], ['FUNCTION', 'STATS'],
        ['FUNCTION', 'KILL'], ['SHUTDOWN'], ['SHUTDOWN', 'SAVE'], ['SCRIPT', 'KILL', 'x'], ['CONFIG', 'GET', 'port']]) {
        ctx.log(`B ${command.join(' ')}`, await b.command(...command))
      }
      // MULTI is accepted while busy and commands are queued, not run; DISCARD drops them.
      ctx.log('C MULTI', await c.command('MULTI'))
      ctx.log('C SCRIPT KILL (queued)', await c.command('SCRIPT', 'KILL'))
      ctx.log('C DISCARD', await c.command('DISCARD'))
      // A connection opened while busy gets -BUSY too.
      const late = await ctx.open()
      ctx.log('new connection PING', await late.command('PING'))
      ctx.log('B SCRIPT KILL', await b.command('SCRIPT', 'KILL'))
      ctx.log('A reply', await a.reply())
      ctx.log('A PING', await a.command('PING'))
      ctx.log('B PING', await b.command('PING'))
      ctx.log('B SCRIPT KILL again', await b.command('SCRIPT', 'KILL'))
    })
    expect(transcript).toContain('B SCRIPT KILL: "+OK\\r\\n"')
    expect(transcript.find((l) => l.startsWith('A reply'))).toContain('Script killed by user with SCRIPT KILL...')
  })

  it('a script that wrote before looping is UNKILLABLE; SHUTDOWN NOSAVE ends the process', async () => {
    await sameScenario(async (ctx) => {
      const [a, b] = [await ctx.open(), await ctx.open()]
      await lowThreshold(ctx, b)
      const script = "redis.call('set','w','1') while true do end"
      a.send(`*3\r\n$4\r\nEVAL\r\n$${script.length}\r\n${script}\r\n$1\r\n0\r\n`)
      await ctx.untilBusy(b)
      ctx.log('B SCRIPT KILL', await b.command('SCRIPT', 'KILL'))
      ctx.log('B FUNCTION KILL', await b.command('FUNCTION', 'KILL'))
      ctx.log('B PING', await b.command('PING'))
      ctx.log('B SHUTDOWN', await b.command('SHUTDOWN'))
      b.send('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n')
      await b.waitClosed(10_000)
      ctx.log('B after SHUTDOWN NOSAVE', b.remaining())
      await a.waitClosed(10_000)
      ctx.log('A after SHUTDOWN NOSAVE', a.remaining())
      const exit = (await ctx.node.exited) as {exitCode?: number; signal?: string}
      ctx.log('process exit', `code ${String(exit.exitCode)} signal ${String(exit.signal)}`)
    })
  })

  it('FUNCTION KILL stops a looping FCALL or FCALL_RO; SCRIPT KILL and FUNCTION KILL refuse the other kind', async () => {
    await sameScenario(async (ctx) => {
      const [a, b] = [await ctx.open(), await ctx.open()]
      await lowThreshold(ctx, b)
      ctx.log('FUNCTION LOAD', await b.command('FUNCTION', 'LOAD', SPIN_LIB))
      for (const call of [['FCALL', 'spin', '0'], ['FCALL_RO', 'rospin', '0']]) {
        a.send(`*3\r\n${call.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}`)
        await ctx.untilBusy(b)
        ctx.log(`B FUNCTION STATS during ${call[0]}`, withoutDuration(await b.command('FUNCTION', 'STATS')))
        ctx.log('B SCRIPT KILL', await b.command('SCRIPT', 'KILL'))
        ctx.log('B FUNCTION KILL', await b.command('FUNCTION', 'KILL'))
        ctx.log('A reply', await a.reply())
        ctx.log('B PING', await b.command('PING'))
      }
      // During an EVAL, FUNCTION KILL is refused and SCRIPT KILL works.
      a.send('*3\r\n$4\r\nEVAL\r\n$17\r\nwhile true do end\r\n$1\r\n0\r\n')
      await ctx.untilBusy(b)
      ctx.log('B FUNCTION KILL during EVAL', await b.command('FUNCTION', 'KILL'))
      ctx.log('B SCRIPT KILL during EVAL', await b.command('SCRIPT', 'KILL'))
      ctx.log('A reply', await a.reply())
      ctx.log('B FUNCTION STATS', await b.command('FUNCTION', 'STATS'))
    })
  })

  it('a function that wrote before looping is UNKILLABLE too, until SHUTDOWN NOSAVE', async () => {
    await sameScenario(async (ctx) => {
      const [a, b] = [await ctx.open(), await ctx.open()]
      await lowThreshold(ctx, b)
      ctx.log('FUNCTION LOAD', await b.command('FUNCTION', 'LOAD', SPIN_LIB))
      a.send('*4\r\n$5\r\nFCALL\r\n$5\r\nwspin\r\n$1\r\n1\r\n$1\r\nk\r\n')
      await ctx.untilBusy(b)
      ctx.log('B FUNCTION KILL', await b.command('FUNCTION', 'KILL'))
      ctx.log('B SCRIPT KILL', await b.command('SCRIPT', 'KILL'))
      b.send('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n')
      await b.waitClosed(10_000)
      await a.waitClosed(10_000)
      ctx.log('after SHUTDOWN NOSAVE', `${a.remaining().toString('latin1')}|${b.remaining().toString('latin1')}`)
      const exit = (await ctx.node.exited) as {exitCode?: number}
      ctx.log('process exit', `code ${String(exit.exitCode)}`)
    })
  })
})
