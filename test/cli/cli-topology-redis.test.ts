// The CLI scenario of topology-scenario.ts on real Redis alone.
import {describeTopology, TOPOLOGY_SETUPS} from './topology-scenario.js'

describeTopology(TOPOLOGY_SETUPS.redis)
