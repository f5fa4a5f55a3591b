// The CLI scenario of topology-scenario.ts on bundled servers watched by real redis-sentinel.
import {describeTopology, TOPOLOGY_SETUPS} from './topology-scenario.js'

describeTopology(TOPOLOGY_SETUPS.mixed)
