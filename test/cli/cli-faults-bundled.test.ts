// The fault scenario of faults-scenario.ts on the bundled engine alone.
import {TOPOLOGY_SETUPS} from './topology-scenario.js'
import {describeFaults} from './faults-scenario.js'

describeFaults(TOPOLOGY_SETUPS.bundled)
