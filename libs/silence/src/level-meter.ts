/** Levels are kept in dBFS with digital silence floored here (the contract stores −∞ as −120). */
export const FLOOR_DB = -120;

const HIST_BIN_DB = 0.1;
const HIST_BINS = Math.round(-FLOOR_DB / HIST_BIN_DB) + 1;
/** Windows at or below this are digital silence and say nothing about the speech level. */
const DIGITAL_SILENCE_DB = -100;

/** A Float32Array that doubles when full: ~4 MB for 3 h of 10 ms windows. */
export class GrowableFloat32 {
  private buf: Float32Array;
  length = 0;

  constructor(initialCapacity = 4096) {
    this.buf = new Float32Array(Math.max(16, Math.ceil(initialCapacity)));
  }

  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }

  /** Writes at index i, growing as needed (VAD lanes finish out of order). */
  set(i: number, v: number): void {
    if (i >= this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap <= i) cap *= 2;
      const next = new Float32Array(cap);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[i] = v;
    if (i >= this.length) this.length = i + 1;
  }

  /** A view of the filled part; valid until the next push. */
  view(): Float32Array {
    return this.buf.subarray(0, this.length);
  }
}

/**
 * Streaming RMS in fixed windows. Only one dB value per window is kept, plus a
 * 0.1 dB histogram, so the speech-level percentile is known at the end of the
 * stream without a second decode or a sort.
 */
export class LevelMeter {
  readonly windowSamples: number;
  readonly levels: GrowableFloat32;
  private readonly hist = new Uint32Array(HIST_BINS);
  private acc = 0;
  private fill = 0;
  samples = 0;

  constructor(
    readonly sampleRate: number,
    readonly windowMs: number,
    expectedDurationSec = 0,
  ) {
    this.windowSamples = Math.round((sampleRate * windowMs) / 1000);
    this.levels = new GrowableFloat32((expectedDurationSec * 1000) / windowMs + 64);
  }

  get windowSec(): number {
    return this.windowSamples / this.sampleRate;
  }

  push(pcm: Float32Array): void {
    const n = this.windowSamples;
    let acc = this.acc;
    let fill = this.fill;
    for (let i = 0; i < pcm.length; i++) {
      const s = pcm[i];
      acc += s * s;
      if (++fill === n) {
        this.emit(acc / n);
        acc = 0;
        fill = 0;
      }
    }
    this.acc = acc;
    this.fill = fill;
    this.samples += pcm.length;
  }

  /** Flushes a trailing partial window (its level is the mean over the samples it has). */
  finish(): void {
    if (this.fill > 0) this.emit(this.acc / this.fill);
    this.acc = 0;
    this.fill = 0;
  }

  private emit(meanSquare: number): void {
    const db = meanSquare > 1e-12 ? Math.max(FLOOR_DB, 10 * Math.log10(meanSquare)) : FLOOR_DB;
    this.levels.push(db);
    this.hist[Math.min(HIST_BINS - 1, Math.round((db - FLOOR_DB) / HIST_BIN_DB))]++;
  }

  /**
   * Level (dBFS) below which fraction `p` of the non-silent windows lie; null
   * when the file is digital silence throughout.
   */
  percentileDb(p: number): number | null {
    const firstBin = Math.round((DIGITAL_SILENCE_DB - FLOOR_DB) / HIST_BIN_DB) + 1;
    let total = 0;
    for (let b = firstBin; b < HIST_BINS; b++) total += this.hist[b];
    if (total === 0) return null;
    const target = p * total;
    let seen = 0;
    for (let b = firstBin; b < HIST_BINS; b++) {
      seen += this.hist[b];
      if (seen >= target) return FLOOR_DB + b * HIST_BIN_DB;
    }
    return 0;
  }
}
