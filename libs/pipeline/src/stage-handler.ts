import type {
  RenderJobPayload,
  StageHooks,
  StageJobPayload,
  WorkerStage,
} from '@clipline/contracts';
import type { JobEntity } from '@clipline/database';
import type { EntityManager } from 'typeorm';
import type { ClipColumns, StageSaved } from './leases';
import type { PartRange } from './part-ranges';
import type { RunContext } from './stage-runner';

/** The Bull message each stage's queue carries, once checked at the worker boundary. */
export type PayloadOf<S extends WorkerStage> = S extends 'rendering'
  ? RenderJobPayload
  : StageJobPayload;

/**
 * What `save` gives back: for a stage, nothing or how it ended (summary,
 * skipped, an after-commit step); for a clip (rendering's unit), the columns
 * its fenced completion publishes.
 */
export type SavedOf<S extends WorkerStage> = S extends 'rendering'
  ? ClipColumns
  : StageSaved | void;

/** What a unit of work reads besides its context. */
export interface StageInput<S extends WorkerStage> {
  /** A presigned URL of the job's source (ffmpeg reads it with range requests). */
  sourceUrl: string;
  message: PayloadOf<S>;
}

/**
 * A stage that can be cut by time range: any worker of the stage runs parts
 * (`runPart`), the worker that holds the stage merges them in order.
 */
export interface StageSplit<P, M> {
  /** Time ranges to cut a source into, or null when it is short enough to run whole. */
  ranges(durationSec: number): PartRange[] | null;
  runPart(job: JobEntity, range: PartRange, sourceUrl: string, hooks: StageHooks): Promise<P>;
  merge(parts: P[], job: JobEntity): M;
}

/**
 * The one shape of a stage's work, for all five workers. The worker around it
 * parses the Bull message, takes the lease (the stage's, or a clip's for
 * rendering), runs `run` under the heartbeat, and calls `save` inside the
 * transaction that checks the attempt, so a lost lease saves nothing.
 * Errors thrown by `run` keep the class they were given where they arose
 * (BadInputError, ConfigurationError, InfrastructureError, anything else
 * transient); the runner decides from it.
 */
export interface StageHandler<S extends WorkerStage = WorkerStage, R = unknown> {
  readonly stage: S;
  run(ctx: RunContext, input: StageInput<S>): Promise<R>;
  save(m: EntityManager, ctx: RunContext, result: R): Promise<SavedOf<S>>;
  split?: StageSplit<unknown, unknown>;
  /** After the unit committed: what to tell clients about its result (a clip's `clip.ready`). */
  committed?(result: R): void | Promise<void>;
  /** The unit's result was not saved (lease lost, or the save refused): undo its side effects. */
  discarded?(result: R): Promise<void>;
}

/**
 * The startup check of a worker app: every stage it serves has exactly one
 * handler. A missing or doubled handler would leave a queue unserved or
 * served two ways, so the app refuses to start and says which.
 */
export function handlersByStage<H extends { readonly stage: WorkerStage }>(
  served: readonly WorkerStage[],
  handlers: readonly H[],
): Map<WorkerStage, H> {
  const problems: string[] = [];
  const byStage = new Map<WorkerStage, H>();
  const name = (h: H) => (h as { constructor: { name: string } }).constructor.name;
  for (const stage of served) {
    const found = handlers.filter((h) => h.stage === stage);
    if (found.length === 0) problems.push(`no handler for stage "${stage}"`);
    else if (found.length > 1)
      problems.push(`${found.length} handlers for "${stage}" (${found.map(name).join(', ')})`);
    else byStage.set(stage, found[0]);
  }
  for (const h of handlers)
    if (!served.includes(h.stage))
      problems.push(`${name(h)} handles "${h.stage}", which this worker does not serve`);
  if (problems.length)
    throw new Error(
      `worker refuses to start: ${problems.join('; ')} (it serves ${served.join(', ') || 'nothing'})`,
    );
  return byStage;
}
