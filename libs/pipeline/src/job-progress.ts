import { STAGE_DEPENDENCIES, WORKER_STAGES, type StageName } from '@clipline/contracts';

export interface StageProgressRow {
  stage: StageName;
  status: string;
  progress: number;
  etaSeconds: number | null;
}

export interface JobProgress {
  /** 0..1 over the whole job, each stage weighted by the time it is expected to take. */
  progress: number;
  /** Time to the last clip along the slowest branch; null while a stage ahead has no estimate. */
  etaSeconds: number | null;
}

/** Relative cost per source second when no recent job has measured a stage. */
const DEFAULT_RATE: Record<Exclude<StageName, 'probe'>, number> = {
  transcription: 1,
  silence: 0.05,
  layout: 0.3,
  segmenting: 0.05,
  rendering: 0.5,
};

const DONE = new Set(['completed', 'skipped']);

/**
 * Job-level progress and ETA from its stage rows, the same numbers for the
 * REST view and the `job.status` event. `rates` are seconds of work per
 * source second from recent jobs (`recentSecondsPerSourceSecond`).
 */
export function jobProgress(
  jobStatus: string,
  rows: StageProgressRow[],
  durationSec: number,
  rates: Partial<Record<StageName, number>>,
): JobProgress {
  if (jobStatus === 'completed') return { progress: 1, etaSeconds: 0 };
  const by = new Map(rows.map((r) => [r.stage, r]));
  const dur = Math.max(durationSec, 1);
  let weighted = 0;
  let total = 0;
  const remaining = new Map<StageName, number | null>();
  for (const stage of WORKER_STAGES) {
    const row = by.get(stage);
    const expected = rates[stage] !== undefined ? rates[stage] * dur : null;
    const weight = expected ?? DEFAULT_RATE[stage] * dur;
    const done = !row || DONE.has(row.status);
    const p = done ? 1 : Math.min(1, Math.max(0, row.progress));
    weighted += weight * p;
    total += weight;
    if (done) remaining.set(stage, 0);
    else if (row.status === 'running' && row.etaSeconds !== null)
      remaining.set(stage, row.etaSeconds);
    else remaining.set(stage, expected === null ? null : expected * (1 - p));
  }
  const progress = total > 0 ? weighted / total : 0;
  if (jobStatus !== 'queued' && jobStatus !== 'running') return { progress, etaSeconds: null };
  // Finish time of each stage: after the slowest of its inputs, plus its own remainder.
  const finish = new Map<StageName, number | null>([['probe', 0]]);
  for (const stage of WORKER_STAGES) {
    const deps = STAGE_DEPENDENCIES[stage].map((d) => finish.get(d) ?? 0);
    const own = remaining.get(stage) ?? null;
    finish.set(
      stage,
      own === null || deps.some((d) => d === null)
        ? null
        : Math.max(0, ...(deps as number[])) + own,
    );
  }
  const eta = finish.get('rendering') ?? null;
  return { progress, etaSeconds: eta === null ? null : Math.round(eta) };
}
