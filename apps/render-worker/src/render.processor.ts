import { Process, Processor } from '@nestjs/bull';
import { Inject, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import {
  QUEUE_NAMES,
  applyCaptionCorrections,
  wordsOfClip,
  type RenderJobPayload,
} from '@clipline/contracts';
import {
  ClipRows,
  ProgressEmitter,
  StageRunner,
  WORKER_CONCURRENCY,
  clipLease,
  type ClipResult,
  type RunContext,
} from '@clipline/pipeline';
import { planClipLook, renderClip, titleFromFilename, withWorkDir } from '@clipline/rendering';
import { StorageService, objectKeys } from '@clipline/storage';
import { statSync } from 'node:fs';
import type { Job } from 'bull';
import { DataSource } from 'typeorm';
import { CaptionTier, captionPlan } from './caption-tier';
import { loadRenderInputs } from './render-inputs';

@Processor(QUEUE_NAMES.rendering)
export class RenderProcessor implements OnModuleInit, OnModuleDestroy {
  private readonly captionTier: CaptionTier;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(StageRunner) private readonly runner: StageRunner,
    @Inject(ClipRows) private readonly clips: ClipRows,
    @Inject(StorageService) private readonly storage: StorageService,
    @Inject(ProgressEmitter) private readonly emitter: ProgressEmitter,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {
    this.captionTier = new CaptionTier(ds, cfg);
  }

  /** A caption engine that cannot run stops the worker at startup, not in the middle of a job. */
  async onModuleInit(): Promise<void> {
    const plan = captionPlan(this.cfg, 'en');
    if (plan.use) await this.captionTier.engineFor(plan);
  }

  /** Recognition ahead of other clips stops with the worker; clips left recognise for themselves. */
  onModuleDestroy(): Promise<void> {
    return this.captionTier.close();
  }

  @Process({ concurrency: WORKER_CONCURRENCY })
  async handle(job: Job<RenderJobPayload>) {
    const { jobId, clipId } = job.data;
    let owner: string | null = null;
    let segmentId = '';
    let aspect = '';
    const uploaded: string[] = [];
    const outcome = await this.runner.run(
      // Publishing is the fenced completion; the objects it replaced can go once it committed.
      clipLease(this.clips, this.cfg, jobId, clipId, (replaced) =>
        this.storage.deleteKeys(replaced),
      ),
      async (ctx) => {
        owner = ctx.job.ownerKeyId;
        const r = await this.render(ctx, clipId, uploaded);
        segmentId = r.segmentId;
        aspect = r.aspect;
        return r.fields;
      },
      `clip ${clipId}`,
    );
    if (outcome !== 'completed' && uploaded.length) {
      // This attempt lost (lease gone, or failed after uploading): nothing points at its objects.
      await this.storage
        .deleteKeys(uploaded)
        .catch((err: Error) => console.warn(`deleting unpublished clip objects: ${err.message}`));
    }
    if (outcome === 'completed') {
      this.emitter.emit('clip.ready', owner, {
        jobId,
        clipId,
        segmentId,
        aspect,
        at: new Date().toISOString(),
      });
    }
    return outcome;
  }

  private async render(
    ctx: RunContext,
    clipId: string,
    uploaded: string[],
  ): Promise<{ fields: ClipResult; segmentId: string; aspect: string }> {
    const inputs = await loadRenderInputs(this.ds, clipId);
    if (!inputs) throw new Error(`clip ${clipId} or its segment no longer exists`);
    const { clip, segment } = inputs;
    const { job } = ctx;
    const sourceUrl = await this.storage.presignGet(job.sourceKey);
    const started = Date.now();
    // Captions, sidecars and jump cuts use the caption tier's words for this segment.
    const captions = await this.captionTier.wordsFor(
      {
        clipId,
        attempt: ctx.attempt,
        segment,
        fastWords: inputs.words,
        transcript: inputs.transcript,
        language: job.options.language,
        sourceUrl,
        media: job.mediaInfo,
      },
      ctx.hooks,
    );
    // The creator's fixes replace recognised words, keeping their timing, in captions and sidecars.
    const words = applyCaptionCorrections(
      wordsOfClip(captions.words, inputs.words, segment, inputs.range),
      inputs.corrections,
    );
    // The job's look, then the clip's own; auto layouts record what they chose and why.
    // The clip's own (possibly trimmed) range and the corrected words, so the hook
    // title and keyword highlights show what the captions show.
    const look = planClipLook({
      jobLook: job.options.look,
      clipLook: clip.look,
      media: job.mediaInfo,
      aspect: clip.aspect,
      start: inputs.range.start,
      end: inputs.range.end,
      words,
      analysis: inputs.layout,
    });
    return withWorkDir(
      async (workDir) => {
        const out = await renderClip(
          {
            sourceUrl,
            media: job.mediaInfo,
            start: inputs.range.start,
            end: inputs.range.end,
            aspect: clip.aspect,
            words,
            silences: inputs.silences,
            removeSilence: job.options.removeSilence,
            captions: job.options.captions,
            cropPlan: look.cropPlan,
            look: look.look,
            layout: look.layout,
            faceTracks: look.faceTracks,
            keywords: look.keywords,
            title: titleFromFilename(job.sourceFilename),
            workDir,
            options: { threads: this.cfg.RENDER_THREADS },
          },
          ctx.hooks,
        );
        const base = objectKeys.clipBase(job.id, segment.id, clip.aspect, ctx.attempt);
        const keys = {
          videoKey: `${base}.mp4`,
          thumbnailKey: `${base}.jpg`,
          vttKey: `${base}.vtt`,
          srtKey: `${base}.srt`,
        };
        uploaded.push(...Object.values(keys));
        await Promise.all([
          this.storage.putFile(keys.videoKey, out.videoPath, 'video/mp4'),
          this.storage.putFile(keys.thumbnailKey, out.thumbnailPath, 'image/jpeg'),
          this.storage.putFile(keys.vttKey, out.vttPath, 'text/vtt'),
          this.storage.putFile(keys.srtKey, out.srtPath, 'application/x-subrip'),
        ]);
        return {
          segmentId: segment.id,
          aspect: clip.aspect,
          fields: {
            ...keys,
            durationSec: out.durationSec,
            width: out.width,
            height: out.height,
            sizeBytes: String(statSync(out.videoPath).size),
            renderMs: Date.now() - started,
            captionEngine: captions.info,
            renderedVersion: inputs.version,
            renderingVersion: null,
            layoutChoice: look.layout,
          },
        };
      },
      { parent: this.cfg.WORK_DIR },
    );
  }
}
