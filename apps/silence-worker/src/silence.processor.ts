import { Process, Processor } from '@nestjs/bull';
import { QUEUE_NAMES, type SilenceStageSummary, type StageJobPayload } from '@clipline/contracts';
import {
  StageProcessorBase,
  WORKER_CONCURRENCY,
  silenceOutputs,
  type RunContext,
  type StageResult,
} from '@clipline/pipeline';
import { detectSilence } from '@clipline/silence';
import type { Job } from 'bull';

@Processor(QUEUE_NAMES.silence)
export class SilenceProcessor extends StageProcessorBase {
  protected readonly stage = 'silence' as const;

  @Process({ concurrency: WORKER_CONCURRENCY })
  handle(job: Job<StageJobPayload>) {
    return this.runStage(job);
  }

  protected async work(ctx: RunContext, sourceUrl: string): Promise<StageResult> {
    const { job, attempt } = ctx;
    const result = await detectSilence(sourceUrl, job.mediaInfo, {}, ctx.hooks);
    return {
      summary: {
        ...result.summary,
        regions: result.regions.length,
      } satisfies SilenceStageSummary,
      write: (m) => silenceOutputs.save(m, job.id, attempt, result.regions),
    };
  }
}
