import { TranscriptEntity } from '@clipline/database';
import { transcriptOf, wordsOverlapping } from './transcript.outputs';

const word = (text: string, start: number, end: number) => ({ text, start, end, confidence: 1 });

describe('transcript outputs mapping', () => {
  it('maps a stored row to the engine-level result and its time, without the row bookkeeping', () => {
    const createdAt = new Date('2026-01-02T03:04:05Z');
    const row = Object.assign(new TranscriptEntity(), {
      id: 'row-id',
      jobId: 'job-id',
      engine: 'pocketsphinx',
      model: 'en-us',
      modelVersion: 'pocketsphinx en-us (fast)',
      language: 'en',
      text: 'hello there',
      words: [word('hello', 0, 0.4), word('there', 0.5, 0.9)],
      segments: [{ text: 'hello there', start: 0, end: 0.9 }],
      note: null,
      attempt: 3,
      createdAt,
    });
    expect(transcriptOf(row)).toEqual({
      engine: 'pocketsphinx',
      model: 'en-us',
      modelVersion: 'pocketsphinx en-us (fast)',
      language: 'en',
      text: 'hello there',
      words: row.words,
      segments: row.segments,
      note: null,
      createdAt,
    });
  });

  it('keeps the words a window overlaps, including those its edges cut, and no word that only touches it', () => {
    const words = [
      word('before', 0, 1),
      word('cut-left', 1.5, 2.5),
      word('inside', 3, 4),
      word('cut-right', 4.5, 5.5),
      word('touching', 5, 6),
    ];
    expect(wordsOverlapping(words, { start: 2, end: 5 }).map((w) => w.text)).toEqual([
      'cut-left',
      'inside',
      'cut-right',
    ]);
    expect(wordsOverlapping(words, { start: 1, end: 1.5 })).toEqual([]);
  });
});
