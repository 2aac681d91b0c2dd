export const STAGE_STATUSES = [
  'pending', // waiting for upstream stages
  'queued', // inputs complete; a Bull job should exist (the reconciler makes sure)
  'running',
  'completed',
  'failed',
  'skipped', // not applicable (e.g. layout on an audio-only source); counts as complete
  'cancelled',
] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A stage whose outputs downstream stages may read. */
export function isStageDone(status: StageStatus): boolean {
  return status === 'completed' || status === 'skipped';
}
