/** Exponential backoff with a little jitter, so retries of many jobs do not stampede. */
export function backoffMs(attempt: number, baseMs: number): number {
  const exp = baseMs * 2 ** Math.max(0, attempt - 1);
  return Math.round(Math.min(exp, 10 * 60_000) * (0.9 + Math.random() * 0.2));
}
