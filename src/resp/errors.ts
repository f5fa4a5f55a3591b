// Every error text the server sends, in one place (design principle 9). Texts are Redis 7.0's, byte for byte.

import {error, type Reply} from './reply.js'

/** Thrown by the request parser; the connection replies `-ERR Protocol error: …` and closes. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
}

export const WRONGTYPE = error('WRONGTYPE Operation against a key holding the wrong kind of value')
export const SYNTAX = error('ERR syntax error')
export const NOT_INTEGER = error('ERR value is not an integer or out of range')
export const NOT_FLOAT = error('ERR value is not a valid float')
export const OVERFLOW = error('ERR increment or decrement would overflow')
export const NO_SUCH_KEY = error('ERR no such key')
export const INDEX_OUT_OF_RANGE = error('ERR index out of range')
export const DB_INDEX_OUT_OF_RANGE = error('ERR DB index is out of range')
export const NOAUTH = error('NOAUTH Authentication required.')
export const WRONGPASS = error('WRONGPASS invalid username-password pair or user is disabled.')
export const READONLY_REPLICA = error("READONLY You can't write against a read only replica.")
export const EXECABORT = error('EXECABORT Transaction discarded because of previous errors.')
export const NOT_IN_MULTI_EXEC = error('ERR EXEC without MULTI')
export const NOT_IN_MULTI_DISCARD = error('ERR DISCARD without MULTI')
export const NESTED_MULTI = error('ERR MULTI calls can not be nested')
export const WATCH_IN_MULTI = error('ERR WATCH inside MULTI is not allowed')
export const NOT_ALLOWED_IN_MULTI = error('ERR Command not allowed inside a transaction')
export const LOADING = error('LOADING Redis is loading the dataset in memory')
export const NOREPLICAS = error('NOREPLICAS Not enough good replicas to write.')
export const MASTERDOWN = error("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")
export const OOM = error("OOM command not allowed when used memory > 'maxmemory'.")
export const NOT_ALLOWED_FROM_SCRIPT = error('ERR This Redis command is not allowed from script')
export const STALE_SCRIPT_REPLICA = error('ERR Can not execute the command on a stale replica')
export const pubsubContextOnly = (name: string): Reply =>
  error(`ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`)
/** SSUBSCRIBE from EXEC (a client that expects one reply per command: CLIENT_DENY_BLOCKING). */
export const denyBlockingSubscribe = (name: string): Reply => error(`ERR ${name} isn't allowed for a DENY BLOCKING client`)
// CLIENT TRACKING / CLIENT CACHING (networking.c clientCommand, tracking.c checkPrefixCollisionsOrReply).
export const TRACKING_ONE_REDIRECT = error('ERR A client can only redirect to a single other client')
export const TRACKING_NO_REDIRECT_CLIENT = error('ERR The client ID you want redirect to does not exist')
export const TRACKING_PREFIX_WITHOUT_BCAST = error('ERR PREFIX option requires BCAST mode to be enabled')
export const TRACKING_BCAST_SWITCH = error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
export const TRACKING_OPTIN_OPTOUT_BCAST = error('ERR OPTIN and OPTOUT are not compatible with BCAST')
export const TRACKING_OPTIN_AND_OPTOUT = error("ERR You can't specify both OPTIN mode and OPTOUT mode")
export const TRACKING_OPT_SWITCH = error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.")
export const prefixOverlapsExisting = (prefix: string, existing: string): Reply =>
  error(`ERR Prefix '${prefix}' overlaps with an existing prefix '${existing}'. Prefixes for a single client must not overlap.`)
export const prefixOverlapsProvided = (prefix: string, other: string): Reply =>
  error(`ERR Prefix '${prefix}' overlaps with another provided prefix '${other}'. Prefixes for a single client must not overlap.`)
export const CACHING_WITHOUT_TRACKING = error('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled')
export const CACHING_YES_WITHOUT_OPTIN = error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.')
export const CACHING_NO_WITHOUT_OPTOUT = error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.')
/** A command refused as EXEC's gate (multi.c execCommandAbort): the transaction is discarded. */
export const execAbortBecause = (message: string): Reply => error(`EXECABORT Transaction discarded because of: ${message}`)
export const INVALID_EXPIRE = (command: string): Reply => error(`ERR invalid expire time in '${command}' command`)
export const NAN_OR_INFINITY = error('ERR increment would produce NaN or Infinity')
export const MIN_MAX_NOT_FLOAT = error('ERR min or max is not a float')
export const MIN_MAX_NOT_STRING = error('ERR min or max not valid string range item')
export const HASH_VALUE_NOT_INTEGER = error('ERR hash value is not an integer')
export const HASH_VALUE_NOT_FLOAT = error('ERR hash value is not a float')
export const INVALID_CURSOR = error('ERR invalid cursor')
export const SAME_OBJECT = error('ERR source and destination objects are the same')
export const NOT_POSITIVE = error('ERR value is out of range, must be positive')
export const UNBLOCKED = error('UNBLOCKED client unblocked via CLIENT UNBLOCK')
export const TIMEOUT_NOT_FLOAT = error('ERR timeout is not a float or out of range')
export const TIMEOUT_NEGATIVE = error('ERR timeout is negative')
export const BUSYKEY = error('BUSYKEY Target key name already exists.')

