import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import type { SegmentingResult, SegmentingSummary } from '@clipline/contracts';
import {
  segmentsOutputs,
  type RunContext,
  type StageHandler,
  type StageSaved,
} from '@clipline/pipeline';
import { selectSegments } from '@clipline/segmenting';
import { StorageService } from '@clipline/storage';
import { DataSource, type EntityManager } from 'typeorm';
import { loadSegmentingInputs } from './segmenting-inputs';

@Injectable()
export class SegmentingHandler implements StageHandler<'segmenting', SegmentingResult> {
  readonly stage = 'segmenting' as const;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(StorageService) private readonly storage: StorageService,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  async run(ctx: RunContext): Promise<SegmentingResult> {
    const { job } = ctx;
    const inputs = await loadSegmentingInputs(this.ds, job.id);
    ctx.hooks.onProgress(0.2);
    const result = selectSegments(
      {
        durationSec: job.mediaInfo.durationSec,
        ...inputs,
        job: {
          clipCount: job.options.clipCount,
          minClipSeconds: job.options.minClipSeconds,
          maxClipSeconds: job.options.maxClipSeconds,
        },
      },
      {
        minScore: this.cfg.SEGMENT_MIN_SCORE,
        maxNonSpeechRatio: this.cfg.SEGMENT_MAX_NON_SPEECH_RATIO,
      },
    );
    ctx.hooks.onProgress(0.9);
    if (result.note) ctx.hooks.onLog(`segmenting: ${result.note}`);
    return result;
  }

  async save(m: EntityManager, ctx: RunContext, result: SegmentingResult): Promise<StageSaved> {
    const { job, attempt } = ctx;
    const { replacedKeys } = await segmentsOutputs.save(m, job, attempt, result);
    return {
      // Old clips' objects go only after the new segments are committed, so a crash never loses both.
      afterCommit: () => this.storage.deleteKeys(replacedKeys),
      summary: {
        candidates: result.segments.length,
        selected: result.segments.filter((s) => s.selected).length,
        requested: job.options.clipCount,
        shortfallReason: result.shortfall?.reason ?? null,
        note: result.note,
      } satisfies SegmentingSummary,
    };
  }
}
