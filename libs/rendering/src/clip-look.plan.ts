import {
  DEFAULT_CLIP_LOOK,
  resolveClipLook,
  type Aspect,
  type ClipLayoutChoice,
  type ClipLook,
  type CropPlan,
  type FaceTrack,
  type MediaInfo,
  type ResolvedClipLook,
  type Scene,
} from '@clipline/contracts';
import { replanCrop } from '@clipline/layout';
import { hookWordKind } from '@clipline/segmenting';
import { keywordNorm } from './caption-templates';
import { chooseLayout } from './layout-modes';

/** What the layout stage stored for the job (LayoutAnalysisEntity's columns). */
export interface StoredAnalysis {
  scenes: Scene[];
  faceTracks: FaceTrack[];
  frameCount: number;
  cropPlans: CropPlan[];
}

export interface ClipLookInput {
  jobLook?: ClipLook | null;
  clipLook?: ClipLook | null;
  media: MediaInfo;
  aspect: Aspect;
  /** Clip bounds in source seconds. */
  start: number;
  end: number;
  /** The clip's words, for the keyword highlight. */
  words: ReadonlyArray<{ text: string }>;
  analysis: StoredAnalysis | null;
}

/** Everything a render request needs from a look, beside the look itself. */
export interface ClipLookPlan {
  look: ResolvedClipLook;
  layout: ClipLayoutChoice;
  cropPlan: CropPlan | null;
  faceTracks: FaceTrack[];
  keywords: string[];
}

/**
 * Resolves a clip's look against its job's and the stored analysis, the same
 * way for the render worker and the preview: the layout (auto records why),
 * the crop plan (the layout stage's, or re-planned from the face tracks when
 * the look asks for other smoothing or hold time), and the words the scorer
 * counts as hooks (numbers and claim words) for the keyword highlight.
 */
export function planClipLook(input: ClipLookInput): ClipLookPlan {
  const look = resolveClipLook(input.jobLook, input.clipLook);
  const v = input.media.hasVideo ? input.media.video : null;
  const a = input.analysis;
  const tracks = (a?.faceTracks ?? []).filter((t) =>
    t.points.some((p) => p.t >= input.start - 1 && p.t < input.end + 1),
  );
  const layout = chooseLayout({
    requested: look.layout.mode,
    hasVideo: v !== null,
    aspect: input.aspect,
    sourceWidth: v?.displayWidth ?? 0,
    sourceHeight: v?.displayHeight ?? 0,
    clipStart: input.start,
    clipEnd: input.end,
    layout: a
      ? { faceTracks: tracks, frameCount: a.frameCount, analysedSec: input.media.durationSec }
      : null,
  });
  let cropPlan = a?.cropPlans.find((p) => p.aspect === input.aspect) ?? null;
  const d = DEFAULT_CLIP_LOOK.layout;
  const tuned =
    look.layout.smoothing !== d.smoothing || look.layout.minHoldSeconds !== d.minHoldSeconds;
  if (v && a && tuned && layout.mode === 'follow-face') {
    const scenes = a.scenes.filter((s) => s.end > input.start && s.start < input.end);
    cropPlan = replanCrop(
      {
        width: v.displayWidth,
        height: v.displayHeight,
        scenes,
        faceTracks: tracks,
        smoothing: look.layout.smoothing,
        minHoldSeconds: look.layout.minHoldSeconds,
      },
      input.aspect,
    );
  }
  const keywords = [
    ...new Set(input.words.map((w) => keywordNorm(w.text)).filter((n) => hookWordKind(n) !== null)),
  ];
  return { look, layout, cropPlan, faceTracks: tracks, keywords };
}
