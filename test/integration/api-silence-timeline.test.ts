import { readFileSync } from 'node:fs';
import type { SilenceRegion } from '@clipline/contracts';
import { FFMPEG_PATH, probeMedia, runChecked } from '@clipline/media';
import { silenceOutputs } from '@clipline/pipeline';
import { detectSilence } from '@clipline/silence';
import { cached } from '../fixtures/fixture-cache';
import { buildSpeech, TALK_SENTENCES, type SpeechFixture } from '../fixtures/speech.fixture';
import { wordsFromSentences } from '../support/render-checks';
import { smallMp4 } from '../fixtures/small-media.fixture';
import { startApi, type ApiHarness, type TestKey } from '../support/api-app';
import { insertTranscript } from '../support/factories';

jest.setTimeout(180_000);

interface Region {
  kind: string;
  start: number;
  end: number;
  meanDb: number;
}
interface SilencesView {
  regions: Region[];
  layers: { silence: Region[]; nonSpeech: Region[] };
}
interface TranscriptView {
  nonSpeechChecked: boolean;
  words: Array<{ text: string; start: number; end: number; nonSpeech: boolean }>;
}

let api: ApiHarness;
let alice: TestKey;
let speech: SpeechFixture;
let chord: { start: number; end: number };
let source: string;

/** Two sentences with a 3 s pause; a loud chord ("music") fills the first 2 s of the pause. */
async function speechWithMusic(): Promise<string> {
  speech = await buildSpeech({ sentences: TALK_SENTENCES.slice(0, 2), pauses: [3, 0.6] });
  const pauseStart = speech.truth.sentences[0].end;
  chord = { start: pauseStart + 0.3, end: pauseStart + 2.3 };
  return cached('silence-timeline-music.wav', { wav: speech.wavPath, chord }, async (tmp) => {
    const ms = Math.round(chord.start * 1000);
    const tones = [220, 277, 330].map(
      (f, i) => `sine=frequency=${f}:sample_rate=16000:duration=2[t${i}]`,
    );
    await runChecked(FFMPEG_PATH, [
      ...['-v', 'error', '-y', '-i', speech.wavPath],
      '-filter_complex',
      `${tones.join(';')};[t0][t1][t2]amix=inputs=3,volume=2,adelay=${ms}[m];[0:a][m]amix=inputs=2:duration=first,volume=2[a]`,
      ...['-map', '[a]', '-ac', '1', tmp],
    ]);
  });
}

beforeAll(async () => {
  [source, api] = await Promise.all([speechWithMusic(), startApi()]);
  alice = await api.createKey('creator', 'alice');
});
afterAll(() => api?.close());

