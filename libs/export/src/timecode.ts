import { isNtsc, nominalFps, type FrameRate } from './frame-rate';

/**
 * SMPTE drop-frame applies to the NTSC rates counted in 30 or 60: frame
 * numbers (not frames) 0 and 1 (0–3 at 59.94) are skipped at the start of
 * every minute except each tenth, so the timecode keeps up with the clock.
 */
export function canDropFrame(r: FrameRate): boolean {
  const n = nominalFps(r);
  return isNtsc(r) && (n === 30 || n === 60);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Frame count from zero as HH:MM:SS:FF, or HH:MM:SS;FF with drop-frame. */
export function framesToTimecode(frames: number, r: FrameRate, dropFrame = false): string {
  if (!Number.isInteger(frames) || frames < 0) {
    throw new RangeError(`timecode needs a whole, non-negative frame count (got ${frames})`);
  }
  const base = nominalFps(r);
  let f = frames;
  const df = dropFrame && canDropFrame(r);
  if (df) {
    const drop = base === 60 ? 4 : 2;
    const perMinute = base * 60 - drop;
    const perTen = base * 600 - drop * 9;
    const tens = Math.floor(f / perTen);
    const rest = f % perTen;
    f += drop * 9 * tens + (rest > drop ? drop * Math.floor((rest - drop) / perMinute) : 0);
  }
  const ff = f % base;
  const totalSec = Math.floor(f / base);
  const ss = totalSec % 60;
  const mm = Math.floor(totalSec / 60) % 60;
  const hh = Math.floor(totalSec / 3600);
  return `${pad(hh)}:${pad(mm)}:${pad(ss)}${df ? ';' : ':'}${pad(ff)}`;
}

/** The inverse of framesToTimecode; a separator `;` (or `.`) means drop-frame. */
export function timecodeToFrames(tc: string, r: FrameRate): number {
  const m = /^(\d{2}):(\d{2}):(\d{2})([:;.,])(\d{2})$/.exec(tc);
  if (!m) throw new RangeError(`not a timecode: ${tc}`);
  const [hh, mm, ss, ff] = [m[1], m[2], m[3], m[5]].map(Number);
  const base = nominalFps(r);
  const df = (m[4] === ';' || m[4] === ',') && canDropFrame(r);
  let frames = ((hh * 60 + mm) * 60 + ss) * base + ff;
  if (df) {
    const drop = base === 60 ? 4 : 2;
    const minutes = hh * 60 + mm;
    if (mm % 10 !== 0 && ss === 0 && ff < drop) {
      throw new RangeError(`${tc} does not exist in drop-frame timecode`);
    }
    frames -= drop * (minutes - Math.floor(minutes / 10));
  }
  return frames;
}
