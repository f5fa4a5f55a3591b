// The mixed-set failover scenario with two bundled sentinels and one redis-sentinel 7.0.
import {describeMixedFailover} from './mixed-failover-scenario.js'

describeMixedFailover({
  label: '2 bundled + 1 real',
  engines: ['bundled', 'bundled', 'redis'],
  leaderCases: [['redis', ['bundled', 'bundled']], ['bundled', ['bundled', 'redis']]],
})
