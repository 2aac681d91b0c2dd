import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse, validate } from 'fast-xml-parser';
import { RATES, timecodeToFrames, windowOf } from '@clipline/export';
import { startApi, streamJob, type ApiHarness, type TestKey } from '../support/api-app';
import { ntscMp4 } from '../fixtures/small-media.fixture';
import { seedRenderedClip, SILENCE } from '../support/export-seed';

/**
 * The export routes against the real app, Postgres and s3rver: a real 29.97 fps
 * upload (so drop-frame and rational times are exercised end to end) whose
 * analysis and render rows are seeded the way the workers store them.
 */
jest.setTimeout(120_000);

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NAME = 'Über "talk" & <b>.mp4';
/** fetch's multipart encodes the quotes (%22); the name is kept as received. */
const STEM = 'Uber_22talk_22_b';

let api: ApiHarness;
let alice: TestKey;
let jobId: string;
let clipId: string;
let pendingClipId: string;

beforeAll(async () => {
  api = await startApi();
  alice = await api.createKey('creator', 'alice-export');
  const media = readFileSync(await ntscMp4());
  jobId = (await streamJob(api, alice, media, { filename: NAME, options: { removeSilence: true } }))
    .id;
  ({ clip: clipId, pending: pendingClipId } = await seedRenderedClip(api, jobId));
});
afterAll(() => api?.close());

const get = (path: string) => api.call('GET', path, { key: alice });
const clipPath = (format: string, id = clipId) =>
  `/v1/jobs/${jobId}/clips/${id}/export?format=${format}`;

function expectAttachment(headers: Headers, ext: string) {
  const cd = headers.get('content-disposition') ?? '';
  expect(cd).toMatch(new RegExp(`^attachment; filename="[A-Za-z0-9._-]+\\.${ext}"$`));
  expect(cd).toContain(`${STEM}-clip-1-9x16`);
  return cd;
}

/** FCPXML rational seconds as 29.97 frames; off the grid fails. */
const frames = (t: string) => {
  const m = /^(\d+)(?:\/(\d+))?s$/.exec(t)!;
  const n = Number(m[1]) * 30000;
  const d = Number(m[2] ?? 1) * 1001;
  expect(n % d).toBe(0);
  return n / d;
};

