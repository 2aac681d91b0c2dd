import { DEFAULT_JOB_OPTIONS, type JobOptions, type MediaInfo } from '@clipline/contracts';
import type { JobOrchestrator, Runnable, StageRows } from '@clipline/pipeline';
import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import type { EntityManager } from 'typeorm';
import { videoMediaInfo } from './media.factory';

export interface TestJobInput {
  /** A 2-minute video unless given. */
  mediaInfo?: MediaInfo;
  /** Given when the source must be uploaded under the job's key before the job exists. */
  jobId?: string;
  ownerKeyId?: string | null;
  /** `jobs/<jobId>/source.<ext of filename>` unless given. */
  sourceKey?: string;
  filename?: string;
  options?: JobOptions;
}

/**
 * Creates a job as the API would after probing (the job row, probe completed,
 * the five stages, the parallel ones queued); owned by nobody unless given.
 * Returns its id.
 */
export async function createTestJob(
  orchestrator: JobOrchestrator,
  input: TestJobInput = {},
): Promise<string> {
  const jobId = input.jobId ?? randomUUID();
  const filename = input.filename ?? 'talk.mp4';
  await orchestrator.createJob({
    jobId,
    ownerKeyId: input.ownerKeyId ?? null,
    sourceKey: input.sourceKey ?? `jobs/${jobId}/source${extname(filename)}`,
    sourceFilename: filename,
    sourceSizeBytes: 1000,
    mediaInfo: input.mediaInfo ?? videoMediaInfo(),
    options: input.options ?? DEFAULT_JOB_OPTIONS,
  });
  return jobId;
}

/** The stages a test completes in place of their workers. */
export type AnalysisStage = 'transcription' | 'silence' | 'layout' | 'segmenting';
export type WriteOutputs = (m: EntityManager) => Promise<void>;

const noOutputs: WriteOutputs = async () => undefined;

/**
 * Claims `stage` and completes it with `write`'s outputs in one fenced
 * completion, the way its worker would; returns what became runnable.
 */
export async function completeStage(
  stages: StageRows,
  jobId: string,
  stage: AnalysisStage,
  write: WriteOutputs = noOutputs,
  result: Parameters<StageRows['complete']>[4] = {},
): Promise<Runnable[]> {
  const attempt = (await stages.claim(jobId, stage, 'w', 30))!;
  return (await stages.complete(jobId, stage, attempt, write, result)).runnable;
}

type ParallelStage = 'transcription' | 'silence' | 'layout';

/**
 * Completes transcription, silence and layout as if their workers had run,
 * each with the outputs `outputs` writes for it and the summary `summaries`
 * gives it (none by default).
 */
export async function completeParallelStages(
  stages: StageRows,
  jobId: string,
  outputs: Partial<Record<ParallelStage, WriteOutputs>> = {},
  summaries: Partial<Record<ParallelStage, Record<string, unknown>>> = {},
): Promise<void> {
  for (const s of ['transcription', 'silence', 'layout'] as const)
    await completeStage(
      stages,
      jobId,
      s,
      outputs[s],
      summaries[s] ? { summary: summaries[s] } : {},
    );
}
