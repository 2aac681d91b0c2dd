import type { ClipLook, ResolvedClipLook } from './clip-look.types';
import type { Aspect } from './job-options';
import type { ClipStatusName } from './api-views.types';

/**
 * Views of the clip editor's routes (GET /v1/jobs/:id/clips/:clipId,
 * trim-preview, corrections): built by apps/api/src/clip-edits, read by the
 * web app's editor.
 */
export interface EditorWord {
  text: string;
  start: number;
  end: number;
  corrected: boolean;
}

export interface ClipCorrectionView {
  id: string;
  scope: 'clip' | 'transcript';
  start: number;
  end: number;
  text: string;
  originalText: string;
  currentText: string;
  conflict: boolean;
}

/** GET /v1/jobs/:id/clips/:clipId */
export interface ClipDetail {
  id: string;
  jobId: string;
  rank: number;
  aspect: Aspect;
  status: ClipStatusName;
  version: number;
  renderedVersion: number | null;
  edited: boolean;
  start: number;
  end: number;
  durationSec: number;
  segment: { start: number; end: number; text: string };
  source: { durationSec: number };
  look: ClipLook | null;
  jobLook: ClipLook | null;
  resolvedLook: ResolvedClipLook;
  layoutChoice: { mode: string; reason: string } | null;
  firstSentence: string | null;
  words: EditorWord[];
  corrections: ClipCorrectionView[];
  conflicts: ClipCorrectionView[];
  current: {
    version: number | null;
    durationSec: number | null;
    downloads: {
      video: string | null;
      thumbnail: string | null;
      vtt: string | null;
      srt: string | null;
    };
  } | null;
  next: { version: number; status: string; progress: number; error: string | null } | null;
}

export interface TrimPreview {
  requested: { start: number; end: number };
  snapped: { start: number; end: number; durationSec: number };
  rules: { start: string; end: string };
  previous: { start: number; end: number };
  gained: Array<{ text: string; start: number; end: number }>;
  lost: Array<{ text: string; start: number; end: number }>;
}
