import type { SilenceResult } from '@clipline/contracts';
import type { SegmentingOptions, SpeechUnit } from './segmenting.types';
import { Interval, mergeIntervals } from './timeline.index';

// Shorter bursts are clicks or breaths, not speech worth anchoring a clip on.
const MIN_SPEECH_SEC = 0.3;

/**
 * The fallback when the transcript is unusable: speech regions (the complement
 * of silence and non-speech), or, without a silence result, runs of seconds
 * louder than the midpoint between the quiet and loud ends of the energy
 * series. Returns null when there is nothing to segment on at all.
 */
export function buildSpeechUnits(
  durationSec: number,
  silence: SilenceResult | null,
  energy: readonly number[] | undefined,
  opts: SegmentingOptions,
): SpeechUnit[] | null {
  let speech: Interval[];
  if (silence) {
    speech = complement(mergeIntervals(silence.regions), durationSec);
  } else if (energy && energy.length >= 3) {
    speech = loudRuns(energy, durationSec);
  } else {
    return null;
  }
  speech = speech.filter((r) => r.end - r.start >= MIN_SPEECH_SEC);

  const pieces: Array<Interval & { forcedBefore: boolean }> = [];
  for (const r of speech) {
    const parts = energy ? splitAtQuietest(r, energy, opts.maxSentenceSec) : [r];
    parts.forEach((p, k) => pieces.push({ ...p, forcedBefore: k > 0 }));
  }

  return pieces.map((p, k) => {
    const prev = pieces[k - 1];
    const next = pieces[k + 1];
    return {
      start: p.start,
      end: p.end,
      firstWord: -1,
      lastWord: -1,
      gapBefore: prev ? p.start - prev.end : Infinity,
      gapAfter: next ? next.start - p.end : Infinity,
      breakBefore: !prev ? 'edge' : p.forcedBefore ? 'forced' : 'pause',
      breakAfter: !next ? 'edge' : next.forcedBefore ? 'forced' : 'pause',
      terminal: null,
      // Energy minima are breaths: usable, if less clean than a real pause.
      canStart: true,
      canEnd: true,
    };
  });
}

function complement(regions: readonly Interval[], durationSec: number): Interval[] {
  const out: Interval[] = [];
  let t = 0;
  for (const r of regions) {
    if (r.start > t) out.push({ start: t, end: Math.min(r.start, durationSec) });
    t = Math.max(t, r.end);
    if (t >= durationSec) break;
  }
  if (t < durationSec) out.push({ start: t, end: durationSec });
  return out.filter((r) => r.end > r.start);
}

/**
 * Level separating voiced seconds from pauses: halfway between the quiet (p10)
 * and loud (p90) ends of the series; -Infinity when there is no contrast.
 */
export function voicedFloorDb(energy: readonly number[]): number {
  const finite = energy.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return -Infinity;
  const lo = finite[Math.floor(finite.length * 0.1)];
  const hi = finite[Math.min(finite.length - 1, Math.floor(finite.length * 0.9))];
  return hi - lo < 6 ? -Infinity : (lo + hi) / 2;
}

function loudRuns(energy: readonly number[], durationSec: number): Interval[] {
  const threshold = voicedFloorDb(energy);
  if (!energy.some(Number.isFinite)) return [];
  // No contrast between quiet and loud: nothing tells speech from pauses.
  if (threshold === -Infinity) return [{ start: 0, end: Math.min(durationSec, energy.length) }];
  const out: Interval[] = [];
  let runStart = -1;
  for (let i = 0; i <= energy.length; i++) {
    const loud = i < energy.length && Number.isFinite(energy[i]) && energy[i] >= threshold;
    if (loud && runStart < 0) runStart = i;
    if (!loud && runStart >= 0) {
      out.push({ start: runStart, end: Math.min(i, durationSec) });
      runStart = -1;
    }
  }
  return out;
}

function splitAtQuietest(r: Interval, energy: readonly number[], maxSec: number): Interval[] {
  const out: Interval[] = [];
  const stack: Interval[] = [r];
  while (stack.length) {
    const s = stack.pop()!;
    const first = Math.ceil(s.start) + 1;
    const last = Math.floor(s.end) - 2;
    if (s.end - s.start <= maxSec || last < first) {
      out.push(s);
      continue;
    }
    let best = first;
    for (let i = first; i <= last; i++) {
      const v = Number.isFinite(energy[i]) ? energy[i] : Infinity;
      const b = Number.isFinite(energy[best]) ? energy[best] : Infinity;
      if (v < b) best = i;
    }
    const cut = best + 0.5;
    stack.push({ start: cut, end: s.end });
    stack.push({ start: s.start, end: cut });
  }
  return out;
}
