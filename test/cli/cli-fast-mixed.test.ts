// The --fast scenario of fast-scenario.ts on bundled servers with real sentinels.
import {TOPOLOGY_SETUPS} from './topology-scenario.js'
import {describeFast} from './fast-scenario.js'

describeFast(TOPOLOGY_SETUPS.mixed)
