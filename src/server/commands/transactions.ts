// Transactions (multi.c): MULTI EXEC DISCARD WATCH UNWATCH. Queueing, the EXECABORT flag and EXEC's own
// gates live in the dispatcher; these handlers open, run (through ctx.call) and drop the transaction and
// manage WATCHed keys.

import {keyOf} from '../../common/key.js'
import {EXECABORT, NESTED_MULTI, NOT_IN_MULTI_DISCARD, NOT_IN_MULTI_EXEC, WATCH_IN_MULTI} from '../../resp/errors.js'
import {array, NIL_ARRAY, OK, type Reply} from '../../resp/reply.js'
import {ALL_KEYS, NO_KEYS, type CommandContext, type CommandSpec} from '../command-spec.js'

const multiCommand = (ctx: CommandContext): Reply => {
  if (ctx.client.multi !== undefined) return NESTED_MULTI
  ctx.client.multi = {queue: [], aborted: false}
  return OK
}

/** EXEC runs the queue atomically unless a watched key changed or a queued command was rejected. */
const execCommand = (ctx: CommandContext): Reply => {
  const client = ctx.client
  const multi = client.multi
  if (multi === undefined) return NOT_IN_MULTI_EXEC
  client.multi = undefined
  if (multi.aborted) {
    ctx.clients.unwatchAll(client)
    return EXECABORT
  }
  const changed = ctx.clients.watchedKeyChanged(client)
  ctx.clients.unwatchAll(client)
  if (changed) return NIL_ARRAY
  // Each queued command goes through the pipeline as an 'exec' call (it never blocks); their writes
  // reach replicas wrapped in MULTI/EXEC.
  return ctx.propagateTransaction(() => array(multi.queue.map((queued) => ctx.call(queued.args, 'exec'))))
}

const discardCommand = (ctx: CommandContext): Reply => {
  if (ctx.client.multi === undefined) return NOT_IN_MULTI_DISCARD
  ctx.client.multi = undefined
  ctx.clients.unwatchAll(ctx.client)
  return OK
}

const watchCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  if (ctx.client.multi !== undefined) return WATCH_IN_MULTI
  for (const key of args) ctx.clients.watch(ctx.client, keyOf(key))
  return OK
}

const unwatchCommand = (ctx: CommandContext): Reply => {
  ctx.clients.unwatchAll(ctx.client)
  return OK
}

export const transactionCommands: readonly CommandSpec[] = [
  {name: 'multi', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], keys: NO_KEYS, categories: ['fast', 'transaction'], handler: multiCommand},
  {name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], keys: NO_KEYS, categories: ['slow', 'transaction'], handler: execCommand},
  {name: 'discard', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], keys: NO_KEYS, categories: ['fast', 'transaction'], handler: discardCommand},
  {name: 'watch', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], keys: ALL_KEYS, categories: ['fast', 'transaction'], handler: watchCommand},
  {name: 'unwatch', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], keys: NO_KEYS, categories: ['fast', 'transaction'], handler: unwatchCommand},
]
