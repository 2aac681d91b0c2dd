import type { SilenceRegion } from '@clipline/contracts';
import type { LevelMeter } from './level-meter';
import type { SilenceOptions } from './silence-options';
import { meanDbOver, padRegion, quietSpans } from './regions';

export interface LoudnessThreshold {
  thresholdDb: number;
  /** Speech level estimate (dBFS), null for digital silence throughout. */
  speechLevelDb: number | null;
  mode: 'absolute' | 'relative';
  note: string | null;
}

/** Decides the threshold once the whole file's level histogram is known. */
export function chooseThreshold(meter: LevelMeter, opts: SilenceOptions): LoudnessThreshold {
  const speech = meter.percentileDb(opts.speechPercentile);
  if (opts.thresholdMode === 'absolute') {
    return {
      thresholdDb: opts.absoluteThresholdDb,
      speechLevelDb: speech,
      mode: 'absolute',
      note: null,
    };
  }
  if (speech === null || speech < opts.minSpeechLevelDb) {
    return {
      thresholdDb: opts.absoluteThresholdDb,
      speechLevelDb: speech,
      mode: 'absolute',
      note:
        speech === null
          ? 'the audio is digital silence'
          : `no speech-level audio (loudest windows ${speech.toFixed(1)} dBFS), absolute threshold used`,
    };
  }
  const thresholdDb = Math.max(opts.minThresholdDb, speech - opts.relativeThresholdDb);
  return { thresholdDb, speechLevelDb: speech, mode: 'relative', note: null };
}

/**
 * Loudness silence over the stored window levels: hysteresis, minimum
 * duration, then padding. Runs after the stream ends because a relative
 * threshold needs the whole file's speech level first.
 */
export function loudnessRegions(
  meter: LevelMeter,
  thresholdDb: number,
  opts: SilenceOptions,
  durationSec: number,
): SilenceRegion[] {
  const levels = meter.levels.view();
  const win = meter.windowSec;
  const minWindows = Math.ceil(opts.minSilenceMs / 1000 / win - 1e-9);
  const out: SilenceRegion[] = [];
  for (const span of quietSpans(levels, thresholdDb, thresholdDb + opts.hysteresisDb)) {
    if (span.end - span.start < minWindows) continue;
    const padded = padRegion(
      span.start * win,
      Math.min(durationSec, span.end * win),
      opts.paddingMs / 1000,
      durationSec,
    );
    if (!padded) continue;
    out.push({
      kind: 'silence',
      start: round3(padded.start),
      end: round3(padded.end),
      meanDb: round1(
        meanDbOver(levels, Math.round(padded.start / win), Math.round(padded.end / win)),
      ),
    });
  }
  return out;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
