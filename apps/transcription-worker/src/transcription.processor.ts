import { Process, Processor } from '@nestjs/bull';
import { type OnModuleInit } from '@nestjs/common';
import { QUEUE_NAMES, type StageJobPayload } from '@clipline/contracts';
import { TranscriptEntity } from '@clipline/database';
import {
  StageProcessorBase,
  WORKER_CONCURRENCY,
  type RunContext,
  type StageResult,
} from '@clipline/pipeline';
import {
  createEngine,
  transcribe,
  type TranscribeOptions,
  type TranscriptionEngine,
} from '@clipline/transcription';
import type { Job } from 'bull';

@Processor(QUEUE_NAMES.transcription)
export class TranscriptionProcessor extends StageProcessorBase implements OnModuleInit {
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
    };
  }

  @Process({ concurrency: WORKER_CONCURRENCY })
  handle(job: Job<StageJobPayload>) {
    return this.runStage(job);
  }

  protected async work(ctx: RunContext, sourceUrl: string): Promise<StageResult> {
    const { job, attempt } = ctx;
    const t = await transcribe(
      sourceUrl,
      job.mediaInfo,
      this.engineOptions(job.options.language),
      ctx.hooks,
      this.engine,
    );
    return {
      summary: {
        words: t.words.length,
        segments: t.segments.length,
        language: t.language,
        engine: t.engine,
        note: t.note,
      },
      write: async (m) => {
        await m.delete(TranscriptEntity, { jobId: job.id });
        await m.insert(TranscriptEntity, {
          jobId: job.id,
          engine: t.engine,
          model: t.model,
          modelVersion: t.modelVersion,
          language: t.language,
          text: t.text,
          words: t.words,
          segments: t.segments,
          note: t.note,
          attempt,
        });
      },
    };
  }
}
