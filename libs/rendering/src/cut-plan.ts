import type { SilenceRegion, TranscriptWord } from '@clipline/contracts';
import type { TimedWord } from './render.types';

export interface CutPlanInput {
  /** Clip length in seconds (source time, before cuts). */
  clipDuration: number;
  /** Clip start in source seconds; silences and words are in source time. */
  clipStart: number;
  silences: SilenceRegion[];
  words: TranscriptWord[];
  removeSilence: boolean;
  fps: number;
  minSilenceSec: number;
  paddingSec: number;
}

/** Kept ranges in clip-relative seconds, each boundary on the output frame grid. */
export type Ranges = Array<[number, number]>;

function subtract(region: [number, number], holes: Ranges): Ranges {
  let parts: Ranges = [region];
  for (const [hs, he] of holes) {
    const next: Ranges = [];
    for (const [s, e] of parts) {
      if (he <= s || hs >= e) {
        next.push([s, e]);
        continue;
      }
      if (hs > s) next.push([s, hs]);
      if (he < e) next.push([he, e]);
    }
    parts = next;
  }
  return parts;
}

/**
 * Which parts of the clip to keep. Silences long enough are cut, leaving
 * `paddingSec` on each side; spoken words are never cut even when a detector
 * put a silence over them. Boundaries snap to the frame grid so each kept
 * piece has as many audio samples as its video frames last: that keeps audio
 * and video in sync across any number of cuts.
 */
export function planKeptRanges(input: CutPlanInput): Ranges {
  const { clipDuration, clipStart, fps } = input;
  const frame = 1 / fps;
  const snap = (t: number) => Math.round(t * fps) / fps;
  const total = snap(clipDuration);
  if (total <= 0) return [];
  if (!input.removeSilence) return [[0, total]];
  const words: Ranges = input.words
    .map((w): [number, number] => [w.start - clipStart, w.end - clipStart])
    .filter(([s, e]) => e > 0 && s < clipDuration);
  const cuts: Ranges = [];
  for (const r of input.silences) {
    const s = Math.max(0, r.start - clipStart);
    const e = Math.min(clipDuration, r.end - clipStart);
    if (e - s < input.minSilenceSec) continue;
    // Silence touching the clip edges keeps padding only on its inner side.
    const cs = s <= 0 ? 0 : s + input.paddingSec;
    const ce = e >= clipDuration ? clipDuration : e - input.paddingSec;
    for (const [ps, pe] of subtract([cs, ce], words)) {
      const a = snap(ps);
      const b = snap(pe);
      if (b - a >= 2 * frame - 1e-9) cuts.push([a, b]);
    }
  }
  cuts.sort((a, b) => a[0] - b[0]);
  const kept = subtract([0, total], cuts).filter(([s, e]) => e - s >= frame - 1e-9);
  // Pieces shorter than two frames flash on screen; fold them away.
  return kept.filter(([s, e]) => e - s >= 2 * frame - 1e-9 || kept.length === 1);
}

/** Sum of the kept lengths: the planned output duration. */
export function keptDuration(ranges: Ranges): number {
  return ranges.reduce((s, [a, b]) => s + (b - a), 0);
}

/**
 * Maps a clip-relative time onto the output timeline. A time inside a cut
 * lands on the cut point, where the previous piece ends and the next begins.
 */
export function mapTime(ranges: Ranges, t: number): number {
  let out = 0;
  for (const [s, e] of ranges) {
    if (t < s) return out;
    if (t <= e) return out + (t - s);
    out += e - s;
  }
  return out;
}

/** Words of the clip on the output timeline; words fully inside a cut are dropped. */
export function mapWords(words: TranscriptWord[], clipStart: number, ranges: Ranges): TimedWord[] {
  const total = keptDuration(ranges);
  const out: TimedWord[] = [];
  for (const w of words) {
    const text = w.text.trim();
    if (!text) continue;
    const s = mapTime(ranges, w.start - clipStart);
    const e = mapTime(ranges, w.end - clipStart);
    if (e - s < 0.02 || e <= 0 || s >= total) continue;
    out.push({ text, start: Math.max(0, s), end: Math.min(total, e) });
  }
  return out.sort((a, b) => a.start - b.start);
}
