// Time is injected (design principle 7): expiry, replication and sentinel code read the time through a Clock.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number
}

export const systemClock: Clock = {nowMs: () => Date.now()}
