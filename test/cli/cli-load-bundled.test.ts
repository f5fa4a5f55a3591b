// The workload and loss audit of load-scenario.ts on the bundled engine.
import {TOPOLOGY_SETUPS} from './topology-scenario.js'
import {describeLoad} from './load-scenario.js'

describeLoad(TOPOLOGY_SETUPS.bundled)
