/**
 * Time left for one unit of work. Before this run has measured anything it
 * counts down what recent jobs took for the same work (`expectedSeconds`);
 * as progress comes in, this run's own throughput takes over. Read on every
 * tick, so the ETA moves even while progress waits for the next report.
 */
export class EtaEstimator {
  constructor(
    private readonly startedAt: number,
    private readonly expectedSeconds: number | null,
  ) {}

  etaSeconds(progress: number, now = Date.now()): number | null {
    const elapsed = Math.max(0, (now - this.startedAt) / 1000);
    if (progress >= 1) return 0;
    const measured =
      progress > 0.005 && elapsed >= 1 ? (elapsed * (1 - progress)) / progress : null;
    // Past the expected time, history no longer knows; only a measurement does.
    const left = this.expectedSeconds === null ? 0 : this.expectedSeconds - elapsed;
    const expected = left > 0 ? left : null;
    if (measured === null) return expected === null ? null : Math.round(expected);
    if (expected === null) return Math.round(measured);
    // A first part's rate is noisy; by a quarter of the way it is the better guess.
    const trust = Math.min(1, progress / 0.25);
    return Math.round(trust * measured + (1 - trust) * expected);
  }
}
