import { Injectable } from '@nestjs/common';
import { JOB_STATUSES } from '@clipline/contracts';
import { metricsRegistry, StageScheduler, trackQueues } from '@clipline/pipeline';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';

let jobsDb: DataSource | undefined;

/** Registered once per process; the gauge reads the latest app's database (tests start several). */
function trackJobs(db: DataSource): void {
  jobsDb = db;
  if (metricsRegistry.getSingleMetric('clipline_jobs')) return;
  new Gauge({
    name: 'clipline_jobs',
    help: 'Jobs per status (a gauge: it goes down when jobs are deleted).',
    labelNames: ['status'] as const,
    registers: [metricsRegistry],
    async collect() {
      const rows = (await jobsDb!.query(
        `SELECT status, COUNT(*)::int AS n FROM jobs GROUP BY status`,
      )) as Array<{ status: string; n: number }>;
      const count = new Map(rows.map((r) => [r.status, r.n]));
      for (const status of JOB_STATUSES) this.set({ status }, count.get(status) ?? 0);
    },
  });
}

/**
 * The API's metrics: process and event-loop metrics, queue depths (paused
 * jobs included) and jobs per status read at scrape time, and the counters of
 * what this process did (jobs created and deleted, stalled work taken back).
 * Stage attempts, retries and failures are counted by the workers that run
 * them, each on its own METRICS_PORT.
 */
@Injectable()
export class MetricsService {
  constructor(db: DataSource, scheduler: StageScheduler) {
    trackQueues(scheduler);
    trackJobs(db);
  }

  get contentType(): string {
    return metricsRegistry.contentType;
  }

  render(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
