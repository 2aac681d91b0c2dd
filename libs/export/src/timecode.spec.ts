import {
  RATES,
  framesToSeconds,
  rateFromFps,
  rationalSeconds,
  secondsToFrames,
  type FrameRate,
} from './frame-rate';
import { canDropFrame, framesToTimecode, timecodeToFrames } from './timecode';

const FOUR: Array<[string, FrameRate]> = [
  ['23.976', RATES['23.976']],
  ['25', RATES['25']],
  ['29.97', RATES['29.97']],
  ['30', RATES['30']],
];

describe('frame rates as fractions', () => {
  it('recognises the broadcast rates ffprobe reports as floats', () => {
    expect(rateFromFps(23.976023976)).toEqual({ num: 24000, den: 1001 });
    expect(rateFromFps(29.97002997)).toEqual({ num: 30000, den: 1001 });
    expect(rateFromFps(25)).toEqual({ num: 25, den: 1 });
    expect(rateFromFps(30)).toEqual({ num: 30, den: 1 });
    expect(rateFromFps(12.5)).toEqual({ num: 13, den: 1 });
    expect(rateFromFps(0)).toEqual({ num: 30, den: 1 });
  });

  it.each(FOUR)('maps seconds to frames and back without drift at %s fps', (_, r) => {
    // One frame after an hour of frames, where a float rate would have slipped.
    const hourFrames = Math.round((3600 * r.num) / r.den);
    for (const f of [0, 1, 1799, hourFrames, hourFrames + 1, 10 * hourFrames + 7]) {
      expect(secondsToFrames(framesToSeconds(f, r), r)).toBe(f);
    }
  });

  it('writes FCPXML rational times exactly', () => {
    expect(rationalSeconds(1, RATES['29.97'])).toBe('1001/30000s');
    expect(rationalSeconds(30, RATES['29.97'])).toBe('1001/1000s');
    expect(rationalSeconds(1, RATES['23.976'])).toBe('1001/24000s');
    expect(rationalSeconds(24, RATES['23.976'])).toBe('1001/1000s');
    expect(rationalSeconds(50, RATES['25'])).toBe('2s');
    expect(rationalSeconds(7, RATES['25'])).toBe('7/25s');
    expect(rationalSeconds(45, RATES['30'])).toBe('3/2s');
    expect(rationalSeconds(0, RATES['30'])).toBe('0s');
  });
});

describe('non-drop timecode', () => {
  it.each(FOUR)('counts whole nominal frames per second at %s fps', (_, r) => {
    const base = Math.round(r.num / r.den);
    expect(framesToTimecode(0, r)).toBe('00:00:00:00');
    expect(framesToTimecode(base - 1, r)).toBe(`00:00:00:${base - 1}`);
    expect(framesToTimecode(base, r)).toBe('00:00:01:00');
    expect(framesToTimecode(base * 3600, r)).toBe('01:00:00:00');
    expect(framesToTimecode(base * 3661 + 5, r)).toBe('01:01:01:05');
    for (const f of [0, 1, base * 59 + base - 1, base * 60, 123_457]) {
      expect(timecodeToFrames(framesToTimecode(f, r), r)).toBe(f);
    }
  });

  it('keeps 23.976 as 24-frame timecode (an hour of it lasts 3603.6 s)', () => {
    const r = RATES['23.976'];
    expect(framesToTimecode(86400, r)).toBe('01:00:00:00');
    expect(framesToSeconds(86400, r)).toBeCloseTo(3603.6, 9);
  });

  it('ignores a drop-frame request where drop-frame does not exist', () => {
    expect(canDropFrame(RATES['25'])).toBe(false);
    expect(canDropFrame(RATES['30'])).toBe(false);
    expect(canDropFrame(RATES['23.976'])).toBe(false);
    expect(framesToTimecode(1800, RATES['30'], true)).toBe('00:01:00:00');
    expect(framesToTimecode(1800, RATES['23.976'], true)).toBe('00:01:15:00');
  });
});

describe('drop-frame timecode at 29.97', () => {
  const r = RATES['29.97'];
  const df = (f: number) => framesToTimecode(f, r, true);

  it('skips ;00 and ;01 at each minute but the tenth', () => {
    expect(df(0)).toBe('00:00:00;00');
    expect(df(1799)).toBe('00:00:59;29');
    expect(df(1800)).toBe('00:01:00;02');
    expect(df(1801)).toBe('00:01:00;03');
    expect(df(3597)).toBe('00:01:59;29');
    expect(df(3598)).toBe('00:02:00;02');
    expect(df(17981)).toBe('00:09:59;29');
    expect(df(17982)).toBe('00:10:00;00');
    expect(df(17983)).toBe('00:10:00;01');
    expect(df(17982 + 1800)).toBe('00:11:00;02');
  });

  it('stays with the clock: an hour is 107892 frames and 01:00:00;00', () => {
    expect(df(107892)).toBe('01:00:00;00');
    expect(framesToSeconds(107892, r)).toBeCloseTo(3599.9964, 4);
    // Non-drop at the same frame is 3.6 s ahead of the clock.
    expect(framesToTimecode(107892, r)).toBe('00:59:56:12');
  });

  it('round-trips every frame of the first eleven minutes and refuses skipped labels', () => {
    for (let f = 0; f <= 17982 + 1900; f++) {
      expect(timecodeToFrames(df(f), r)).toBe(f);
    }
    const labels = new Set(Array.from({ length: 17982 + 1900 }, (_, f) => df(f)));
    expect(labels.has('00:01:00;00')).toBe(false);
    expect(labels.has('00:01:00;01')).toBe(false);
    expect(labels.has('00:10:00;00')).toBe(true);
    expect(() => timecodeToFrames('00:01:00;00', r)).toThrow(/does not exist/);
    expect(timecodeToFrames('00:10:00;00', r)).toBe(17982);
  });

  it('drops four at 59.94', () => {
    const r60 = RATES['59.94'];
    expect(framesToTimecode(3599, r60, true)).toBe('00:00:59;59');
    expect(framesToTimecode(3600, r60, true)).toBe('00:01:00;04');
    expect(framesToTimecode(35964, r60, true)).toBe('00:10:00;00');
  });
});
