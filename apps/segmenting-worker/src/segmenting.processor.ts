import { Process, Processor } from '@nestjs/bull';
import { QUEUE_NAMES, type StageJobPayload } from '@clipline/contracts';
import { ClipEntity, ContentSegmentEntity, JobEntity } from '@clipline/database';
import {
  ClipRows,
  StageProcessorBase,
  WORKER_CONCURRENCY,
  type RunContext,
  type StageResult,
} from '@clipline/pipeline';
import { selectSegments } from '@clipline/segmenting';
import type { Job } from 'bull';
import { In } from 'typeorm';
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
    const shortfall = result.shortfall ?? null;
    // Fewer clips than asked for is an outcome the creator must see, not only a log line.
    const shortNote = shortfall
      ? `${shortfall.selected} of ${shortfall.requested} clips: ${shortfall.reason}`
      : null;
    let staleKeys: string[] = [];
    return {
      // Old clips' objects go only after the new segments are committed, so a crash never loses both.
      afterCommit: () => this.storage.deleteKeys(staleKeys),
      summary: {
        candidates: result.segments.length,
        selected,
        requested: job.options.clipCount,
        shortfallReason: shortfall?.reason ?? null,
        note: result.note,
      },
      write: async (m) => {
        const old = await m.find(ClipEntity, { where: { jobId: job.id } });
        staleKeys = old
          .flatMap((c) => [c.videoKey, c.thumbnailKey, c.vttKey, c.srtKey])
          .filter((k): k is string => !!k);
        // Clips cascade from segments: a re-run replaces both, never adds to them.
        await m.delete(ContentSegmentEntity, { jobId: job.id });
        if (!result.segments.length) {
          await m.update(
            JobEntity,
            { id: job.id },
            { note: result.note ?? 'no segment fits the length limits' },
          );
          return;
        }
        if (shortNote) await m.update(JobEntity, { id: job.id }, { note: shortNote });
        const inserted = await m.insert(
          ContentSegmentEntity,
          result.segments.map((s) => ({
            jobId: job.id,
            rank: s.rank,
            start: s.start,
            end: s.end,
            score: s.score,
            features: s.features,
            reason: s.reason,
            text: s.text,
            selected: s.selected,
            attempt,
          })),
        );
        const ids = inserted.identifiers.map((i) => i.id as string);
        const chosen = await m.find(ContentSegmentEntity, {
          where: { id: In(ids), selected: true },
        });
        await ClipRows.insertQueued(
          m,
          job.id,
          chosen.map((s) => s.id),
          job.options.aspects,
        );
      },
    };
  }
}
