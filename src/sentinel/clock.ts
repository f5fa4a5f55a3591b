// The sentinel's clock: the current time and one-shot timers, injected so the timing logic (down
// detection, TILT, votes, the failover's timeouts) can be driven by a test clock without processes.

export type TimerHandle = unknown

export interface SentinelClock {
  /** Milliseconds since the Unix epoch. */
  now(): number
  setTimeout(callback: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

export const systemSentinelClock: SentinelClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}
