import type { SceneCutOptions } from './layout.types';

const BINS = 16;
const GRID = 4;

/** Colour histogram (16 bins per channel) plus a 4x4 grid of mean colours. */
export interface FrameSignature {
  hist: Float32Array;
  grid: Float32Array;
}

export function frameSignature(rgb: Buffer, width: number, height: number): FrameSignature {
  const hist = new Float32Array(3 * BINS);
  const grid = new Float32Array(GRID * GRID * 3);
  const counts = new Float32Array(GRID * GRID);
  for (let y = 0; y < height; y++) {
    const gy = Math.min(GRID - 1, Math.floor((y * GRID) / height));
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const r = rgb[i];
      const g = rgb[i + 1];
      const b = rgb[i + 2];
      hist[r >> 4]++;
      hist[BINS + (g >> 4)]++;
      hist[2 * BINS + (b >> 4)]++;
      const cell = gy * GRID + Math.min(GRID - 1, Math.floor((x * GRID) / width));
      grid[cell * 3] += r;
      grid[cell * 3 + 1] += g;
      grid[cell * 3 + 2] += b;
      counts[cell]++;
    }
  }
  const n = width * height;
  for (let i = 0; i < hist.length; i++) hist[i] /= n;
  for (let c = 0; c < counts.length; c++)
    for (let k = 0; k < 3; k++) grid[c * 3 + k] /= Math.max(1, counts[c]);
  return { hist, grid };
}

/**
 * 0..1: half the histogram L1 distance (share of pixels that changed colour
 * bin), with a little of the grid's mean colour change so that two shots with
 * the same palette but a different layout still register. The grid weight is
 * small because a person stepping across the same shot moves a lot of grid
 * colour without being a cut.
 */
export function signatureDistance(a: FrameSignature, b: FrameSignature): number {
  let h = 0;
  for (let i = 0; i < a.hist.length; i++) h += Math.abs(a.hist[i] - b.hist[i]);
  h /= 6; // 3 channels, each L1 in 0..2
  let g = 0;
  for (let i = 0; i < a.grid.length; i++) g += Math.abs(a.grid[i] - b.grid[i]);
  g = Math.min(1, (g / a.grid.length / 255) * 3);
  return 0.85 * h + 0.15 * g;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Streaming shot-cut detector over consecutive sampled frames. The threshold
 * adapts to the recent motion level (median + k*MAD of the last distances),
 * so a busy handheld shot does not cut on every frame and a static talk still
 * cuts on a modest change; an absolute floor keeps noise from ever counting.
 */
export class SceneCutDetector {
  private readonly floor: number;
  private readonly k: number;
  private readonly window: number;
  private readonly minSceneSec: number;
  private prev: FrameSignature | null = null;
  private history: number[] = [];
  private lastCut = -Infinity;

  constructor(opts: SceneCutOptions = {}) {
    this.floor = opts.floor ?? 0.22;
    this.k = opts.k ?? 6;
    this.window = opts.window ?? 20;
    this.minSceneSec = opts.minSceneSec ?? 1;
  }

  /** Feeds the next frame; true when a new shot starts at this frame. */
  push(sig: FrameSignature, t: number): { distance: number; cut: boolean } {
    const prev = this.prev;
    this.prev = sig;
    if (!prev) return { distance: 0, cut: false };
    const d = signatureDistance(prev, sig);
    let threshold = this.floor;
    if (this.history.length >= 3) {
      const med = median(this.history);
      const mad = median(this.history.map((v) => Math.abs(v - med)));
      threshold = Math.max(this.floor, med + this.k * Math.max(mad, 0.01));
    } else {
      threshold = this.floor * 1.5;
    }
    const cut = d > threshold && t - this.lastCut >= this.minSceneSec;
    if (cut) {
      this.lastCut = t;
    } else {
      // Cuts stay out of the statistics, or one cut would raise the bar for the next.
      this.history.push(d);
      if (this.history.length > this.window) this.history.shift();
    }
    return { distance: d, cut };
  }
}
