// The Reply union: what every command handler returns (godis style). The encoder turns it into
// RESP2 or RESP3 bytes depending on the client's protocol; handlers never touch sockets.

export type Reply =
  | {readonly kind: 'simple'; readonly value: string}
  | {readonly kind: 'error'; readonly message: string; readonly counted?: boolean} // full text with its code: "ERR syntax error"; counted: already in errorstats (a script passing on its command's error)
  | {readonly kind: 'int'; readonly value: number | bigint}
  | {readonly kind: 'bulk'; readonly value: Buffer}
  | {readonly kind: 'nil'} // RESP2 $-1, RESP3 _
  | {readonly kind: 'nilArray'} // RESP2 *-1, RESP3 _
  | {readonly kind: 'array'; readonly items: readonly Reply[]}
  | {readonly kind: 'map'; readonly entries: readonly (readonly [Reply, Reply])[]} // RESP2: flat array
  | {readonly kind: 'set'; readonly items: readonly Reply[]} // RESP2: array
  | {readonly kind: 'double'; readonly value: number} // RESP2: bulk of %.17g
  | {readonly kind: 'bool'; readonly value: boolean} // RESP2: :1 / :0
  | {readonly kind: 'verbatim'; readonly value: Buffer} // RESP3 =len txt:…; RESP2: bulk
  | {readonly kind: 'push'; readonly items: readonly Reply[]} // RESP3 >; RESP2: array
  | {readonly kind: 'raw'; readonly bytes: Buffer} // already encoded (same in both protocols)
  | {readonly kind: 'none'} // the command wrote nothing (e.g. it answered through other means)

export const OK: Reply = Object.freeze({kind: 'simple', value: 'OK'})
export const PONG: Reply = Object.freeze({kind: 'simple', value: 'PONG'})
export const QUEUED: Reply = Object.freeze({kind: 'simple', value: 'QUEUED'})
export const NIL: Reply = Object.freeze({kind: 'nil'})
export const NIL_ARRAY: Reply = Object.freeze({kind: 'nilArray'})
export const EMPTY_ARRAY: Reply = Object.freeze({kind: 'array', items: []})
export const NONE: Reply = Object.freeze({kind: 'none'})
export const ZERO: Reply = Object.freeze({kind: 'int', value: 0})
export const ONE: Reply = Object.freeze({kind: 'int', value: 1})

export const simple = (value: string): Reply => ({kind: 'simple', value})
export const error = (message: string): Reply => ({kind: 'error', message})
export const int = (value: number | bigint): Reply =>
  value === 0 ? ZERO : value === 1 ? ONE : {kind: 'int', value}
export const bulk = (value: Buffer | string): Reply =>
  ({kind: 'bulk', value: typeof value === 'string' ? Buffer.from(value) : value})
export const bulkOrNil = (value: Buffer | string | undefined | null): Reply =>
  value === undefined || value === null ? NIL : bulk(value)
export const array = (items: readonly Reply[]): Reply => ({kind: 'array', items})
export const bulkArray = (items: readonly (Buffer | string)[]): Reply => array(items.map((i) => bulk(i)))
export const map = (entries: readonly (readonly [Reply, Reply])[]): Reply => ({kind: 'map', entries})
export const set = (items: readonly Reply[]): Reply => ({kind: 'set', items})
export const double = (value: number): Reply => ({kind: 'double', value})
export const bool = (value: boolean): Reply => ({kind: 'bool', value})
export const verbatim = (text: string | Buffer): Reply =>
  ({kind: 'verbatim', value: typeof text === 'string' ? Buffer.from(text) : text})
export const push = (items: readonly Reply[]): Reply => ({kind: 'push', items})
export const raw = (bytes: Buffer): Reply => ({kind: 'raw', bytes})

export const isError = (reply: Reply): reply is Extract<Reply, {kind: 'error'}> => reply.kind === 'error'
