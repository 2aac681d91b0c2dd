/**
 * The one place that says which stage follows which (docs/architecture.md, "The pipeline").
 * `probe` runs inside the API before a job exists, so it is always complete
 * when a job's stages are created.
 */
export const STAGES = [
  'probe',
  'transcription',
  'silence',
  'layout',
  'segmenting',
  'rendering',
] as const;
export type StageName = (typeof STAGES)[number];

/** Stages that run on a worker queue (probe runs in the API). */
export const WORKER_STAGES = [
  'transcription',
  'silence',
  'layout',
  'segmenting',
  'rendering',
] as const;
export type WorkerStage = (typeof WORKER_STAGES)[number];

export const STAGE_DEPENDENCIES: Readonly<Record<StageName, readonly StageName[]>> = {
  probe: [],
  transcription: ['probe'],
  silence: ['probe'],
  layout: ['probe'],
  segmenting: ['transcription', 'silence', 'layout'],
  rendering: ['segmenting'],
};

export function isWorkerStage(value: string): value is WorkerStage {
  return (WORKER_STAGES as readonly string[]).includes(value);
}

/** Every stage that depends, directly or not, on `stage`, in graph order. */
export function downstreamOf(stage: StageName): StageName[] {
  const out = new Set<StageName>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of STAGES) {
      if (out.has(s)) continue;
      if (STAGE_DEPENDENCIES[s].some((d) => d === stage || out.has(d))) {
        out.add(s);
        grew = true;
      }
    }
  }
  return STAGES.filter((s) => out.has(s));
}
