import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FFPROBE_PATH, FFMPEG_PATH, runChecked } from '@clipline/media';
import { buildSpeech, TALK_SENTENCES } from '../fixtures/speech.fixture';
import { buildTalkingHead } from '../fixtures/talking-head.fixture';
import { startApi, streamJob, tenantKeys, type ApiHarness, type TestKey } from '../support/api-app';
import {
  insertClip,
  insertLayoutAnalysis,
  insertSegment,
  insertTranscript,
} from '../support/factories';

/**
 * The preview still against a real source in s3rver: the owner gets a
 * 1080x1920 JPEG drawn with the look, other tenants a 404, bad looks a 400
 * naming the field, and more previews than PREVIEW_CONCURRENCY a 429.
 */
jest.setTimeout(240_000);

let api: ApiHarness;
let alice: TestKey;
let bob: TestKey;
let jobId: string;
let clipId: string;
const dir = mkdtempSync(join(tmpdir(), 'clipline-preview-'));

beforeAll(async () => {
  api = await startApi({ PREVIEW_CONCURRENCY: '1' });
  [alice, bob] = await tenantKeys(api);
  const speech = await buildSpeech({ sentences: TALK_SENTENCES.slice(0, 2), pauses: [0.6, 0.5] });
  const talk = await buildTalkingHead({
    width: 640,
    height: 360,
    fps: 25,
    audioPath: speech.wavPath,
    scenes: [
      { duration: 6, background: '0x20a040', faces: [{ size: 200, from: { x: 220, y: 60 } }] },
    ],
  });
  jobId = (await streamJob(api, alice, readFileSync(talk.path))).id;
  // What transcription, layout and segmenting would have stored for one clip.
  const words = speech.truth.sentences.flatMap((s) => {
    const ws = s.text.split(' ');
    const d = (s.end - s.start) / ws.length;
    return ws.map((text, i) => ({
      text,
      start: s.start + i * d,
      end: s.start + (i + 1) * d,
      confidence: 0.9,
    }));
  });
  const m = api.db.manager;
  await insertTranscript(m, jobId, words, { text: 'x' });
  await insertLayoutAnalysis(m, jobId, {
    frameCount: 12,
    scenes: [{ index: 0, start: 0, end: talk.durationSec }],
  });
  const segmentId = await insertSegment(m, jobId, {
    end: Math.min(5, talk.durationSec),
    reason: 'test',
    text: 'x',
  });
  clipId = await insertClip(m, { jobId, segmentId, status: 'completed' });
});

afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

const preview = (key: TestKey, look: unknown, job = jobId, clip = clipId) =>
  fetch(`${api.url}/v1/jobs/${job}/clips/${clip}/preview`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ look }),
  });

async function decode(jpeg: Buffer): Promise<{ width: number; height: number; rgb: Buffer }> {
  const path = join(dir, `${randomUUID()}.jpg`);
  writeFileSync(path, jpeg);
  const probe = await runChecked(FFPROBE_PATH, [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_streams',
    path,
  ]);
  const s = (
    JSON.parse(probe.stdout.toString()) as { streams: Array<{ width: number; height: number }> }
  ).streams[0];
  const rgb = (
    await runChecked(FFMPEG_PATH, [
      '-v',
      'error',
      '-i',
      path,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ])
  ).stdout;
  return { width: s.width, height: s.height, rgb };
}

function difference(a: Buffer, b: Buffer): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i] - b[i]);
  return d / a.length;
}

describe('POST /v1/jobs/:id/clips/:clipId/preview', () => {
  it('answers the owner with a 1080x1920 JPEG drawn with the look; another look draws another frame', async () => {
    const boxed = await preview(alice, {
      captions: { template: 'boxed' },
      title: { enabled: true, text: 'Watch this' },
      layout: { mode: 'fit-blur' },
    });
    expect(boxed.status).toBe(200);
    expect(boxed.headers.get('content-type')).toBe('image/jpeg');
    const a = await decode(Buffer.from(await boxed.arrayBuffer()));
    expect([a.width, a.height]).toEqual([1080, 1920]);

    const lower = await preview(alice, {
      captions: { template: 'lower-third', textColor: '#FF0000' },
      layout: { mode: 'fit-blur' },
    });
    expect(lower.status).toBe(200);
    const b = await decode(Buffer.from(await lower.arrayBuffer()));
    expect(difference(a.rgb, b.rgb)).toBeGreaterThan(0.5);

    // No look: the job's and the clip's (here none: today's look) are used.
    expect((await preview(alice, undefined)).status).toBe(200);
  });

  it('400 names the bad field; unknown clips and other tenants get 404', async () => {
    const bad = await preview(alice, { captions: { textColor: 'red' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain(
      'look.captions.textColor',
    );
    const unknown = await preview(alice, { captions: { template: 'comic-sans' } });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toContain(
      'look.captions.template',
    );
    expect((await preview(alice, {}, jobId, randomUUID())).status).toBe(404);
    expect((await preview(alice, {}, jobId, 'not-a-uuid')).status).toBe(404);
    const foreign = await preview(bob, {});
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain(clipId);
  });

  it('refuses previews beyond PREVIEW_CONCURRENCY with 429 and serves the rest', async () => {
    const replies = await Promise.all(
      [0, 1, 2].map(() => preview(alice, { captions: { template: 'word-by-word' } })),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toContain(200);
    expect(statuses).toContain(429);
    const refused = replies.find((r) => r.status === 429)!;
    expect(((await refused.json()) as { message: string }).message).toMatch(/at most 1 at once/);
    // Once they are done a new preview is served again.
    expect((await preview(alice, {})).status).toBe(200);
  });
});
