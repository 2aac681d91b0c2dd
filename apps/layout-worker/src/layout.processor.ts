import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import { ASPECTS, type LayoutResult, type LayoutSummary } from '@clipline/contracts';
import {
  analyseLayout,
  createFaceDetector,
  layoutApplies,
  mergeLayoutParts,
  NO_FACE_MODEL_NOTE,
  ULTRAFACE_MODEL,
  type FaceDetector,
} from '@clipline/layout';
import {
  PartCoordinator,
  layoutOutputs,
  reportDegraded,
  type PartRange,
  type RunContext,
  type StageHandler,
  type StageInput,
  type StageSaved,
  type StageSplit,
} from '@clipline/pipeline';
import type { EntityManager } from 'typeorm';

/** Layout's outcome: the analysis, or why layout does not apply to this source. */
type LayoutRun = { analysis: LayoutResult } | { skipped: { reason: string } };

@Injectable()
export class LayoutHandler implements StageHandler<'layout', LayoutRun>, OnModuleInit {
  readonly stage = 'layout' as const;
  private detector: FaceDetector | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Inject(PartCoordinator) private readonly parts: PartCoordinator,
  ) {}

  /**
   * The model is checked (sha256) once at startup. Without it the worker
   * still serves the stage with centred crops and says so on /health:
   * crash-looping would leave every job waiting with no error anywhere.
   */
  async onModuleInit(): Promise<void> {
    try {
      this.detector = await createFaceDetector(this.cfg.MODEL_DIR);
    } catch (err) {
      if ((err as Error).name !== 'ModelMissingError') throw err;
      this.detector = null;
      const reason = `${NO_FACE_MODEL_NOTE} (${ULTRAFACE_MODEL.path} is missing or damaged in MODEL_DIR; see docs/operations.md)`;
      reportDegraded(reason);
      new Logger('LayoutHandler').warn(`${reason}: ${(err as Error).message}`);
    }
  }

  /** Long sources are split by time range across every layout worker, then merged. */
  readonly split: StageSplit<LayoutResult, LayoutResult> = {
    ranges: (durationSec) => this.parts.ranges(durationSec),
    runPart: (job, range, sourceUrl, hooks) =>
      analyseLayout(sourceUrl, job.mediaInfo, this.layoutOptions(range), hooks),
    merge: (parts) => mergeLayoutParts(parts),
  };

  async run(ctx: RunContext, { sourceUrl }: StageInput<'layout'>): Promise<LayoutRun> {
    const { job } = ctx;
    const applies = layoutApplies(job.mediaInfo);
    if (!applies.applies) {
      ctx.hooks.onLog(`layout skipped: ${applies.reason}`);
      return { skipped: { reason: applies.reason } };
    }
    const ranges = this.split.ranges(job.mediaInfo.durationSec);
    const analysis = ranges
      ? await this.parts.run(ctx, this, sourceUrl, ranges)
      : await analyseLayout(sourceUrl, job.mediaInfo, this.layoutOptions(), ctx.hooks);
    return { analysis };
  }

  async save(m: EntityManager, ctx: RunContext, result: LayoutRun): Promise<StageSaved> {
    const { job, attempt } = ctx;
    if ('skipped' in result) {
      await layoutOutputs.clear(m, job.id);
      return {
        status: 'skipped',
        summary: { reason: result.skipped.reason } satisfies LayoutSummary,
      };
    }
    const r = result.analysis;
    await layoutOutputs.save(m, job.id, attempt, r);
    return {
      summary: {
        scenes: r.scenes.length,
        faceTracks: r.faceTracks.length,
        frames: r.frameCount,
        note: r.note,
      } satisfies LayoutSummary,
    };
  }

  // Plans for every aspect, so ops can add an aspect later and re-run only rendering.
  private layoutOptions(range?: PartRange) {
    return {
      aspects: [...ASPECTS],
      detector: this.detector,
      startSec: range?.start,
      endSec: range?.end,
    };
  }
}
