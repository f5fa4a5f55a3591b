// Composition of the scripting engine: the server side of its ScriptHost port (lookup and nested calls
// through the dispatcher, the MULTI/EXEC wrapper of a script's effects, the replication state its checks
// read, the BUSY gate) and the hand-over of a suspended script's reply to its caller's connection.

import {performance} from 'node:perf_hooks'
import type {Reply} from '../resp/reply.js'
import {Client} from './client.js'
import type {Server} from './server.js'
import {createRedisSandbox} from './scripting/redis-sandbox.js'
import type {ScriptHost} from './scripting/script-host.js'
import {ScriptingEngine} from './scripting/scripting-engine.js'

const arityOk = (arity: number, count: number): boolean => (arity >= 0 ? count === arity : count >= -arity)

export function createScriptingEngine(server: Server): ScriptingEngine {
  const host: ScriptHost = {
    lookup(argv) {
      const spec = server.commands.lookup(argv[0] as Buffer)
      if (spec === undefined) return 'unknown'
      if (spec.subcommands !== undefined && spec.subcommands.length > 0 && argv.length >= 2) {
        const sub = server.commands.lookupSubcommand(spec, argv[1] as Buffer)
        if (sub === undefined) return 'unknown'
        return arityOk(sub.arity, argv.length) ? {spec: sub, handlerArgs: argv.slice(2)} : 'arity'
      }
      return arityOk(spec.arity, argv.length) ? {spec, handlerArgs: argv.slice(1)} : 'arity'
    },
    invoke: (client, call, argv, propagate) =>
      server.dispatcher.invoke(client, call, argv, {caller: 'script', mayBlock: false, propagate}),
    beginEffects: () => server.beginTransactionPropagation(),
    endEffects: () => server.endTransactionPropagation(),
    newScriptClient: () => {
      const client = new Client(server.newClientId(), '', '', server.clock.nowMs())
      client.authenticated = true
      return client
    },
    isReplica: () => server.isReplica(),
    isReadOnlyReplica: () => server.isReadOnlyReplica(),
    isStaleReplica: () => server.isStaleReplica(),
    lacksGoodReplicas: () => server.replication.lacksGoodReplicas(),
    wasOutOfMemory: () => server.wasOutOfMemory(),
    config: (name) => server.config.get(name),
    log: (level, text) => server.logger[level](text),
    setBusy: (reply: Reply | undefined) => server.dispatcher.setBusyProvider(reply === undefined ? undefined : () => reply),
    freezeExpiryTime: (frozen) => {
      server.scriptStartedAtMs = frozen ? server.clock.nowMs() : undefined
    },
    countError: (message, rejectedCommand) => {
      server.stats.error(message)
      if (rejectedCommand !== undefined) server.stats.command(rejectedCommand).rejectedCalls++
    },
    nowMs: () => performance.now(),
  }
  let engine: ScriptingEngine | undefined = undefined
  engine = new ScriptingEngine(host, createRedisSandbox(() => engine?.running !== undefined), {
    suspend: (client) => {
      client.runningScript = true
    },
    finish: (client, reply) => {
      client.runningScript = false
      client.sink.push(reply)
      client.sink.resume()
      server.blocking.serveReadyKeys()
      server.replication.link?.resumeStream()
    },
  })
  return engine
}
