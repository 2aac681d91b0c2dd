/** 10 ms analysis frames: fine enough to land a cut inside a short pause. */
export const FRAME_SEC = 0.01;
/** Cuts look at energy smoothed over this many frames, so a cut lands inside a pause, not between two syllables. */
const SMOOTH_FRAMES = 25;

export interface ChunkerOptions {
  sampleRate: number;
  minSec: number;
  targetSec: number;
  maxSec: number;
  overlapSec: number;
  silenceDb: number;
  /** Source time of the first sample pushed. */
  originSec: number;
  /** Source time where the first chunk's own part begins (>= originSec; earlier samples are lead-in overlap). */
  coreStartSec: number;
  /** Source time where the last chunk's own part ends (Infinity: end of stream). */
  coreEndSec: number;
}

export interface AudioChunk {
  index: number;
  /** Own part of the timeline, source seconds. */
  coreStart: number;
  coreEnd: number;
  /** Source time of pcm[0]. */
  audioStart: number;
  pcm: Float32Array;
  /** RMS dBFS of each 10 ms frame of pcm. */
  frameDb: Float32Array;
  endsInSilence: boolean;
}

export function rmsDb(sumSquares: number, n: number): number {
  return n > 0 ? 10 * Math.log10(sumSquares / n + 1e-12) : -120;
}

export function frameLevels(pcm: Float32Array, sampleRate: number): Float32Array {
  const len = Math.round(FRAME_SEC * sampleRate);
  const out = new Float32Array(Math.ceil(pcm.length / len));
  for (let f = 0; f < out.length; f++) {
    let s = 0;
    const end = Math.min(pcm.length, (f + 1) * len);
    for (let i = f * len; i < end; i++) s += pcm[i] * pcm[i];
    out[f] = rmsDb(s, end - f * len);
  }
  return out;
}

/**
 * Splits a PCM stream into chunks at quiet points, holding at most about
 * maxSec + 2 * overlapSec of audio. A cut in silence needs no overlap; a cut
 * forced into speech keeps overlapSec on both sides so the merge can keep
 * each boundary word from whichever chunk heard it whole.
 */
export class SilenceChunker {
  private buf: Float32Array;
  /** Absolute sample index (from origin) of buf[0]. */
  private bufStart = 0;
  private bufLen = 0;
  private coreStart: number;
  private readonly coreEnd: number;
  private padBefore: number;
  private index = 0;
  private readonly sr: number;

  constructor(private readonly o: ChunkerOptions) {
    this.sr = o.sampleRate;
    this.coreStart = Math.round((o.coreStartSec - o.originSec) * this.sr);
    this.coreEnd = Number.isFinite(o.coreEndSec)
      ? Math.round((o.coreEndSec - o.originSec) * this.sr)
      : Infinity;
    this.padBefore = this.coreStart;
    this.buf = new Float32Array(Math.ceil((o.maxSec + 2 * o.overlapSec + 2) * this.sr));
  }

  push(samples: Float32Array): AudioChunk[] {
    if (this.bufLen + samples.length > this.buf.length) {
      const grown = new Float32Array(Math.max(this.buf.length * 2, this.bufLen + samples.length));
      grown.set(this.buf.subarray(0, this.bufLen));
      this.buf = grown;
    }
    this.buf.set(samples, this.bufLen);
    this.bufLen += samples.length;
    const out: AudioChunk[] = [];
    const maxS = Math.round(this.o.maxSec * this.sr);
    const padS = Math.round(this.o.overlapSec * this.sr);
    while (
      this.bufStart + this.bufLen >= this.coreStart + maxS + padS &&
      this.coreEnd - this.coreStart > maxS
    ) {
      out.push(this.cut());
    }
    return out;
  }

