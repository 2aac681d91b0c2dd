/**
 * Bad input (corrupt file, unsupported codec): retrying cannot help, so the
 * stage fails at once and `message` is shown to the user. Everything else is
 * treated as transient and retried with backoff.
 */
export class BadInputError extends Error {
  readonly badInput = true;
  constructor(message: string) {
    super(message);
    this.name = 'BadInputError';
  }
}

/** Works across package copies and process boundaries, where instanceof does not. */
export function isBadInputError(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { badInput?: unknown }).badInput === true
  );
}
