import { isInfrastructureError } from '@clipline/contracts';

/**
 * Retries a Postgres read or write through connection errors with short
 * backoff (100 ms doubling to 2 s), so a database restart does not abandon a
 * stage. Anything else, such as a refused write because the lease is lost
 * (StaleAttemptError), is thrown at once.
 */
export async function retryThroughOutage<T>(write: () => Promise<T>, budgetMs: number): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let i = 0; ; i++) {
    try {
      return await write();
    } catch (err) {
      if (!isInfrastructureError(err) || Date.now() > deadline) throw err;
      if (i === 0) console.warn(`database unreachable, retrying: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** i)));
    }
  }
}
