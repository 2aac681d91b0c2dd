import type { LayoutResult, SegmentCandidate, SilenceRegion } from '@clipline/contracts';
import { selectSegments } from './segmenting.stage';
import {
  buildTranscript,
  BuiltTranscript,
  ScriptLine,
} from '@test/support/factories/transcript.factory';

const TALK = [
  'The harbour wakes up long before the sun rises over the water.',
  'Fishing boats leave the quay one by one in the grey light.',
  'Each crew checks the nets and the engine before they go.',
  'Gulls follow the boats out past the old stone lighthouse.',
  'By noon the first boats come back with their catch.',
  'Buyers walk along the quay and bid on the fresh fish.',
  'The best fish go to the restaurants in the old town.',
  'In the evening the harbour is quiet again and the nets dry.',
  'Why do the fishermen still leave so early every single day?',
  'The fish feed near the surface only in the cold hours of dawn.',
  'That is why the whole village keeps such strange hours.',
  'Children grow up hearing the engines start in the dark.',
];

/** Share of [a, b] inside silence or non-speech regions, measured here independently of selection. */
function nonSpeechShare(regions: readonly SilenceRegion[], a: number, b: number): number {
  const cuts = regions
    .map((r) => [Math.max(a, r.start), Math.min(b, r.end)])
    .filter(([x, y]) => y > x)
    .sort((p, q) => p[0] - q[0]);
  let covered = 0;
  let t = a;
  for (const [x, y] of cuts) {
    if (y > t) covered += y - Math.max(x, t);
    t = Math.max(t, y);
  }
  return covered / (b - a);
}

/** No word sounds in [a, b], and the whole span lies in silence regions. */
function quiet(built: BuiltTranscript, regions: readonly SilenceRegion[], a: number, b: number) {
  const noWord = built.transcript.words.every((w) => w.end <= a || w.start >= b);
  return noWord && nonSpeechShare(regions, a, b) >= 0.99;
}

function expectCleanEdges(
  segs: readonly SegmentCandidate[],
  built: BuiltTranscript,
  regions: readonly SilenceRegion[],
) {
  for (const s of segs) {
    expect({ at: s.start, quiet: quiet(built, regions, s.start, s.start + 0.25) }).toEqual({
      at: s.start,
      quiet: true,
    });
    expect({ at: s.end, quiet: quiet(built, regions, s.end - 0.25, s.end) }).toEqual({
      at: s.end,
      quiet: true,
    });
  }
}

