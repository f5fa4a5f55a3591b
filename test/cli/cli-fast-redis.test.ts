// The --fast scenario of fast-scenario.ts on real Redis alone.
import {TOPOLOGY_SETUPS} from './topology-scenario.js'
import {describeFast} from './fast-scenario.js'

describeFast(TOPOLOGY_SETUPS.redis)
