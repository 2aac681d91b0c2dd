import type { StageName, StageSummaries } from '@clipline/contracts';
import { JobStageEntity } from '@clipline/database';
import type { EntityManager } from 'typeorm';

/**
 * A stage row's summary as its stage's type. The column is JSON that only a
 * stage's own completion writes, from a summary typed `StageSummaries[stage]`
 * (the processors declare theirs with `satisfies`), so this is the one place
 * that reads it back as that type.
 */
export function summaryOf<S extends StageName>(row: {
  stage: S;
  summary: Record<string, unknown> | null;
}): StageSummaries[S] | null {
  return row.summary as StageSummaries[S] | null;
}

export async function readStageSummary<S extends StageName>(
  m: EntityManager,
  jobId: string,
  stage: S,
): Promise<StageSummaries[S] | null> {
  const row = await m.findOne(JobStageEntity, { where: { jobId, stage } });
  return row ? summaryOf({ stage, summary: row.summary }) : null;
}
