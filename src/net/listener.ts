// TCP listeners for the configured bind addresses (127.0.0.1 by default) and the unix socket (`unixsocket`,
// `unixsocketperm`). A busy port is reported the way Redis does ("Could not create server TCP listening
// socket …: bind: Address already in use"), a unix socket that cannot be bound as anet.c does ("bind: …").

import {chmodSync, existsSync, unlinkSync} from 'node:fs'
import {dirname} from 'node:path'
import {createServer, type Server, type Socket} from 'node:net'

export class ListenError extends Error {
  override readonly name = 'ListenError'
  constructor(
    readonly address: string,
    readonly port: number,
    readonly code: string | undefined,
    message: string,
    /** What failed: a TCP port, the unix socket, or nothing was configured to listen on. */
    readonly kind: 'tcp' | 'unix' | 'none' = 'tcp',
  ) {
    super(message)
  }
}

/** The path of the unix socket a connection came in on; undefined for TCP. */
const unixPaths = new WeakMap<Socket, string>()
export const unixSocketPathOf = (socket: Socket): string | undefined => unixPaths.get(socket)

const UNIX_REASONS: Record<string, string> = {
  ...{ENOENT: 'No such file or directory', ENOTDIR: 'Not a directory', EADDRINUSE: 'Address already in use'},
  ...{EACCES: 'Permission denied', EROFS: 'Read-only file system'},
}

/**
 * server.c initServer + anet.c anetUnixServer: unlink whatever is at the path, bind, chmod to `perm` when
 * it is not 0, listen. Throws a ListenError of kind 'unix' with anet's text ("bind: No such file or directory").
 */
export async function listenUnix(path: string, perm: number, onSocket: (socket: Socket) => void, backlog = 511): Promise<Server> {
  if (Buffer.byteLength(path) > 107) {
    throw new ListenError(path, 0, 'ENAMETOOLONG', `unix socket path too long (${Buffer.byteLength(path)}), must be under 108`, 'unix')
  }
  try {
    unlinkSync(path)
  } catch {
    // "don't care if this fails"
  }
  const server = await new Promise<Server>((resolve, reject) => {
    const server = createServer((socket) => {
      unixPaths.set(socket, path)
      onSocket(socket)
    })
    server.once('error', reject)
    server.listen({path, backlog}, () => {
      server.off('error', reject)
      server.on('error', () => {})
      resolve(server)
    })
  }).catch((cause: NodeJS.ErrnoException) => {
    // libuv reports a bind(2) ENOENT on a pipe as EACCES; Redis prints bind's own errno.
    const code = cause.code === 'EACCES' && !existsSync(dirname(path)) ? 'ENOENT' : cause.code
    throw new ListenError(path, 0, code, `bind: ${UNIX_REASONS[code ?? ''] ?? cause.message}`, 'unix')
  })
  if (perm !== 0) chmodSync(path, perm)
  return server
}

/** Shutdown: closes the unix listener and removes its socket file (Redis: "Removing the unix socket file."). */
export function removeUnixSocket(path: string): void {
  try {
    unlinkSync(path)
  } catch {
    // Already gone.
  }
}

const REASONS: Record<string, string> = {
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EACCES: 'Permission denied',
}

/**
 * Listens on every address; an address prefixed with '-' is optional (Redis 7 semantics: skipped when
 * unavailable). Resolves once all required addresses are bound; on failure closes what was opened.
 */
export async function listen(addresses: readonly string[], port: number, onSocket: (socket: Socket) => void): Promise<Server[]> {
  const servers: Server[] = []
  for (const raw of addresses) {
    const optional = raw.startsWith('-')
    const address = optional ? raw.slice(1) : raw
    const host = address === '*' ? '0.0.0.0' : address === '::*' ? '::' : address
    try {
      servers.push(await listenOne(host, port, onSocket))
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code
      if (optional && code !== 'EADDRINUSE') continue
      for (const server of servers) server.close()
      throw new ListenError(address, port, code,
        `Could not create server TCP listening socket ${address}:${port}: bind: ${REASONS[code ?? ''] ?? (cause as Error).message}`)
    }
  }
  return servers
}

const listenOne = (host: string, port: number, onSocket: (socket: Socket) => void): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer({noDelay: true}, onSocket)
    server.once('error', reject)
    server.listen({host, port, backlog: 511, exclusive: true}, () => {
      server.off('error', reject)
      server.on('error', () => {})
      resolve(server)
    })
  })
