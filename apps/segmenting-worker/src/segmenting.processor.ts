import { Process, Processor } from '@nestjs/bull';
import { QUEUE_NAMES, type SegmentingSummary, type StageJobPayload } from '@clipline/contracts';
import {
  StageProcessorBase,
  WORKER_CONCURRENCY,
  segmentsOutputs,
  type RunContext,
  type StageResult,
} from '@clipline/pipeline';
import { selectSegments } from '@clipline/segmenting';
import type { Job } from 'bull';
import { loadSegmentingInputs } from './segmenting-inputs';

@Processor(QUEUE_NAMES.segmenting)
export class SegmentingProcessor extends StageProcessorBase {
  protected readonly stage = 'segmenting' as const;

  @Process({ concurrency: WORKER_CONCURRENCY })
  handle(job: Job<StageJobPayload>) {
    return this.runStage(job);
  }

  protected async work(ctx: RunContext): Promise<StageResult> {
    const { job, attempt } = ctx;
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
    const selected = result.segments.filter((s) => s.selected).length;
    let staleKeys: string[] = [];
    return {
      // Old clips' objects go only after the new segments are committed, so a crash never loses both.
      afterCommit: () => this.storage.deleteKeys(staleKeys),
      summary: {
        candidates: result.segments.length,
        selected,
        requested: job.options.clipCount,
        shortfallReason: result.shortfall?.reason ?? null,
        note: result.note,
      } satisfies SegmentingSummary,
      write: async (m) => {
        ({ replacedKeys: staleKeys } = await segmentsOutputs.save(m, job, attempt, result));
      },
    };
  }
}
