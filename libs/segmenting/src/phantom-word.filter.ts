import type { SilenceRegion } from '@clipline/contracts';
import type { CleanWord } from './segmenting.types';
import { IntervalCoverage } from './timeline.index';

// A word at least this much inside silence or non-speech was not said: recognisers hear words in music.
const PHANTOM_SHARE = 0.5;

/**
 * Splits words into those the audio supports and those lying in regions the
 * silence stage found free of speech. Only the heard ones may shape sentences,
 * clip edges and text; a zero-length word counts by its midpoint.
 */
export function dropPhantomWords(
  words: readonly CleanWord[],
  regions: readonly SilenceRegion[] | undefined,
): { heard: CleanWord[]; phantom: number } {
  if (!regions?.length) return { heard: [...words], phantom: 0 };
  const cover = new IntervalCoverage(regions);
  const heard: CleanWord[] = [];
  for (const w of words) {
    const len = w.end - w.start;
    const inside =
      len > 0
        ? cover.covered(w.start, w.end) / len
        : cover.covered(w.start - 0.005, w.start + 0.005) / 0.01;
    if (inside < PHANTOM_SHARE) heard.push(w);
  }
  return { heard, phantom: words.length - heard.length };
}
