import type { ClipLook } from './clip-look.types';

export const ASPECTS = ['9:16', '1:1', '16:9'] as const;
export type Aspect = (typeof ASPECTS)[number];

export const ASPECT_SIZES: Readonly<Record<Aspect, { width: number; height: number }>> = {
  '9:16': { width: 1080, height: 1920 },
  '1:1': { width: 1080, height: 1080 },
  '16:9': { width: 1920, height: 1080 },
};

/** Per-job options; validated by the API (class-validator) before they get here. */
export interface JobOptions {
  clipCount: number;
  minClipSeconds: number;
  maxClipSeconds: number;
  aspects: Aspect[];
  captions: boolean;
  removeSilence: boolean;
  /** BCP-47-ish language hint, e.g. "en"; "auto" lets the engine decide. */
  language: string;
  /** Default look of the job's clips; each clip may override it (clips.look). */
  look?: ClipLook;
  /**
   * `false` runs every stage afresh even when the same owner already had this
   * content analysed; absent or `true` reuses that analysis.
   */
  reuse?: boolean;
  /** Days after the job ends before its source and its clips are deleted; filled at intake. */
  retention?: RetentionOptions;
}

export interface RetentionOptions {
  sourceDays: number;
  clipDays: number;
}

/** Bounds of retention, global (env) and per job alike. */
export const RETENTION_LIMITS = {
  sourceDays: { min: 1, max: 90 },
  clipDays: { min: 1, max: 365 },
} as const;

/** Options whose change makes segmenting select differently (the rest only change rendering). */
export const SEGMENTING_OPTION_KEYS = ['clipCount', 'minClipSeconds', 'maxClipSeconds'] as const;

export const DEFAULT_JOB_OPTIONS: Readonly<JobOptions> = {
  clipCount: 10,
  minClipSeconds: 20,
  maxClipSeconds: 60,
  aspects: ['9:16'],
  captions: true,
  removeSilence: false,
  language: 'en',
};
