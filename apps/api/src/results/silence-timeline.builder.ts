import type { SilenceKind, SilenceRegion } from '@clipline/contracts';

export interface TimelineRegion {
  kind: SilenceKind;
  start: number;
  end: number;
  meanDb: number;
}

interface Span {
  start: number;
  end: number;
  meanDb: number;
}

/** Sorted, with overlapping or touching spans of one layer joined (the quieter level kept). */
function union(regions: readonly SilenceRegion[]): Span[] {
  const sorted = regions
    .filter((r) => r.end > r.start)
    .map((r) => ({ start: r.start, end: r.end, meanDb: r.meanDb }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Span[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) {
      last.end = Math.max(last.end, r.end);
      last.meanDb = Math.min(last.meanDb, r.meanDb);
    } else out.push({ ...r });
  }
  return out;
}

/**
 * The silence stage finds two layers that overlap: `silence` (quiet by
 * loudness) and `non_speech` (the VAD hears no voice: silence too, but also
 * music and noise). This makes one timeline of them without overlaps: every
 * second without speech appears once, as `silence` where it is quiet and as
 * `non_speech` where it is not quiet but holds no speech. A non-speech region
 * with a silence inside it becomes its pieces around that silence; a piece
 * keeps the level measured over its whole original region.
 */
export function silenceTimeline(regions: readonly SilenceRegion[]): TimelineRegion[] {
  const silence = union(regions.filter((r) => r.kind === 'silence'));
  const nonSpeech = union(regions.filter((r) => r.kind === 'non_speech'));
  const out: TimelineRegion[] = silence.map((s) => ({ kind: 'silence', ...s }));
  let i = 0;
  for (const n of nonSpeech) {
    while (i < silence.length && silence[i].end <= n.start) i++;
    let t = n.start;
    for (let j = i; j < silence.length && silence[j].start < n.end; j++) {
      if (silence[j].start > t)
        out.push({ kind: 'non_speech', start: t, end: silence[j].start, meanDb: n.meanDb });
      t = Math.max(t, silence[j].end);
    }
    if (n.end > t) out.push({ kind: 'non_speech', start: t, end: n.end, meanDb: n.meanDb });
  }
  return out.sort((a, b) => a.start - b.start);
}

// A word at least this much inside silence or non-speech was not said; captions and segmenting use the same share.
const UNHEARD_SHARE = 0.5;

/**
 * For each word, whether it lies mostly (by the share above) in a region
 * without speech: recognisers hear words in music. A zero-length word counts
 * by its midpoint. `timeline` must be sorted and without overlaps.
 */
export function nonSpeechFlags(
  words: ReadonlyArray<{ start: number; end: number }>,
  timeline: readonly TimelineRegion[],
): boolean[] {
  const starts = timeline.map((r) => r.start);
  // Prefix sums of the region lengths: the covered length of a window is two binary searches.
  const prefix = [0];
  for (const r of timeline) prefix.push(prefix[prefix.length - 1] + (r.end - r.start));
  const firstEndingAfter = (t: number) => {
    let lo = 0;
    let hi = timeline.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (timeline[mid].end <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const lastStartingBefore = (t: number) => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  };
  const covered = (a: number, b: number) => {
    const i = firstEndingAfter(a);
    const j = lastStartingBefore(b);
    if (j < i) return 0;
    let n = prefix[j + 1] - prefix[i];
    n -= Math.max(0, a - timeline[i].start);
    n -= Math.max(0, timeline[j].end - b);
    return n;
  };
  return words.map((w) => {
    const len = w.end - w.start;
    const inside =
      len > 0 ? covered(w.start, w.end) / len : covered(w.start - 0.005, w.start + 0.005) / 0.01;
    return inside >= UNHEARD_SHARE;
  });
}
