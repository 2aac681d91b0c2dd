import type { StageHooks } from '@clipline/contracts';
import { FFMPEG_PATH, ffmpegFailure, runCollect } from '@clipline/media';

/** The published ceiling is -1 dBTP; AAC encoding overshoots the limiter by a few tenths of a dB. */
export const TRUE_PEAK_CEILING_DB = -2;
// Gain is bounded so a near-silent clip is not raised into a wall of hiss.
const MAX_GAIN_DB = 30;
// ebur128's true peak oversamples 48 kHz four times; limiting at that rate catches intersample peaks.
const OVERSAMPLED_RATE = 192000;

export interface MeasuredLoudness {
  /** Integrated loudness, LUFS; -Infinity for silence. */
  inputI: number;
  /** True peak, dBTP. */
  inputTp: number;
}

/**
 * The loudness filter chain. With a measurement (first pass) the gain is one
 * fixed step to the target, as loudnorm's linear mode, followed by a limiter
 * at four times the output rate, so music-heavy clips reach the target and no
 * peak passes the ceiling. Without one, single-pass loudnorm is the fallback.
 */
export function loudnessFilter(
  target: number,
  measured: MeasuredLoudness | null,
  outRate: number,
): string {
  if (!measured) {
    return `loudnorm=I=${target}:TP=${TRUE_PEAK_CEILING_DB}:LRA=11,aresample=${outRate}`;
  }
  const gain = Number.isFinite(measured.inputI)
    ? Math.max(-MAX_GAIN_DB, Math.min(MAX_GAIN_DB, target - measured.inputI))
    : 0;
  const limit = Math.pow(10, TRUE_PEAK_CEILING_DB / 20).toFixed(4);
  return [
    `volume=${gain.toFixed(2)}dB`,
    `aresample=${OVERSAMPLED_RATE}`,
    `alimiter=limit=${limit}:attack=5:release=50:level=false`,
    `aresample=${outRate}`,
  ].join(',');
}

/**
 * Reads the ebur128 filter's summary from ffmpeg's stderr. ebur128 rather than
 * loudnorm's print_format=json: the bundled loudnorm reads a chord-and-speech
 * mix 0.8 LU louder than the meter a publisher checks with.
 */
export function parseEbur128Summary(stderr: string): MeasuredLoudness | null {
  const at = stderr.lastIndexOf('Summary:');
  if (at < 0) return null;
  const tail = stderr.slice(at);
  const i = /Integrated loudness:\s*I:\s*(-?[\d.]+|-inf) LUFS/.exec(tail);
  const tp = /True peak:\s*Peak:\s*(-?[\d.]+|-inf) dBFS/.exec(tail);
  if (!i || !tp) return null;
  const num = (x: string) => (x === '-inf' ? -Infinity : Number(x));
  return { inputI: num(i[1]), inputTp: num(tp[1]) };
}

/** First pass: decodes only the clip's audio (after its jump cuts) and measures it. */
export async function measureLoudness(
  args: string[],
  hooks: StageHooks,
): Promise<MeasuredLoudness | null> {
  const res = await runCollect(FFMPEG_PATH, args, {
    onCommand: hooks.onCommand,
    signal: hooks.signal,
    stderrTail: 1 << 14,
  });
  if (res.code !== 0)
    throw ffmpegFailure('render the clip (measuring its loudness)', res.code, res.stderrTail);
  return parseEbur128Summary(res.stderrTail);
}
