// Polls a condition until it holds; on timeout the error names what it awaited and the last value seen.

export interface WaitOptions {
  timeoutMs?: number
  intervalMs?: number
  /** What is awaited, for the failure message: "replica 6380 link up". */
  what: string
}

export async function waitFor<T>(
  probe: () => T | Promise<T>,
  accept: (value: T) => boolean,
  {timeoutMs = 10_000, intervalMs = 50, what}: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown = '(never evaluated)'
  for (;;) {
    try {
      const value = await probe()
      last = value
      if (accept(value)) return value
    } catch (error) {
      last = error instanceof Error ? `error: ${error.message}` : error
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
