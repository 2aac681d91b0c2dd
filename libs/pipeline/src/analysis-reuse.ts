import {
  SEGMENTING_OPTION_KEYS,
  isStageDone,
  type JobOptions,
  type WorkerStage,
} from '@clipline/contracts';
import { JobEntity, JobStageEntity, ProcessingLogEntity } from '@clipline/database';
import type { EntityManager } from 'typeorm';
import { layoutOutputs } from './outputs/layout.outputs';
import { segmentsOutputs } from './outputs/segments.outputs';
import { silenceOutputs } from './outputs/silence.outputs';
import { transcriptOutputs } from './outputs/transcript.outputs';
import { WORKER_HOST } from './processing-logger';
import { ClipRows } from './state/clip-rows';
import type { StageRows } from './state/stage-rows';

/** The job being created, as far as reuse needs to know it. */
export interface ReuseCandidate {
  jobId: string;
  ownerKeyId: string | null;
  contentSha256: string | null;
  options: JobOptions;
}

export interface ReuseOutcome {
  fromJobId: string;
  /** The stages copied from the earlier job, in graph order. */
  stages: WorkerStage[];
}

type AnalysisStage = 'transcription' | 'silence' | 'layout';

/**
 * Copies finished analysis from an earlier job of the same owner whose source
 * had the same sha256, inside the transaction that creates the job (before its
 * stages are promoted), so the copied stages are never queued.
 *
 * Rules:
 * - never across owners, never for a job without an owner or a hash, never
 *   when `options.reuse` is false;
 * - silence and layout take no options, so any finished run is reusable;
 *   transcription only with the same `language`;
 * - segmenting only when all three analyses were reused and `clipCount`,
 *   `minClipSeconds` and `maxClipSeconds` are equal; its clip rows are then
 *   made for this job's aspects;
 * - rendering always runs: clips are objects under this job's prefix, with
 *   this job's retention, rendered from this job's own source.
 *
 * Rows are copied, never shared: the new job points at nothing of the earlier
 * one, so deleting or expiring the earlier job (its source included) changes
 * nothing here, and this job re-runs a stage from its own source.
 */
export async function reuseAnalysis(
  m: EntityManager,
  stages: StageRows,
  job: ReuseCandidate,
): Promise<ReuseOutcome | null> {
  if (!job.ownerKeyId || !job.contentSha256 || job.options.reuse === false) return null;
  const donor = await findDonor(m, job);
  if (!donor) return null;
  const rows = await m.find(JobStageEntity, { where: { jobId: donor.id } });
  const by = new Map(rows.map((r) => [r.stage, r]));
  const done = (s: WorkerStage) => isStageDone(by.get(s)?.status ?? 'pending');
  const copied: WorkerStage[] = [];
  const analysis: AnalysisStage[] = ['transcription', 'silence', 'layout'];
  for (const stage of analysis) {
    if (!done(stage)) continue;
    if (stage === 'transcription' && donor.options.language !== job.options.language) continue;
    await COPY[stage](m, donor.id, job.jobId);
    copied.push(stage);
  }
  if (!copied.length) return null;
  const segmentingSame = SEGMENTING_OPTION_KEYS.every((k) => donor.options[k] === job.options[k]);
  if (copied.length === analysis.length && done('segmenting') && segmentingSame) {
    await copySegments(m, donor.id, job);
    if (donor.note) await m.update(JobEntity, { id: job.jobId }, { note: donor.note });
    copied.push('segmenting');
  }
  const now = new Date();
  for (const stage of copied) {
    await stages.markReused(m, job.jobId, by.get(stage)!, donor.id, now);
    await m.insert(ProcessingLogEntity, {
      jobId: job.jobId,
      stage,
      attempt: 0,
      event: 'note',
      message: `reused from job ${donor.id} (same content sha256, same owner)`,
      workerHost: WORKER_HOST,
    });
  }
  await m.update(JobEntity, { id: job.jobId }, { reusedFromJobId: donor.id });
  return { fromJobId: donor.id, stages: copied };
}

/**
 * The newest earlier job of this owner with this content that has finished
 * analysis, preferring one whose transcript is in the requested language. The
 * row is share-locked so a re-run of its stages (which locks it for update)
 * cannot reset them while they are copied.
 */
async function findDonor(m: EntityManager, job: ReuseCandidate): Promise<JobEntity | null> {
  const rows = (await m.query(
    `SELECT j.id,
            (t.status IN ('completed','skipped') AND j.options->>'language' = $4) AS same_transcript
       FROM jobs j
       JOIN job_stages t ON t.job_id = j.id AND t.stage = 'transcription'
      WHERE j.owner_key_id = $1 AND j.content_sha256 = $2 AND j.id <> $3
        AND EXISTS (SELECT 1 FROM job_stages s WHERE s.job_id = j.id
                     AND s.stage IN ('transcription','silence','layout')
                     AND s.status IN ('completed','skipped'))
      ORDER BY same_transcript DESC, j.created_at DESC
      LIMIT 1`,
    [job.ownerKeyId, job.contentSha256, job.jobId, job.options.language],
  )) as Array<{ id: string }>;
  if (!rows.length) return null;
  return m
    .createQueryBuilder(JobEntity, 'j')
    .setLock('pessimistic_read')
    .where('j.id = :id', { id: rows[0].id })
    .getOne();
}

const COPY: Record<AnalysisStage, (m: EntityManager, from: string, to: string) => Promise<void>> = {
  transcription: transcriptOutputs.copy,
  silence: silenceOutputs.copy,
  layout: layoutOutputs.copy,
};

/**
 * Segments with new ids (their caption-tier words too: same source, same
 * language), and a queued clip per selected segment and requested aspect, as
 * segmenting's completion would have made them.
 */
async function copySegments(m: EntityManager, from: string, job: ReuseCandidate): Promise<void> {
  const inserted = await segmentsOutputs.copy(m, from, job.jobId);
  const selected = inserted.filter((s) => s.selected).map((s) => s.id);
  await ClipRows.insertQueued(m, job.jobId, selected, job.options.aspects);
}
