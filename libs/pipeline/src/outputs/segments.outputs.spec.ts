import { ContentSegmentEntity } from '@clipline/database';
import { captionWordsOf, segmentOf } from './segments.outputs';

const word = (text: string, start: number, end: number) => ({ text, start, end, confidence: 1 });
const features = {
  hook: 0.5,
  completeness: 1,
  speechDensity: 0.8,
  silenceRatio: 0.05,
  topicCohesion: 0.6,
  energyVariation: 0.3,
  faceRatio: 1,
  sceneCuts: 0,
};

/** The columns a stored segment carries over as they are. */
const stored = {
  id: 'seg-id',
  jobId: 'job-id',
  rank: 2,
  start: 10,
  end: 40,
  score: 71.5,
  features,
  reason: 'opens with a question',
  text: 'why does it work',
  selected: true,
};

const row = (captionWords: ReturnType<typeof word>[] | null) =>
  Object.assign(new ContentSegmentEntity(), {
    ...stored,
    attempt: 4,
    captionWords,
    captionEngine: captionWords
      ? {
          tier: 'caption' as const,
          engine: 'whisper',
          model: 'tiny',
          modelVersion: 'v1',
          preset: null,
        }
      : null,
  });

describe('segments outputs mapping', () => {
  it('maps a segment row to the stored segment, without the attempt', () => {
    expect(segmentOf(row(null))).toEqual({ ...stored, captionWords: null, captionEngine: null });
  });

  it("uses the caption tier's words once stored, else the transcript's over the segment", () => {
    const transcript = { words: [word('a', 5, 9), word('b', 9.5, 10.5), word('c', 20, 21)] };
    expect(captionWordsOf(segmentOf(row(null)), transcript).map((w) => w.text)).toEqual(['b', 'c']);
    const tier = [word('better', 20, 21)];
    expect(captionWordsOf(segmentOf(row(tier)), transcript)).toBe(tier);
    expect(captionWordsOf(segmentOf(row(null)), null)).toEqual([]);
  });
});
