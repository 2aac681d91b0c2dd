import 'reflect-metadata';
import { type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig, loadConfigOrExit, type AppConfig } from '@clipline/config';
import {
  describeFfmpegPair,
  machineFfmpegPair,
  sweepStaleScratch,
  useFfmpegBinaries,
} from '@clipline/media';
import { initAppLogger, PinoNestLogger } from './app-logger';
import { startWorkerMetrics } from './worker-metrics';
import { WorkerRegistry } from './worker-registry';

/**
 * Stage libs never read the environment; a process entry point hands them
 * what its validated config says about external tools (here ffmpeg, which
 * every process runs; `configure` passes a worker's own, e.g. its model path).
 */
export function applyToolSettings(cfg: AppConfig): void {
  useFfmpegBinaries(
    machineFfmpegPair({ FFMPEG_PATH: cfg.FFMPEG_PATH, FFPROBE_PATH: cfg.FFPROBE_PATH }),
  );
}

/**
 * Starts a worker as a Nest application context (no HTTP). Config is checked
 * before anything connects, and SIGTERM/SIGINT drain through shutdown hooks.
 */
export async function bootstrapWorker(
  module: Type<unknown>,
  name: string,
  configure?: (cfg: AppConfig) => void,
): Promise<void> {
  const cfg = loadConfigOrExit();
  const log = initAppLogger(name, cfg);
  applyToolSettings(cfg);
  configure?.(cfg);
  // A SIGKILLed or OOM-killed worker never ran its cleanup: its scratch folders go now.
  const stale = await sweepStaleScratch();
  if (stale.length) log.info(`removed ${stale.length} scratch folder(s) of dead processes`);
  const app = await NestFactory.createApplicationContext(module, {
    logger: new PinoNestLogger(log),
    abortOnError: false,
  }).catch((err: Error) => {
    // E.g. a stage served with no handler or two: say so once and stop, rather than crash-loop quietly.
    log.fatal(`cannot start: ${err.message}`);
    process.exit(1);
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

/**
 * Bull's @Process concurrency is fixed when the decorator runs, before
 * bootstrapWorker, so it is read from the config here. An invalid config
 * must not crash the import: bootstrapWorker then stops with the reason.
 */
export const WORKER_CONCURRENCY = ((): number => {
  try {
    return loadConfig().WORKER_CONCURRENCY;
  } catch {
    return 1;
  }
})();
