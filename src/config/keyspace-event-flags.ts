// The `notify-keyspace-events` classes (notify.c keyspaceEventsStringToFlags / keyspaceEventsFlagsToString):
// the directive is stored in the form CONFIG GET shows, and the server's notifier reads the bits from it.

export const NOTIFY_KEYSPACE = 1 << 0 // K
export const NOTIFY_KEYEVENT = 1 << 1 // E
export const NOTIFY_GENERIC = 1 << 2 // g
export const NOTIFY_STRING = 1 << 3 // $
export const NOTIFY_LIST = 1 << 4 // l
export const NOTIFY_SET = 1 << 5 // s
export const NOTIFY_HASH = 1 << 6 // h
export const NOTIFY_ZSET = 1 << 7 // z
export const NOTIFY_EXPIRED = 1 << 8 // x
export const NOTIFY_EVICTED = 1 << 9 // e
export const NOTIFY_STREAM = 1 << 10 // t
export const NOTIFY_KEY_MISS = 1 << 11 // m (not part of A)
export const NOTIFY_MODULE = 1 << 13 // d
export const NOTIFY_NEW = 1 << 14 // n (not part of A)
export const NOTIFY_ALL =
  NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE

/** The class characters of one event (what a notifier is called with). */
export type EventClass = 'g' | '$' | 'l' | 's' | 'h' | 'z' | 'x' | 'e' | 't' | 'm' | 'd' | 'n'

const CLASS_BITS: Record<string, number> = {
  A: NOTIFY_ALL,
  g: NOTIFY_GENERIC,
  $: NOTIFY_STRING,
  l: NOTIFY_LIST,
  s: NOTIFY_SET,
  h: NOTIFY_HASH,
  z: NOTIFY_ZSET,
  x: NOTIFY_EXPIRED,
  e: NOTIFY_EVICTED,
  K: NOTIFY_KEYSPACE,
  E: NOTIFY_KEYEVENT,
  t: NOTIFY_STREAM,
  m: NOTIFY_KEY_MISS,
  d: NOTIFY_MODULE,
  n: NOTIFY_NEW,
}

/** The bit of one event class. */
export const eventClassBit = (eventClass: EventClass): number => CLASS_BITS[eventClass] as number

/** keyspaceEventsStringToFlags: the bits of a class string, or -1 for a character that names no class. */
export function keyspaceEventsStringToFlags(classes: string): number {
  let flags = 0
  for (const c of classes) {
    const bit = CLASS_BITS[c]
    if (bit === undefined) return -1
    flags |= bit
  }
  return flags
}

/** keyspaceEventsFlagsToString: A stands for all of NOTIFY_ALL (and then n is not written, as in Redis 7.0). */
export function keyspaceEventsFlagsToString(flags: number): string {
  let res = ''
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) {
    res += 'A'
  } else {
    if (flags & NOTIFY_GENERIC) res += 'g'
    if (flags & NOTIFY_STRING) res += '$'
    if (flags & NOTIFY_LIST) res += 'l'
    if (flags & NOTIFY_SET) res += 's'
    if (flags & NOTIFY_HASH) res += 'h'
    if (flags & NOTIFY_ZSET) res += 'z'
    if (flags & NOTIFY_EXPIRED) res += 'x'
    if (flags & NOTIFY_EVICTED) res += 'e'
    if (flags & NOTIFY_STREAM) res += 't'
    if (flags & NOTIFY_MODULE) res += 'd'
    if (flags & NOTIFY_NEW) res += 'n'
  }
  if (flags & NOTIFY_KEYSPACE) res += 'K'
  if (flags & NOTIFY_KEYEVENT) res += 'E'
  if (flags & NOTIFY_KEY_MISS) res += 'm'
  return res
}

/**
 * config.c setConfigNotifyKeyspaceEventsOption: the stored form, or the error. The stored form keeps every bit
 * (keyspaceEventsFlagsToString drops `n` next to `A`, yet Redis still sends `new` events): CONFIG GET and
 * REWRITE show it through displayKeyspaceEvents.
 */
export function validateKeyspaceEvents(args: string[]): {value: string} | {error: string} {
  if (args.length !== 1) return {error: 'wrong number of arguments'}
  const flags = keyspaceEventsStringToFlags(args[0] as string)
  if (flags === -1) return {error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."}
  const shown = keyspaceEventsFlagsToString(flags)
  return {value: (flags & NOTIFY_ALL) === NOTIFY_ALL && (flags & NOTIFY_NEW) !== 0 ? `${shown}n` : shown}
}

/** What CONFIG GET and CONFIG REWRITE show for a stored value (getConfigNotifyKeyspaceEventsOption). */
export function displayKeyspaceEvents(stored: string): string {
  const flags = keyspaceEventsStringToFlags(stored)
  return flags < 0 ? stored : keyspaceEventsFlagsToString(flags)
}
