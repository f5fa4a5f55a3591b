// TCP listeners for the configured bind addresses (127.0.0.1 by default). A busy port is reported the way
// Redis does ("Could not create server TCP listening socket …: bind: Address already in use").

import {createServer, type Server, type Socket} from 'node:net'

export class ListenError extends Error {
  override readonly name = 'ListenError'
  constructor(
    readonly address: string,
    readonly port: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message)
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
