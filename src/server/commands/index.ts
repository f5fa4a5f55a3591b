// Every command group of the bundled server, gathered for the one command table (command-table.ts
// rejects a name registered twice). Data groups are plain arrays; server groups close over the Server.

import type {CommandSpec} from '../command-spec.js'
import type {Server} from '../server.js'
import {clientCommands} from './client-command.js'
import {connectionCommands} from './connection.js'

export function commandGroups(server: Server): (readonly CommandSpec[])[] {
  return [
    connectionCommands(server),
    clientCommands(server),
  ]
}
