// The proxy's control socket: one JSON request per line, one JSON reply per line. The CLI (topology/lab.ts)
// adds and heals rules here, so a command returns only once its rule is in force.

import {rmSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import type {LabProxy} from './proxy.js'
import type {Rule, RuleSpec} from './rules.js'

export type ControlRequest =
  | {op: 'add'; rule: RuleSpec}
  | {op: 'heal'; endpoints: string[]; kind?: Rule['kind']}
  | {op: 'list'}

export type ControlReply = {ok: true; rule?: Rule; removed?: Rule[]; rules?: Rule[]; links?: unknown[]} | {ok: false; error: string}

/** Longest request line accepted; anything longer is not a rule. */
const MAX_LINE = 64 * 1024

export function handleRequest(proxy: LabProxy, request: ControlRequest): ControlReply {
  switch (request.op) {
    case 'add': {
      const why = proxy.validate(request.rule)
      return why ? {ok: false, error: why} : {ok: true, rule: proxy.add(request.rule)}
    }
    case 'heal':
      if (!Array.isArray(request.endpoints)) return {ok: false, error: 'endpoints must be a list'}
      return {ok: true, removed: proxy.heal(request.endpoints, request.kind)}
    case 'list':
      return {ok: true, ...proxy.list()}
    default:
      return {ok: false, error: `unknown op ${JSON.stringify((request as {op?: unknown}).op)}`}
  }
}

export async function listenControl(proxy: LabProxy, path: string): Promise<Server> {
  rmSync(path, {force: true})
  const server = createServer((socket) => {
    let buffered = ''
    socket.setEncoding('utf8')
    socket.on('error', () => socket.destroy())
    socket.on('data', (chunk: string) => {
      buffered += chunk
      if (buffered.length > MAX_LINE) {
        socket.end(`${JSON.stringify({ok: false, error: 'request too long'})}\n`)
        return
      }
      let at: number
      while ((at = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, at)
        buffered = buffered.slice(at + 1)
        let reply: ControlReply
        try {
          reply = handleRequest(proxy, JSON.parse(line) as ControlRequest)
        } catch (cause) {
          reply = {ok: false, error: `bad request: ${(cause as Error).message}`}
        }
        socket.write(`${JSON.stringify(reply)}\n`)
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return server
}