  /** Emits whatever is left as the last chunk (none if nothing of the core was heard). */
  finish(): AudioChunk[] {
    const endAbs = this.bufStart + this.bufLen;
    const coreEnd = Math.min(this.coreEnd, endAbs);
    if (coreEnd <= this.coreStart) return [];
    return [this.emit(coreEnd, endAbs, false)];
  }

  private cut(): AudioChunk {
    const sr = this.sr;
    const fl = Math.round(FRAME_SEC * sr);
    const lo = this.coreStart + Math.round(this.o.minSec * sr);
    const hi = this.coreStart + Math.round(this.o.maxSec * sr);
    const target = this.coreStart + Math.round(this.o.targetSec * sr);
    const nFrames = Math.floor((hi - lo) / fl);
    const half = Math.floor(SMOOTH_FRAMES / 2);
    // Power per frame over the window plus the smoothing margin, then a moving average.
    const from = lo - half * fl;
    const power = new Float64Array(nFrames + 2 * half);
    for (let f = 0; f < power.length; f++) {
      let s = 0;
      const a = from + f * fl - this.bufStart;
      for (let i = Math.max(0, a); i < Math.min(this.bufLen, a + fl); i++) s += this.buf[i] ** 2;
      power[f] = s / fl;
    }
    let best = -1;
    let bestDb = Infinity;
    let bestDist = Infinity;
    const smoothed = new Float64Array(nFrames);
    let acc = 0;
    for (let f = 0; f < SMOOTH_FRAMES && f < power.length; f++) acc += power[f];
    for (let f = 0; f < nFrames; f++) {
      if (f > 0) acc += (power[f + SMOOTH_FRAMES - 1] ?? 0) - power[f - 1];
      smoothed[f] = 10 * Math.log10(acc / SMOOTH_FRAMES + 1e-12);
    }
    const minDb = Math.min(...smoothed);
    // Quiet runs (within 3 dB of the quietest point); cut in the middle of the run
    // nearest the target length, so both chunks keep some silence at their edge.
    for (let f = 0; f < nFrames;) {
      if (smoothed[f] > minDb + 3) {
        f++;
        continue;
      }
      let g = f;
      let runMin = smoothed[f];
      while (g + 1 < nFrames && smoothed[g + 1] <= minDb + 3)
        runMin = Math.min(runMin, smoothed[++g]);
      const at = lo + Math.floor((f + g) / 2) * fl + Math.floor(fl / 2);
      const dist = Math.abs(at - target);
      if (dist < bestDist) {
        best = at;
        bestDist = dist;
        bestDb = runMin;
      }
      f = g + 1;
    }
    const silent = bestDb < this.o.silenceDb;
    const pad = silent ? 0 : Math.round(this.o.overlapSec * sr);
    return this.emit(best, best + pad, silent);
  }

  private emit(coreEndAbs: number, audioEndAbs: number, silentCut: boolean): AudioChunk {
    const sr = this.sr;
    const audioStartAbs = Math.max(this.bufStart, this.coreStart - this.padBefore);
    const endAbs = Math.min(audioEndAbs, this.bufStart + this.bufLen);
    const pcm = this.buf.slice(audioStartAbs - this.bufStart, endAbs - this.bufStart);
    const chunk: AudioChunk = {
      index: this.index++,
      coreStart: this.o.originSec + this.coreStart / sr,
      coreEnd: this.o.originSec + coreEndAbs / sr,
      audioStart: this.o.originSec + audioStartAbs / sr,
      pcm,
      frameDb: frameLevels(pcm, sr),
      endsInSilence: silentCut,
    };
    this.padBefore = silentCut ? 0 : Math.round(this.o.overlapSec * sr);
    this.coreStart = coreEndAbs;
    const keepFrom = Math.max(this.bufStart, this.coreStart - this.padBefore);
    const drop = keepFrom - this.bufStart;
    this.buf.copyWithin(0, drop, this.bufLen);
    this.bufLen -= drop;
    this.bufStart = keepFrom;
    return chunk;
  }
}
