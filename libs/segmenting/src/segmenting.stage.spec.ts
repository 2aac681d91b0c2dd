import { BadInputError, LayoutResult, SegmentingResult } from '@clipline/contracts';
import { selectSegments } from './segmenting.stage';
import { SCORE_WEIGHTS, SegmentingJob, SegmentingOptions } from './segmenting.types';
import {
  buildTranscript,
  BuiltTranscript,
  ScriptLine,
  syntheticTalk,
} from '@test/support/factories/transcript.factory';

const BREAD = [
  'The baker mixes flour and water into a rough bread dough.',
  'Salt goes into the bread dough after a short rest.',
  'The dough rises slowly in a warm corner of the bakery.',
  'Folding the dough gently builds strength in the bread.',
  'The baker shapes the risen dough into a round loaf.',
  'The loaf bakes on a hot stone in the bread oven.',
  'Steam in the oven keeps the crust of the loaf soft.',
  'The baker slices the cooled bread loaf on a wooden board.',
];
const ROCKET = [
  'The rocket engine burns fuel during the launch from the pad.',
  'Fuel pumps feed the rocket engine of the booster stage.',
  'The rocket booster lifts the payload toward a low orbit.',
  'In orbit the rocket payload separates from the booster stage.',
  'The booster engine relights to steer the rocket back toward the pad.',
  'Engineers inspect the rocket engine and the fuel tanks after landing.',
  'The rocket payload fairing falls into the sea near the launch pad.',
  'A new rocket booster stands on the launch pad within weeks.',
];
const QUESTION = 'Why does the bread crust crack as the loaf cools?';

const lines = (texts: string[], pause = 0.6): ScriptLine[] =>
  texts.map((text) => ({ text, pauseBefore: pause }));

// Scripts with long, exactly placed pauses: the quality floor is tested on its own, not here.
const NO_FLOOR: Partial<SegmentingOptions> = { maxNonSpeechRatio: 1, minScore: 0 };

function run(
  built: BuiltTranscript,
  job: SegmentingJob,
  layout: LayoutResult | null = null,
  opts: Partial<SegmentingOptions> = NO_FLOOR,
) {
  return selectSegments(
    {
      durationSec: built.durationSec,
      transcript: built.transcript,
      silence: built.silence,
      layout,
      job,
    },
    opts,
  );
}

/** Every segment starts on a sentence start, ends on a sentence end, cuts no word and fits the job. */
function expectClean(result: SegmentingResult, built: BuiltTranscript, job: SegmentingJob) {
  const words = built.transcript.words;
  const firsts = new Set(built.sentences.map((s) => s.start));
  const lasts = new Set(built.sentences.map((s) => s.end));
  for (const seg of result.segments) {
    const len = seg.end - seg.start;
    expect(len).toBeGreaterThanOrEqual(job.minClipSeconds - 1e-6);
    expect(len).toBeLessThanOrEqual(job.maxClipSeconds + 1e-6);
    for (const w of words) {
      expect(w.start < seg.start && seg.start < w.end).toBe(false);
      expect(w.start < seg.end && seg.end < w.end).toBe(false);
    }
    const inside = words.filter((w) => w.start >= seg.start && w.end <= seg.end);
    expect(inside.length).toBeGreaterThan(0);
    expect(firsts.has(inside[0].start)).toBe(true);
    expect(lasts.has(inside[inside.length - 1].end)).toBe(true);
    expect(seg.text).toBe(inside.map((w) => w.text).join(' '));
    expect(seg.score).toBeGreaterThanOrEqual(0);
    expect(seg.score).toBeLessThanOrEqual(100);
  }
  const all = result.segments;
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      expect(all[i].start < all[j].end && all[j].start < all[i].end).toBe(false);
    }
  }
}

