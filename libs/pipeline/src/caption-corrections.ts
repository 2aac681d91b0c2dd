import type { CaptionCorrection } from '@clipline/contracts';
import { CaptionCorrectionEntity } from '@clipline/database';
import { Brackets, type EntityManager } from 'typeorm';

/**
 * The active fixes that shape one clip's captions: the job transcript's, the
 * clip's own, and clip fixes whose clip a re-run of segmenting replaced
 * (they are source-timed, so they still name the same words).
 */
export async function correctionsForClip(
  m: EntityManager,
  clip: { id: string; jobId: string },
): Promise<CaptionCorrection[]> {
  return (await correctionRowsForClip(m, clip)).map(asCorrection);
}

/** The rows behind correctionsForClip, for views that show author and history. */
export function correctionRowsForClip(
  m: EntityManager,
  clip: { id: string; jobId: string },
): Promise<CaptionCorrectionEntity[]> {
  return m
    .createQueryBuilder(CaptionCorrectionEntity, 'c')
    .where('c.job_id = :jobId AND c.active', { jobId: clip.jobId })
    .andWhere(
      new Brackets((q) =>
        q
          .where(`c.scope = 'transcript'`)
          .orWhere('c.clip_id = :clipId', { clipId: clip.id })
          .orWhere(`c.scope = 'clip' AND c.clip_id IS NULL`),
      ),
    )
    .orderBy('c.version', 'ASC')
    .getMany();
}

/** The fixes the transcript endpoint applies: the job transcript's own. */
export async function correctionsForTranscript(
  m: EntityManager,
  jobId: string,
): Promise<CaptionCorrection[]> {
  const rows = await m.find(CaptionCorrectionEntity, {
    where: { jobId, scope: 'transcript', active: true },
    order: { version: 'ASC' },
  });
  return rows.map(asCorrection);
}

export function asCorrection(r: CaptionCorrectionEntity): CaptionCorrection {
  return { start: r.start, end: r.end, text: r.text, version: r.version };
}
