import { applyCaptionCorrections, correctTranscript, wordsText } from './caption-corrections';

const w = (text: string, start: number, end: number) => ({ text, start, end, confidence: 0.5 });
const words = [
  w('three', 1, 1.4),
  w('la', 1.5, 1.7),
  w('la', 1.8, 2.0),
  w('uh', 2.1, 2.3),
  w('go', 2.4, 2.8),
];

describe('applyCaptionCorrections', () => {
  it('fixes words one for one, keeping each word its own time', () => {
    const out = applyCaptionCorrections(words, [
      { start: 1.5, end: 2.0, text: 'll a', version: 1 },
    ]);
    expect(out.map((x) => [x.text, x.start, x.end])).toEqual([
      ['three', 1, 1.4],
      ['ll', 1.5, 1.7],
      ['a', 1.8, 2.0],
      ['uh', 2.1, 2.3],
      ['go', 2.4, 2.8],
    ]);
  });

  it('merges words into one over the same span', () => {
    const out = applyCaptionCorrections(words, [{ start: 1, end: 2, text: 'Trello', version: 1 }]);
    expect(out[0]).toMatchObject({ text: 'Trello', start: 1, end: 2, corrected: true });
    expect(wordsText(out)).toBe('Trello uh go');
  });

  it('splits one word into several within its own time', () => {
    const out = applyCaptionCorrections(words, [
      { start: 2.4, end: 2.8, text: 'go on', version: 1 },
    ]);
    const tail = out.slice(-2);
    expect(tail[0].start).toBe(2.4);
    expect(tail[1].end).toBe(2.8);
    expect(tail[0].end).toBeLessThanOrEqual(tail[1].start);
  });

  it('deletes fillers with empty text', () => {
    const out = applyCaptionCorrections(words, [{ start: 2.1, end: 2.3, text: '', version: 1 }]);
    expect(wordsText(out)).toBe('three la la go');
  });

  it('applies a later fix over an earlier one on the same range', () => {
    const out = applyCaptionCorrections(words, [
      { start: 2.4, end: 2.8, text: 'gone', version: 2 },
      { start: 2.4, end: 2.8, text: 'goes', version: 1 },
    ]);
    expect(wordsText(out)).toBe('three la la uh gone');
  });

  it('leaves a word the range only touches', () => {
    // 1.35–1.6 holds the middle of "la" (1.6) but not of "three" (1.2).
    const out = applyCaptionCorrections(words, [
      { start: 1.35, end: 1.6, text: 'law', version: 1 },
    ]);
    expect(wordsText(out)).toBe('three law la uh go');
  });
});

describe('correctTranscript', () => {
  it('rebuilds the text of the segments a fix touches and keeps the others', () => {
    const t = {
      engine: 'e',
      model: 'm',
      modelVersion: 'v',
      language: 'en',
      text: 'Three la la. Uh go!',
      words,
      segments: [
        { text: 'Three la la.', start: 1, end: 2 },
        { text: 'Uh go!', start: 2.1, end: 2.8 },
      ],
      note: null,
    };
    const out = correctTranscript(t, [{ start: 1, end: 2, text: 'Trello', version: 1 }]);
    expect(out.segments.map((s) => s.text)).toEqual(['Trello', 'Uh go!']);
    expect(out.text).toBe('Trello Uh go!');
  });
});