describe('GET /v1/jobs/:id/clips/:clipId/export', () => {
  it('refuses an unknown or missing format with 400 naming the field', async () => {
    for (const q of ['format=mp4', 'format=', '']) {
      const res = await get(`/v1/jobs/${jobId}/clips/${clipId}/export?${q}`);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/format must be one of/);
    }
  });

  it('answers 404 for a clip that is not in this job, and 409 before the clip is rendered', async () => {
    expect((await get(clipPath('edl', randomUUID()))).status).toBe(404);
    const bad = await get(clipPath('edl', `${'x'.repeat(300)}`));
    expect(bad.status).toBe(404);
    expect(bad.text).not.toContain('xxxx');
    const pending = await get(clipPath('fcpxml', pendingClipId));
    expect(pending.status).toBe(409);
    expect(JSON.stringify(pending.body)).toMatch(/not rendered yet \(status: rendering\)/);
  });

  it('exports FCPXML with the jump cut and the keyframed reframe', async () => {
    const res = await get(clipPath('fcpxml'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    expectAttachment(res.headers, 'fcpxml');
    expect(validate(res.text)).toBe(true);
    const root = parse(res.text, { ignoreAttributes: false, attributeNamePrefix: '@_' })
      .fcpxml as Node;
    expect(root.resources.format[0]['@_frameDuration']).toBe('1001/30000s');
    const [{ source_filename: stored }] = (await api.db.query(
      'SELECT source_filename FROM jobs WHERE id = $1',
      [jobId],
    )) as Array<{ source_filename: string }>;
    expect(stored).toMatch(/^Über .*talk.* & <b>\.mp4$/);
    expect(root.resources.asset['media-rep']['@_src']).toBe(
      'file:///' + encodeURIComponent(stored),
    );
    const seq = root.library.event.project.sequence as Node;
    expect(seq['@_tcFormat']).toBe('DF');
    const items = seq.spine['asset-clip'] as Node[];
    // The 4–6 s silence is cut (0.1 s padding each side): two pieces.
    expect(items).toHaveLength(2);
    const firstOut = frames(items[0]['@_start']) + frames(items[0]['@_duration']);
    const secondIn = frames(items[1]['@_start']);
    expect(Math.abs(firstOut / (30000 / 1001) - (SILENCE.start + 0.1))).toBeLessThan(1 / 29);
    expect(Math.abs(secondIn / (30000 / 1001) - (SILENCE.end - 0.1))).toBeLessThan(1 / 29);
    expect(frames(items[1]['@_offset'])).toBe(frames(items[0]['@_duration']));
    // The reframe: the window centre follows the plan (x 40 → 400 over 1–11 s) within a pixel.
    for (const item of items) {
      const tr = item['adjust-transform'] as Node;
      const scale = Number(String(tr['@_scale']).split(' ')[0]);
      for (const k of tr.param.keyframeAnimation.keyframe as Node[]) {
        const t = frames(k['@_time']) / (30000 / 1001);
        const [px, py] = String(k['@_value']).split(' ').map(Number);
        const win = windowOf(
          { width: 1080, height: 1920 },
          { width: 640, height: 360 },
          { scale, dx: (px / 100) * 1920, dy: (-py / 100) * 1920 },
        );
        const wantCentre = 40 + ((400 - 40) * (t - 1)) / 10 + 202.5 / 2;
        expect(Math.abs(win.x + win.w / 2 - wantCentre)).toBeLessThanOrEqual(1);
        expect(Math.abs(win.y + win.h / 2 - 180)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('exports a drop-frame EDL, xmeml, OTIO and the captions as SRT', async () => {
    const edl = await get(clipPath('edl'));
    expect(edl.status).toBe(200);
    expect(edl.headers.get('content-type')).toMatch(/^text\/plain/);
    expectAttachment(edl.headers, 'edl');
    expect(edl.text).toContain('FCM: DROP FRAME');
    const events = edl.text.split('\r\n').filter((l) => /^\d{3} /.test(l));
    expect(events).toHaveLength(2);
    const tcs = events[1].trim().split(/\s+/).slice(-4);
    expect(tcs.every((tc) => tc.includes(';'))).toBe(true);
    const [, , recIn] = tcs.map((tc) => timecodeToFrames(tc, RATES['29.97']));
    const first = events[0].trim().split(/\s+/).slice(-4);
    expect(recIn).toBe(timecodeToFrames(first[3], RATES['29.97']));

    const xml = await get(clipPath('xmeml'));
    expect(xml.status).toBe(200);
    expectAttachment(xml.headers, 'xml');
    expect(validate(xml.text)).toBe(true);
    const seq = parse(xml.text).xmeml.project.children.sequence as Node;
    expect(seq.rate).toEqual({ timebase: 30, ntsc: 'TRUE' });
    expect(seq.media.video.track.clipitem).toHaveLength(2);

    const otio = await get(clipPath('otio'));
    expect(otio.status).toBe(200);
    expect(otio.headers.get('content-type')).toMatch(/^application\/json/);
    expectAttachment(otio.headers, 'otio');
    const timeline = otio.body as Node;
    expect(timeline.OTIO_SCHEMA).toBe('Timeline.1');
    const clips = timeline.tracks.children[0].children as Node[];
    expect(clips.map((c) => c.source_range.start_time.value)).toEqual(
      (parse(xml.text).xmeml.project.children.sequence.media.video.track.clipitem as Node[]).map(
        (c) => c.in,
      ),
    );

    const srt = await get(clipPath('srt'));
    expect(srt.status).toBe(200);
    expect(srt.headers.get('content-type')).toMatch(/^application\/x-subrip/);
    expectAttachment(srt.headers, 'srt');
    expect(srt.text).toMatch(/hello there/i);
    expect(srt.text).toMatch(/after pause/i);
  });
});

describe('GET /v1/jobs/:id/export', () => {
  it('puts every completed clip in one file and refuses srt', async () => {
    const one = await get(`/v1/jobs/${jobId}/export?format=fcpxml`);
    expect(one.status).toBe(200);
    const projects = (s: string) => s.match(/<project /g)?.length ?? 0;
    expect(projects(one.text)).toBe(1);
    expect(one.headers.get('content-disposition')).toBe(
      `attachment; filename="${STEM}-clips.fcpxml"`,
    );
    await api.db.query(`UPDATE clips SET status = 'completed' WHERE id = $1`, [pendingClipId]);
    const two = await get(`/v1/jobs/${jobId}/export?format=fcpxml`);
    expect(projects(two.text)).toBe(2);
    const otio = await get(`/v1/jobs/${jobId}/export?format=otio`);
    expect((otio.body as Node).OTIO_SCHEMA).toBe('SerializableCollection.1');
    expect((await get(`/v1/jobs/${jobId}/export?format=srt`)).status).toBe(400);
  });

  it('answers 409 while no clip is rendered', async () => {
    const other = (await streamJob(api, alice, readFileSync(await ntscMp4()))).id;
    const res = await get(`/v1/jobs/${other}/export?format=edl`);
    expect(res.status).toBe(409);
  });
});
