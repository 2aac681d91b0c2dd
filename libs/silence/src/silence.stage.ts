import type { MediaInfo, SilenceRegion, SilenceResult, StageHooks } from '@clipline/contracts';
import { pcmFloat32Stream } from '@clipline/media';
import { LevelMeter } from './level-meter';
import { chooseThreshold, loudnessRegions, round1, round3 } from './loudness.detector';
import { resolveSilenceOptions, type SilenceOptions } from './silence-options';
import { speechRegions } from './speech.detector';
import { SileroVad, VAD_FRAME_SEC, VAD_SAMPLE_RATE, type VadEngineOptions } from './vad.detector';

export interface SilenceModelOptions {
  vad?: VadEngineOptions;
}

function total(regions: SilenceRegion[]): number {
  return regions.reduce((acc, r) => acc + (r.end - r.start), 0);
}

/** A result with nothing detected, for sources that give no audio to measure. */
function noRegions(durationSec: number, thresholdDb: number, note: string): SilenceResult {
  const summary = {
    durationSec,
    speechRatio: 0,
    totalSilenceSec: 0,
    totalNonSpeechSec: 0,
    thresholdDb,
    note,
  };
  return { regions: [], summary };
}

/**
 * Finds loudness silence and (optionally) VAD non-speech in one decode: each
 * PCM chunk from ffmpeg feeds both the RMS meter and the VAD, and only compact
 * per-window levels and per-frame probabilities are kept (~5 MB for 3 hours).
 * The thresholds are applied at the end, when the file's speech level is known.
 */
export async function detectSilence(
  input: string,
  media: MediaInfo,
  options: Partial<SilenceOptions> = {},
  hooks: StageHooks = {},
  models: SilenceModelOptions = {},
): Promise<SilenceResult> {
  const opts = resolveSilenceOptions(options);
  if (!media.hasAudio) {
    hooks.onLog?.('no audio track: nothing to detect');
    hooks.onProgress?.(1);
    return noRegions(
      media.durationSec,
      opts.thresholdMode === 'absolute' ? opts.absoluteThresholdDb : opts.minThresholdDb,
      'The source has no audio track, so no silence was detected.',
    );
  }

  const expected = media.durationSec > 0 ? media.durationSec : 0;
  const meter = new LevelMeter(VAD_SAMPLE_RATE, opts.windowMs, expected);
  const vad = opts.vad ? await SileroVad.create(models.vad, expected) : null;
  let lastProgress = -1;
  for await (const chunk of pcmFloat32Stream(input, {
    sampleRate: VAD_SAMPLE_RATE,
    formatName: media.formatName,
    onCommand: hooks.onCommand,
    signal: hooks.signal,
  })) {
    meter.push(chunk);
    if (vad) await vad.push(chunk, hooks.signal);
    if (expected > 0) {
      // Decoding and detection run in lockstep, so decoded time is a fair measure.
      const p = Math.min(0.99, meter.samples / VAD_SAMPLE_RATE / expected);
      if (p - lastProgress >= 0.01) {
        lastProgress = p;
        hooks.onProgress?.(p);
      }
    }
  }
  meter.finish();
  const probs = vad ? await vad.finish(hooks.signal) : null;

  const durationSec = meter.samples / VAD_SAMPLE_RATE;
  const notes: string[] = [];
  if (meter.samples === 0) {
    hooks.onProgress?.(1);
    return noRegions(
      media.durationSec,
      opts.absoluteThresholdDb,
      'The audio track decoded to no samples, so no silence was detected.',
    );
  }

  const threshold = chooseThreshold(meter, opts);
  if (threshold.note) notes.push(threshold.note);
  hooks.onLog?.(
    `loudness threshold ${threshold.thresholdDb.toFixed(1)} dBFS (${threshold.mode}` +
      (threshold.speechLevelDb !== null
        ? `, speech level ${threshold.speechLevelDb.toFixed(1)} dBFS`
        : '') +
      ')',
  );
  const silence = loudnessRegions(meter, threshold.thresholdDb, opts, durationSec);
  const levels = meter.levels.view();
  const speech = probs
    ? speechRegions(probs, VAD_FRAME_SEC, levels, meter.windowSec, opts, durationSec)
    : null;
  const nonSpeech = speech?.nonSpeech ?? [];

  const totalSilenceSec = total(silence);
  const totalNonSpeechSec = total(nonSpeech);
  const speechSec = speech
    ? speech.speech.reduce((a, s) => a + (s.end - s.start), 0)
    : durationSec - totalSilenceSec;
  if (silence.length === 1 && silence[0].start === 0 && silence[0].end >= durationSec - 0.001) {
    notes.push('the whole file is silent');
  } else if (speech && speech.speech.length === 0) {
    notes.push('no speech was detected');
  }
  if (!speech) notes.push('VAD disabled; speech ratio is from loudness only');

  const regions = [...silence, ...nonSpeech].sort((a, b) => a.start - b.start || a.end - b.end);
  hooks.onProgress?.(1);
  return {
    regions,
    summary: {
      durationSec: round3(durationSec),
      speechRatio: Math.round(Math.max(0, Math.min(1, speechSec / durationSec)) * 10000) / 10000,
      totalSilenceSec: round3(totalSilenceSec),
      totalNonSpeechSec: round3(totalNonSpeechSec),
      thresholdDb: round1(threshold.thresholdDb),
      note: notes.length ? notes.join('; ') : null,
    },
  };
}
