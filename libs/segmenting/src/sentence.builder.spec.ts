import { DEFAULT_SEGMENTING_OPTIONS } from './segmenting.types';
import { buildSentences, cleanWords } from './sentence.builder';

const opts = { ...DEFAULT_SEGMENTING_OPTIONS };

/** Words with a 0.3 s duration; `gaps[i]` is the silence before word i. */
function timed(texts: string[], gaps: number[] = []) {
  let t = 0;
  return texts.map((text, i) => {
    t += gaps[i] ?? 0.05;
    const w = { text, start: t, end: t + 0.3, confidence: 0.9 };
    t += 0.3;
    return w;
  });
}

describe('cleanWords', () => {
  it('drops recogniser artefacts and alternative-pronunciation marks, and sorts by time', () => {
    const raw = [
      { text: 'world(2)', start: 1, end: 1.3, confidence: 0.8 },
      { text: '<sil>', start: 0.4, end: 1, confidence: 1 },
      { text: 'hello', start: 0, end: 0.4, confidence: 0.8 },
      { text: '[NOISE]', start: 1.3, end: 1.5, confidence: 1 },
      { text: 'broken', start: 2, end: 1, confidence: 1 },
    ];
    expect(cleanWords(raw).map((w) => w.text)).toEqual(['hello', 'world']);
  });
});

describe('buildSentences', () => {
  it('splits punctuated text on terminal punctuation, not on short gaps', () => {
    const words = cleanWords(
      timed(['One', 'two', 'three.', 'Is', 'it', 'four?', 'Five', 'six!'], [0, 0.05, 0.6, 0.1]),
    );
    const s = buildSentences(words, [], opts);
    expect(s.map((u) => [u.firstWord, u.lastWord, u.terminal])).toEqual([
      [0, 2, '.'],
      [3, 5, '?'],
      [6, 7, '!'],
    ]);
  });

  it('splits unpunctuated text on pauses and on recogniser segment boundaries', () => {
    const texts = ['so', 'here', 'we', 'are', 'now', 'look', 'at', 'this'];
    const words = cleanWords(timed(texts, [0, 0.05, 0.05, 0.05, 0.6, 0.2, 0.05, 0.05]));
    const segBoundary = words[5].end + 0.02;
    const s = buildSentences(words, [{ text: '', start: 0, end: segBoundary }], opts);
    expect(s.map((u) => [u.firstWord, u.lastWord, u.breakAfter])).toEqual([
      [0, 3, 'pause'],
      [4, 5, 'segment'],
      [6, 7, 'edge'],
    ]);
    expect(s[1].gapBefore).toBeCloseTo(0.6);
  });

  it('splits an over-long run-on sentence at its widest gap', () => {
    const texts = Array.from({ length: 60 }, (_, i) => `w${i}`);
    const gaps = texts.map((_, i) => (i === 20 ? 0.3 : 0.05));
    const words = cleanWords(timed(texts, gaps));
    const s = buildSentences(words, [], { ...opts, maxSentenceSec: 15 });
    expect(s[0].lastWord).toBe(19);
    expect(s[0].breakAfter).toBe('forced');
    // A 0.3 s gap is enough air to cut on; the 0.05 s gaps inside the rest are not.
    expect(s[0].canEnd).toBe(true);
    for (const u of s) expect(u.end - u.start).toBeLessThanOrEqual(15);
  });
});
