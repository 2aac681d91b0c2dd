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
}

export const DEFAULT_JOB_OPTIONS: Readonly<JobOptions> = {
  clipCount: 10,
  minClipSeconds: 20,
  maxClipSeconds: 60,
  aspects: ['9:16'],
  captions: true,
  removeSilence: false,
  language: 'en',
};
