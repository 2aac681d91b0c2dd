import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import type { SegmentingResult } from '@clipline/contracts';
import { ClipEntity, ContentSegmentEntity, JobEntity } from '@clipline/database';
import { ClipRows, type RunContext, type StageHandler, type StageSaved } from '@clipline/pipeline';
import { selectSegments } from '@clipline/segmenting';
import { StorageService } from '@clipline/storage';
import { DataSource, In, type EntityManager } from 'typeorm';
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
    const selected = result.segments.filter((s) => s.selected).length;
    const shortfall = result.shortfall ?? null;
    // Fewer clips than asked for is an outcome the creator must see, not only a log line.
    const shortNote = shortfall
      ? `${shortfall.selected} of ${shortfall.requested} clips: ${shortfall.reason}`
      : null;
    const old = await m.find(ClipEntity, { where: { jobId: job.id } });
    const staleKeys = old
      .flatMap((c) => [c.videoKey, c.thumbnailKey, c.vttKey, c.srtKey])
      .filter((k): k is string => !!k);
    const saved: StageSaved = {
      // Old clips' objects go only after the new segments are committed, so a crash never loses both.
      afterCommit: () => this.storage.deleteKeys(staleKeys),
      summary: {
        candidates: result.segments.length,
        selected,
        requested: job.options.clipCount,
        shortfallReason: shortfall?.reason ?? null,
        note: result.note,
      },
    };
    // Clips cascade from segments: a re-run replaces both, never adds to them.
    await m.delete(ContentSegmentEntity, { jobId: job.id });
    if (!result.segments.length) {
      await m.update(
        JobEntity,
        { id: job.id },
        { note: result.note ?? 'no segment fits the length limits' },
      );
      return saved;
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
    return saved;
  }
}
