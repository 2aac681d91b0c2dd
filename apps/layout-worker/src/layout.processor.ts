import { Process, Processor } from '@nestjs/bull';
import { Logger, type OnModuleInit } from '@nestjs/common';
import {
  ASPECTS,
  QUEUE_NAMES,
  type LayoutResult,
  type LayoutSummary,
  type StageHooks,
  type StageJobPayload,
} from '@clipline/contracts';
import type { JobEntity } from '@clipline/database';
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
  layoutOutputs,
  reportDegraded,
  StageProcessorBase,
  WORKER_CONCURRENCY,
  type PartRange,
  type RunContext,
  type StageResult,
} from '@clipline/pipeline';
import type { Job } from 'bull';

@Processor(QUEUE_NAMES.layout)
export class LayoutProcessor extends StageProcessorBase implements OnModuleInit {
  protected readonly stage = 'layout' as const;
  private detector: FaceDetector | null = null;

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
      new Logger('LayoutProcessor').warn(`${reason}: ${(err as Error).message}`);
    }
  }

  @Process({ concurrency: WORKER_CONCURRENCY })
  handle(job: Job<StageJobPayload>) {
    return this.runStage(job);
  }

  protected async work(ctx: RunContext, sourceUrl: string): Promise<StageResult> {
    const { job, attempt } = ctx;
    const applies = layoutApplies(job.mediaInfo);
    if (!applies.applies) {
      ctx.hooks.onLog(`layout skipped: ${applies.reason}`);
      return {
        status: 'skipped',
        summary: { reason: applies.reason } satisfies LayoutSummary,
        write: (m) => layoutOutputs.clear(m, job.id),
      };
    }
    const r = await this.analyseWhole(ctx, sourceUrl);
    return {
      summary: {
        scenes: r.scenes.length,
        faceTracks: r.faceTracks.length,
        frames: r.frameCount,
        note: r.note,
      } satisfies LayoutSummary,
      write: (m) => layoutOutputs.save(m, job.id, attempt, r),
    };
  }

  /** Long sources are split by time range across every layout worker, then merged. */
  private async analyseWhole(ctx: RunContext, sourceUrl: string): Promise<LayoutResult> {
    const media = ctx.job.mediaInfo;
    const ranges = this.partRanges(media.durationSec);
    if (!ranges) return analyseLayout(sourceUrl, media, this.layoutOptions(), ctx.hooks);
    return mergeLayoutParts(await this.runParts<LayoutResult>(ctx, sourceUrl, ranges));
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

  protected override partWork(
    job: JobEntity,
    range: PartRange,
    sourceUrl: string,
    hooks: StageHooks,
  ): Promise<LayoutResult> {
    return analyseLayout(sourceUrl, job.mediaInfo, this.layoutOptions(range), hooks);
  }
}
