import { randomUUID } from 'node:crypto';
import type { CropPlan } from '@clipline/contracts';
import { FFMPEG_PATH, runChecked } from '@clipline/media';
import { cached } from '../fixtures/fixture-cache';
import type { ApiHarness } from './api-app';

/** The seeded silence inside the clip (source seconds); removeSilence cuts it. */
export const SILENCE = { start: 4, end: 6 };

/** 12 s of 640x360 test pattern at 30000/1001 with a tone. */
export function ntscMp4(): Promise<string> {
  return cached('export-ntsc.mp4', { v: 1 }, async (tmp) => {
    await runChecked(FFMPEG_PATH, [
      ...['-v', 'error', '-y'],
      ...['-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30000/1001:duration=12'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=12'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
      ...['-f', 'mp4', tmp],
    ]);
  });
}

export const plan: CropPlan = {
  aspect: '9:16',
  sourceWidth: 640,
  sourceHeight: 360,
  scenes: [
    {
      sceneIndex: 0,
      start: 0,
      end: 12,
      keyframes: [
        { t: 1, x: 40, y: 0, w: 202.5, h: 360 },
        { t: 11, x: 400, y: 0, w: 202.5, h: 360 },
      ],
    },
  ],
};

/**
 * What the workers would have stored for a job whose 9:16 clip is rendered and
 * whose 16:9 clip is still rendering: stages, words, a silence, a crop plan.
 */
export async function seedRenderedClip(
  api: ApiHarness,
  job: string,
): Promise<{ clip: string; pending: string }> {
  await api.db.query(`UPDATE job_stages SET status = 'completed' WHERE job_id = $1`, [job]);
  const words = [
    { text: 'hello', start: 1.2, end: 1.6, confidence: 0.9 },
    { text: 'there', start: 1.7, end: 2.2, confidence: 0.9 },
    { text: 'after', start: 6.3, end: 6.8, confidence: 0.9 },
    { text: 'pause', start: 6.9, end: 7.4, confidence: 0.9 },
  ];
  await api.db.query(
    `INSERT INTO transcripts (job_id, engine, model, model_version, language, text, words, segments, note, attempt)
     VALUES ($1, 'pocketsphinx', 'en-us', 'v', 'en', 'hello there after pause', $2, '[]', NULL, 1)`,
    [job, JSON.stringify(words)],
  );
  await api.db.query(
    `INSERT INTO silence_regions (job_id, kind, start_sec, end_sec, mean_db, attempt)
     VALUES ($1, 'silence', $2, $3, -60, 1)`,
    [job, SILENCE.start, SILENCE.end],
  );
  await api.db.query(
    `INSERT INTO layout_analyses (job_id, sample_fps, frame_count, scenes, scene_cuts, face_tracks, crop_plans, note, attempt)
     VALUES ($1, 2, 24, '[]', '[]', '[]', $2, NULL, 1)`,
    [job, JSON.stringify([plan])],
  );
  const segment = randomUUID();
  await api.db.query(
    `INSERT INTO content_segments (id, job_id, rank, start_sec, end_sec, score, features, reason, text, selected, attempt)
     VALUES ($1, $2, 1, 1, 11, 80, '{}'::jsonb, 'test', 'hello there after pause', true, 1)`,
    [segment, job],
  );
  const clip = randomUUID();
  const pending = randomUUID();
  await api.db.query(
    `INSERT INTO clips (id, job_id, segment_id, aspect, status, attempt)
     VALUES ($1, $3, $4, '9:16', 'completed', 1), ($2, $3, $4, '16:9', 'rendering', 1)`,
    [clip, pending, job, segment],
  );
  return { clip, pending };
}
