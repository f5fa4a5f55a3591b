// The fault scenario of faults-scenario.ts on bundled servers with real sentinels.
import {TOPOLOGY_SETUPS} from './topology-scenario.js'
import {describeFaults} from './faults-scenario.js'

describeFaults(TOPOLOGY_SETUPS.mixed)
