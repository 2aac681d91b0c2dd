/** Whisper's front end: 16 kHz, 25 ms Hann window, 10 ms hop, 80 Slaney mel bands, 30 s window. */
export const WHISPER_N_FFT = 400;
export const WHISPER_HOP = 160;
export const WHISPER_N_MELS = 80;
export const WHISPER_FRAMES = 3000;
export const WHISPER_SAMPLES = WHISPER_FRAMES * WHISPER_HOP;

const hzToMel = (f: number) =>
  f < 1000 ? (3 * f) / 200 : 15 + (27 * Math.log(f / 1000)) / Math.log(6.4);
const melToHz = (m: number) =>
  m < 15 ? (200 * m) / 3 : 1000 * Math.exp((Math.log(6.4) / 27) * (m - 15));

/** librosa.filters.mel(sr=16000, n_fft=400, n_mels=80) with Slaney scale and area normalisation. */
export function melFilterbank(
  sr = 16000,
  nFft = WHISPER_N_FFT,
  nMels = WHISPER_N_MELS,
): Float32Array[] {
  const bins = nFft / 2 + 1;
  const fftFreqs = Array.from({ length: bins }, (_, i) => (i * sr) / nFft);
  const mMax = hzToMel(sr / 2);
  const pts = Array.from({ length: nMels + 2 }, (_, i) => melToHz((i * mMax) / (nMels + 1)));
  return Array.from({ length: nMels }, (_, m) => {
    const row = new Float32Array(bins);
    const enorm = 2 / (pts[m + 2] - pts[m]);
    for (let k = 0; k < bins; k++) {
      const lower = (fftFreqs[k] - pts[m]) / (pts[m + 1] - pts[m]);
      const upper = (pts[m + 2] - fftFreqs[k]) / (pts[m + 2] - pts[m + 1]);
      row[k] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
    return row;
  });
}

/**
 * Log-mel spectrogram [80 x 3000] of up to 30 s of audio, zero-padded, as in
 * whisper.audio.log_mel_spectrogram. Yields to the event loop every 100 frames.
 */
export async function logMelSpectrogram(pcm: Float32Array): Promise<Float32Array> {
  const n = WHISPER_N_FFT;
  const bins = n / 2 + 1;
  const padded = new Float32Array(WHISPER_SAMPLES + n);
  // Centre padding is a reflection of the signal's start and end.
  const audio = pcm.subarray(0, WHISPER_SAMPLES);
  const src = new Float32Array(WHISPER_SAMPLES);
  src.set(audio);
  padded.set(src, n / 2);
  for (let i = 1; i <= n / 2; i++) {
    padded[n / 2 - i] = src[i];
    padded[n / 2 + WHISPER_SAMPLES - 1 + i] = src[WHISPER_SAMPLES - 1 - i];
  }
  const win = Float32Array.from(
    { length: n },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n),
  );
  const cos = new Float32Array(bins * n);
  const sin = new Float32Array(bins * n);
  for (let k = 0; k < bins; k++) {
    for (let i = 0; i < n; i++) {
      cos[k * n + i] = Math.cos((2 * Math.PI * k * i) / n);
      sin[k * n + i] = Math.sin((2 * Math.PI * k * i) / n);
    }
  }
  const filters = melFilterbank();
  const out = new Float32Array(WHISPER_N_MELS * WHISPER_FRAMES);
  const frame = new Float32Array(n);
  const power = new Float32Array(bins);
  let max = -Infinity;
  for (let t = 0; t < WHISPER_FRAMES; t++) {
    for (let i = 0; i < n; i++) frame[i] = padded[t * WHISPER_HOP + i] * win[i];
    for (let k = 0; k < bins; k++) {
      let re = 0;
      let im = 0;
      const o = k * n;
      for (let i = 0; i < n; i++) {
        re += frame[i] * cos[o + i];
        im -= frame[i] * sin[o + i];
      }
      power[k] = re * re + im * im;
    }
    for (let m = 0; m < WHISPER_N_MELS; m++) {
      let s = 0;
      const f = filters[m];
      for (let k = 0; k < bins; k++) s += f[k] * power[k];
      const v = Math.log10(Math.max(s, 1e-10));
      out[m * WHISPER_FRAMES + t] = v;
      if (v > max) max = v;
    }
    if (t % 100 === 99) await new Promise(setImmediate);
  }
  for (let i = 0; i < out.length; i++) out[i] = (Math.max(out[i], max - 8) + 4) / 4;
  return out;
}
