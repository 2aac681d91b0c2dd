import type { AppConfig } from '@clipline/config';
import type { StorageService } from '@clipline/storage';
import type { Job } from 'bull';
// Tests drive a worker's processor in-process; this file is the one place they build one.
import { LayoutProcessor } from '../../apps/layout-worker/src/layout.processor';
import { RenderProcessor } from '../../apps/render-worker/src/render.processor';
import type { PipelineHarness } from './pipeline-harness';

/**
 * A render worker's processor over the harness's services with `cfg` (the
 * harness's by default), and S3 through `storage` (e.g. a client behind a proxy).
 */
export function renderProcessor(
  h: PipelineHarness,
  cfg: AppConfig = h.cfg,
  storage: StorageService = h.storage,
): RenderProcessor {
  const { runner, clips, emitter } = h.with({ cfg });
  return new RenderProcessor(h.ds, runner, clips, storage, emitter, cfg);
}

/** A layout worker's processor over the harness's services with `cfg`, its model not loaded yet (onModuleInit). */
export function layoutProcessor(h: PipelineHarness, cfg: AppConfig = h.cfg): LayoutProcessor {
  const { runner, parts, scheduler, logger, stages } = h.with({ cfg });
  const p = new LayoutProcessor();
  // Nest injects these properties in the worker app.
  Object.assign(p, {
    runner,
    storage: h.storage,
    cfg,
    parts,
    scheduler,
    logger,
    ds: h.ds,
    store: stages,
  });
  return p;
}

/** The Bull job a processor's handler receives: only its data is read. */
export const bullJob = <T>(data: T) => ({ data }) as Job<T>;
