// The CLI scenario of topology-scenario.ts on the bundled engine alone.
import {describeTopology, TOPOLOGY_SETUPS} from './topology-scenario.js'

describeTopology(TOPOLOGY_SETUPS.bundled)
