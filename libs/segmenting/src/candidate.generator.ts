import type { SegmentingJob, SegmentingOptions, SpeechUnit } from './segmenting.types';
import type { IntervalCoverage } from './timeline.index';

/** A window of units [first..last] with its snapped time range. */
export interface Window {
  first: number;
  last: number;
  start: number;
  end: number;
}

/**
 * Where a unit's start may move: back into an adjacent silence by at most
 * `snapPadSec`, never past half the gap to the previous word, so neighbouring
 * clips cannot overlap and no word is ever cut.
 */
export function snapStart(
  u: SpeechUnit,
  pauses: IntervalCoverage,
  opts: SegmentingOptions,
): number {
  const r = pauses.before(u.start);
  if (!r || r.end < u.start - opts.snapNearSec) return u.start;
  const half = Number.isFinite(u.gapBefore) ? u.start - u.gapBefore / 2 : 0;
  return Math.min(u.start, Math.max(r.start, u.start - opts.snapPadSec, half, 0));
}

export function snapEnd(
  u: SpeechUnit,
  pauses: IntervalCoverage,
  durationSec: number,
  opts: SegmentingOptions,
): number {
  const r = pauses.after(u.end);
  if (!r || r.start > u.end + opts.snapNearSec) return Math.min(u.end, durationSec);
  const half = Number.isFinite(u.gapAfter) ? u.end + u.gapAfter / 2 : durationSec;
  return Math.max(
    Math.min(u.end, durationSec),
    Math.min(r.end, u.end + opts.snapPadSec, half, durationSec),
  );
}

/**
 * Every window that starts on a unit allowed to open a clip, ends on a unit
 * allowed to close one, and lasts between the job's min and max. The inner
 * loop stops at the max length, so the work is O(units × units-per-window).
 */
export function generateWindows(
  units: readonly SpeechUnit[],
  pauses: IntervalCoverage,
  durationSec: number,
  job: SegmentingJob,
  opts: SegmentingOptions,
): Window[] {
  const starts = units.map((u) => snapStart(u, pauses, opts));
  const ends = units.map((u) => snapEnd(u, pauses, durationSec, opts));
  const out: Window[] = [];
  const eps = 1e-9;
  for (let i = 0; i < units.length; i++) {
    if (!units[i].canStart) continue;
    for (let j = i; j < units.length; j++) {
      if (units[j].end - units[i].start > job.maxClipSeconds + eps) break;
      if (!units[j].canEnd) continue;
      let start = starts[i];
      let end = ends[j];
      // Give back padding rather than lose a window that only the padding pushed over max.
      if (end - start > job.maxClipSeconds)
        end = Math.max(units[j].end, start + job.maxClipSeconds);
      if (end - start > job.maxClipSeconds) start = Math.max(start, end - job.maxClipSeconds);
      if (end - start < job.minClipSeconds - eps) continue;
      out.push({ first: i, last: j, start, end });
    }
  }
  return out;
}
