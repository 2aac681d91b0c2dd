import type { AppConfig } from '@clipline/config';
import type { WorkerStage } from '@clipline/contracts';
import type { StorageService } from '@clipline/storage';
import { appLogger } from './app-logger';
import type { ClipRows } from './state/clip-rows';
import { clipLease, stageLease, type ClipResult, type StageResult } from './leases';
import type { PartCoordinator } from './part-coordinator';
import { WORKER_HOST } from './processing-logger';
import { handlersByStage, type PayloadOf, type StageHandler } from './stage-handler';
import type { RunContext, RunOutcome, StageRunner, UnitRun } from './stage-runner';
import type { StageRows } from './state/stage-rows';
import { messagesRejected } from './worker-metrics';
import { checkStagePayload } from './worker-payloads';

/** What a worker does with one Bull message. */
export type MessageOutcome = RunOutcome | 'part' | 'rejected';

/** The Bull job as the host reads it: only its data (and id, to name a rejected one). */
export interface StageMessage {
  id?: string | number;
  data: unknown;
}

export interface WorkerHostDeps {
  runner: StageRunner;
  stages: StageRows;
  clips: ClipRows;
  storage: StorageService;
  cfg: AppConfig;
  /** Needed only when a handler splits into parts. */
  parts?: PartCoordinator;
}

type WholeStage = Exclude<WorkerStage, 'rendering'>;

/** The handler's own result, kept beside what the lease saves, for `committed` or `discarded`. */
type Held = { value: unknown };

/** Any stage's handler; `stage` tells which lease its unit takes. */
export type AnyStageHandler =
  StageHandler<WholeStage, unknown> | StageHandler<'rendering', unknown>;

/**
 * The worker side of every stage: checks each Bull message at the boundary,
 * takes the right lease (the stage's, or a clip's for rendering), runs the
 * stage's one handler under the runner and saves through the fenced
 * completion. Built once per worker app, after checking that every stage the
 * app serves has exactly one handler.
 */
export class WorkerHost {
  private readonly handlers: Map<WorkerStage, AnyStageHandler>;

  constructor(
    private readonly deps: WorkerHostDeps,
    served: readonly WorkerStage[],
    handlers: readonly AnyStageHandler[],
  ) {
    this.handlers = handlersByStage(served, handlers);
    const split = handlers.find((h) => h.split);
    if (split && !deps.parts)
      throw new Error(`worker refuses to start: ${split.stage} splits but has no part coordinator`);
  }

  /** One message of `stage`'s queue. A malformed message is logged and dropped, never run. */
  async handle(stage: WorkerStage, message: StageMessage): Promise<MessageOutcome> {
    const handler = this.handlers.get(stage);
    const checked = checkStagePayload(stage, message.data);
    if (!handler || !checked.ok) {
      const reason = checked.ok ? `this worker does not serve ${stage}` : checked.reason;
      return this.reject(stage, message, reason);
    }
    const payload = checked.payload;
    if (handler.stage === 'rendering')
      return this.runClip(handler, payload as PayloadOf<'rendering'>);
    return this.runStage(handler, payload as PayloadOf<WholeStage>, message);
  }

  private async runStage(
    handler: StageHandler<WholeStage, unknown>,
    payload: PayloadOf<WholeStage>,
    message: StageMessage,
  ): Promise<MessageOutcome> {
    const { runner, stages, cfg, parts } = this.deps;
    if (payload.partId) {
      if (!handler.split || !parts)
        return this.reject(handler.stage, message, 'a part of a stage that does not split');
      await parts.runClaimed(handler, payload.partId);
      return 'part';
    }
    const run = await runner.runUnit<StageResult & Held>(
      stageLease(stages, cfg, payload.jobId, payload.stage),
      async (ctx) => {
        const value = await handler.run(ctx, await this.input(ctx, payload));
        return { value, write: (m) => handler.save(m, ctx, value) };
      },
    );
    return this.settle(handler, run);
  }

  private async runClip(
    handler: StageHandler<'rendering', unknown>,
    payload: PayloadOf<'rendering'>,
  ): Promise<RunOutcome> {
    const { runner, clips, cfg, storage } = this.deps;
    // Publishing is the fenced completion; the objects it replaced can go once it committed.
    const lease = clipLease(clips, cfg, payload.jobId, payload.clipId, (replaced) =>
      storage.deleteKeys(replaced),
    );
    const run = await runner.runUnit<ClipResult & Held>(
      lease,
      async (ctx) => {
        const value = await handler.run(ctx, await this.input(ctx, payload));
        return { value, save: (m) => handler.save(m, ctx, value) };
      },
      `clip ${payload.clipId}`,
    );
    return this.settle(handler, run);
  }

  /** After the run: announce what was saved, or undo what was made and not saved. */
  private async settle(handler: AnyStageHandler, run: UnitRun<Held>): Promise<RunOutcome> {
    if (!run.result) return run.outcome;
    if (run.outcome === 'completed') await handler.committed?.(run.result.value);
    else
      await handler
        .discarded?.(run.result.value)
        .catch((err: Error) => console.warn(`cleaning up unsaved work: ${err.message}`));
    return run.outcome;
  }

  /** Logged and counted, never thrown: a bad message must not fail the consumer or another job. */
  private reject(stage: WorkerStage, message: StageMessage, reason: string): 'rejected' {
    messagesRejected.inc({ stage });
    appLogger()
      .child({ stage, worker: WORKER_HOST, bullJobId: message.id })
      .warn(`dropped a malformed ${stage} message: ${reason}`);
    return 'rejected';
  }

  private async input<M>(ctx: RunContext, message: M): Promise<{ sourceUrl: string; message: M }> {
    return { sourceUrl: await this.deps.storage.presignGet(ctx.job.sourceKey), message };
  }
}

/** A worker of one handler without Nest (tests, tools): the host serving its stage alone. */
export function hostFor(handler: AnyStageHandler, deps: WorkerHostDeps): WorkerHost {
  return new WorkerHost(deps, [handler.stage], [handler]);
}
