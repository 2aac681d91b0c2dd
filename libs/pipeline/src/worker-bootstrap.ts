import 'reflect-metadata';
import { Logger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@clipline/config';
import { describeFfmpegPair, sweepStaleScratch } from '@clipline/media';

/**
 * Starts a worker as a Nest application context (no HTTP). Config is checked
 * before anything connects, and SIGTERM/SIGINT drain through shutdown hooks.
 */
export async function bootstrapWorker(module: Type<unknown>, name: string): Promise<void> {
  const cfg = loadConfigOrExit();
  // A SIGKILLed or OOM-killed worker never ran its cleanup: its scratch folders go now.
  const stale = await sweepStaleScratch();
  if (stale.length)
    new Logger(name).log(`removed ${stale.length} scratch folder(s) of dead processes`);
  const app = await NestFactory.createApplicationContext(module, {
    logger: [
      'error',
      'warn',
      'log',
      ...(cfg.LOG_LEVEL === 'debug' || cfg.LOG_LEVEL === 'verbose' ? (['debug'] as const) : []),
    ],
  });
  app.enableShutdownHooks();
  new Logger(name).log(
    `ready (queue prefix ${cfg.QUEUE_PREFIX}, concurrency ${cfg.WORKER_CONCURRENCY}; ${describeFfmpegPair()})`,
  );
}

/** Bull's @Process concurrency is fixed when the decorator runs, so it reads the env directly. */
export const WORKER_CONCURRENCY = Math.max(1, Number(process.env.WORKER_CONCURRENCY ?? 1) || 1);
