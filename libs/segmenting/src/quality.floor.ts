import type { SegmentShortfall } from '@clipline/contracts';
import type { Window } from './candidate.generator';
import { pickNonOverlapping } from './segment.selector';
import type { SegmentingOptions } from './segmenting.types';

interface Rated {
  window: Window;
  score: number;
  x: { nonSpeechRatio: number };
}

/**
 * Picks clips and runners-up only among candidates above the floor: at most
 * `maxNonSpeechRatio` of music or dead air (see nonSpeechIndex), and at least `minScore`. Never pads:
 * when fewer pass than were asked for, the shortfall says how many and why.
 */
export function selectAboveFloor<T extends Rated>(
  scored: readonly T[],
  clipCount: number,
  runnersUp: number,
  opts: SegmentingOptions,
  noWindowsReason: string,
): { selected: T[]; runnersUp: T[]; shortfall: SegmentShortfall | null } {
  const speechy = (c: T) => c.x.nonSpeechRatio <= opts.maxNonSpeechRatio + 1e-9;
  const eligible = scored.filter((c) => speechy(c) && c.score >= opts.minScore);
  const picked = pickNonOverlapping(eligible, clipCount, runnersUp);
  if (picked.selected.length >= clipCount) return { ...picked, shortfall: null };

  // Why: what kept the other candidates out, by count.
  const tooQuiet = scored.filter((c) => !speechy(c)).length;
  const tooWeak = scored.filter((c) => speechy(c) && c.score < opts.minScore).length;
  let reason: string;
  if (tooQuiet + tooWeak === 0) reason = noWindowsReason;
  else if (tooQuiet >= tooWeak) {
    // About the candidates, not the video: a talk can be mostly speech and still have none that pass.
    const which = picked.selected.length ? 'the other candidates are' : 'every candidate is';
    reason = `${which} over ${Math.round(opts.maxNonSpeechRatio * 100)}% music or silence (long pauses count, pauses between sentences do not)`;
  } else reason = `the remaining candidates score below ${opts.minScore}`;
  return {
    ...picked,
    shortfall: { requested: clipCount, selected: picked.selected.length, reason },
  };
}
