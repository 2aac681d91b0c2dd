import type { CropPlan } from '@clipline/contracts';
import { silenceOutputs } from '@clipline/pipeline';
import type { ApiHarness } from './api-app';
import { insertClip, insertLayoutAnalysis, insertSegment, insertTranscript } from './factories';

/** The seeded silence inside the clip (source seconds); removeSilence cuts it. */
export const SILENCE = { start: 4, end: 6 };

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
  const m = api.db.manager;
  await insertTranscript(m, job, words);
  await silenceOutputs.save(m, job, 1, [{ kind: 'silence', ...SILENCE, meanDb: -60 }]);
  await insertLayoutAnalysis(m, job, { frameCount: 24, cropPlans: [plan] });
  const segmentId = await insertSegment(m, job, {
    start: 1,
    end: 11,
    score: 80,
    reason: 'test',
    text: 'hello there after pause',
  });
  const done = { jobId: job, segmentId, attempt: 1 };
  const clip = await insertClip(m, { ...done, status: 'completed' });
  const pending = await insertClip(m, { ...done, aspect: '16:9', status: 'rendering' });
  return { clip, pending };
}
