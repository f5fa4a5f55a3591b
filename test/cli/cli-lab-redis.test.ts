// The network-fault scenario of lab-scenario.ts on real Redis.
import {TOPOLOGY_SETUPS} from './topology-scenario.js'
import {describeLab} from './lab-scenario.js'

describeLab(TOPOLOGY_SETUPS.redis)
