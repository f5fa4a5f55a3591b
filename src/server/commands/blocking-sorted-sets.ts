// The blocking sorted-set pops (t_zset.c): BZPOPMIN, BZPOPMAX and BZMPOP. They serve at once like ZPOPMIN/ZMPOP
// when a key has members; otherwise the client waits (blocking.ts) for a write to one of its keys.

import {NIL_ARRAY, type Reply} from '../../resp/reply.js'
import type {BlockedOperation} from '../blocking.js'
import type {CommandContext, CommandSpec} from '../command-spec.js'
import {parseBlockingTimeout} from './args.js'
import {serveOrBlock} from './blocking-lists.js'
import {isReply} from './collection-access.js'
import {numkeysAt} from './keys-of.js'
import {parseMultiPopArgs, popFromSortedSets, popOneFromSortedSets, type PopEnd} from './sorted-sets-pop.js'

const POP_ONE = {arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], keys: {first: 1, last: -2, step: 1}, categories: ['write', 'sortedset', 'fast', 'blocking']} as const

export const blockingSortedSetCommands: readonly CommandSpec[] = [
  {name: 'bzpopmin', ...POP_ONE, handler: (ctx, a) => blockingPopOne(ctx, a, 'min')},
  {name: 'bzpopmax', ...POP_ONE, handler: (ctx, a) => blockingPopOne(ctx, a, 'max')},
  {name: 'bzmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], keys: {first: 0, last: 0, step: 0}, getKeys: numkeysAt(2), categories: ['write', 'sortedset', 'slow', 'blocking'], handler: bzmpopCommand},
]

/**
 * The attempt a waiting client repeats: on the first try every key in order (a wrong type answers WRONGTYPE);
 * when woken, only the written key, where a wrong type just keeps the client waiting.
 */
function attemptOn(keys: readonly Buffer[], pop: (ctx: CommandContext, keys: readonly Buffer[]) => Reply | undefined): BlockedOperation['serve'] {
  return (ctx, readyKey) => {
    if (readyKey === undefined) return pop(ctx, keys)
    const reply = pop(ctx, [Buffer.from(readyKey, 'latin1')])
    return reply !== undefined && reply.kind === 'error' ? undefined : reply
  }
}

function blockingPopOne(ctx: CommandContext, args: readonly Buffer[], end: PopEnd): Reply {
  const timeout = parseBlockingTimeout(args[args.length - 1] as Buffer)
  if (!timeout.ok) return timeout.error
  const keys = args.slice(0, -1)
  return serveOrBlock(ctx, keys, timeout.value, NIL_ARRAY, attemptOn(keys, (c, k) => popOneFromSortedSets(c, k, end)))
}

/** BZMPOP timeout numkeys key [key …] MIN|MAX [COUNT count]: the arguments are checked before the timeout. */
function bzmpopCommand(ctx: CommandContext, args: readonly Buffer[]): Reply {
  const parsed = parseMultiPopArgs(args.slice(1))
  if (isReply(parsed)) return parsed
  const timeout = parseBlockingTimeout(args[0] as Buffer)
  if (!timeout.ok) return timeout.error
  const {keys, end, count} = parsed
  return serveOrBlock(ctx, keys, timeout.value, NIL_ARRAY, attemptOn(keys, (c, k) => popFromSortedSets(c, k, end, count)))
}

