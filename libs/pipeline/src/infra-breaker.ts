export interface InfraProbe {
  name: string;
  check(): Promise<unknown>;
}

export interface InfraBreakerOptions {
  /** Consecutive infrastructure failures that open the breaker. */
  threshold: number;
  /** Longest wait between two probe rounds while open. */
  probeMaxMs: number;
  probes: InfraProbe[];
  /** Stops (and restarts) this process taking Bull jobs of a stage. */
  pause(stage: string): Promise<void>;
  resume(stage: string): Promise<void>;
  log: { warn(msg: string): void; log(msg: string): void };
}

export interface BreakerTransition {
  state: 'open' | 'closed';
  at: Date;
  reason: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A worker whose S3 or Postgres is down would otherwise take job after job
 * and fail each one. After `threshold` infrastructure failures in a row the
 * breaker opens: the stages that failed stop taking work in this process
 * (a local Bull pause, other workers are unaffected), and it probes S3 and
 * Postgres with backoff until every probe answers, then resumes.
 */
export class InfraBreaker {
  private failures = 0;
  private openSince: number | null = null;
  private closed: Promise<void> = Promise.resolve();
  private readonly stages = new Set<string>();
  readonly transitions: BreakerTransition[] = [];

  constructor(private readonly opts: InfraBreakerOptions) {}

  get isOpen(): boolean {
    return this.openSince !== null;
  }

  recordSuccess(): void {
    if (!this.isOpen) this.failures = 0;
  }

  recordFailure(stage: string, err: unknown): void {
    this.failures += 1;
    const first = !this.stages.has(stage);
    this.stages.add(stage);
    if (this.isOpen) {
      if (first) void this.opts.pause(stage).catch(() => undefined);
      return;
    }
    if (this.failures < this.opts.threshold) return;
    this.open(err);
  }

  /**
   * Waits before another try: until the breaker closes when it is open,
   * otherwise `delayMs`. Never longer than `maxMs`; returns early on abort.
   */
  async pauseBeforeRetry(delayMs: number, maxMs: number, signal?: AbortSignal): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort = () => undefined as void;
    const waits: Array<Promise<unknown>> = [
      new Promise((r) => (timer = setTimeout(r, this.isOpen ? maxMs : Math.min(delayMs, maxMs)))),
    ];
    if (this.isOpen) waits.push(this.closed);
    if (signal) {
      waits.push(new Promise<void>((r) => (onAbort = r)));
      signal.addEventListener('abort', onAbort, { once: true });
    }
    await Promise.race(waits);
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }

  private open(err: unknown): void {
    this.openSince = Date.now();
    const reason = (err as Error)?.message ?? String(err);
    this.transitions.push({ state: 'open', at: new Date(), reason });
    const stages = [...this.stages];
    this.opts.log.warn(
      `circuit open after ${this.failures} infrastructure failures in a row (${reason}); ` +
        `pausing ${stages.join(', ')} in this process and probing ${this.opts.probes.map((p) => p.name).join(' and ')}`,
    );
    for (const s of stages) void this.opts.pause(s).catch(() => undefined);
    this.closed = this.probeUntilHealthy();
  }

  private async probeUntilHealthy(): Promise<void> {
    let delay = 500;
    for (;;) {
      await sleep(delay);
      const results = await Promise.allSettled(this.opts.probes.map((p) => p.check()));
      if (results.every((r) => r.status === 'fulfilled')) break;
      delay = Math.min(delay * 2, this.opts.probeMaxMs);
    }
    const downFor = Math.round((Date.now() - (this.openSince ?? Date.now())) / 1000);
    this.openSince = null;
    this.failures = 0;
    const stages = [...this.stages];
    this.stages.clear();
    this.transitions.push({
      state: 'closed',
      at: new Date(),
      reason: `healthy after ${downFor} s`,
    });
    this.opts.log.log(
      `circuit closed: ${this.opts.probes.map((p) => p.name).join(' and ')} answer again after ${downFor} s; resuming ${stages.join(', ')}`,
    );
    for (const s of stages) await this.opts.resume(s).catch(() => undefined);
  }
}
