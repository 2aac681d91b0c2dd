import {
  inRange,
  wordsOfClip,
  wordsText,
  type ClipCorrectionView,
  type ContentSegment,
  type StoredClip,
  type TranscriptWord,
} from '@clipline/contracts';
import type { CaptionCorrectionEntity } from '@clipline/database';
import {
  clipWindow,
  segmentsOutputs,
  transcriptOutputs,
  type TimeWindow,
} from '@clipline/pipeline';
import type { EntityManager } from 'typeorm';

export interface ClipWordsContext {
  segment: ContentSegment;
  transcriptWords: TranscriptWord[];
  range: TimeWindow;
}

export async function clipWordsContext(
  m: EntityManager,
  clip: StoredClip,
): Promise<ClipWordsContext | null> {
  const segment = await segmentsOutputs.readOne(m, clip.segmentId);
  if (!segment) return null;
  const t = await transcriptOutputs.read(m, clip.jobId);
  return { segment, transcriptWords: t?.words ?? [], range: clipWindow(clip, segment) };
}

/**
 * The recognised words of a range as the render worker will start from them:
 * the caption tier's over the segment once a render stored them, else the
 * transcript's. Fixes compare against these, never against other fixes.
 */
export function baseWords(ctx: ClipWordsContext, range = ctx.range): TranscriptWord[] {
  const { segment, transcriptWords } = ctx;
  return wordsOfClip(segment.captionWords ?? transcriptWords, transcriptWords, segment, range);
}

/** The words a fix's range held when made and now: different text means a re-run changed them. */
export function correctionView(
  c: CaptionCorrectionEntity,
  words: readonly TranscriptWord[],
): ClipCorrectionView {
  const currentText = wordsText(words.filter((w) => inRange(w, c.start, c.end)));
  return {
    id: c.id,
    scope: c.scope,
    clipId: c.clipId,
    version: c.version,
    start: c.start,
    end: c.end,
    text: c.text,
    originalText: c.originalText,
    currentText,
    conflict: currentText !== c.originalText,
    active: c.active,
    authorKeyId: c.authorKeyId,
    createdAt: c.createdAt.toISOString(),
  };
}
