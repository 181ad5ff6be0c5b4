/**
 * Errors meant for people: one line that names the culprit and what is allowed.
 * The CLI prints `message` (never a stack) and exits with `exitCode`.
 */
export class LintrainError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
    options?: ErrorOptions, // { cause }: the system error behind it, for callers that tell faults apart
  ) {
    super(message, options);
    this.name = 'LintrainError';
  }
}

/** Bad flags, config keys or values: exit code 2. */
export class UsageError extends LintrainError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}
