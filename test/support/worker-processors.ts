import type { AppConfig } from '@clipline/config';
import { PartCoordinator, hostFor, type WorkerHost } from '@clipline/pipeline';
import type { StorageService } from '@clipline/storage';
// Tests drive a worker's handler in-process; this file is the one place they build one.
import { LayoutHandler } from '../../apps/layout-worker/src/layout.processor';
import { RenderHandler } from '../../apps/render-worker/src/render.processor';
import type { PipelineHarness } from './pipeline-harness';

/** A worker's handler and the host that runs it, as the worker app wires them. */
export interface TestWorker<H> {
  handler: H;
  host: WorkerHost;
}

/**
 * A render worker over the harness's services with `cfg` (the harness's by
 * default), and S3 through `storage` (e.g. a client behind a proxy).
 */
export function renderWorker(
  h: PipelineHarness,
  cfg: AppConfig = h.cfg,
  storage: StorageService = h.storage,
): TestWorker<RenderHandler> {
  const { runner, stages, clips, emitter } = h.with({ cfg });
  const handler = new RenderHandler(h.ds, storage, emitter, cfg);
  return { handler, host: hostFor(handler, { runner, stages, clips, storage, cfg }) };
}

/** A layout worker over the harness's services with `cfg`, its model not loaded yet (onModuleInit). */
export function layoutWorker(
  h: PipelineHarness,
  cfg: AppConfig = h.cfg,
): TestWorker<LayoutHandler> {
  const { runner, stages, clips, parts: partRows, scheduler, logger } = h.with({ cfg });
  const parts = new PartCoordinator(partRows, scheduler, logger, h.ds, h.storage, cfg);
  const handler = new LayoutHandler(cfg, parts);
  return {
    handler,
    host: hostFor(handler, { runner, stages, clips, storage: h.storage, cfg, parts }),
  };
}
