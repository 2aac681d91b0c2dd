import type { TranscriptWord } from '@clipline/contracts';
import { snapClipEdges } from './clip-edges.snapper';

/** Words 0.4 s long with 0.1 s gaps, and a 0.8 s pause after every fifth word. */
function talk(n: number): { words: TranscriptWord[]; pauses: { start: number; end: number }[] } {
  const words: TranscriptWord[] = [];
  const pauses: { start: number; end: number }[] = [];
  let t = 1;
  for (let i = 0; i < n; i++) {
    words.push({ text: `w${i}`, start: t, end: t + 0.4, confidence: 0.9 });
    t += 0.4;
    if (i % 5 === 4) {
      pauses.push({ start: t, end: t + 0.8 });
      t += 0.8;
    } else t += 0.1;
  }
  return { words, pauses };
}

// Times are kept to the millisecond, so a hair over a float word edge is not inside it.
const inside = (t: number, words: TranscriptWord[]) =>
  words.some((w) => t > w.start + 1e-6 && t < w.end - 1e-6);

describe('snapClipEdges', () => {
  const { words, pauses } = talk(60);

  it('never leaves an edge inside a word, wherever it was asked for', () => {
    for (let s = 0.5; s < 20; s += 0.37) {
      const r = snapClipEdges({ words, pauses, durationSec: 60, start: s, end: s + 10 });
      expect({ s, start: r.start, inside: inside(r.start, words) }).toEqual({
        s,
        start: r.start,
        inside: false,
      });
      expect({ s, end: r.end, inside: inside(r.end, words) }).toEqual({
        s,
        end: r.end,
        inside: false,
      });
    }
  });

  it('keeps a word more than half inside and rests in the pause before it', () => {
    // w5 runs 4.2–4.6 after the pause 3.4–4.2; ask for 4.3, inside its first half.
    const r = snapClipEdges({ words, pauses, durationSec: 60, start: 4.3, end: 12 });
    expect(r.start).toBeLessThanOrEqual(4.2);
    expect(r.start).toBeGreaterThanOrEqual(3.4);
    expect(r.startRule).toBe('pause');
  });

  it('drops a word less than half inside', () => {
    // w6 runs 4.7–5.1; asking for 5.0 leaves it out, so the clip opens on w7 at 5.2.
    const r = snapClipEdges({ words, pauses, durationSec: 60, start: 5.0, end: 12 });
    expect(r.start).toBeGreaterThanOrEqual(5.1 - 1e-6);
    expect(r.start).toBeLessThanOrEqual(5.2 + 1e-6);
    expect(r.startRule).toBe('word-gap');
  });

  it('stays within the source', () => {
    const r = snapClipEdges({ words, pauses, durationSec: 40, start: -3, end: 99 });
    expect(r.start).toBeGreaterThanOrEqual(0);
    expect(r.end).toBeLessThanOrEqual(40);
  });
});
