// Every command group of the bundled server, gathered for the one command table (command-table.ts
// rejects a name registered twice). Each group is a plain CommandSpec[]: handlers reach the server only
// through their call context's ports, so no group needs the Server to be built.

import type {CommandSpec} from '../command-spec.js'
import {clientCommands} from './client-command.js'
import {commandCommands} from './command-command.js'
import {configCommands} from './config-command.js'
import {connectionCommands} from './connection.js'
import {debugCommands} from './debug.js'
import {diagnosticCommands} from './diagnostics.js'
import {bitmapCommands} from './bitmaps.js'
import {bitfieldCommands} from './bitfield.js'
import {hashCommands} from './hashes.js'
import {keyCommands} from './keys.js'
import {lcsCommands} from './lcs.js'
import {listPositionCommands} from './list-position.js'
import {listCommands} from './lists.js'
import {blockingListCommands} from './blocking-lists.js'
import {blockingSortedSetCommands} from './blocking-sorted-sets.js'
import {pubsubCommands} from './pubsub.js'
import {replicationCommands} from './replication.js'
import {serverAdminCommands} from './server-admin.js'
import {setAlgebraCommands} from './set-algebra.js'
import {setCommands} from './sets.js'
import {sortedSetCommands} from './sorted-sets.js'
import {sortedSetRangeCommands} from './sorted-sets-ranges.js'
import {sortedSetLexCommands} from './sorted-sets-lex.js'
import {sortedSetAlgebraCommands} from './sorted-sets-algebra.js'
import {sortedSetPopCommands} from './sorted-sets-pop.js'
import {sortedSetRandomCommands} from './sorted-sets-random.js'
import {collectionScanCommands} from './collection-scan.js'
import {stringCommands} from './strings.js'
import {transactionCommands} from './transactions.js'
import {dumpRestoreCommands} from './dump-restore.js'
import {sortCommands} from './sort.js'
import {scriptingCommands} from './scripting.js'
import {functionCommands} from './functions.js'
import {streamCommands} from './streams.js'
import {streamReadCommands} from './streams-read.js'
import {streamGroupCommands} from './streams-groups.js'
import {streamInfoCommands} from './streams-info.js'
import {hyperloglogCommands} from './hyperloglog.js'
import {geoCommands} from './geo.js'
import {geoSearchCommands} from './geo-search.js'

export const commandGroups: readonly (readonly CommandSpec[])[] = [
  connectionCommands,
  clientCommands,
  transactionCommands,
  pubsubCommands,
  replicationCommands,
  serverAdminCommands,
  configCommands,
  commandCommands,
  debugCommands,
  diagnosticCommands,
  stringCommands,
  bitmapCommands,
  bitfieldCommands,
  lcsCommands,
  keyCommands,
  listCommands,
  listPositionCommands,
  blockingListCommands,
  blockingSortedSetCommands,
  hashCommands,
  setCommands,
  setAlgebraCommands,
  sortedSetCommands,
  sortedSetRangeCommands,
  sortedSetLexCommands,
  sortedSetAlgebraCommands,
  sortedSetPopCommands,
  sortedSetRandomCommands,
  collectionScanCommands,
  dumpRestoreCommands,
  sortCommands,
  scriptingCommands,
  functionCommands,
  streamCommands,
  streamReadCommands,
  streamGroupCommands,
  streamInfoCommands,
  hyperloglogCommands,
  geoCommands,
  geoSearchCommands,
]
