/**
 * A frame rate as a fraction: 23.976 is 24000/1001 and must stay that, since
 * a float drifts by a frame within minutes of timecode.
 */
export interface FrameRate {
  num: number;
  den: number;
}

export const RATES = {
  '23.976': { num: 24000, den: 1001 },
  '24': { num: 24, den: 1 },
  '25': { num: 25, den: 1 },
  '29.97': { num: 30000, den: 1001 },
  '30': { num: 30, den: 1 },
  '50': { num: 50, den: 1 },
  '59.94': { num: 60000, den: 1001 },
  '60': { num: 60, den: 1 },
} as const satisfies Record<string, FrameRate>;

export const fpsOf = (r: FrameRate): number => r.num / r.den;

/** Whole frames per timecode second: 30 for 29.97. */
export const nominalFps = (r: FrameRate): number => Math.round(r.num / r.den);

export const isNtsc = (r: FrameRate): boolean => r.den === 1001;

/**
 * ffprobe's float rate as the broadcast fraction it stands for; other rates
 * become whole frames per second (the render itself resamples to a grid).
 */
export function rateFromFps(fps: number | null | undefined): FrameRate {
  if (!fps || !Number.isFinite(fps) || fps <= 0) return RATES['30'];
  for (const r of Object.values(RATES)) {
    if (Math.abs(fpsOf(r) - fps) < 0.005) return { ...r };
  }
  return { num: Math.max(1, Math.round(fps)), den: 1 };
}

/** The frame a time in seconds falls on (nearest frame start). */
export const secondsToFrames = (sec: number, r: FrameRate): number =>
  Math.round((sec * r.num) / r.den);

export const framesToSeconds = (frames: number, r: FrameRate): number => (frames * r.den) / r.num;

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y) [x, y] = [y, x % y];
  return x || 1;
}

/** A frame count as FCPXML's rational seconds, e.g. `1001/30000s` for one 29.97 frame. */
export function rationalSeconds(frames: number, r: FrameRate): string {
  if (frames === 0) return '0s';
  const n = frames * r.den;
  const g = gcd(n, r.num);
  const num = n / g;
  const den = r.num / g;
  return den === 1 ? `${num}s` : `${num}/${den}s`;
}
