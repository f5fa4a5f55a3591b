// RtopoError: what went wrong, what to try, and the exit code; the base command prints it or its JSON form.

export class RtopoError extends Error {
  override readonly name = 'RtopoError'
  constructor(
    message: string,
    readonly suggestions: readonly string[] = [],
    readonly exitCode = 1,
    options?: {cause?: unknown},
  ) {
    super(message, options)
  }
}
