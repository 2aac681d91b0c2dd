import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import type { TranscriptResult, TranscriptionSummary } from '@clipline/contracts';
import {
  PartCoordinator,
  transcriptOutputs,
  type RunContext,
  type StageHandler,
  type StageInput,
  type StageSaved,
  type StageSplit,
} from '@clipline/pipeline';
import {
  POCKETSPHINX_FAST_ARGS,
  buildResult,
  createEngine,
  transcribe,
  transcribeRange,
  type ChunkTranscript,
  type TranscribeOptions,
  type TranscriptionEngine,
} from '@clipline/transcription';
import type { EntityManager } from 'typeorm';

@Injectable()
export class TranscriptionHandler
  implements StageHandler<'transcription', TranscriptResult>, OnModuleInit
{
  readonly stage = 'transcription' as const;
  /** The recogniser back end (pocketsphinx, whisper or OpenAI), built once per process. */
  private engine: TranscriptionEngine;

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Inject(PartCoordinator) private readonly parts: PartCoordinator,
  ) {}

  /** A missing binary or model stops the worker at startup, not in the middle of a job. */
  async onModuleInit(): Promise<void> {
    this.engine = createEngine(this.engineOptions('en'));
    await this.engine.init();
  }

  private engineOptions(language: string): TranscribeOptions {
    return {
      engine: this.cfg.TRANSCRIPTION_ENGINE,
      language,
      modelDir: this.cfg.MODEL_DIR,
      openaiBaseUrl: this.cfg.OPENAI_BASE_URL,
      openaiApiKey: this.cfg.OPENAI_API_KEY,
      openaiModel: this.cfg.OPENAI_MODEL,
      pocketsphinxArgs:
        this.cfg.POCKETSPHINX_PRESET === 'fast' ? POCKETSPHINX_FAST_ARGS : undefined,
      concurrency: this.cfg.TRANSCRIPTION_CONCURRENCY,
    };
  }

  /** Long sources are split into parts that every transcription worker can take. */
  readonly split: StageSplit<ChunkTranscript, TranscriptResult> = {
    ranges: (durationSec) => this.parts.ranges(durationSec),
    runPart: (job, range, sourceUrl, hooks) =>
      transcribeRange(
        sourceUrl,
        range.start,
        range.end,
        { ...this.engineOptions(job.options.language), sourceFormat: job.mediaInfo.formatName },
        hooks,
        this.engine,
      ),
    merge: (chunks, job) =>
      buildResult(this.engine, job.options.language, chunks, job.mediaInfo.durationSec),
  };

  async run(
    ctx: RunContext,
    { sourceUrl }: StageInput<'transcription'>,
  ): Promise<TranscriptResult> {
    const media = ctx.job.mediaInfo;
    const ranges = media.hasAudio ? this.split.ranges(media.durationSec) : null;
    if (ranges) return this.parts.run(ctx, this, sourceUrl, ranges);
    const opts = this.engineOptions(ctx.job.options.language);
    return transcribe(sourceUrl, media, opts, ctx.hooks, this.engine);
  }

  async save(m: EntityManager, ctx: RunContext, t: TranscriptResult): Promise<StageSaved> {
    await transcriptOutputs.save(m, ctx.job.id, ctx.attempt, t);
    return {
      summary: {
        words: t.words.length,
        segments: t.segments.length,
        language: t.language,
        engine: t.engine,
        note: t.note,
      } satisfies TranscriptionSummary,
    };
  }
}
