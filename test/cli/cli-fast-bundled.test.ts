// The --fast scenario of fast-scenario.ts on the bundled engine.
import {TOPOLOGY_SETUPS} from './topology-scenario.js'
import {describeFast} from './fast-scenario.js'

describeFast(TOPOLOGY_SETUPS.bundled)
