/**
 * A write fenced by an attempt that is no longer current (taken back, re-run,
 * cancelled or deleted): nothing was written, and the caller's result is void.
 */
export class StaleAttemptError extends Error {
  constructor(jobId: string, stage: string, attempt: number) {
    super(`write refused: ${stage} of job ${jobId} is no longer at attempt ${attempt}`);
    this.name = 'StaleAttemptError';
  }
}
