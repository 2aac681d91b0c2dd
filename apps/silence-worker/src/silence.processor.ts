import { Injectable } from '@nestjs/common';
import type { SilenceResult } from '@clipline/contracts';
import { SilenceRegionEntity } from '@clipline/database';
import type { RunContext, StageHandler, StageInput, StageSaved } from '@clipline/pipeline';
import { detectSilence } from '@clipline/silence';
import type { EntityManager } from 'typeorm';

@Injectable()
export class SilenceHandler implements StageHandler<'silence', SilenceResult> {
  readonly stage = 'silence' as const;

  run(ctx: RunContext, { sourceUrl }: StageInput<'silence'>): Promise<SilenceResult> {
    return detectSilence(sourceUrl, ctx.job.mediaInfo, {}, ctx.hooks);
  }

  async save(m: EntityManager, ctx: RunContext, result: SilenceResult): Promise<StageSaved> {
    const { job, attempt } = ctx;
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
    return { summary: { ...result.summary, regions: result.regions.length } };
  }
}
