import { Process, Processor } from '@nestjs/bull';
import { QUEUE_NAMES, type StageJobPayload } from '@clipline/contracts';
import { SilenceRegionEntity } from '@clipline/database';
import {
  StageProcessorBase,
  WORKER_CONCURRENCY,
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
      summary: { ...result.summary, regions: result.regions.length },
      write: async (m) => {
        await m.delete(SilenceRegionEntity, { jobId: job.id });
        const rows = result.regions.map((r) => ({
          jobId: job.id,
          kind: r.kind,
          start: r.start,
          end: r.end,
          meanDb: Number.isFinite(r.meanDb) ? r.meanDb : -120,
          attempt,
        }));
        for (let i = 0; i < rows.length; i += 1000)
          await m.insert(SilenceRegionEntity, rows.slice(i, i + 1000));
      },
    };
  }
}