async function newJob(): Promise<string> {
  const form = new FormData();
  // The same bytes every time: each job must run (not copy) its own silence stage.
  form.append('options', JSON.stringify({ reuse: false }));
  form.append('file', new Blob([readFileSync(await smallMp4())], { type: 'video/mp4' }), 'a.mp4');
  const res = await fetch(`${api.url}/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice.key}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Stores a silence-stage result as the silence worker does, and marks the stage completed. */
async function storeSilence(jobId: string, regions: SilenceRegion[], summary: object) {
  await silenceOutputs.save(api.db.manager, jobId, 1, regions);
  await api.db.query(
    `UPDATE job_stages SET status = 'completed', attempt = 1, summary = $2 WHERE job_id = $1 AND stage = 'silence'`,
    [jobId, JSON.stringify(summary)],
  );
}

/** Total length of the union of intervals, computed here independently of the API. */
function unionLength(rs: Array<{ start: number; end: number }>): number {
  const s = [...rs].sort((a, b) => a.start - b.start);
  let total = 0;
  let cs = -Infinity;
  let ce = -Infinity;
  for (const r of s) {
    if (r.start > ce) {
      if (ce > cs) total += ce - cs;
      cs = r.start;
      ce = r.end;
    } else ce = Math.max(ce, r.end);
  }
  if (ce > cs) total += ce - cs;
  return total;
}

const overlap = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  Math.min(a.end, b.end) - Math.max(a.start, b.start);

describe('silences and transcript over a real silence-stage result', () => {
  let jobId: string;
  let result: Awaited<ReturnType<typeof detectSilence>>;

  beforeAll(async () => {
    jobId = await newJob();
    result = await detectSilence(source, await probeMedia(source));
  });

  it('returns one timeline without overlaps, beside the two detector layers', async () => {
    await storeSilence(jobId, result.regions, result.summary);
    const res = await api.call('GET', `/v1/jobs/${jobId}/silences`, { key: alice });
    expect(res.status).toBe(200);
    const body = res.body as SilencesView;

    // The detectors did overlap on this source, so there was something to merge.
    const silence = result.regions.filter((r) => r.kind === 'silence');
    const nonSpeech = result.regions.filter((r) => r.kind === 'non_speech');
    expect(silence.some((s) => nonSpeech.some((n) => overlap(s, n) > 0.05))).toBe(true);

    const tl = body.regions;
    for (const r of tl) {
      expect(['silence', 'non_speech']).toContain(r.kind);
      expect(r.end).toBeGreaterThan(r.start);
    }
    for (let i = 1; i < tl.length; i++) expect(tl[i].start).toBeGreaterThanOrEqual(tl[i - 1].end);
    // Every second without speech appears exactly once.
    const total = tl.reduce((n, r) => n + (r.end - r.start), 0);
    expect(total).toBeCloseTo(unionLength(result.regions), 6);
    // Quiet stays silence; the chord is not quiet but holds no speech.
    expect(unionLength(tl.filter((r) => r.kind === 'silence'))).toBeCloseTo(
      unionLength(silence),
      6,
    );
    const music = tl.filter((r) => r.kind === 'non_speech' && overlap(r, chord) > 0);
    expect(music.reduce((n, r) => n + overlap(r, chord), 0)).toBeGreaterThan(1.5);

    // The layers, as detected, beside the timeline.
    const round = (rs: Array<{ start: number; end: number }>) =>
      rs.map((r) => [r.start.toFixed(4), r.end.toFixed(4)]);
    expect(round(body.layers.silence)).toEqual(round(silence));
    expect(round(body.layers.nonSpeech)).toEqual(round(nonSpeech));
  });

  it('flags transcript words inside non-speech, once the silence stage is done', async () => {
    const other = await newJob();
    const sentenceWords = wordsFromSentences(speech.truth.sentences);
    // What a recogniser "hears" in the chord.
    const phantom = {
      text: 'lalala',
      start: chord.start + 0.5,
      end: chord.start + 1.1,
      confidence: 0.4,
    };
    const words = [...sentenceWords, phantom].sort((a, b) => a.start - b.start);
    await insertTranscript(api.db.manager, other, words, { text: 'text' });
    await api.db.query(
      `UPDATE job_stages SET status = 'completed', attempt = 1 WHERE job_id = $1 AND stage = 'transcription'`,
      [other],
    );
    const before = (await api.call('GET', `/v1/jobs/${other}/transcript`, { key: alice }))
      .body as TranscriptView;
    expect(before.nonSpeechChecked).toBe(false);
    expect(before.words.some((w) => w.nonSpeech)).toBe(false);

    await storeSilence(other, result.regions, result.summary);
    const res = await api.call('GET', `/v1/jobs/${other}/transcript`, { key: alice });
    expect(res.status).toBe(200);
    const t = res.body as TranscriptView;
    expect(t.nonSpeechChecked).toBe(true);
    expect(t.words).toHaveLength(words.length);
    expect(t.words.find((w) => w.text === 'lalala')).toMatchObject({
      nonSpeech: true,
      start: phantom.start,
    });
    // Words inside the sentences are spoken; those at a sentence's edge may touch padding.
    const inner = t.words.filter((w) =>
      speech.truth.sentences.some((s) => w.start > s.start + 0.3 && w.end < s.end - 0.3),
    );
    expect(inner.length).toBeGreaterThan(5);
    expect(inner.filter((w) => w.nonSpeech)).toEqual([]);
  });
});