export const wrongArity = (name: string): Reply =>
  error(`ERR wrong number of arguments for '${name.toLowerCase()}' command`)

/** An argument as C's `%s` prints it: up to its first NUL byte (latin1, one character per byte). */
const cString = (arg: Buffer | string): string => {
  const text = typeof arg === 'string' ? arg : arg.toString('latin1')
  const nul = text.indexOf('\0')
  return nul < 0 ? text : text.slice(0, nul)
}

/**
 * `ERR unknown command 'x', with args beginning with: 'a' 'b' ` (server.c commandCheckExistence): the
 * arguments are appended as `'arg' ` while the list is shorter than 128 characters, each one cut to what
 * is left of the 128; the name is cut at 128.
 */
export const unknownCommand = (name: Buffer | string, args: readonly Buffer[]): Reply => {
  let shown = ''
  for (let i = 0; i < args.length && shown.length < 128; i++) shown += `'${cString(args[i] as Buffer).slice(0, 128 - shown.length)}' `
  return error(sanitize(`ERR unknown command '${cString(name).slice(0, 128)}', with args beginning with: ${shown}`))
}

/** `ERR unknown subcommand 'x'. Try CONFIG HELP.`: the subcommand cut at 128 characters (and at a NUL). */
export const unknownSubcommand = (sub: Buffer | string, command: string): Reply =>
  error(sanitize(`ERR unknown subcommand '${cString(sub).slice(0, 128)}'. Try ${command.toUpperCase()} HELP.`))

/** Redis replaces CR and LF in error texts with spaces so the reply stays one line. */
export const sanitize = (text: string): string => text.replace(/[\r\n]/g, ' ')
export const NOPROTO = error('NOPROTO unsupported protocol version')
export const NOAUTH_HELLO = error(
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
)
export const AUTH_WITHOUT_PASSWORD = error(
  'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
)
export const INVALID_CLIENT_NAME = error('ERR Client names cannot contain spaces, newlines or special characters.')
export const NO_SUCH_CLIENT = error('ERR No such client')
export const unknownClientType = (type: string): Reply => error(`ERR Unknown client type '${sanitize(type)}'`)
export const INT_OUT_OF_RANGE = error('ERR value is out of range, value must between -2147483648 and 2147483647')

// LPOS options (t_list.c lposCommand).
export const LPOS_RANK_ZERO = error(
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
)
export const LPOS_COUNT_NEGATIVE = error("ERR COUNT can't be negative")
export const LPOS_MAXLEN_NEGATIVE = error("ERR MAXLEN can't be negative")
/** A count bounded to ±LONG_MAX (HRANDFIELD, SRANDMEMBER: getRangeLongFromObjectOrReply). */
export const LONG_OUT_OF_RANGE = error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807')
export const VALUE_OUT_OF_RANGE = error('ERR value is out of range')
// numkeys commands (SINTERCARD …).
export const NUMKEYS_NOT_POSITIVE = error('ERR numkeys should be greater than 0')
export const NUMKEYS_TOO_MANY = error("ERR Number of keys can't be greater than number of args")
export const LIMIT_NEGATIVE = error("ERR LIMIT can't be negative")
// Sorted sets (t_zset.c).
export const LIMIT_NEEDS_BY_RANGE = error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX')
export const WITHSCORES_WITH_BYLEX = error('ERR syntax error, WITHSCORES not supported in combination with BYLEX')
export const WEIGHT_NOT_FLOAT = error('ERR weight value is not a float')
export const COUNT_NOT_POSITIVE = error('ERR count should be greater than 0')
export const noInputKeys = (command: string): Reply => error(`ERR at least 1 input key is needed for '${command}' command`)
// Bitmaps (bitops.c).
export const BIT_OFFSET_INVALID = error('ERR bit offset is not an integer or out of range')
export const BIT_VALUE_INVALID = error('ERR bit is not an integer or out of range')
export const BITPOS_BIT_INVALID = error('ERR The bit argument must be 1 or 0.')
export const BITOP_NOT_SINGLE_KEY = error('ERR BITOP NOT must be called with a single source key.')
// LCS (t_string.c lcsCommand).
export const LCS_NOT_STRINGS = error('ERR The specified keys must contain string values')
export const LCS_LEN_AND_IDX = error('ERR If you want both the length and indexes, please just use IDX.')
export const LCS_TOO_LONG = error('ERR String too long for LCS')
export const LCS_TABLE_TOO_BIG = error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len')
// DUMP / RESTORE (cluster.c restoreCommand).
export const DUMP_PAYLOAD_INVALID = error('ERR DUMP payload version or checksum are wrong')
export const BAD_DATA_FORMAT = error('ERR Bad data format')
export const INVALID_TTL = error('ERR Invalid TTL value, must be >= 0')
export const INVALID_IDLETIME = error('ERR Invalid IDLETIME value, must be >= 0')
export const INVALID_FREQ = error('ERR Invalid FREQ value, must be >= 0 and <= 255')
// SORT (sort.c).
export const SORT_SCORE_NOT_DOUBLE = error("ERR One or more scores can't be converted into double")
