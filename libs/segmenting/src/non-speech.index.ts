import { Interval, IntervalCoverage, mergeIntervals } from './timeline.index';

/**
 * What of the timeline a viewer hears as dead air or music, for the
 * non-speech floor. People pause between sentences all the time (pauses take
 * a fifth to a third of spontaneous speech), and a listener hears a pause of
 * up to about a second as part of the talk, not as a gap. So each stretch the
 * silence stage found free of speech counts only beyond `naturalPauseSec`,
 * taken from its middle so the room tone beside speech stays with it; music
 * or a long silence still counts almost in full.
 */
export function nonSpeechIndex(
  regions: readonly Interval[],
  naturalPauseSec: number,
): IntervalCoverage {
  const half = naturalPauseSec / 2;
  const dead: Interval[] = [];
  for (const r of mergeIntervals(regions)) {
    if (r.end - r.start > naturalPauseSec) dead.push({ start: r.start + half, end: r.end - half });
  }
  return new IntervalCoverage(dead);
}