describe('clip quality', () => {
  it('never selects a clip that is mostly music, and says how many fewer clips there are', () => {
    // Twelve seconds of music between two halves of the talk, in which a recogniser "heard" words.
    const lines: ScriptLine[] = TALK.map((text, i) => ({
      text,
      pauseBefore: i === 6 ? 12 : 0.5,
    }));
    const built = buildTranscript(lines);
    const musicStart = built.sentences[5].end + 0.3;
    const musicEnd = built.sentences[6].start - 0.3;
    const phantom = ['la', 'la', 'baby', 'tonight', 'oh', 'yeah'].map((text, k) => ({
      text,
      start: musicStart + 1 + k * 1.5,
      end: musicStart + 1.4 + k * 1.5,
      confidence: 0.6,
    }));
    const music: SilenceRegion = {
      kind: 'non_speech',
      start: musicStart,
      end: musicEnd,
      meanDb: -18,
    };
    const regions = [
      ...built.silence.regions.filter((r) => r.end <= musicStart || r.start >= musicEnd),
      music,
    ];
    regions.sort((a, b) => a.start - b.start);
    const job = { clipCount: 10, minClipSeconds: 10, maxClipSeconds: 30 };
    const result = selectSegments({
      durationSec: built.durationSec,
      transcript: { ...built.transcript, words: [...built.transcript.words, ...phantom] },
      silence: { ...built.silence, regions },
      layout: null,
      job,
    });
    const selected = result.segments.filter((s) => s.selected);
    expect(selected.length).toBeGreaterThan(0);
    expect(selected.length).toBeLessThan(job.clipCount);
    for (const s of result.segments) {
      expect(nonSpeechShare(regions, s.start, s.end)).toBeLessThanOrEqual(0.15);
      expect(s.text).not.toMatch(/\b(la|baby|tonight|yeah)\b/);
      expect(s.start >= musicEnd || s.end <= musicStart).toBe(true);
    }
    expect(result.shortfall).toEqual({
      requested: 10,
      selected: selected.length,
      reason: expect.stringMatching(/music or silence/),
    });
    expect(result.note).toMatch(/6 transcript words inside silence or music left out/);
    expectCleanEdges(result.segments, built, regions);
  });

  it('says every candidate is dead air, not that the video is, when long silences sink them all', () => {
    // Four seconds of silence before every sentence: each window is well over 15% dead air.
    const built = buildTranscript(TALK.map((text) => ({ text, pauseBefore: 4 })));
    const result = selectSegments({
      durationSec: built.durationSec,
      transcript: built.transcript,
      silence: built.silence,
      layout: null,
      job: { clipCount: 2, minClipSeconds: 8, maxClipSeconds: 20 },
    });
    expect(result.segments).toEqual([]);
    expect(result.shortfall).toEqual({
      requested: 2,
      selected: 0,
      reason: expect.stringMatching(/^every candidate is over 15% music or silence/),
    });
    expect(result.note).not.toMatch(/rest of the video/);
  });

  it('selects nothing below the minimum score rather than padding', () => {
    const built = buildTranscript(TALK.map((text) => ({ text, pauseBefore: 0.5 })));
    const input = {
      durationSec: built.durationSec,
      transcript: built.transcript,
      silence: built.silence,
      layout: null,
      job: { clipCount: 3, minClipSeconds: 8, maxClipSeconds: 20 },
    };
    const open = selectSegments(input, { minScore: 0 });
    const scores = open.segments.filter((s) => s.selected).map((s) => s.score);
    expect(scores).toHaveLength(3);
    // A bar between the best and the worst of the open selection keeps only those above it.
    const bar = (Math.max(...scores) + Math.min(...scores)) / 2;
    const floored = selectSegments(input, { minScore: bar });
    const kept = floored.segments.filter((s) => s.selected);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(3);
    for (const s of floored.segments) expect(s.score).toBeGreaterThanOrEqual(bar);
    expect(floored.shortfall).toMatchObject({ requested: 3, selected: kept.length });
    expect(floored.shortfall!.reason).toMatch(/score below/);
    expect(open.shortfall).toBeNull();
  });

  it('starts and ends every clip in a pause at a sentence boundary, with quiet edges', () => {
    // Short pauses (0.3 s) give less than the 0.3 s of room tone; 0.15 s ones give no clean edge at all.
    const pauses = [0.3, 0.15, 0.7, 0.3, 0.15, 0.9, 0.3, 0.15, 0.3, 0.6, 0.15, 0.3];
    const text = TALK.map((t, i) =>
      i === 3 || i === 7 ? `And ${t[0].toLowerCase()}${t.slice(1)}` : t,
    );
    const built = buildTranscript(text.map((t, i) => ({ text: t, pauseBefore: pauses[i] })));
    const job = { clipCount: 4, minClipSeconds: 6, maxClipSeconds: 14 };
    const result = selectSegments(
      {
        durationSec: built.durationSec,
        transcript: built.transcript,
        silence: built.silence,
        layout: null,
        job,
      },
      { maxNonSpeechRatio: 1, minScore: 0 },
    );
    expect(result.segments.length).toBeGreaterThan(1);
    expectCleanEdges(result.segments, built, built.silence.regions);
    const starts = new Set(built.sentences.map((s) => s.start));
    const ends = new Set(built.sentences.map((s) => s.end));
    for (const s of result.segments) {
      const inside = built.transcript.words.filter((w) => w.start >= s.start && w.end <= s.end);
      expect(starts.has(inside[0].start)).toBe(true);
      expect(ends.has(inside[inside.length - 1].end)).toBe(true);
      expect(s.text).not.toMatch(/^And /);
      // Room tone at both ends, never more than the pause holds.
      expect(inside[0].start - s.start).toBeGreaterThanOrEqual(0.25);
      expect(s.end - inside[inside.length - 1].end).toBeGreaterThanOrEqual(0.25);
    }
  });

  it('never opens just before a scene cut nor closes just after one', () => {
    const built = buildTranscript(TALK.map((text) => ({ text, pauseBefore: 0.8 })));
    const s = built.sentences;
    // Cuts a second into a sentence, in the middle of a pause, and half a second before a sentence ends.
    const cuts = [
      s[1].start + 1,
      s[4].start - 0.28,
      s[6].end - 0.5,
      s[9].start + 0.8,
      s[10].end - 0.7,
    ];
    cuts.sort((a, b) => a - b);
    const sampleFps = 5;
    const bounds = [0, ...cuts, built.durationSec];
    const layout: LayoutResult = {
      sampleFps,
      frameCount: Math.floor(built.durationSec * sampleFps),
      scenes: bounds.slice(0, -1).map((start, index) => ({ index, start, end: bounds[index + 1] })),
      sceneCuts: cuts,
      faceTracks: [],
      cropPlans: [],
      note: null,
    };
    const job = { clipCount: 6, minClipSeconds: 6, maxClipSeconds: 14 };
    const result = selectSegments(
      {
        durationSec: built.durationSec,
        transcript: built.transcript,
        silence: built.silence,
        layout,
        job,
      },
      { maxNonSpeechRatio: 1, minScore: 0 },
    );
    expect(result.segments.length).toBeGreaterThan(1);
    // The true cut may lie up to one sampling interval before the reported time.
    const slack = 1 / sampleFps;
    for (const seg of result.segments) {
      for (const c of cuts) {
        expect({
          start: seg.start,
          cut: c,
          flash: seg.start >= c - slack - 1.5 && seg.start < c,
        }).toEqual({
          start: seg.start,
          cut: c,
          flash: false,
        });
        expect({ end: seg.end, cut: c, flash: seg.end > c - slack && seg.end <= c + 1 }).toEqual({
          end: seg.end,
          cut: c,
          flash: false,
        });
      }
    }
    expectCleanEdges(result.segments, built, built.silence.regions);
  });
});
