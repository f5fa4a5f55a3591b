// The workload and loss audit of load-scenario.ts on real Redis (skipped, with the reason, without it).
import {TOPOLOGY_SETUPS} from './topology-scenario.js'
import {describeLoad, describeMinReplicas} from './load-scenario.js'

describeLoad(TOPOLOGY_SETUPS.redis)
describeMinReplicas(TOPOLOGY_SETUPS.redis)
