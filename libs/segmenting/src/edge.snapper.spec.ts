import type { SegmentCandidate, SilenceRegion, TranscriptWord } from '@clipline/contracts';
import { selectSegments } from './segmenting.stage';
import { buildTranscript, type BuiltTranscript } from '@test/support/factories/transcript.factory';

const TALK = [
  'The harbour wakes up long before the sun rises over the water.',
  'Fishing boats leave the quay one by one in the grey light.',
  'Each crew checks the nets and the engine before they go.',
  'Gulls follow the boats out past the old stone lighthouse.',
  'By noon the first boats come back with their catch.',
  'Buyers walk along the quay and bid on the fresh fish.',
  'The best fish go to the restaurants in the old town.',
  'In the evening the harbour is quiet again and the nets dry.',
];
const QUIET = 0.25;
const OPEN = { maxNonSpeechRatio: 1, minScore: 0 };
// Windows of one sentence each (sentences last 3.5-5 s), so every sentence that can open a clip gets one.
const JOB = { clipCount: 10, minClipSeconds: 2, maxClipSeconds: 6.5 };

/** Words of the sentence that starts (or ends) at `t`. */
const sentenceWords = (b: BuiltTranscript, k: number): TranscriptWord[] =>
  b.transcript.words.filter((w) => w.start >= b.sentences[k].start && w.end <= b.sentences[k].end);

/** Speech (every word really said) inside a clip's first or last quiet span, in seconds. */
function speechAtEdges(s: SegmentCandidate, said: readonly TranscriptWord[]) {
  const overlap = (a: number, b: number) =>
    said.reduce((n, w) => n + Math.max(0, Math.min(b, w.end) - Math.max(a, w.start)), 0);
  return {
    at: [s.start, s.end],
    head: overlap(s.start, s.start + QUIET),
    tail: overlap(s.end - QUIET, s.end),
  };
}

function expectNoEdgeInSpeech(segs: readonly SegmentCandidate[], said: readonly TranscriptWord[]) {
  expect(segs.length).toBeGreaterThan(0);
  for (const s of segs)
    expect(speechAtEdges(s, said)).toEqual({ at: [s.start, s.end], head: 0, tail: 0 });
}

/**
 * Speech over a music bed: between two sentences there is no room tone, only
 * the VAD's non-speech, and the VAD (as Silero does over music) runs on into
 * the next sentence's first word, so the phantom filter drops that word.
 */
function overBed(pauseBefore: number, k: number) {
  const lines = TALK.map((text, i) => ({ text, pauseBefore: i === k ? pauseBefore : 0.8 }));
  const b = buildTranscript(lines);
  const first = sentenceWords(b, k)[0];
  const prevEnd = b.sentences[k - 1].end;
  const bed: SilenceRegion = {
    kind: 'non_speech',
    start: prevEnd + 0.02,
    end: first.end + 0.05,
    meanDb: -20,
  };
  const regions = [
    ...b.silence.regions.filter((r) => r.end <= prevEnd || r.start >= first.start),
    bed,
  ].sort((x, y) => x.start - y.start);
  return { b, first, prevEnd, regions };
}

