import { Process, Processor } from '@nestjs/bull';
import { type OnModuleInit } from '@nestjs/common';
import {
  QUEUE_NAMES,
  type StageHooks,
  type StageJobPayload,
  type TranscriptionSummary,
  type TranscriptResult,
} from '@clipline/contracts';
import type { JobEntity } from '@clipline/database';
import {
  StageProcessorBase,
  WORKER_CONCURRENCY,
  transcriptOutputs,
  type PartRange,
  type RunContext,
  type StageResult,
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
import type { Job } from 'bull';

@Processor(QUEUE_NAMES.transcription)
export class TranscriptionProcessor extends StageProcessorBase implements OnModuleInit {
  protected readonly stage = 'transcription' as const;
  private engine: TranscriptionEngine;

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

  @Process({ concurrency: WORKER_CONCURRENCY })
  handle(job: Job<StageJobPayload>) {
    return this.runStage(job);
  }

  protected async work(ctx: RunContext, sourceUrl: string): Promise<StageResult> {
    const { job, attempt } = ctx;
    const t = await this.transcribeWhole(ctx, sourceUrl);
    return {
      summary: {
        words: t.words.length,
        segments: t.segments.length,
        language: t.language,
        engine: t.engine,
        note: t.note,
      } satisfies TranscriptionSummary,
      write: (m) => transcriptOutputs.save(m, job.id, attempt, t),
    };
  }

  /** Long sources are split into parts that every transcription worker can take. */
  private async transcribeWhole(ctx: RunContext, sourceUrl: string): Promise<TranscriptResult> {
    const { job } = ctx;
    const media = job.mediaInfo;
    const opts = this.engineOptions(job.options.language);
    const ranges = media.hasAudio ? this.partRanges(media.durationSec) : null;
    if (!ranges) return transcribe(sourceUrl, media, opts, ctx.hooks, this.engine);
    const chunks = await this.runParts<ChunkTranscript>(ctx, sourceUrl, ranges);
    return buildResult(this.engine, opts.language, chunks, media.durationSec);
  }

  protected override partWork(
    job: JobEntity,
    range: PartRange,
    sourceUrl: string,
    hooks: StageHooks,
  ): Promise<ChunkTranscript> {
    return transcribeRange(
      sourceUrl,
      range.start,
      range.end,
      { ...this.engineOptions(job.options.language), sourceFormat: job.mediaInfo.formatName },
      hooks,
      this.engine,
    );
  }
}
