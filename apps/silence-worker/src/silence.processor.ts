import { Injectable } from '@nestjs/common';
import type { SilenceResult, SilenceStageSummary } from '@clipline/contracts';
import {
  silenceOutputs,
  type RunContext,
  type StageHandler,
  type StageInput,
  type StageSaved,
} from '@clipline/pipeline';
import { detectSilence } from '@clipline/silence';
import type { EntityManager } from 'typeorm';

@Injectable()
export class SilenceHandler implements StageHandler<'silence', SilenceResult> {
  readonly stage = 'silence' as const;

  run(ctx: RunContext, { sourceUrl }: StageInput<'silence'>): Promise<SilenceResult> {
    return detectSilence(sourceUrl, ctx.job.mediaInfo, {}, ctx.hooks);
  }

  async save(m: EntityManager, ctx: RunContext, result: SilenceResult): Promise<StageSaved> {
    await silenceOutputs.save(m, ctx.job.id, ctx.attempt, result.regions);
    return {
      summary: { ...result.summary, regions: result.regions.length } satisfies SilenceStageSummary,
    };
  }
}
