import 'reflect-metadata';
import { type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@clipline/config';
import { describeFfmpegPair, sweepStaleScratch } from '@clipline/media';
import { initAppLogger, PinoNestLogger } from './app-logger';
import { startWorkerMetrics } from './worker-metrics';
import { WorkerRegistry } from './worker-registry';

/**
 * Starts a worker as a Nest application context (no HTTP). Config is checked
 * before anything connects, and SIGTERM/SIGINT drain through shutdown hooks.
 */
export async function bootstrapWorker(module: Type<unknown>, name: string): Promise<void> {
  const cfg = loadConfigOrExit();
  const log = initAppLogger(name);
  // A SIGKILLed or OOM-killed worker never ran its cleanup: its scratch folders go now.
  const stale = await sweepStaleScratch();
  if (stale.length) log.info(`removed ${stale.length} scratch folder(s) of dead processes`);
  const app = await NestFactory.createApplicationContext(module, {
    logger: new PinoNestLogger(log),
  });
  app.enableShutdownHooks();
  // Registered once ready, so /health and the ops page list only processes that can take work.
  await app.get(WorkerRegistry).start(name);
  const metricsPort = await startWorkerMetrics(app, cfg.METRICS_PORT);
  log.info(
    `ready (queue prefix ${cfg.QUEUE_PREFIX}, concurrency ${cfg.WORKER_CONCURRENCY}; ${describeFfmpegPair()}` +
      `${metricsPort === null ? '' : `, metrics on :${metricsPort}/metrics`})`,
  );
}

/** Bull's @Process concurrency is fixed when the decorator runs, so it reads the env directly. */
export const WORKER_CONCURRENCY = Math.max(1, Number(process.env.WORKER_CONCURRENCY ?? 1) || 1);
