import { FLOOR_DB } from './level-meter';

/** Half-open range of frame indices [start, end). */
export interface FrameSpan {
  start: number;
  end: number;
}

/**
 * Quiet spans of a level series with hysteresis: a span opens when the level
 * drops below `enterBelow` and closes only when it rises above `exitAbove`,
 * so a level hovering at the threshold does not chatter.
 */
export function quietSpans(
  levels: Float32Array,
  enterBelow: number,
  exitAbove: number,
): FrameSpan[] {
  const out: FrameSpan[] = [];
  let open = -1;
  for (let i = 0; i < levels.length; i++) {
    const v = levels[i];
    if (open < 0) {
      if (v < enterBelow) open = i;
    } else if (v > exitAbove) {
      out.push({ start: open, end: i });
      open = -1;
    }
  }
  if (open >= 0) out.push({ start: open, end: levels.length });
  return out;
}

/** Spans where `values` is "on" with hysteresis: on at ≥ onAt, off below offBelow. */
export function activeSpans(values: Float32Array, onAt: number, offBelow: number): FrameSpan[] {
  const out: FrameSpan[] = [];
  let open = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (open < 0) {
      if (v >= onAt) open = i;
    } else if (v < offBelow) {
      out.push({ start: open, end: i });
      open = -1;
    }
  }
  if (open >= 0) out.push({ start: open, end: values.length });
  return out;
}

/** The gaps between sorted, non-overlapping spans within [0, total). */
export function complementSpans(spans: FrameSpan[], total: number): FrameSpan[] {
  const out: FrameSpan[] = [];
  let t = 0;
  for (const s of spans) {
    if (s.start > t) out.push({ start: t, end: s.start });
    t = Math.max(t, s.end);
  }
  if (t < total) out.push({ start: t, end: total });
  return out;
}

/** Energy mean of dB values over [start, end) window indices. */
export function meanDbOver(levels: Float32Array, start: number, end: number): number {
  const a = Math.max(0, start);
  const b = Math.min(levels.length, end);
  if (b <= a) return FLOOR_DB;
  let sum = 0;
  for (let i = a; i < b; i++) sum += Math.pow(10, levels[i] / 10);
  const m = sum / (b - a);
  return m > 0 ? Math.max(FLOOR_DB, 10 * Math.log10(m)) : FLOOR_DB;
}

/**
 * Shrinks a region by `pad` seconds on each side that borders sound; sides at
 * the file's edges are left alone since nothing is there to protect. Returns
 * null when nothing is left.
 */
export function padRegion(
  start: number,
  end: number,
  pad: number,
  durationSec: number,
): { start: number; end: number } | null {
  if (pad <= 0) return { start, end };
  const eps = 1e-6;
  const s = start <= eps ? start : start + pad;
  const e = end >= durationSec - eps ? end : end - pad;
  return e > s ? { start: s, end: e } : null;
}
