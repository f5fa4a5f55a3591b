// The sentinel's constants: Redis's period and timeout values (TIMINGS, which SENTINEL DEBUG can change at
// run time), the hello channel's name and the SENTINEL SIMULATE-FAILURE flags.

export const HELLO_CHANNEL = '__sentinel__:hello'

/** SENTINEL SIMULATE-FAILURE flags. */
export const SIMFAILURE_CRASH_AFTER_ELECTION = 1
export const SIMFAILURE_CRASH_AFTER_PROMOTION = 2

/** Redis's timing constants (SENTINEL DEBUG can change them). */
export const TIMINGS = {
  'info-period': 10000,
  'ping-period': 1000,
  'ask-period': 1000,
  'publish-period': 2000,
  'default-down-after': 30000,
  'default-failover-timeout': 180000,
  'tilt-trigger': 2000,
  'tilt-period': 30000,
  'slave-reconf-timeout': 10000,
  'min-link-reconnect-period': 15000,
  'election-timeout': 10000,
  'script-max-runtime': 60000,
  'script-retry-delay': 30000,
}
