import { WORKER_STAGES } from '@clipline/contracts';
import type { INestApplicationContext } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { appLogger } from './app-logger';
import { StageScheduler } from './stage-scheduler';

/**
 * The process's metrics. Counters are fed by what this process does (a stage
 * attempt it ran, a job it created), so they only grow and no scrape reads the
 * database; Prometheus sums them over processes.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'clipline_' });

export const stageAttempts = new Counter({
  name: 'clipline_stage_attempts_total',
  help: 'Stage attempts this process claimed (each clip of rendering counts).',
  labelNames: ['stage'] as const,
  registers: [metricsRegistry],
});

export const stageRetries = new Counter({
  name: 'clipline_stage_retries_total',
  help: 'Failed stage attempts that were scheduled to run again.',
  labelNames: ['stage'] as const,
  registers: [metricsRegistry],
});

export const stageFailures = new Counter({
  name: 'clipline_stage_failures_total',
  help: 'Failed stage attempts, retried or final, by class (bad_input, configuration, infrastructure, error).',
  labelNames: ['stage', 'class', 'final'] as const,
  registers: [metricsRegistry],
});

export const messagesRejected = new Counter({
  name: 'clipline_stage_messages_rejected_total',
  help: 'Bull messages a worker dropped unrun because they failed the check at the worker boundary.',
  labelNames: ['stage'] as const,
  registers: [metricsRegistry],
});

export const stageTakeBacks = new Counter({
  name: 'clipline_stage_takebacks_total',
  help: 'Stalled stages and clips the reconciler in this process took back (a retry, or final at the last attempt).',
  labelNames: ['stage'] as const,
  registers: [metricsRegistry],
});

export const stageOutcomes = new Counter({
  name: 'clipline_stage_outcomes_total',
  help: 'Stage runs by outcome (completed, retrying, failed, lost-lease, skipped-claim).',
  labelNames: ['stage', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const stageDuration = new Histogram({
  name: 'clipline_stage_duration_seconds',
  help: 'Run time of stage attempts this process finished, by outcome.',
  labelNames: ['stage', 'outcome'] as const,
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 2400, 3600],
  registers: [metricsRegistry],
});

export const jobsCreated = new Counter({
  name: 'clipline_jobs_created_total',
  help: 'Jobs this API process created.',
  registers: [metricsRegistry],
});

export const jobsDeleted = new Counter({
  name: 'clipline_jobs_deleted_total',
  help: 'Jobs this API process deleted.',
  registers: [metricsRegistry],
});

const QUEUE_STATES = ['waiting', 'paused', 'active', 'delayed', 'failed', 'completed'] as const;
let current: StageScheduler | undefined;
let queueGauges: { jobs: Gauge<'stage' | 'queue' | 'state'>; paused: Gauge<'stage' | 'queue'> };

/**
 * Queue depth gauges read from Bull at scrape time. `paused` counts the jobs a
 * globally paused queue holds: Bull moves them out of `waiting`, so without it
 * a paused queue looks empty.
 */
export function trackQueues(scheduler: StageScheduler): void {
  // One set of gauges per process; the latest scheduler (an app restarted in tests) feeds them.
  current = scheduler;
  if (queueGauges) return;
  queueGauges = {
    jobs: new Gauge({
      name: 'clipline_queue_jobs',
      help: 'Bull jobs per queue and state; state="paused" is what a paused queue holds.',
      labelNames: ['stage', 'queue', 'state'] as const,
      registers: [metricsRegistry],
      async collect() {
        const stats = await queueStats();
        this.reset();
        for (const q of stats)
          for (const state of QUEUE_STATES)
            this.set({ stage: q.stage, queue: q.queue, state }, stateCount(q, state));
      },
    }),
    paused: new Gauge({
      name: 'clipline_queue_paused',
      help: '1 when the queue is paused for every worker.',
      labelNames: ['stage', 'queue'] as const,
      registers: [metricsRegistry],
      async collect() {
        const stats = await queueStats();
        this.reset();
        for (const q of stats) this.set({ stage: q.stage, queue: q.queue }, q.paused ? 1 : 0);
      },
    }),
  };
}

type QueueStats = Awaited<ReturnType<StageScheduler['queueStats']>>;
let inflight: Promise<QueueStats> | undefined;

/**
 * One Bull read for both gauges of a scrape: they collect at the same time and
 * share the read in flight. Nothing is kept after it, so a scrape never shows
 * counts from before the last change. With Redis down the gauges are left out
 * (and the error logged) rather than failing the whole scrape, so the process
 * metrics still arrive.
 */
function queueStats(): Promise<QueueStats> {
  inflight ??= current!
    .queueStats()
    .catch((err: Error) => {
      appLogger().warn({ err }, `metrics: queue counts unavailable (${err.message})`);
      return [];
    })
    .finally(() => {
      inflight = undefined;
    });
  return inflight;
}

function stateCount(q: QueueStats[number], state: (typeof QUEUE_STATES)[number]): number {
  return state === 'paused' ? q.pausedJobs : q[state];
}

// Every stage starts at zero, so a rate() works from the first failure on.
for (const stage of WORKER_STAGES) {
  stageAttempts.inc({ stage }, 0);
  stageRetries.inc({ stage }, 0);
}

/**
 * Serves this process's metrics on `GET /metrics` (METRICS_PORT). Port 0
 * picks a free one; the promise resolves with the port bound.
 */
export function startMetricsServer(port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metricsRegistry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      // The scrape endpoint must not keep a draining worker alive.
      server.unref();
      resolve(server);
    });
  });
}

/**
 * A worker's metrics endpoint: queue gauges from the app's scheduler and the
 * server on `port`. Resolves with the bound port, or null when none is configured.
 */
export async function startWorkerMetrics(
  app: INestApplicationContext,
  port: number | undefined,
): Promise<number | null> {
  trackQueues(app.get(StageScheduler));
  if (port === undefined) return null;
  const server = await startMetricsServer(port);
  return (server.address() as AddressInfo).port;
}
