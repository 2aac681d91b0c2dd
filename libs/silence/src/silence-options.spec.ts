import { DEFAULT_SILENCE_OPTIONS, resolveSilenceOptions } from './silence-options';
import { LevelMeter } from './level-meter';
import { quietSpans } from './regions';

describe('resolveSilenceOptions', () => {
  it('fills defaults and clamps out-of-range overrides', () => {
    expect(resolveSilenceOptions(undefined)).toEqual(DEFAULT_SILENCE_OPTIONS);
    const o = resolveSilenceOptions({
      windowMs: 50,
      vadThreshold: 0.3,
      vadNegThreshold: 0.9,
      minSilenceMs: -5,
    });
    expect(o.windowMs).toBe(20);
    expect(o.vadNegThreshold).toBe(0.3);
    expect(o.minSilenceMs).toBe(20);
    const bad = resolveSilenceOptions({ thresholdMode: 'loud' as never, hysteresisDb: NaN });
    expect(bad.thresholdMode).toBe('relative');
    expect(bad.hysteresisDb).toBe(DEFAULT_SILENCE_OPTIONS.hysteresisDb);
  });
});

describe('LevelMeter and hysteresis', () => {
  it('measures window RMS across chunk edges and finds the speech percentile', () => {
    const m = new LevelMeter(16000, 10);
    const tone = new Float32Array(16000).map((_, i) => 0.5 * Math.sin(i / 3));
    m.push(tone.subarray(0, 1234));
    m.push(tone.subarray(1234));
    m.push(new Float32Array(8000));
    m.finish();
    const levels = m.levels.view();
    expect(levels.length).toBe(150);
    expect(levels[10]).toBeCloseTo(20 * Math.log10(0.5 / Math.SQRT2), 0);
    expect(levels[120]).toBe(-120);
    expect(m.percentileDb(0.95)).toBeCloseTo(-9, 0);
  });

  it('opens below the threshold and closes only above threshold + hysteresis', () => {
    const lv = Float32Array.from([-20, -55, -49, -55, -46, -20]);
    expect(quietSpans(lv, -50, -47)).toEqual([{ start: 1, end: 4 }]);
  });
});
