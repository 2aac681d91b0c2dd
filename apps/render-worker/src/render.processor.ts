import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import { applyCaptionCorrections, wordsOfClip, type ClipReadyEvent } from '@clipline/contracts';
import {
  ProgressEmitter,
  type ClipColumns,
  type RunContext,
  type StageHandler,
  type StageInput,
} from '@clipline/pipeline';
import { planClipLook, renderClip, titleFromFilename, withWorkDir } from '@clipline/rendering';
import { StorageService, objectKeys } from '@clipline/storage';
import { statSync } from 'node:fs';
import { DataSource, type EntityManager } from 'typeorm';
import { CaptionTier, captionPlan } from './caption-tier';
import { loadRenderInputs } from './render-inputs';

/** One rendered clip: the columns its completion publishes and what it tells clients then. */
export interface RenderedClip {
  columns: ClipColumns;
  /** This attempt's objects; deleted if the completion does not publish them. */
  keys: string[];
  owner: string | null;
  ready: Omit<ClipReadyEvent, 'at'>;
}

/** Rendering's unit is a clip, leased on its own: each one claims, retries and fails alone. */
@Injectable()
export class RenderHandler
  implements StageHandler<'rendering', RenderedClip>, OnModuleInit, OnModuleDestroy
{
  readonly stage = 'rendering' as const;
  private readonly captionTier: CaptionTier;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
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

  async run(ctx: RunContext, input: StageInput<'rendering'>): Promise<RenderedClip> {
    const { clipId } = input.message;
    const inputs = await loadRenderInputs(this.ds, clipId);
    if (!inputs) throw new Error(`clip ${clipId} or its segment no longer exists`);
    const { clip, segment } = inputs;
    const { job } = ctx;
    const { sourceUrl } = input;
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
    const base = objectKeys.clipBase(job.id, segment.id, clip.aspect, ctx.attempt);
    const keys = {
      videoKey: `${base}.mp4`,
      thumbnailKey: `${base}.jpg`,
      vttKey: `${base}.vtt`,
      srtKey: `${base}.srt`,
    };
    let uploading = false;
    try {
      return await withWorkDir(
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
          uploading = true;
          await Promise.all([
            this.storage.putFile(keys.videoKey, out.videoPath, 'video/mp4'),
            this.storage.putFile(keys.thumbnailKey, out.thumbnailPath, 'image/jpeg'),
            this.storage.putFile(keys.vttKey, out.vttPath, 'text/vtt'),
            this.storage.putFile(keys.srtKey, out.srtPath, 'application/x-subrip'),
          ]);
          return {
            keys: Object.values(keys),
            owner: job.ownerKeyId,
            ready: { jobId: job.id, clipId, segmentId: segment.id, aspect: clip.aspect },
            columns: {
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
    } catch (err) {
      // Failed after uploading: nothing will point at this attempt's objects.
      if (uploading) await this.deleteUnpublished(Object.values(keys));
      throw err;
    }
  }

  /** The clip's columns go into its fenced completion, which publishes them. */
  save(_m: EntityManager, _ctx: RunContext, result: RenderedClip): Promise<ClipColumns> {
    return Promise.resolve(result.columns);
  }

  committed(result: RenderedClip): void {
    this.emitter.emit('clip.ready', result.owner, {
      ...result.ready,
      at: new Date().toISOString(),
    });
  }

  /** This attempt lost (lease gone, or its completion refused): its objects are nobody's. */
  discarded(result: RenderedClip): Promise<void> {
    return this.deleteUnpublished(result.keys);
  }

  private deleteUnpublished(keys: string[]): Promise<void> {
    return this.storage
      .deleteKeys(keys)
      .catch((err: Error) => console.warn(`deleting unpublished clip objects: ${err.message}`));
  }
}