describe('selectSegments', () => {
  const short: SegmentingJob = { clipCount: 1, minClipSeconds: 8, maxClipSeconds: 14 };

  it('picks the window that opens with a question over flat statements', () => {
    const built = buildTranscript(lines([...BREAD.slice(0, 4), QUESTION, ...BREAD.slice(4)]));
    const result = run(built, short);
    expectClean(result, built, short);
    const q = built.sentences[4];
    const top = result.segments[0];
    expect(top.rank).toBe(1);
    expect(top.selected).toBe(true);
    expect(top.start).toBeLessThanOrEqual(q.start);
    expect(top.start).toBeGreaterThanOrEqual(q.start - 0.3 - 1e-9);
    expect(top.text.startsWith('Why does')).toBe(true);
    expect(top.features.hook).toBeGreaterThan(0.5);
    expect(top.reason).toMatch(/^opens with a question/);
    expect(result.note).toBeNull();
  });

  it('finds the question hook in an unpunctuated, pocketsphinx-style transcript', () => {
    const built = buildTranscript(lines([...BREAD.slice(0, 4), QUESTION, ...BREAD.slice(4)]), {
      punctuate: false,
    });
    const result = run(built, short);
    expectClean(result, built, short);
    expect(result.segments[0].text.startsWith('why does')).toBe(true);
    expect(result.segments[0].reason).toMatch(/opens with a question/);
  });

  it('prefers a window on one topic over one that straddles a topic change', () => {
    // Longer pauses inside each topic than at the change, so only cohesion speaks against straddling.
    const built = buildTranscript([
      ...lines(BREAD.slice(0, 4), 1.2),
      { text: ROCKET[0], pauseBefore: 0.4 },
      ...lines(ROCKET.slice(1, 4), 1.2),
    ]);
    const s = built.sentences;
    const span = (i: number, j: number) => s[j].end - s[i].start;
    // Only four-sentence windows fit: two on one topic, three across the change.
    const min = Math.max(...[0, 1, 2, 3, 4, 5].map((i) => span(i, i + 2))) + 0.7;
    const max = Math.min(span(0, 4), span(1, 5), span(2, 6), span(3, 7)) - 0.7;
    expect(Math.max(span(0, 3), span(1, 4), span(4, 7)) + 0.6).toBeLessThan(max);
    const job = { clipCount: 1, minClipSeconds: min, maxClipSeconds: max };
    const change = s[4].start;
    const straddles = (seg: { start: number; end: number }) =>
      seg.start < change && seg.end > change;

    const result = run(built, job);
    expectClean(result, built, job);
    const top = result.segments[0];
    expect(straddles(top)).toBe(false);
    expect(top.reason).toMatch(/one topic/);

    const blind = selectSegments(
      {
        durationSec: built.durationSec,
        transcript: built.transcript,
        silence: built.silence,
        layout: null,
        job,
      },
      { ...NO_FLOOR, weights: { ...SCORE_WEIGHTS, topicCohesion: 0 } },
    );
    expect(straddles(blind.segments[0])).toBe(true);
    expect(blind.segments[0].features.topicCohesion).toBeLessThan(top.features.topicCohesion);
  });

  it('keeps each selected clip on one side of a topic change', () => {
    const built = buildTranscript(lines([...BREAD, ...ROCKET]));
    const job = { clipCount: 2, minClipSeconds: 10, maxClipSeconds: 16 };
    const result = run(built, job);
    expectClean(result, built, job);
    const change = built.sentences[BREAD.length].start;
    const selected = result.segments.filter((s) => s.selected);
    expect(selected).toHaveLength(2);
    for (const seg of selected) {
      expect(seg.end <= change || seg.start >= change - 0.3).toBe(true);
      expect(seg.reason).toMatch(/one topic/);
    }
  });

  it('snaps boundaries into the neighbouring silence without reaching a word', () => {
    const built = buildTranscript(
      [...lines(BREAD.slice(0, 3), 2.5), ...lines(BREAD.slice(3, 6), 0.4)],
      { silenceMinSec: 0.3 },
    );
    const job = { clipCount: 3, minClipSeconds: 3, maxClipSeconds: 5 };
    const result = run(built, job);
    expectClean(result, built, job);
    expect(result.segments.length).toBeGreaterThan(0);
    for (const seg of result.segments) {
      const first = built.sentences.find((s) => s.start >= seg.start)!;
      const last = [...built.sentences].reverse().find((s) => s.end <= seg.end)!;
      const prev = built.sentences[built.sentences.indexOf(first) - 1];
      // Before the first word there is no neighbour to share the gap with.
      const gapBefore = prev ? first.start - prev.end : Infinity;
      const next = built.sentences[built.sentences.indexOf(last) + 1];
      const gapAfter = (next?.start ?? built.durationSec) - last.end;
      // Moves by 0.3 s of room tone, or to the edge of the silence region when the pause is shorter.
      expect(seg.start).toBeCloseTo(first.start - Math.min(0.3, gapBefore - 0.02), 3);
      expect(seg.end).toBeCloseTo(last.end + Math.min(0.3, gapAfter - 0.02), 3);
      const inSilence = (t: number) =>
        built.silence.regions.some((r) => r.start - 1e-6 <= t && t <= r.end + 0.02 + 1e-6);
      expect(inSilence(seg.start)).toBe(true);
      expect(inSilence(seg.end)).toBe(true);
    }
  });

  it('makes no clip where no pause gives a clean edge', () => {
    const built = buildTranscript(lines(BREAD.slice(0, 6)));
    const result = selectSegments({
      durationSec: built.durationSec,
      transcript: built.transcript,
      silence: { ...built.silence, regions: [] },
      layout: null,
      job: short,
    });
    expect(result.segments).toEqual([]);
    expect(result.shortfall).toEqual({
      requested: 1,
      selected: 0,
      reason: expect.stringMatching(/clean edges/),
    });
  });

  it('starts clips only after pauses and never across a long monologue limit', () => {
    const built = buildTranscript([
      ...lines(BREAD.slice(0, 4), 3),
      ...lines(ROCKET.slice(0, 4), 3),
    ]);
    const job = { clipCount: 3, minClipSeconds: 8, maxClipSeconds: 12 };
    const result = run(built, job);
    expectClean(result, built, job);
    expect(result.segments.filter((s) => s.selected)).toHaveLength(3);
    for (const seg of result.segments) expect(seg.features.silenceRatio).toBeGreaterThan(0.1);
  });

  it('is deterministic and independent of word order', () => {
    const input = syntheticTalk({ durationSec: 600, seed: 7 });
    const a = selectSegments(input);
    const b = selectSegments(input);
    expect(b).toEqual(a);
    const shuffled = {
      ...input,
      transcript: { ...input.transcript!, words: [...input.transcript!.words].reverse() },
    };
    expect(selectSegments(shuffled)).toEqual(a);
  });

  it('ranks N selected clips then runners-up, none overlapping', () => {
    const input = syntheticTalk({ durationSec: 600, seed: 3 });
    const result = selectSegments({ ...input, job: { ...input.job, clipCount: 4 } });
    expect(result.segments.map((s) => s.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.segments.map((s) => s.selected)).toEqual([true, true, true, true, false, false]);
    const selectedScores = result.segments.slice(0, 4).map((s) => s.score);
    expect([...selectedScores].sort((x, y) => y - x)).toEqual(selectedScores);
    const all = result.segments;
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        expect(all[i].start < all[j].end && all[j].start < all[i].end).toBe(false);
      }
    }
    expect(all.some((s) => s.features.energyVariation !== 0.5)).toBe(true);
  });

  it('leaves visual features neutral and unmentioned without a layout', () => {
    const built = buildTranscript(lines(BREAD));
    const result = run(built, short, null);
    expect(result.segments.length).toBeGreaterThan(0);
    for (const seg of result.segments) {
      expect(seg.features.faceRatio).toBe(0.5);
      expect(seg.features.sceneCuts).toBe(0);
      expect(seg.reason).not.toMatch(/face|scene/);
    }
  });

  it('measures face time and scene cuts from the layout', () => {
    const built = buildTranscript(lines(BREAD));
    const faceUntil = 18;
    const cut = 22;
    const points = Array.from({ length: faceUntil * 2 }, (_, k) => ({
      t: k / 2,
      x: 0.4,
      y: 0.3,
      w: 0.2,
      h: 0.3,
      score: 0.9,
    }));
    const layout: LayoutResult = {
      sampleFps: 2,
      frameCount: Math.floor(built.durationSec * 2),
      scenes: [
        { index: 0, start: 0, end: cut },
        { index: 1, start: cut, end: built.durationSec },
      ],
      sceneCuts: [cut],
      faceTracks: [{ id: 0, sceneIndex: 0, points }],
      cropPlans: [],
      note: null,
    };
    const job = { clipCount: 3, minClipSeconds: 8, maxClipSeconds: 14 };
    const result = run(built, job, layout);
    expect(result.segments.length).toBeGreaterThan(1);
    for (const seg of result.segments) {
      const overlap = Math.max(0, Math.min(seg.end, faceUntil) - seg.start);
      expect(seg.features.faceRatio).toBeCloseTo(overlap / (seg.end - seg.start), 1);
      expect(seg.features.sceneCuts).toBe(seg.start < cut && cut < seg.end ? 1 : 0);
      expect(seg.reason).toMatch(/face on screen \d+%|no face/);
    }
  });

  it('falls back to speech regions when the transcript has no words', () => {
    const built = buildTranscript(lines(BREAD, 0.8));
    const job = { clipCount: 2, minClipSeconds: 8, maxClipSeconds: 14 };
    const result = selectSegments({
      durationSec: built.durationSec,
      transcript: { ...built.transcript, words: [], segments: [], text: '' },
      silence: built.silence,
      layout: null,
      job,
    });
    expect(result.note).toMatch(/transcript has no words: segmented on speech regions/);
    expect(result.segments.filter((s) => s.selected)).toHaveLength(2);
    for (const seg of result.segments) {
      expect(seg.reason).toMatch(/^no usable transcript, cut on speech pauses; /);
      expect(seg.text).toBe('');
      // Never inside speech: the speech regions are exactly the sentences here.
      for (const s of built.sentences) {
        expect(s.start < seg.start && seg.start < s.end).toBe(false);
        expect(s.start < seg.end && seg.end < s.end).toBe(false);
      }
    }
  });

  it('falls back on a transcript with very low confidence, using energy when there is no silence result', () => {
    const built = buildTranscript(lines(BREAD, 1.5), { confidence: 0.05 });
    const energy = Array.from({ length: Math.ceil(built.durationSec) }, (_, i) =>
      built.sentences.some((s) => i + 0.5 >= s.start && i + 0.5 <= s.end) ? -20 : -70,
    );
    const job = { clipCount: 1, minClipSeconds: 8, maxClipSeconds: 16 };
    const result = selectSegments(
      {
        durationSec: built.durationSec,
        transcript: built.transcript,
        silence: null,
        layout: null,
        energy,
        job,
      },
      NO_FLOOR,
    );
    expect(result.note).toMatch(/unreliable.*speech regions and energy/);
    expect(result.segments.length).toBeGreaterThan(0);
    expect(result.segments[0].reason).toMatch(/^no usable transcript/);
  });

  it('returns no clips with a note when the source is shorter than the minimum', () => {
    const built = buildTranscript(lines(BREAD.slice(0, 2)));
    expect(built.durationSec).toBeLessThan(20);
    const result = run(built, { clipCount: 3, minClipSeconds: 20, maxClipSeconds: 60 });
    expect(result.segments).toEqual([]);
    expect(result.note).toMatch(/shorter than the 20 s minimum/);
  });

  it('returns no clips rather than the whole source when no sentence run fits', () => {
    const built = buildTranscript(lines(BREAD.slice(0, 3)), { tail: 25 });
    expect(built.durationSec).toBeGreaterThan(30);
    const result = run(built, { clipCount: 3, minClipSeconds: 20, maxClipSeconds: 60 });
    expect(result.segments).toEqual([]);
    expect(result.note).toMatch(/no run of whole sentences with clean edges lasts 20–60 s/);
  });

  it('returns no clips with a note when there is nothing at all to segment on', () => {
    const result = selectSegments({
      durationSec: 120,
      transcript: null,
      silence: null,
      layout: null,
      job: { clipCount: 3, minClipSeconds: 20, maxClipSeconds: 60 },
    });
    expect(result.segments).toEqual([]);
    expect(result.note).toMatch(/no silence regions or energy/);
  });

  it('refuses impossible job constraints as bad input', () => {
    const built = buildTranscript(lines(BREAD));
    expect(() => run(built, { clipCount: 2, minClipSeconds: 30, maxClipSeconds: 10 })).toThrow(
      BadInputError,
    );
    expect(() => run(built, { clipCount: 0, minClipSeconds: 10, maxClipSeconds: 30 })).toThrow(
      BadInputError,
    );
  });
});
