import type { TranscriptWord } from '@clipline/contracts';
import { mergeChunkResults, segmentsFromPauses } from './chunk-merge';
import type { ChunkTranscript } from './transcription.types';

const w = (text: string, start: number, end: number): TranscriptWord => ({
  text,
  start,
  end,
  confidence: 0.9,
});
const chunk = (start: number, end: number, words: TranscriptWord[]): ChunkTranscript => ({
  start,
  end,
  words,
  segments: [],
  audibleSec: end - start,
});

describe('mergeChunkResults', () => {
  it('keeps a word heard by both overlapping chunks exactly once', () => {
    const a = chunk(0, 10, [w('one', 8, 8.5), w('two', 9.7, 10.2), w('three', 10.4, 10.9)]);
    const b = chunk(10, 20, [w('two', 9.72, 10.18), w('three', 10.4, 10.9), w('four', 11, 11.5)]);
    const { words } = mergeChunkResults([b, a]);
    expect(words.map((x) => x.text)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('does not lose a word whose copies each fall in the other chunk', () => {
    // Chunk a places it after the boundary, chunk b before it.
    const a = chunk(0, 10, [w('alpha', 9.0, 9.5), w('edge', 9.8, 10.3)]);
    const b = chunk(10, 20, [w('edge', 9.7, 10.2), w('beta', 10.5, 11)]);
    const { words } = mergeChunkResults([a, b]);
    expect(words.map((x) => x.text)).toEqual(['alpha', 'edge', 'beta']);
  });

  it('keeps a word only one chunk heard, even in its overlap', () => {
    const a = chunk(0, 10, [w('tail', 10.1, 10.6)]);
    const b = chunk(10, 20, [w('later', 12, 12.5)]);
    expect(mergeChunkResults([a, b]).words.map((x) => x.text)).toEqual(['tail', 'later']);
  });

  it('makes times monotonic when neighbours disagree by a frame', () => {
    const a = chunk(0, 10, [w('x', 9.0, 9.95)]);
    const b = chunk(10, 20, [w('y', 9.9, 10.5)]);
    const { words } = mergeChunkResults([a, b]);
    for (let i = 1; i < words.length; i++)
      expect(words[i].start).toBeGreaterThanOrEqual(words[i - 1].end);
  });
});

describe('segmentsFromPauses', () => {
  it('starts a new segment at a pause', () => {
    const segs = segmentsFromPauses([w('a', 0, 0.3), w('b', 0.35, 0.6), w('c', 1.5, 1.8)]);
    expect(segs).toEqual([
      { text: 'a b', start: 0, end: 0.6 },
      { text: 'c', start: 1.5, end: 1.8 },
    ]);
  });
});
