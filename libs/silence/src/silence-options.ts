/**
 * Per-job tuning of the silence stage. A plain JSON object so it can travel in
 * job payloads and be overridden field by field; always pass it through
 * `resolveSilenceOptions` before use.
 */
export interface SilenceOptions {
  /** 'relative': threshold = speech level − relativeThresholdDb; 'absolute': absoluteThresholdDb. */
  thresholdMode: 'absolute' | 'relative';
  /** dBFS threshold in absolute mode, and the fallback when a file has no speech-like level. */
  absoluteThresholdDb: number;
  /** How far below the file's own speech level a window counts as silent. */
  relativeThresholdDb: number;
  /** Percentile (0..1) of window levels taken as the speech level. */
  speechPercentile: number;
  /** Relative mode never puts the threshold below this (dBFS), so hiss is not speech-level. */
  minThresholdDb: number;
  /** A speech level below this means there is nothing to be relative to: absolute mode is used. */
  minSpeechLevelDb: number;
  /** RMS window, 10..20 ms. */
  windowMs: number;
  /** Silence starts below the threshold and ends only above threshold + hysteresisDb. */
  hysteresisDb: number;
  /** Shorter quiet stretches are not silence regions (espeak commas, plosive closures). */
  minSilenceMs: number;
  /** Regions are shrunk by this much on each side that touches sound, to keep breaths around words. */
  paddingMs: number;
  /** Runs Silero VAD for 'non_speech' regions. */
  vad: boolean;
  /** Speech starts when the VAD probability reaches this. */
  vadThreshold: number;
  /** Speech ends when the probability falls below this (hysteresis). */
  vadNegThreshold: number;
  /** VAD speech bursts shorter than this are treated as non-speech (clicks, music transients). */
  minSpeechMs: number;
  /** Shorter non-speech stretches are not regions. */
  minNonSpeechMs: number;
}

export const DEFAULT_SILENCE_OPTIONS: Readonly<SilenceOptions> = Object.freeze({
  thresholdMode: 'relative',
  absoluteThresholdDb: -50,
  relativeThresholdDb: 35,
  speechPercentile: 0.95,
  minThresholdDb: -80,
  minSpeechLevelDb: -60,
  windowMs: 10,
  hysteresisDb: 3,
  minSilenceMs: 250,
  paddingMs: 0,
  vad: true,
  vadThreshold: 0.5,
  vadNegThreshold: 0.35,
  minSpeechMs: 90,
  minNonSpeechMs: 250,
});

function num(v: unknown, def: number, min: number, max: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) return def;
  return Math.min(max, Math.max(min, n));
}

/**
 * Fills gaps from the defaults and clamps every field to a safe range, so a
 * malformed per-job override degrades to sane behaviour instead of failing a
 * job hours into a queue.
 */
export function resolveSilenceOptions(
  partial: Partial<SilenceOptions> | null | undefined = {},
): SilenceOptions {
  const p = (partial ?? {}) as Record<string, unknown>;
  const d = DEFAULT_SILENCE_OPTIONS;
  const vadThreshold = num(p.vadThreshold, d.vadThreshold, 0.05, 0.95);
  return {
    thresholdMode:
      p.thresholdMode === 'absolute' || p.thresholdMode === 'relative'
        ? p.thresholdMode
        : d.thresholdMode,
    absoluteThresholdDb: num(p.absoluteThresholdDb, d.absoluteThresholdDb, -100, -10),
    relativeThresholdDb: num(p.relativeThresholdDb, d.relativeThresholdDb, 6, 80),
    speechPercentile: num(p.speechPercentile, d.speechPercentile, 0.5, 0.999),
    minThresholdDb: num(p.minThresholdDb, d.minThresholdDb, -110, -20),
    minSpeechLevelDb: num(p.minSpeechLevelDb, d.minSpeechLevelDb, -100, -10),
    windowMs: Math.round(num(p.windowMs, d.windowMs, 10, 20)),
    hysteresisDb: num(p.hysteresisDb, d.hysteresisDb, 0, 20),
    minSilenceMs: num(p.minSilenceMs, d.minSilenceMs, 20, 60_000),
    paddingMs: num(p.paddingMs, d.paddingMs, 0, 2_000),
    vad: typeof p.vad === 'boolean' ? p.vad : d.vad,
    vadThreshold,
    // The exit threshold must not exceed the entry one or hysteresis inverts.
    vadNegThreshold: num(
      p.vadNegThreshold,
      Math.max(0.01, vadThreshold - 0.15),
      0.01,
      vadThreshold,
    ),
    minSpeechMs: num(p.minSpeechMs, d.minSpeechMs, 0, 5_000),
    minNonSpeechMs: num(p.minNonSpeechMs, d.minNonSpeechMs, 32, 60_000),
  };
}