describe('clip edges', () => {
  it('opens no clip on a word the VAD called music, and moves the edge into the bed before it', () => {
    const k = 3;
    const { b, first, prevEnd, regions } = overBed(1.6, k);
    const result = selectSegments(
      {
        durationSec: b.durationSec,
        transcript: b.transcript,
        silence: { ...b.silence, regions },
        layout: null,
        job: JOB,
      },
      OPEN,
    );
    expect(result.note).toMatch(/1 transcript word inside silence or music left out/);
    expectNoEdgeInSpeech(result.segments, b.transcript.words);
    // The sentence still opens a clip: from the bed, clear of the word by the margin.
    const opening = result.segments.filter((s) => s.start > prevEnd && s.start < first.start);
    expect(opening.length).toBeGreaterThan(0);
    for (const s of opening) expect(s.start + QUIET).toBeLessThanOrEqual(first.start - 0.2 + 1e-6);
  });

  it('drops a sentence boundary whose only pause is too short to keep clear of the words', () => {
    const k = 3;
    const { b, first, prevEnd, regions } = overBed(0.6, k);
    const result = selectSegments(
      {
        durationSec: b.durationSec,
        transcript: b.transcript,
        silence: { ...b.silence, regions },
        layout: null,
        job: JOB,
      },
      OPEN,
    );
    expectNoEdgeInSpeech(result.segments, b.transcript.words);
    expect(result.segments.filter((s) => s.start > prevEnd && s.start < first.end)).toEqual([]);
    expect(result.segments.filter((s) => s.end > prevEnd && s.end < first.end)).toEqual([]);
  });

  it('ends no clip on a trailing word the VAD called music', () => {
    // "…in the grey light.": without its last word it still ends on a word a sentence may end on.
    const k = 1;
    const lines = TALK.map((text, i) => ({ text, pauseBefore: i === k + 1 ? 1.6 : 0.8 }));
    const b = buildTranscript(lines);
    const words = sentenceWords(b, k);
    const last = words[words.length - 1];
    const nextStart = b.sentences[k + 1].start;
    const bed: SilenceRegion = {
      kind: 'non_speech',
      start: last.start - 0.05,
      end: nextStart - 0.02,
      meanDb: -20,
    };
    const regions = [
      ...b.silence.regions.filter((r) => r.end <= last.start || r.start >= nextStart),
      bed,
    ].sort((x, y) => x.start - y.start);
    const result = selectSegments(
      {
        durationSec: b.durationSec,
        transcript: b.transcript,
        silence: { ...b.silence, regions },
        layout: null,
        job: JOB,
      },
      OPEN,
    );
    expectNoEdgeInSpeech(result.segments, b.transcript.words);
    const closing = result.segments.filter((s) => s.end > last.start && s.end < nextStart);
    expect(closing.length).toBeGreaterThan(0);
    for (const s of closing) expect(s.end - QUIET).toBeGreaterThanOrEqual(last.end + 0.2 - 1e-6);
  });

  it('puts an edge in room tone rather than in a stretch only the VAD calls a pause', () => {
    // After each sentence 0.3 s of room tone, then a breath: sound to the
    // level meter, no speech to the VAD, and no word to the recogniser.
    const b = buildTranscript(TALK.map((text) => ({ text, pauseBefore: 1 })));
    const first = b.sentences[0].start;
    const end = b.sentences[b.sentences.length - 1].end;
    const roomTone = b.silence.regions.filter((r) => r.end <= first || r.start >= end);
    const regions = [...roomTone];
    b.sentences.forEach((s, i) => {
      const next = b.sentences[i + 1];
      if (!next) return;
      const tone: SilenceRegion = {
        kind: 'silence',
        start: s.end + 0.02,
        end: s.end + 0.32,
        meanDb: -62,
      };
      roomTone.push(tone);
      regions.push(tone, {
        kind: 'non_speech',
        start: s.end + 0.02,
        end: next.start - 0.02,
        meanDb: -40,
      });
    });
    const result = selectSegments(
      {
        durationSec: b.durationSec,
        transcript: b.transcript,
        silence: { ...b.silence, regions },
        layout: null,
        job: JOB,
      },
      OPEN,
    );
    const inTone = (a: number, z: number) =>
      roomTone.some((r) => r.start <= a + 1e-6 && z <= r.end + 1e-6);
    const inner = result.segments.filter((s) => s.start > first);
    expect(inner.length).toBeGreaterThan(0);
    for (const s of inner)
      expect({ start: s.start, inTone: inTone(s.start, s.start + QUIET) }).toEqual({
        start: s.start,
        inTone: true,
      });
    const before = result.segments.filter((s) => s.end < end);
    for (const s of before)
      expect({ end: s.end, inTone: inTone(s.end - QUIET, s.end) }).toEqual({
        end: s.end,
        inTone: true,
      });
    expectNoEdgeInSpeech(result.segments, b.transcript.words);
  });
});
