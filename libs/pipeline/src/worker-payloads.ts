import { ASPECTS, type WorkerStage } from '@clipline/contracts';
import type { PayloadOf } from './stage-handler';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type PayloadCheck<S extends WorkerStage> =
  { ok: true; payload: PayloadOf<S> } | { ok: false; reason: string };

/**
 * Checks a Bull message of `stage`'s queue before anything runs: Redis is
 * writable by more than this code, and a message that cannot be right (no job
 * id, another stage's, a clip without its aspect) must be dropped, not retried
 * or fed into a query. Returns the payload with only the fields it declares.
 */
export function checkStagePayload<S extends WorkerStage>(stage: S, data: unknown): PayloadCheck<S> {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return { ok: false, reason: 'the message is not an object' };
  const d = data as Record<string, unknown>;
  const problems: string[] = [];
  const uuid = (field: string, optional = false) => {
    const v = d[field];
    if (v === undefined && optional) return;
    if (typeof v !== 'string' || !UUID.test(v)) problems.push(`${field} is not a uuid`);
  };
  uuid('jobId');
  if (d.stage !== stage) problems.push(`stage is ${JSON.stringify(d.stage)}, not "${stage}"`);
  if (typeof d.attempt !== 'number' || !Number.isInteger(d.attempt) || d.attempt < 0)
    problems.push('attempt is not a whole number of at least 0');
  if (stage === 'rendering') {
    uuid('clipId');
    uuid('segmentId');
    if (!(ASPECTS as readonly unknown[]).includes(d.aspect))
      problems.push(`aspect is not one of ${ASPECTS.join(', ')}`);
    if (d.partId !== undefined) problems.push('a clip has no parts');
  } else uuid('partId', true);
  if (problems.length) return { ok: false, reason: problems.join('; ') };
  const base = { jobId: d.jobId, stage, attempt: d.attempt };
  const payload =
    stage === 'rendering'
      ? { ...base, clipId: d.clipId, segmentId: d.segmentId, aspect: d.aspect }
      : d.partId === undefined
        ? base
        : { ...base, partId: d.partId };
  return { ok: true, payload: payload as PayloadOf<S> };
}
