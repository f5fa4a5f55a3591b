// Per-client state: selected db, protocol version, auth, name, MULTI queue, WATCHed keys, flags.
// The connection layer owns the socket; this holds what commands read and change.

export type ClientKind = 'normal' | 'pubsub' | 'replica' | 'master'

export class Client {
  dbIndex = 0
  /** 2 or 3, set by HELLO. */
  resp: 2 | 3 = 2
  authenticated = false
  name = ''
  libName = ''
  libVersion = ''
  kind: ClientKind = 'normal'
  readonly createdAtMs: number
  lastCommandAtMs: number
  lastCommandName = 'NULL'

  constructor(
    readonly id: number,
    readonly remoteAddress: string,
    readonly localAddress: string,
    nowMs: number,
  ) {
    this.createdAtMs = nowMs
    this.lastCommandAtMs = nowMs
  }
}
