// The fault scenario of faults-scenario.ts on real Redis alone.
import {TOPOLOGY_SETUPS} from './topology-scenario.js'
import {describeFaults} from './faults-scenario.js'

describeFaults(TOPOLOGY_SETUPS.redis)
