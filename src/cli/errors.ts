// RtopoError: what went wrong, what to try, and the exit code; the base command prints it or its JSON form
// (which also carries `details`, e.g. the full report of a failed verify).

export class RtopoError extends Error {
  override readonly name = 'RtopoError'
  constructor(
    message: string,
    readonly suggestions: readonly string[] = [],
    readonly exitCode = 1,
    options?: {cause?: unknown; details?: Record<string, unknown>},
  ) {
    super(message, options)
    this.details = options?.details
  }

  readonly details: Record<string, unknown> | undefined
}
