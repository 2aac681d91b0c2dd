import type { ClipLook, ResolvedClipLook } from './clip-look.types';
import type { Aspect } from './job-options';
import type { ClipStatusName } from './api-views.types';
import type { CorrectionScope } from './caption-corrections';

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
  scope: CorrectionScope;
  clipId: string | null;
  version: number;
  start: number;
  end: number;
  text: string;
  originalText: string;
  currentText: string;
  conflict: boolean;
  active: boolean;
  authorKeyId: string | null;
  createdAt: string;
}

/** GET /v1/jobs/:id/clips/:clipId */
export interface ClipDetail {
  id: string;
  jobId: string;
  segmentId: string;
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

/** PATCH /v1/jobs/:id/clips/:clipId: the clip after the edit, and the trim when there was one. */
export interface ClipEditedView extends ClipDetail {
  trim: TrimPreview | null;
}

/** POST …/clips/:clipId/corrections and POST /v1/jobs/:id/transcript/corrections */
export interface CorrectionAddedView {
  correction: ClipCorrectionView;
  /** The clip after the fix; null for a transcript fix. */
  clip: ClipDetail | null;
}

/** DELETE /v1/jobs/:id/corrections/:correctionId */
export interface CorrectionRevertedView {
  id: string;
  active: false;
}

/** GET /v1/jobs/:id/transcript/corrections */
export interface TranscriptCorrectionsView {
  jobId: string;
  /** The job's correction counter; send it back as "version" to fix without a race. */
  version: number;
  corrections: ClipCorrectionView[];
  conflicts: ClipCorrectionView[];
}

/** PATCH /v1/jobs/:id/look */
export interface JobLookView {
  jobId: string;
  look: ClipLook | null;
}

/** POST …/clips/:clipId/render */
export interface ClipRenderView {
  clipId: string;
  /** The edit version this render will show. */
  version: number;
  /** False when the clip was already waiting to render (it picks up the edit when it runs). */
  queued: boolean;
}
