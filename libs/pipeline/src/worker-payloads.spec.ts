import { checkStagePayload } from './worker-payloads';

const JOB = '5f0c2b1e-8a4d-4c7e-9b3a-0d1e2f3a4b5c';
const CLIP = '6a1d3c2f-9b5e-4d8f-8c4b-1e2f3a4b5c6d';
const SEGMENT = '7b2e4d3a-0c6f-4e9a-9d5c-2f3a4b5c6d7e';

describe('checkStagePayload', () => {
  it('passes the messages the scheduler sends, keeping only their declared fields', () => {
    expect(checkStagePayload('layout', { jobId: JOB, stage: 'layout', attempt: 2, x: 1 })).toEqual({
      ok: true,
      payload: { jobId: JOB, stage: 'layout', attempt: 2 },
    });
    expect(
      checkStagePayload('transcription', {
        jobId: JOB,
        stage: 'transcription',
        attempt: 1,
        partId: CLIP,
      }),
    ).toEqual({
      ok: true,
      payload: { jobId: JOB, stage: 'transcription', attempt: 1, partId: CLIP },
    });
    const clip = {
      jobId: JOB,
      stage: 'rendering',
      attempt: 0,
      clipId: CLIP,
      segmentId: SEGMENT,
      aspect: '9:16',
    };
    expect(checkStagePayload('rendering', clip)).toEqual({ ok: true, payload: clip });
  });

  it.each([
    ['not an object', 'silence', null, /not an object/],
    ['an array', 'silence', [JOB], /not an object/],
    ['a job id that is no uuid', 'silence', { jobId: '1', stage: 'silence', attempt: 0 }, /jobId/],
    ['another queue’s stage', 'silence', { jobId: JOB, stage: 'layout', attempt: 0 }, /stage/],
    ['a negative attempt', 'silence', { jobId: JOB, stage: 'silence', attempt: -1 }, /attempt/],
    ['an attempt as text', 'silence', { jobId: JOB, stage: 'silence', attempt: '1' }, /attempt/],
    [
      'a part id that is no uuid',
      'layout',
      { jobId: JOB, stage: 'layout', attempt: 0, partId: 'p1' },
      /partId/,
    ],
    [
      'a clip without its aspect',
      'rendering',
      { jobId: JOB, stage: 'rendering', attempt: 0, clipId: CLIP, segmentId: SEGMENT },
      /aspect/,
    ],
    [
      'a clip without its segment',
      'rendering',
      { jobId: JOB, stage: 'rendering', attempt: 0, clipId: CLIP, aspect: '1:1' },
      /segmentId/,
    ],
  ] as const)('refuses %s', (_what, stage, data, reason) => {
    const checked = checkStagePayload(stage, data);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.reason).toMatch(reason);
  });
});
