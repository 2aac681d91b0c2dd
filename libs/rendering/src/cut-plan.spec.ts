import type { SilenceRegion, TranscriptWord } from '@clipline/contracts';
import { keptDuration, mapTime, mapWords, planKeptRanges } from './cut-plan';

const sil = (start: number, end: number): SilenceRegion => ({
  kind: 'silence',
  start,
  end,
  meanDb: -80,
});
const word = (text: string, start: number, end: number): TranscriptWord => ({
  text,
  start,
  end,
  confidence: 1,
});
const base = {
  clipStart: 100,
  clipDuration: 10,
  words: [],
  fps: 30,
  minSilenceSec: 0.4,
  paddingSec: 0.1,
};

describe('planKeptRanges', () => {
  it('keeps the whole clip, snapped to the frame grid, without jump cuts', () => {
    const r = planKeptRanges({
      ...base,
      clipDuration: 9.991,
      silences: [sil(102, 104)],
      removeSilence: false,
    });
    expect(r).toEqual([[0, 10]]);
  });

  it('cuts long silences with padding and ignores short ones', () => {
    const r = planKeptRanges({
      ...base,
      silences: [sil(102, 103), sil(105, 105.3), sil(107, 108.5)],
      removeSilence: true,
    });
    expect(r.length).toBe(3);
    expect(r[0][1]).toBeCloseTo(2.1, 2);
    expect(r[1][0]).toBeCloseTo(2.9, 2);
    expect(r[1][1]).toBeCloseTo(7.1, 2);
    expect(r[2][0]).toBeCloseTo(8.4, 2);
    expect(keptDuration(r)).toBeCloseTo(10 - 0.8 - 1.3, 2);
    for (const [a, b] of r) {
      expect(Math.abs(a * 30 - Math.round(a * 30))).toBeLessThan(1e-6);
      expect(Math.abs(b * 30 - Math.round(b * 30))).toBeLessThan(1e-6);
    }
  });

  it('never cuts into a word that a detector covered with silence', () => {
    const r = planKeptRanges({
      ...base,
      silences: [sil(102, 105)],
      words: [word('still', 103, 103.5)],
      removeSilence: true,
    });
    const kept = r.map(([a, b]) => [a + 100, b + 100]);
    expect(kept.some(([a, b]) => a <= 103 && b >= 103.5)).toBe(true);
    expect(keptDuration(r)).toBeLessThan(10 - 1.5);
  });

  it('trims silence at the clip edges, keeping padding only next to speech', () => {
    const r = planKeptRanges({
      ...base,
      silences: [sil(99, 101), sil(109, 111)],
      removeSilence: true,
    });
    expect(r).toEqual([[0.9, 9.1]]);
  });
});

describe('mapTime / mapWords', () => {
  const ranges: Array<[number, number]> = [
    [0, 2],
    [3, 5],
  ];
  it('maps kept times and collapses cut times onto the cut point', () => {
    expect(mapTime(ranges, 1)).toBeCloseTo(1);
    expect(mapTime(ranges, 2.5)).toBeCloseTo(2);
    expect(mapTime(ranges, 4)).toBeCloseTo(3);
    expect(mapTime(ranges, 6)).toBeCloseTo(4);
  });
  it('moves words through the cuts and drops words outside the clip', () => {
    const out = mapWords(
      [
        word('before', 8, 9.5),
        word('a', 10.5, 11),
        word('b', 13.2, 13.8),
        word('gone', 12.2, 12.8),
        word('after', 16, 17),
      ],
      10,
      ranges,
    );
    expect(out.map((w) => w.text)).toEqual(['a', 'b']);
    expect(out[1].start).toBeCloseTo(2.2);
    expect(out[1].end).toBeCloseTo(2.8);
  });
});
