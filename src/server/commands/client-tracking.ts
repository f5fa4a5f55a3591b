// CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO (networking.c clientCommand, tracking.c): the options are
// parsed first, then checked against each other and the client's current mode, in Redis's order and words.

import {keyOf} from '../../common/key.js'
import {
  CACHING_NO_WITHOUT_OPTOUT,
  CACHING_WITHOUT_TRACKING,
  CACHING_YES_WITHOUT_OPTIN,
  NOT_INTEGER,
  SYNTAX,
  TRACKING_BCAST_SWITCH,
  TRACKING_NO_REDIRECT_CLIENT,
  TRACKING_ONE_REDIRECT,
  TRACKING_OPT_SWITCH,
  TRACKING_OPTIN_AND_OPTOUT,
  TRACKING_OPTIN_OPTOUT_BCAST,
  TRACKING_PREFIX_WITHOUT_BCAST,
  prefixOverlapsExisting,
  prefixOverlapsProvided,
} from '../../resp/errors.js'
import {array, bulk, int, map, OK, raw, set, type Reply} from '../../resp/reply.js'
import {encodeReply} from '../../resp/encoder.js'
import type {Client} from '../client.js'
import type {CommandContext} from '../command-spec.js'
import type {TrackingMode} from '../tracking.js'
import {isOption, parseInt64} from './args.js'

interface ParsedTracking {
  mode: TrackingMode
  prefixes: string[]
}

const byBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** The options after ON|OFF; an error reply as soon as one is wrong. */
function parseOptions(ctx: CommandContext, args: readonly Buffer[]): ParsedTracking | Reply {
  let redirect = 0
  const flags = {bcast: false, optin: false, optout: false, noloop: false}
  const prefixes: string[] = []
  for (let j = 1; j < args.length; j++) {
    const more = args.length - 1 - j
    const arg = args[j]
    if (isOption(arg, 'REDIRECT') && more > 0) {
      j++
      if (redirect !== 0) return TRACKING_ONE_REDIRECT
      const id = parseInt64(args[j] as Buffer)
      if (!id.ok) return NOT_INTEGER
      // The client must exist now, although it may go away later.
      if (ctx.clients.byId(Number(id.value)) === undefined) return TRACKING_NO_REDIRECT_CLIENT
      redirect = Number(id.value)
    } else if (isOption(arg, 'BCAST')) {
      flags.bcast = true
    } else if (isOption(arg, 'OPTIN')) {
      flags.optin = true
    } else if (isOption(arg, 'OPTOUT')) {
      flags.optout = true
    } else if (isOption(arg, 'NOLOOP')) {
      flags.noloop = true
    } else if (isOption(arg, 'PREFIX') && more > 0) {
      j++
      prefixes.push(keyOf(args[j] as Buffer))
    } else {
      return SYNTAX
    }
  }
  return {mode: {redirect, ...flags}, prefixes}
}

/** The checks of CLIENT TRACKING ON against the options and the current mode. */
function incompatibility(client: Client, {mode, prefixes}: ParsedTracking): Reply | undefined {
  if (!mode.bcast && prefixes.length > 0) return TRACKING_PREFIX_WITHOUT_BCAST
  const current = client.tracking
  if (current !== undefined && current.bcast !== mode.bcast) return TRACKING_BCAST_SWITCH
  if (mode.bcast && (mode.optin || mode.optout)) return TRACKING_OPTIN_OPTOUT_BCAST
  if (mode.optin && mode.optout) return TRACKING_OPTIN_AND_OPTOUT
  if ((mode.optin && current?.optout === true) || (mode.optout && current?.optin === true)) return TRACKING_OPT_SWITCH
  return undefined
}

/**
 * checkPrefixCollisionsOrReply, including its quirk: an overlap among the given prefixes found past the first one
 * returns a true value after the error, so tracking is enabled and +OK follows the error.
 */
function prefixCollision(client: Client, prefixes: readonly string[]): {error: Reply; proceed: boolean} | undefined {
  const existing = [...(client.tracking?.prefixes ?? [])].sort(byBytes)
  for (let i = 0; i < prefixes.length; i++) {
    const prefix = prefixes[i] as string
    const clash = existing.find((p) => overlaps(p, prefix))
    if (clash !== undefined) return {error: prefixOverlapsExisting(prefix, clash), proceed: false}
    for (let j = i + 1; j < prefixes.length; j++) {
      if (overlaps(prefix, prefixes[j] as string)) return {error: prefixOverlapsProvided(prefix, prefixes[j] as string), proceed: i !== 0}
    }
  }
  return undefined
}

/** stringCheckPrefix: one is a prefix of the other. */
const overlaps = (a: string, b: string): boolean => a.startsWith(b) || b.startsWith(a)

export const trackingCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const parsed = parseOptions(ctx, args)
  if ('kind' in parsed) return parsed
  const client = ctx.client
  if (isOption(args[0], 'OFF')) {
    ctx.tracking.disable(client)
    return OK
  }
  if (!isOption(args[0], 'ON')) return SYNTAX
  const refused = incompatibility(client, parsed)
  if (refused !== undefined) return refused
  const collision = parsed.mode.bcast ? prefixCollision(client, parsed.prefixes) : undefined
  if (collision !== undefined && !collision.proceed) return collision.error
  ctx.tracking.enable(client, parsed.mode, parsed.prefixes)
  if (collision === undefined) return OK
  return raw(Buffer.concat([encodeReply(collision.error, client.resp), encodeReply(OK, client.resp)]))
}

export const cachingCommand = (ctx: CommandContext, args: readonly Buffer[]): Reply => {
  const tracking = ctx.client.tracking
  if (tracking === undefined) return CACHING_WITHOUT_TRACKING
  if (isOption(args[0], 'YES')) {
    if (!tracking.optin) return CACHING_YES_WITHOUT_OPTIN
  } else if (isOption(args[0], 'NO')) {
    if (!tracking.optout) return CACHING_NO_WITHOUT_OPTOUT
  } else {
    return SYNTAX
  }
  tracking.caching = true
  return OK
}

export const getredirCommand = (ctx: CommandContext): Reply => int(ctx.client.tracking?.redirect ?? -1)

export const trackinginfoCommand = (ctx: CommandContext): Reply => {
  const t = ctx.client.tracking
  const flags = [t === undefined ? 'off' : 'on']
  if (t !== undefined) {
    if (t.bcast) flags.push('bcast')
    if (t.optin) flags.push('optin', ...(t.caching ? ['caching-yes'] : []))
    if (t.optout) flags.push('optout', ...(t.caching ? ['caching-no'] : []))
    if (t.noloop) flags.push('noloop')
    if (t.brokenRedirect) flags.push('broken_redirect')
  }
  const prefixes = [...(t?.prefixes ?? [])].sort(byBytes).map((p) => bulk(Buffer.from(p, 'latin1')))
  return map([
    [bulk('flags'), set(flags.map((f) => bulk(f)))],
    [bulk('redirect'), int(t?.redirect ?? -1)],
    [bulk('prefixes'), array(prefixes)],
  ])
}
