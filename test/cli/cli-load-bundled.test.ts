// The workload and loss audit of load-scenario.ts on the bundled engine.
import {TOPOLOGY_SETUPS} from './topology-scenario.js'
import {describeLoad, describeMinReplicas} from './load-scenario.js'

describeLoad(TOPOLOGY_SETUPS.bundled)
describeMinReplicas(TOPOLOGY_SETUPS.bundled)
