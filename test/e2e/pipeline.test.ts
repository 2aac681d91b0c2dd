import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, statSync } from 'node:fs';
import { Client } from 'pg';
import { io, type Socket } from 'socket.io-client';
import { FFPROBE_PATH } from '@clipline/media';
import { buildSpeech, TALK_SENTENCES } from '../fixtures/speech.fixture';
import { buildCutTalk } from '../fixtures/talking-head.fixture';
import { Stack, bootStack, createTestKey } from '../support/stack';

jest.setTimeout(20 * 60_000);

/**
 * The whole product, for real: the API and the five workers as separate
 * processes from the build, Postgres, Redis, s3rver, ffmpeg, pocketsphinx,
 * onnxruntime. One job goes through upload → clips, survives a SIGKILLed
 * worker, and a segmenting re-run replaces its clips.
 */
describe('end to end: upload to rendered clips', () => {
  let stack: Stack;
  let base: string;
  let key: string;
  let db: Client;
  const events: Array<{ name: string; stage?: string; status?: string; at: number }> = [];
  let socket: Socket;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (res.status >= 400)
      throw new Error(
        `${method} ${path} → ${res.status}: ${text}\n--- api\n${stack.tail('api', 20)}`,
      );
    return json;
  };

  const waitJob = async (
    jobId: string,
    done: (j: { status: string }) => boolean,
    what: string,
    timeoutMs = 12 * 60_000,
  ) => {
    const t0 = Date.now();
    let last: { status: string; stages: unknown[] } | undefined;
    while (Date.now() - t0 < timeoutMs) {
      last = await api('GET', `/v1/jobs/${jobId}`);
      if (done(last!)) return last!;
      if (last!.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const tails = ['transcription-worker', 'segmenting-worker', 'render-worker']
      .map((a) => `--- ${a}\n${stack.tail(a as never, 15)}`)
      .join('\n');
    throw new Error(
      `job never reached: ${what}; last state ${JSON.stringify(last, null, 1)}\n${tails}`,
    );
  };

  beforeAll(async () => {
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    key = await createTestKey(db, 'e2e');
    ({ stack, base } = await bootStack(
      {
        HEARTBEAT_SECONDS: '1',
        STALL_SECONDS: '6',
        RECONCILE_INTERVAL_SECONDS: '1',
        RETRY_BASE_DELAY_MS: '500',
        // Splits the ~2.5-minute talk into parts, so transcription and layout run distributed.
        STAGE_PART_SECONDS: '50',
      },
      // A second layout worker takes layout parts off the first one's hands.
      [['layout-worker', 'layout-worker#2']],
    ));
  });

  afterAll(async () => {
    socket?.close();
    await stack?.stopAll();
    await db?.end();
  });

  it('processes an uploaded talk, survives a killed worker, and re-runs segmenting without duplicates', async () => {
    // 1. A ~2.5-minute talk: known sentences and pauses, the astronaut as the face, one scene cut.
    const sentences = [...TALK_SENTENCES, ...TALK_SENTENCES.slice(0, 12)];
    const pauses = sentences.map((_, i) => [0.6, 1.2, 2.0, 0.8, 2.5][i % 5]);
    const speech = await buildSpeech({ sentences, pauses, leadIn: 0.5 });
    const total = Math.ceil(speech.truth.durationSec);
    const cut = Math.round(total / 2);
    const talk = await buildCutTalk(speech.wavPath, total, cut);
    expect(talk.durationSec).toBeGreaterThanOrEqual(120);

    // 2. Upload through the resumable multipart API, two parts at least.
    const size = statSync(talk.path).size;
    const created = await api('POST', '/v1/uploads', {
      filename: 'talk.mp4',
      size,
      contentType: 'video/mp4',
      options: { clipCount: 2, minClipSeconds: 12, maxClipSeconds: 30, aspects: ['9:16'] },
    });
    const file = readFileSync(talk.path);
    for (const part of created.parts as Array<{ partNumber: number; url: string }>) {
      const start = (part.partNumber - 1) * created.partSize;
      const body = file.subarray(start, Math.min(size, start + created.partSize));
      const put = await fetch(part.url, { method: 'PUT', body });
      expect(put.status).toBe(200);
      await api('PUT', `/v1/uploads/${created.uploadId}/parts/${part.partNumber}`, {
        etag: put.headers.get('etag'),
        size: body.length,
      });
    }

    // Listen before completing, so no stage event is missed.
    socket = io(base, { auth: { apiKey: key }, transports: ['websocket'] });
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', () => resolve());
      socket.on('connect_error', reject);
    });
    const jobId: string = created.jobId;
    const ack = await socket.timeout(5000).emitWithAck('subscribe', { all: true });
    expect(ack.ok).toBe(true);
    for (const name of [
      'job.status',
      'stage.started',
      'stage.completed',
      'stage.failed',
      'clip.ready',
    ]) {
      socket.on(name, (e: { jobId: string; stage?: string; status?: string }) => {
        if (e.jobId === jobId)
          events.push({ name, stage: e.stage, status: e.status, at: Date.now() });
      });
    }

    const job = await api('POST', `/v1/uploads/${created.uploadId}/complete`);
    expect(job.id).toBe(jobId);

    // 6. Kill the transcription worker with SIGKILL in the middle of its stage; a supervisor restarts it.
    const t0 = Date.now();
    while (!events.some((e) => e.name === 'stage.started' && e.stage === 'transcription')) {
      if (Date.now() - t0 > 120_000) throw new Error('transcription never started');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1500));
    await stack.kill('transcription-worker', 'SIGKILL');
    stack.start('transcription-worker');

    // 3. Let the five workers finish.
    const finished = await waitJob(jobId, (j) => j.status === 'completed', 'completed');
    const transcription = (
      finished as { stages: Array<{ stage: string; attempt: number }> }
    ).stages.find((s) => s.stage === 'transcription')!;
    expect(transcription.attempt).toBeGreaterThanOrEqual(2);

    // 4a. At least one 9:16 clip, 1080x1920 H.264 + AAC.
    const { clips } = await api('GET', `/v1/jobs/${jobId}/clips`);
    const done = clips.filter(
      (c: { status: string; aspect: string }) => c.status === 'completed' && c.aspect === '9:16',
    );
    const segmenting = (
      finished as { stages: Array<{ stage: string; summary: unknown }> }
    ).stages.find((s) => s.stage === 'segmenting');
    // The summary says why nothing was selected, which a bare count would hide.
    if (!done.length) throw new Error(`no clip: ${JSON.stringify(segmenting?.summary)}`);
    // Async: s3rver runs inside this jest process, so a blocking ffprobe would deadlock it.
    const probeOut = await promisify(execFile)(FFPROBE_PATH, [
      '-v',
      'error',
      '-print_format',
      'json',
      '-show_streams',
      done[0].downloads.video,
    ]);
    const probe = JSON.parse(probeOut.stdout);
    const v = probe.streams.find((s: { codec_type: string }) => s.codec_type === 'video');
    const a = probe.streams.find((s: { codec_type: string }) => s.codec_type === 'audio');
    expect([v.codec_name, v.width, v.height]).toEqual(['h264', 1080, 1920]);
    expect(a.codec_name).toBe('aac');

    // No duplicate clip after the killed worker.
    const dup = await db.query(
      `SELECT segment_id, aspect, count(*) FROM clips WHERE job_id = $1 GROUP BY 1, 2 HAVING count(*) > 1`,
      [jobId],
    );
    expect(dup.rows).toEqual([]);

    // 4b. socket.io delivered stage events in a valid order.
    const first = (name: string, stage?: string) =>
      events.find((e) => e.name === name && (!stage || e.stage === stage))?.at ?? Infinity;
    const last = (name: string, stage?: string) =>
      [...events].reverse().find((e) => e.name === name && (!stage || e.stage === stage))?.at ??
      -Infinity;
    for (const s of ['transcription', 'silence', 'layout', 'segmenting']) {
      expect(first('stage.started', s)).toBeLessThanOrEqual(last('stage.completed', s));
      expect(last('stage.completed', s)).toBeLessThan(Infinity);
    }
    for (const s of ['transcription', 'silence', 'layout']) {
      expect(last('stage.completed', s)).toBeLessThanOrEqual(last('stage.started', 'segmenting'));
    }
    expect(last('stage.completed', 'segmenting')).toBeLessThanOrEqual(first('clip.ready'));
    expect(first('clip.ready')).toBeLessThan(Infinity);
    const jobDone = events.filter((e) => e.name === 'job.status' && e.status === 'completed');
    expect(jobDone.length).toBeGreaterThanOrEqual(1);
    expect(jobDone[0].at).toBeGreaterThanOrEqual(last('clip.ready') - 50);

    // 4c. Every stage wrote processing_logs rows, with the commands it ran.
    const logs = await db.query(
      `SELECT stage, event, command FROM processing_logs WHERE job_id = $1`,
      [jobId],
    );
    for (const s of ['probe', 'transcription', 'silence', 'layout', 'segmenting', 'rendering']) {
      expect(
        logs.rows.filter((r) => r.stage === s && r.event === 'finish').length,
      ).toBeGreaterThanOrEqual(1);
    }
    expect(logs.rows.some((r) => r.stage === 'transcription' && r.event === 'retry')).toBe(true);
    expect(logs.rows.some((r) => r.stage === 'rendering' && r.command?.includes('ffmpeg'))).toBe(
      true,
    );

    // Transcription and layout ran as parts (STAGE_PART_SECONDS=50), each part once in the end.
    const parts = await db.query(
      `SELECT stage, count(*)::int AS n, count(DISTINCT worker_host)::int AS hosts,
              bool_and(status = 'completed') AS done
         FROM stage_parts WHERE job_id = $1 GROUP BY stage ORDER BY stage`,
      [jobId],
    );
    expect(parts.rows.map((r) => r.stage)).toEqual(['layout', 'transcription']);
    for (const r of parts.rows) {
      expect(r.n).toBeGreaterThanOrEqual(2);
      expect(r.done).toBe(true);
    }
    console.log(`layout parts ran on ${parts.rows[0].hosts} worker process(es)`);

    // 5. Re-run segmenting: the clips are replaced, not duplicated.
    const before = await db.query(`SELECT id, segment_id FROM clips WHERE job_id = $1`, [jobId]);
    await api('POST', `/v1/jobs/${jobId}/stages/segmenting/rerun`);
    await waitJob(
      jobId,
      (j) =>
        j.status === 'completed' &&
        (j as unknown as { stages: Array<{ stage: string; attempt: number }> }).stages.find(
          (s) => s.stage === 'segmenting',
        )!.attempt >= 2,
      'completed after segmenting re-run',
    );
    const after = await db.query(
      `SELECT id, segment_id, aspect, status, video_key FROM clips WHERE job_id = $1`,
      [jobId],
    );
    expect(after.rows.length).toBe(before.rows.length);
    expect(after.rows.every((r) => r.status === 'completed')).toBe(true);
    expect(after.rows.some((r) => before.rows.some((b) => b.id === r.id))).toBe(false);
    const segs = await db.query(
      `SELECT count(*)::int AS n FROM content_segments WHERE job_id = $1 AND selected`,
      [jobId],
    );
    expect(after.rows.length).toBe(segs.rows[0].n);
    const { clips: listed } = await api('GET', `/v1/jobs/${jobId}/clips`);
    expect(listed.length).toBe(after.rows.length);
  });
});
