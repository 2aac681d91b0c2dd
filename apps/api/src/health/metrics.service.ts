import { Injectable } from '@nestjs/common';
import { JOB_STATUSES, WORKER_STAGES } from '@clipline/contracts';
import { StageScheduler } from '@clipline/pipeline';
import { DataSource } from 'typeorm';
import type { Metric } from './prometheus.format';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
const QUANTILES = [0.5, 0.9, 0.99];

/**
 * Everything is read at scrape time from Bull and Postgres, so every API
 * instance reports the same cluster-wide numbers and a restart loses nothing.
 */
@Injectable()
export class MetricsService {
  constructor(
    private readonly db: DataSource,
    private readonly scheduler: StageScheduler,
  ) {}

  async collect(): Promise<Metric[]> {
    const [queues, jobs, durations, failures] = await Promise.all([
      this.scheduler.queueStats(),
      this.db.query(`SELECT status, COUNT(*)::int AS n FROM jobs GROUP BY status`) as Promise<
        Array<{ status: string; n: number }>
      >,
      this.stageDurations(),
      this.db.query(
        `SELECT stage, COUNT(*)::int AS n FROM processing_logs WHERE event = 'fail' GROUP BY stage`,
      ) as Promise<Array<{ stage: string; n: number }>>,
    ]);
    const jobCount = new Map(jobs.map((r) => [r.status, r.n]));
    const failCount = new Map(failures.map((r) => [r.stage, r.n]));
    return [
      {
        name: 'clipline_queue_jobs',
        help: 'Bull jobs per queue and state.',
        type: 'gauge',
        samples: queues.flatMap((q) =>
          QUEUE_STATES.map((state) => ({
            labels: { stage: q.stage, queue: q.queue, state },
            value: q[state],
          })),
        ),
      },
      {
        name: 'clipline_queue_paused',
        help: '1 when the queue is paused.',
        type: 'gauge',
        samples: queues.map((q) => ({
          labels: { stage: q.stage, queue: q.queue },
          value: q.paused ? 1 : 0,
        })),
      },
      {
        name: 'clipline_jobs',
        help: 'Jobs per status.',
        type: 'gauge',
        samples: JOB_STATUSES.map((status) => ({
          labels: { status },
          value: jobCount.get(status) ?? 0,
        })),
      },
      {
        name: 'clipline_stage_duration_seconds',
        help: 'Run time of stages that completed in the last hour.',
        type: 'summary',
        samples: durations,
      },
      {
        name: 'clipline_stage_failures_total',
        help: 'Failed stage attempts (retried or final), from the processing log.',
        type: 'counter',
        samples: WORKER_STAGES.map((stage) => ({
          labels: { stage },
          value: failCount.get(stage) ?? 0,
        })),
      },
    ];
  }

  private async stageDurations(): Promise<Metric['samples']> {
    const rows = (await this.db.query(
      `SELECT stage,
              COUNT(*)::int AS n,
              COALESCE(SUM(d), 0)::float8 AS total,
              percentile_cont($1::float8[]) WITHIN GROUP (ORDER BY d) AS q
         FROM (SELECT stage, EXTRACT(EPOCH FROM finished_at - started_at)::float8 AS d
                 FROM job_stages
                WHERE status = 'completed' AND started_at IS NOT NULL
                  AND finished_at > now() - interval '1 hour') s
        GROUP BY stage`,
      [QUANTILES],
    )) as Array<{ stage: string; n: number; total: number; q: number[] | null }>;
    const byStage = new Map(rows.map((r) => [r.stage, r]));
    return WORKER_STAGES.flatMap((stage) => {
      const r = byStage.get(stage);
      return [
        ...QUANTILES.map((quantile, i) => ({
          labels: { stage, quantile: String(quantile) },
          value: r?.q?.[i] ?? NaN,
        })),
        { suffix: '_sum', labels: { stage }, value: r?.total ?? 0 },
        { suffix: '_count', labels: { stage }, value: r?.n ?? 0 },
      ];
    });
  }
}
