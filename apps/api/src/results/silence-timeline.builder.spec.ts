import type { SilenceRegion } from '@clipline/contracts';
import { nonSpeechFlags, silenceTimeline } from './silence-timeline.builder';

const r = (
  kind: SilenceRegion['kind'],
  start: number,
  end: number,
  meanDb = -50,
): SilenceRegion => ({
  kind,
  start,
  end,
  meanDb,
});

describe('silenceTimeline', () => {
  it('keeps silence and cuts non-speech around it, without overlaps', () => {
    const tl = silenceTimeline([
      r('non_speech', 0, 10, -30),
      r('silence', 2, 3, -70),
      r('silence', 5, 6, -70),
      r('non_speech', 9.5, 12, -35),
      r('silence', 11, 13, -80),
      r('silence', 20, 21, -75),
      r('non_speech', 20.5, 20.8),
    ]);
    expect(tl.map((x) => [x.kind, x.start, x.end])).toEqual([
      ['non_speech', 0, 2],
      ['silence', 2, 3],
      ['non_speech', 3, 5],
      ['silence', 5, 6],
      ['non_speech', 6, 11],
      ['silence', 11, 13],
      ['silence', 20, 21],
    ]);
    // Joined non-speech regions keep the quieter level.
    expect(tl[0].meanDb).toBe(-35);
  });

  it('joins overlapping regions of one layer', () => {
    expect(silenceTimeline([r('silence', 0, 2, -60), r('silence', 1, 3, -80)])).toEqual([
      { kind: 'silence', start: 0, end: 3, meanDb: -80 },
    ]);
  });
});

describe('nonSpeechFlags', () => {
  const tl = silenceTimeline([r('silence', 1, 2), r('non_speech', 4, 6)]);
  it('flags words mostly inside a region, by the captions rule', () => {
    const words = [
      { start: 0.2, end: 0.8 },
      { start: 0.9, end: 1.5 }, // 5/6 inside silence
      { start: 1.8, end: 2.6 }, // 1/4 inside
      { start: 4.5, end: 5 },
      { start: 5.5, end: 6.5 }, // half inside
      { start: 7, end: 7 },
      { start: 5, end: 5 }, // zero length, inside
    ];
    expect(nonSpeechFlags(words, tl)).toEqual([false, true, false, true, true, false, true]);
  });
  it('flags nothing without regions', () => {
    expect(nonSpeechFlags([{ start: 0, end: 1 }], [])).toEqual([false]);
  });
});
