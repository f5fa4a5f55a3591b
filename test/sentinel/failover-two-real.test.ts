// The mixed-set failover scenario with one bundled sentinel and two redis-sentinel 7.0. With a real leader,
// the bundled sentinel is the one that never sees the master down but still votes.
import {describeMixedFailover} from './mixed-failover-scenario.js'

describeMixedFailover({
  label: '1 bundled + 2 real',
  engines: ['redis', 'bundled', 'redis'],
  leaderCases: [['bundled', ['redis', 'redis']], ['redis', ['redis', 'bundled']]],
})
